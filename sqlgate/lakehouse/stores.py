"""Object stores named in sqlgate URLs, turned into a root URI and storage options.

The options use object_store's names (``aws_endpoint_url``, ``azure_storage_account_key`` ...),
which delta-rs and hudi-rs read as they are and :func:`sqlgate.lakehouse.storage.resolve`
translates for pyarrow's filesystems. Alibaba OSS and Tencent COS are reached through their
S3-compatible endpoints; MinIO is S3 at the URL's host and port.

URL forms (credentials may come from ``?credential=...`` instead of the URL)::

    s3://KEY:SECRET@bucket/prefix?region=eu-west-1[&endpoint=http://127.0.0.1:9000]
    minio://KEY:SECRET@host:9000/bucket/prefix?secure=false
    ozone://KEY:SECRET@s3g-host:9878/bucket/prefix?secure=false   (Ozone's S3 gateway, /s3v volume)
    oss://KEY:SECRET@bucket/prefix?region=cn-hangzhou      -> https://bucket.oss-cn-hangzhou.aliyuncs.com
    cos://KEY:SECRET@bucket-1250000000/prefix?region=ap-guangzhou
                                                  -> https://bucket-1250000000.cos.ap-guangzhou.myqcloud.com
    azure://ACCOUNT:KEY@container/prefix[?endpoint=http://127.0.0.1:10000/ACCOUNT]
    azure://ACCOUNT@container/prefix?sas_token=sv%3D...     (or ?credential=azure-sas:...)
    gcs://bucket/prefix?credential=gcp[&endpoint=http://127.0.0.1:4443]
    hdfs://namenode:9870/path?credential=kerberos&credential_keytab=...  (WebHDFS port; hdfs.py)

Every remote store also takes ``connect_timeout`` (default 5 s), ``timeout`` (per request,
default 30 s), ``max_retries`` (default 3) and ``retry_timeout`` (all retries together,
default 60 s), in seconds or as durations (``10s``, ``500ms``); so an unreachable endpoint
fails within seconds instead of hanging. OSS and COS use virtual-hosted addressing (the bucket
in the host name), except for an ``endpoint`` on an IP address or ``localhost`` (an emulator);
``virtual_hosted=true|false`` decides explicitly.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from sqlgate.core.errors import InterfaceError
from sqlgate.core.params import ConnectParams, parse_bool, parse_int
from sqlgate.core.redact import register_secret
from sqlgate.lakehouse.filesystem_options import MAX_RETRIES, is_ip_or_localhost, seconds

if TYPE_CHECKING:
    from sqlgate.lakehouse.livefs import LiveOptions

STORES = ("local", "s3", "minio", "oss", "cos", "ozone", "azure", "gcs", "hdfs")
_S3_LIKE = frozenset({"s3", "minio", "oss", "cos", "ozone"})
DEFAULT_REGION = "us-east-1"
# bounded network behaviour unless the URL says otherwise (object_store duration syntax)
TIMEOUT_DEFAULTS = {
    "connect_timeout": 5.0,
    "timeout": 30.0,
    "max_retries": 3,
    "retry_timeout": 60.0,
}


@dataclass(frozen=True)
class StoreLocation:
    """Where a source's tables live. ``live`` is set when the URL names a credential
    provider: the options then follow the current credential (docs/credentials.md)."""

    uri: str
    storage_options: dict[str, str] = field(default_factory=dict, repr=False)
    live: LiveOptions | None = field(default=None, repr=False)

    @property
    def options(self) -> dict[str, str] | LiveOptions:
        """What a table source takes: the live options if any, else the fixed ones."""
        return self.live if self.live is not None else self.storage_options


def _path(params: ConnectParams) -> str:
    return (params.database or "").strip("/")


def _secret(value: Any) -> str:
    text = str(value)
    register_secret(text)
    return text


def _duration(value: float) -> str:
    """object_store's duration syntax (``"5s"``, ``"500ms"``)."""
    millis = round(value * 1000)
    return f"{millis // 1000}s" if millis % 1000 == 0 else f"{millis}ms"


def network_options(options: dict[str, Any]) -> dict[str, str]:
    """Pop the timeout/retry options, validated, with defaults; object_store names."""
    out: dict[str, str] = {}
    for key, default in TIMEOUT_DEFAULTS.items():
        value = options.pop(key, default)
        if key == "max_retries":
            out[key] = str(parse_int(key, value, minimum=0, maximum=MAX_RETRIES))
        else:
            out[key] = _duration(seconds(key, value))
    return out


def locate(store: str, params: ConnectParams, options: dict[str, Any]) -> StoreLocation:
    """Read the root and credentials for ``store`` from the URL; consumes the options used.

    With a credential provider the same reading is repeated for each new credential (on a
    copy of the URL's options), so a token that expires is replaced, not kept.
    """
    snapshot = dict(options)
    location = _locate(store, params, options)
    handle = params.credential_handle
    if handle is None or store == "local":
        return location
    from sqlgate.core.credentials.handle import Derived
    from sqlgate.lakehouse.livefs import LiveOptions

    def rebuild(credential: Any) -> dict[str, str]:
        current = replace(
            params,
            user=credential.username or params.user,
            password=credential.secret,
            credential_extras=dict(credential.extras or {}),
        )
        return _locate(store, current, dict(snapshot)).storage_options

    live = LiveOptions(Derived(handle, rebuild))
    return StoreLocation(location.uri, live.current(), live)


def _locate(store: str, params: ConnectParams, options: dict[str, Any]) -> StoreLocation:
    root = options.pop("root", None)
    if store == "local":
        if params.host not in (None, "", "localhost"):
            raise InterfaceError(
                f"a local path takes three slashes (file:///data/lake), not host {params.host!r}"
            )
        return StoreLocation(str(root) if root else "/" + _path(params))
    if store in _S3_LIKE:
        location = _s3_like(store, params, options, root)
    elif store == "azure":
        location = _azure(params, options, root)
    elif store == "gcs":
        location = _gcs(params, options, root)
    elif store == "hdfs":
        from sqlgate.lakehouse.hdfs import locate_hdfs

        location = locate_hdfs(params, options, root)
    else:
        raise InterfaceError(f"unknown store {store!r}; use one of {', '.join(STORES)}")
    location.storage_options.update(network_options(options))
    return location


def _with_scheme(endpoint: str) -> str:
    endpoint = str(endpoint).strip().rstrip("/")
    return endpoint if "://" in endpoint else f"https://{endpoint}"


def _s3_like(
    store: str, params: ConnectParams, options: dict[str, Any], root: str | None
) -> StoreLocation:
    opts: dict[str, str] = {}
    region = options.pop("region", None)
    endpoint = options.pop("endpoint", None) or options.pop("endpoint_url", None)
    virtual = options.pop("virtual_hosted", None)
    if store in ("minio", "ozone"):
        if not params.host:
            raise InterfaceError(f"{store} URLs name the server: {store}://KEY@host:port/bucket")
        secure = parse_bool("secure", options.pop("secure", "true"))
        port = f":{params.port}" if params.port else ""
        if store == "ozone" and not port:  # the S3 gateway's default HTTP / HTTPS ports
            port = ":9879" if secure else ":9878"
        endpoint = endpoint or f"{'https' if secure else 'http'}://{params.host}{port}"
        bucket_path = _path(params)
        if store == "ozone":
            bucket_path = ozone_bucket_path(bucket_path, options.pop("volume", None))
        if not bucket_path and not root:
            raise InterfaceError(f"{store} URLs name the bucket: {store}://KEY@host:port/bucket")
    else:
        if not params.host and not root:
            raise InterfaceError(f"{store} URLs name the bucket: {store}://bucket/prefix")
        bucket_path = f"{params.host or ''}/{_path(params)}".strip("/")
    uri = str(root) if root else f"s3://{bucket_path}"
    bucket = uri.split("://", 1)[-1].split("/", 1)[0]
    if store in ("oss", "cos"):
        region = str(region).removeprefix("oss-") if region else None
        if not endpoint:
            if not region:
                raise InterfaceError(
                    f"{store} URLs need ?region=… (e.g. "
                    f"{'cn-hangzhou' if store == 'oss' else 'ap-guangzhou'}) "
                    "or ?endpoint=…"
                )
            endpoint = (
                f"https://oss-{region}.aliyuncs.com"
                if store == "oss"
                else f"https://cos.{region}.myqcloud.com"
            )
    if endpoint:
        endpoint = _with_scheme(str(endpoint))
        host = endpoint.split("://", 1)[1].split("/", 1)[0]
        if virtual is None:
            use_virtual = store in ("oss", "cos") and not is_ip_or_localhost(host)
        else:
            use_virtual = parse_bool("virtual_hosted", virtual)
        if use_virtual:
            # object_store takes a virtual-hosted endpoint with the bucket already in it
            if bucket and not host.lower().startswith(bucket.lower() + "."):
                scheme_part, rest = endpoint.split("://", 1)
                endpoint = f"{scheme_part}://{bucket}.{rest}"
            opts["aws_virtual_hosted_style_request"] = "true"
        opts["aws_endpoint_url"] = endpoint
        if endpoint.startswith("http://"):
            opts["aws_allow_http"] = "true"
    elif virtual is not None and parse_bool("virtual_hosted", virtual):
        opts["aws_virtual_hosted_style_request"] = "true"
    opts["aws_region"] = str(region or DEFAULT_REGION)
    if params.user:
        opts["aws_access_key_id"] = params.user
    if params.password:
        opts["aws_secret_access_key"] = _secret(params.password)
    token = params.credential_extras.get("session_token") or options.pop("session_token", None)
    if token:
        opts["aws_session_token"] = _secret(token)
    return StoreLocation(uri, opts)


def ozone_bucket_path(path: str, volume: Any = None) -> str:
    """Ozone's S3 gateway serves the buckets of the ``s3v`` volume only: accept ``/s3v/bucket``
    (the Ozone path) as ``bucket``, and refuse another volume with the bucket-link fix."""
    head, _, rest = path.partition("/")
    if volume is None and head == "s3v" and rest:
        return rest
    if volume is not None and str(volume).strip("/") != "s3v":
        raise InterfaceError(
            f"Ozone's S3 gateway serves only the /s3v volume, not {volume!r}: link the bucket "
            f"into it (ozone sh bucket link /{str(volume).strip('/')}/BUCKET /s3v/BUCKET) "
            "and name the link"
        )
    return path


def _azure(params: ConnectParams, options: dict[str, Any], root: str | None) -> StoreLocation:
    extras = params.credential_extras
    account = options.pop("account_name", None) or params.user or extras.get("account")
    if not account:
        raise InterfaceError("azure URLs name the account: azure://ACCOUNT@container/prefix")
    opts = {"azure_storage_account_name": str(account)}
    sas = options.pop("sas_token", None) or extras.get("sas_token")
    key = options.pop("account_key", None) or extras.get("account_key")
    from_provider = "sas_token" in extras or "account_key" in extras
    if params.password and not from_provider and not key:
        if params.credential and params.credential.split(":", 1)[0] == "azure":
            # an Entra ID bearer token (credential=azure): object_store takes it as is
            opts["azure_storage_token"] = _secret(params.password)
        else:
            key = params.password
    if sas and key:
        raise InterfaceError("give either an account key or a SAS token for Azure, not both")
    if sas:
        opts["azure_storage_sas_token"] = _secret(str(sas).lstrip("?"))
    elif key:
        opts["azure_storage_account_key"] = _secret(key)
    endpoint = options.pop("endpoint", None) or options.pop("blob_endpoint", None)
    if endpoint:
        endpoint = _with_scheme(str(endpoint))
        opts["azure_storage_endpoint"] = endpoint
        if endpoint.startswith("http://"):
            opts["azure_allow_http"] = "true"
    container = params.host
    if not container and not root:
        raise InterfaceError("azure URLs name the container: azure://ACCOUNT@container/prefix")
    uri = str(root) if root else f"az://{container}/{_path(params)}".rstrip("/")
    return StoreLocation(uri, opts)


def _gcs(params: ConnectParams, options: dict[str, Any], root: str | None) -> StoreLocation:
    opts: dict[str, str] = {}
    if params.password:  # an OAuth2 access token, usually from ?credential=gcp
        opts["google_access_token"] = _secret(params.password)
    endpoint = options.pop("endpoint", None)
    if endpoint:
        opts["google_endpoint"] = _with_scheme(str(endpoint))
    project = options.pop("project_id", None) or params.credential_extras.get("project")
    if project:
        opts["google_project_id"] = str(project)
    if not params.host and not root:
        raise InterfaceError("gcs URLs name the bucket: gcs://bucket/prefix")
    return StoreLocation(
        str(root) if root else f"gs://{params.host}/{_path(params)}".rstrip("/"), opts
    )
