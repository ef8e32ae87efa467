"""Filesystems from URLs: local paths, ``file://``, ``s3://``, ``gs://``, ``az://``/``abfs://``.

DuckDB cannot read remote URIs offline (no httpfs), so only local files go to DuckDB's
native readers; everything remote is streamed through pyarrow filesystems.

Storage options use object_store's names (what delta-rs and hudi-rs read, and what
:mod:`sqlgate.lakehouse.stores` builds from a URL); :func:`filesystem_options` translates them
for pyarrow. pyarrow's own keyword names are accepted too, and keys are case-insensitive
(``AWS_ENDPOINT_URL`` works). Options pyarrow has no use for (``aws_allow_http``,
``retry_timeout`` ...) are ignored here: they are meant for the Rust readers.

Timeouts: ``connect_timeout`` and ``timeout`` (object_store durations such as ``"5s"``, or
plain seconds) and ``max_retries`` bound every pyarrow S3 request; pyarrow's Azure filesystem
has no timeout settings and keeps the Azure SDK's bounded retry policy (3 retries).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import re
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

import pyarrow.fs as pafs

from sqlgate.core.errors import InterfaceError, OperationalError, ProgrammingError
from sqlgate.core.params import parse_bool, parse_int, parse_seconds
from sqlgate.core.redact import redact

if TYPE_CHECKING:
    from sqlgate.lakehouse.livefs import LiveOptions

# object_store (and pyarrow) option names -> pyarrow.fs.S3FileSystem keyword
_S3_KEYS = {
    "aws_access_key_id": "access_key",
    "access_key_id": "access_key",
    "access_key": "access_key",
    "aws_secret_access_key": "secret_key",
    "secret_access_key": "secret_key",
    "secret_key": "secret_key",
    "aws_session_token": "session_token",
    "aws_token": "session_token",
    "session_token": "session_token",
    "token": "session_token",
    "aws_region": "region",
    "aws_default_region": "region",
    "region": "region",
    "aws_endpoint_url": "endpoint_override",
    "aws_endpoint": "endpoint_override",
    "endpoint_url": "endpoint_override",
    "endpoint": "endpoint_override",
    "endpoint_override": "endpoint_override",
    "scheme": "scheme",
    "aws_virtual_hosted_style_request": "force_virtual_addressing",
    "virtual_hosted_style_request": "force_virtual_addressing",
    "force_virtual_addressing": "force_virtual_addressing",
    "aws_skip_signature": "anonymous",
    "skip_signature": "anonymous",
    "anonymous": "anonymous",
    "connect_timeout": "connect_timeout",
    "timeout": "request_timeout",
    "request_timeout": "request_timeout",
    "max_retries": "max_retries",
}
_AZURE_KEYS = {
    "azure_storage_account_name": "account_name",
    "azure_account_name": "account_name",
    "account_name": "account_name",
    "azure_storage_account_key": "account_key",
    "azure_storage_access_key": "account_key",
    "azure_storage_master_key": "account_key",
    "azure_storage_key": "account_key",
    "account_key": "account_key",
    "access_key": "account_key",
    "azure_storage_sas_key": "sas_token",
    "azure_storage_sas_token": "sas_token",
    "sas_key": "sas_token",
    "sas_token": "sas_token",
    "azure_storage_client_id": "client_id",
    "azure_client_id": "client_id",
    "client_id": "client_id",
    "azure_storage_client_secret": "client_secret",
    "azure_client_secret": "client_secret",
    "client_secret": "client_secret",
    "azure_storage_tenant_id": "tenant_id",
    "azure_tenant_id": "tenant_id",
    "tenant_id": "tenant_id",
    "azure_storage_endpoint": "endpoint",
    "azure_endpoint": "endpoint",
    "endpoint": "endpoint",
    "azure_storage_use_emulator": "use_emulator",
    "azure_use_emulator": "use_emulator",
    "use_emulator": "use_emulator",
    "blob_storage_authority": "blob_storage_authority",
    "blob_storage_scheme": "blob_storage_scheme",
    "dfs_storage_authority": "dfs_storage_authority",
    "dfs_storage_scheme": "dfs_storage_scheme",
}
_GCS_KEYS = {
    "google_access_token": "access_token",
    "access_token": "access_token",
    "google_token_expiration": "credential_token_expiration",
    "credential_token_expiration": "credential_token_expiration",
    "google_endpoint": "endpoint_override",
    "endpoint": "endpoint_override",
    "endpoint_override": "endpoint_override",
    "scheme": "scheme",
    "google_project_id": "project_id",
    "project_id": "project_id",
    "google_skip_signature": "anonymous",
    "skip_signature": "anonymous",
    "anonymous": "anonymous",
    "retry_timeout": "retry_time_limit",
    "retry_time_limit": "retry_time_limit",
}
# Azurite's well-known development account (object_store's ``use_emulator``)
EMULATOR_ACCOUNT = "devstoreaccount1"
EMULATOR_KEY = (
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)
MAX_SECONDS = 3600.0
#: retries per request: each may wait ``timeout``, so more would only stretch a hang
MAX_RETRIES = 10
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|sec|secs|seconds?|m|min|mins|minutes?|h)?\s*$")
_UNIT = {
    "ms": 0.001,
    "m": 60.0,
    "min": 60.0,
    "mins": 60.0,
    "minute": 60.0,
    "minutes": 60.0,
    "h": 3600.0,
}


def seconds(name: str, value: Any) -> float:
    """A duration option in seconds: ``5``, ``2.5``, ``"30s"``, ``"500ms"``, ``"1m"``; at most
    an hour (a longer wait is a hang, not a timeout)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number: Any = value
    else:
        match = _DURATION.match(str(value).lower())
        if not match:
            raise InterfaceError(f"option {name}={value!r} is not a duration (use e.g. 10 or 10s)")
        number = float(match[1]) * _UNIT.get(match[2] or "s", 1.0)
    checked = parse_seconds(name, number, maximum=MAX_SECONDS)
    if checked is None:
        raise InterfaceError(f"option {name}={value!r} is not a duration (use e.g. 10 or 10s)")
    return checked


def _split_endpoint(endpoint: str) -> tuple[str, str, str]:
    """``http://host:port/path`` -> (``http``, ``host:port``, ``path``); no scheme -> https."""
    text = str(endpoint).strip()
    if "://" not in text:
        text = "https://" + text
    parsed = urlparse(text)
    return parsed.scheme.lower(), parsed.netloc, parsed.path.strip("/")


def is_ip_or_localhost(host: str) -> bool:
    """True for ``127.0.0.1``, ``[::1]:9000``, ``localhost`` ...: hosts with no DNS for buckets."""
    name = host.rsplit("@", 1)[-1]
    if name.startswith("["):
        name = name[1:].split("]", 1)[0]
    elif name.count(":") == 1:
        name = name.split(":", 1)[0]
    if name.lower() == "localhost":
        return True
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def _pick(opts: dict[str, Any], table: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in opts.items():
        target = table.get(str(key).lower())
        if target is not None and value is not None and value != "":
            out[target] = value
    return out


def s3_options(opts: dict[str, Any], bucket: str = "") -> dict[str, Any]:
    """Keyword arguments for :class:`pyarrow.fs.S3FileSystem` from object_store options."""
    raw = _pick(opts, _S3_KEYS)
    kwargs: dict[str, Any] = {}
    for key in ("access_key", "secret_key", "session_token", "region"):
        if key in raw:
            kwargs[key] = str(raw[key])
    virtual = parse_bool("virtual_hosted_style_request", raw.get("force_virtual_addressing", False))
    endpoint = raw.get("endpoint_override")
    if endpoint:
        scheme, host, _ = _split_endpoint(str(endpoint))
        if virtual and bucket and host.lower().startswith(bucket.lower() + "."):
            # object_store wants the bucket in a virtual-hosted endpoint; the AWS SDK adds it
            host = host[len(bucket) + 1 :]
        kwargs["endpoint_override"] = host
        kwargs["scheme"] = str(raw.get("scheme", scheme))
    elif "scheme" in raw:
        kwargs["scheme"] = str(raw["scheme"])
    if virtual:
        kwargs["force_virtual_addressing"] = True
    if parse_bool("skip_signature", raw.get("anonymous", False)):
        kwargs["anonymous"] = True
        kwargs.pop("access_key", None)
        kwargs.pop("secret_key", None)
        kwargs.pop("session_token", None)
    for key in ("connect_timeout", "request_timeout"):
        if key in raw:
            kwargs[key] = seconds(key, raw[key])
    if "max_retries" in raw:
        retries = parse_int("max_retries", raw["max_retries"], minimum=0, maximum=MAX_RETRIES)
        kwargs["retry_strategy"] = pafs.AwsStandardS3RetryStrategy(max_attempts=retries + 1)
    return kwargs


def azure_options(opts: dict[str, Any], account_hint: str | None = None) -> dict[str, Any]:
    """Keyword arguments for :class:`pyarrow.fs.AzureFileSystem` from object_store options.

    An endpoint ``http://127.0.0.1:10000/ACCOUNT`` (Azurite, path style) becomes the authority
    ``127.0.0.1:10000``; ``https://ACCOUNT.blob.core.chinacloudapi.cn`` (virtual-hosted)
    becomes ``.blob.core.chinacloudapi.cn``, pyarrow's form for "account name in front".
    """
    raw = _pick(opts, _AZURE_KEYS)
    kwargs: dict[str, Any] = {}
    account = raw.get("account_name") or account_hint
    if parse_bool("use_emulator", raw.get("use_emulator", False)):
        account = account or EMULATOR_ACCOUNT
        raw.setdefault("endpoint", f"http://127.0.0.1:10000/{account}")
        if "sas_token" not in raw:
            raw.setdefault("account_key", EMULATOR_KEY)
    if not account:
        raise InterfaceError("an Azure storage account name is needed (azure_storage_account_name)")
    kwargs["account_name"] = str(account)
    if raw.get("sas_token"):
        kwargs["sas_token"] = "?" + str(raw["sas_token"]).lstrip("?")
    elif raw.get("account_key"):
        kwargs["account_key"] = str(raw["account_key"])
    if all(k in raw for k in ("client_id", "client_secret", "tenant_id")) and not (
        "sas_token" in kwargs or "account_key" in kwargs
    ):
        kwargs.update({k: str(raw[k]) for k in ("client_id", "client_secret", "tenant_id")})
    endpoint = raw.get("endpoint")
    if endpoint:
        scheme, host, _path = _split_endpoint(str(endpoint))
        prefix = f"{account}.".lower()
        if host.lower().startswith(prefix) and ".blob." in host.lower():
            blob = host[len(prefix) - 1 :]  # ".blob.core.windows.net"
            dfs = blob.replace(".blob.", ".dfs.", 1)
        elif host.lower().startswith(prefix):
            blob = dfs = host[len(prefix) - 1 :]
        else:  # an emulator or a gateway: path style, the account name follows the host
            blob = dfs = host
        kwargs.update(
            blob_storage_authority=blob,
            dfs_storage_authority=dfs,
            blob_storage_scheme=scheme,
            dfs_storage_scheme=scheme,
        )
    for key in (
        "blob_storage_authority",
        "dfs_storage_authority",
        "blob_storage_scheme",
        "dfs_storage_scheme",
    ):
        if key in raw:
            kwargs[key] = str(raw[key])
    return kwargs


def gcs_options(opts: dict[str, Any]) -> dict[str, Any]:
    """Keyword arguments for :class:`pyarrow.fs.GcsFileSystem` from sqlgate's GCS options."""
    raw = _pick(opts, _GCS_KEYS)
    kwargs: dict[str, Any] = {}
    if parse_bool("skip_signature", raw.get("anonymous", False)):
        kwargs["anonymous"] = True
    elif raw.get("access_token"):
        kwargs["access_token"] = str(raw["access_token"])
        expiry = raw.get("credential_token_expiration")
        if isinstance(expiry, str):
            expiry = dt.datetime.fromisoformat(expiry.replace("Z", "+00:00"))
        if expiry is None:  # pyarrow insists on one; a token lives an hour at most
            expiry = dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=1)
        kwargs["credential_token_expiration"] = expiry
    endpoint = raw.get("endpoint_override")
    if endpoint:
        scheme, host, _ = _split_endpoint(str(endpoint))
        kwargs["endpoint_override"] = host
        kwargs["scheme"] = str(raw.get("scheme", scheme))
    if raw.get("project_id"):
        kwargs["project_id"] = str(raw["project_id"])
    if "retry_time_limit" in raw:
        kwargs["retry_time_limit"] = dt.timedelta(
            seconds=seconds("retry_timeout", raw["retry_time_limit"])
        )
    return kwargs


@dataclass(frozen=True)
class Location:
    """A resolved root: the pyarrow filesystem, the path inside it, and the original URI."""

    filesystem: pafs.FileSystem
    path: str
    uri: str

    @property
    def is_local(self) -> bool:
        return isinstance(self.filesystem, pafs.LocalFileSystem)

    def join(self, *parts: str) -> Location:
        path = "/".join([self.path.rstrip("/"), *parts])
        uri = "/".join([self.uri.rstrip("/"), *parts])
        return Location(self.filesystem, path, uri)


def resolve(uri: str, storage_options: dict[str, Any] | LiveOptions | None = None) -> Location:
    """Build the pyarrow filesystem for ``uri``; options mirror delta-rs/object_store names.

    With :class:`~sqlgate.lakehouse.livefs.LiveOptions` (a credential provider in the URL) a
    remote filesystem is rebuilt for each new credential instead of keeping the first one.
    """
    from sqlgate.lakehouse.livefs import LiveOptions, refreshing

    if isinstance(storage_options, LiveOptions):
        first = storage_options.current()
        loc = resolve(uri, first)
        if loc.is_local:
            return loc
        fs = refreshing(
            loc.filesystem, first, storage_options, lambda opts: resolve(uri, opts).filesystem
        )
        return Location(fs, loc.path, loc.uri)
    opts = dict(storage_options or {})
    parsed = urlparse(uri)
    scheme = parsed.scheme.lower()
    if scheme in ("", "file") or (len(scheme) == 1 and os.name == "nt"):
        path = os.path.abspath(parsed.path if scheme == "file" else uri)
        return Location(pafs.LocalFileSystem(), path, path)
    if scheme in ("s3", "s3a"):
        fs = pafs.S3FileSystem(**s3_options(opts, parsed.netloc))
        path = (parsed.netloc + parsed.path).rstrip("/")
        return Location(fs, path, f"s3://{path}")
    if scheme in ("gs", "gcs"):
        fs = pafs.GcsFileSystem(**gcs_options(opts))
        return Location(fs, (parsed.netloc + parsed.path).rstrip("/"), uri)
    if scheme in ("abfs", "abfss", "az", "azure", "adl"):
        # abfss://container@account.dfs.core.windows.net/path or az://container/path
        container, _, host = parsed.netloc.partition("@")
        hint = host.split(".")[0] if host else None
        fs = pafs.AzureFileSystem(**azure_options(opts, hint))
        return Location(fs, (container + parsed.path).rstrip("/"), uri)
    fs, path = pafs.FileSystem.from_uri(uri)
    return Location(fs, path, uri)


def probe_deadline(storage_options: dict[str, Any] | None) -> float:
    """How long the connect-time probe may take: ``connect_timeout`` + ``timeout``."""
    opts = {str(k).lower(): v for k, v in (storage_options or {}).items()}
    return seconds("connect_timeout", opts.get("connect_timeout", 5)) + seconds(
        "timeout", opts.get("timeout", 30)
    )


def check_root(loc: Location, what: str, deadline: float | None = None) -> None:
    """Ask the store once for ``loc`` so a bad URL fails at connect, with a clear PEP 249 error.

    Missing bucket/container/prefix -> ``ProgrammingError``; refused credentials, an
    unreachable endpoint or any other store failure -> ``OperationalError``. ``deadline``
    bounds the wait for filesystems without timeouts of their own (pyarrow's Azure
    filesystem retries a silent endpoint for minutes): the probe is abandoned after it. S3
    and GCS are bounded by their own timeouts instead: an abandoned S3 request would hold
    up the creation of every later S3 filesystem in the process until it gave up.
    """
    if loc.is_local:
        return
    result: dict[str, Any] = {}

    def probe() -> None:
        try:
            result["info"] = loc.filesystem.get_file_info(loc.path)
        except Exception as exc:
            result["error"] = exc

    from sqlgate.lakehouse.livefs import inner

    if deadline is None or not isinstance(inner(loc.filesystem), pafs.AzureFileSystem):
        probe()
    else:
        worker = threading.Thread(target=probe, name="sqlgate-store-probe", daemon=True)
        worker.start()
        worker.join(deadline)
        if worker.is_alive():
            raise OperationalError(
                f"{what} {loc.uri}: cannot reach the endpoint, it did not answer within "
                f"{deadline:g} s (raise ?timeout= for a slow store)"
            )
    if "error" in result:
        # never chained: the store's own message may carry a SAS token or a signed URL
        raise store_error(result["error"], loc.uri, what) from None
    if result["info"].type == pafs.FileType.NotFound:
        raise ProgrammingError(
            f"{what} {loc.uri} does not exist (no such bucket, container or prefix)"
        )


_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_MISSING = re.compile(
    r"NO_SUCH_BUCKET|NoSuchBucket|ContainerNotFound|container does not exist|"
    r"bucket does not exist|Path does not exist",
    re.I,
)
_DENIED = re.compile(
    r"ACCESS_DENIED|AccessDenied|INVALID_ACCESS_KEY|InvalidAccessKeyId|SignatureDoesNotMatch|"
    r"SIGNATURE_DOES_NOT_MATCH|AuthorizationFailure|AuthenticationFailed|"
    r"AuthorizationPermissionMismatch|AuthenticationException|UNRECOGNIZED_CLIENT|"
    r"UnrecognizedClient|InvalidSignature|InvalidClientTokenId|ExpiredToken|InvalidToken|"
    r"security token included in the request is invalid|Unauthorized|NotAuthorized|"
    r"Forbidden|\b40[13]\b"
)
_UNREACHABLE = re.compile(
    r"NETWORK_CONNECTION|could(?: not|n't) connect|connect to server|connection refused|"
    r"failed to connect|timed out|timeout|error sending request|fail to get a new connection|"
    r"could not resolve",
    re.I,
)


def store_error(exc: BaseException, target: str, what: str) -> Exception:
    """The PEP 249 error for a failed store or catalog request: a hint, and no secret in it."""
    text = " ".join(_ANSI.sub("", str(exc)).split()) or type(exc).__name__
    if _MISSING.search(text) or isinstance(exc, FileNotFoundError):
        return ProgrammingError(redact(f"{what} {target} does not exist: {text}"))
    if _DENIED.search(text) or isinstance(exc, PermissionError):
        return OperationalError(
            redact(
                f"{what} {target}: access refused, check the credentials (key id and secret, "
                f"account key, SAS token or token) and their permissions: {text}"
            )
        )
    if _UNREACHABLE.search(text) or isinstance(exc, (ConnectionError, TimeoutError)):
        return OperationalError(
            redact(f"{what} {target}: cannot reach the endpoint, check it and the network: {text}")
        )
    return OperationalError(redact(f"{what} {target}: {text}"))


def list_dirs(loc: Location) -> list[str]:
    """Names of the direct sub-directories of ``loc`` (hidden ones excluded)."""
    infos = loc.filesystem.get_file_info(pafs.FileSelector(loc.path, allow_not_found=True))
    return sorted(
        i.base_name
        for i in infos
        if i.type == pafs.FileType.Directory and not i.base_name.startswith((".", "_"))
    )


def exists(loc: Location, *parts: str) -> bool:
    info = loc.filesystem.get_file_info(loc.join(*parts).path)
    return info.type != pafs.FileType.NotFound
