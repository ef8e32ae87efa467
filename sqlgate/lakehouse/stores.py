"""Object stores named in sqlgate URLs, turned into a root URI and storage options.

The options use object_store's names (``aws_endpoint_url``, ``azure_storage_account_key`` ...),
which delta-rs and hudi-rs read as they are and :func:`sqlgate.lakehouse.storage.resolve`
translates for pyarrow's filesystems. Alibaba OSS and Tencent COS are reached through their
S3-compatible endpoints; MinIO is S3 at the URL's host and port.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlgate.core.errors import InterfaceError
from sqlgate.core.params import ConnectParams, parse_bool
from sqlgate.core.redact import register_secret

STORES = ("local", "s3", "minio", "oss", "cos", "azure", "gcs")
_S3_LIKE = frozenset({"s3", "minio", "oss", "cos"})


@dataclass(frozen=True)
class StoreLocation:
    """Where a source's tables live."""

    uri: str
    storage_options: dict[str, str] = field(default_factory=dict, repr=False)


def _path(params: ConnectParams) -> str:
    return (params.database or "").strip("/")


def locate(store: str, params: ConnectParams, options: dict[str, Any]) -> StoreLocation:
    """Read the root and credentials for ``store`` from the URL; consumes the options used."""
    root = options.pop("root", None)
    if store == "local":
        if params.host not in (None, "", "localhost"):
            raise InterfaceError(
                f"a local path takes three slashes (file:///data/lake), not host {params.host!r}")
        return StoreLocation(str(root) if root else "/" + _path(params))
    if store in _S3_LIKE:
        return _s3_like(store, params, options, root)
    if store == "azure":
        return _azure(params, options, root)
    if store == "gcs":
        return _gcs(params, options, root)
    raise InterfaceError(f"unknown store {store!r}; use one of {', '.join(STORES)}")


def _s3_like(store: str, params: ConnectParams, options: dict[str, Any],
             root: str | None) -> StoreLocation:
    opts: dict[str, str] = {}
    region = options.pop("region", None)
    endpoint = options.pop("endpoint", None) or options.pop("endpoint_url", None)
    if store == "minio":
        if not params.host:
            raise InterfaceError("minio URLs name the server: minio://KEY@host:9000/bucket/prefix")
        secure = parse_bool("secure", options.pop("secure", "true"))
        port = f":{params.port}" if params.port else ""
        endpoint = endpoint or f"{'https' if secure else 'http'}://{params.host}{port}"
        bucket_path = _path(params)
    else:
        if not params.host and not root:
            raise InterfaceError(f"{store} URLs name the bucket: {store}://bucket/prefix")
        bucket_path = f"{params.host}/{_path(params)}".rstrip("/")
    if store == "oss" and not endpoint:
        if not region:
            raise InterfaceError("oss URLs need ?region=cn-hangzhou (or ?endpoint=…)")
        endpoint = f"https://oss-{region}.aliyuncs.com"
    if store == "cos" and not endpoint:
        if not region:
            raise InterfaceError("cos URLs need ?region=ap-guangzhou (or ?endpoint=…)")
        endpoint = f"https://cos.{region}.myqcloud.com"
    opts["aws_region"] = str(region or "us-east-1")
    if endpoint:
        opts["aws_endpoint_url"] = str(endpoint)
        if str(endpoint).startswith("http://"):
            opts["aws_allow_http"] = "true"
    if store in ("oss", "cos"):
        opts["aws_virtual_hosted_style_request"] = "true"
    if params.user:
        opts["aws_access_key_id"] = params.user
    if params.password:
        opts["aws_secret_access_key"] = params.password
        register_secret(params.password)
    token = params.credential_extras.get("session_token") or options.pop("session_token", None)
    if token:
        opts["aws_session_token"] = str(token)
        register_secret(str(token))
    return StoreLocation(str(root) if root else f"s3://{bucket_path}", opts)


def _azure(params: ConnectParams, options: dict[str, Any], root: str | None) -> StoreLocation:
    account = params.user or options.pop("account_name", None)
    if not account:
        raise InterfaceError("azure URLs name the account: azure://ACCOUNT@container/prefix")
    opts = {"azure_storage_account_name": str(account)}
    if params.password:
        opts["azure_storage_account_key"] = params.password
        register_secret(params.password)
    sas = options.pop("sas_token", None) or params.credential_extras.get("sas_token")
    if sas:
        opts["azure_storage_sas_token"] = str(sas).lstrip("?")
        register_secret(str(sas))
    endpoint = options.pop("endpoint", None) or options.pop("blob_endpoint", None)
    if endpoint:
        opts["azure_storage_endpoint"] = str(endpoint)
        if str(endpoint).startswith("http://"):
            opts["azure_allow_http"] = "true"
    container = params.host
    if not container and not root:
        raise InterfaceError("azure URLs name the container: azure://ACCOUNT@container/prefix")
    uri = str(root) if root else f"az://{container}/{_path(params)}".rstrip("/")
    return StoreLocation(uri, opts)


def _gcs(params: ConnectParams, options: dict[str, Any], root: str | None) -> StoreLocation:
    opts: dict[str, str] = {}
    if params.password:  # an OAuth2 access token, usually from ?credential=gcp
        opts["google_access_token"] = params.password
        register_secret(params.password)
    endpoint = options.pop("endpoint", None)
    if endpoint:
        opts["google_endpoint"] = str(endpoint)
    project = options.pop("project_id", None)
    if project:
        opts["google_project_id"] = str(project)
    if not params.host and not root:
        raise InterfaceError("gcs URLs name the bucket: gcs://bucket/prefix")
    return StoreLocation(str(root) if root else f"gs://{params.host}/{_path(params)}".rstrip("/"),
                         opts)
