"""object_store storage options translated to pyarrow filesystem keyword arguments.

Storage options use object_store's names (what delta-rs and hudi-rs read, and what
:mod:`sqlgate.lakehouse.stores` builds from a URL); :func:`s3_options`, :func:`azure_options`
and :func:`gcs_options` translate them for pyarrow. pyarrow's own keyword names are accepted
too, and keys are case-insensitive (``AWS_ENDPOINT_URL`` works). Options pyarrow has no use for
(``aws_allow_http``, ``retry_timeout`` ...) are ignored here: they are meant for the Rust
readers.

Kept apart from :mod:`sqlgate.lakehouse.storage` (which resolves URLs to filesystems and probes
them) because these are pure tables and translations: no filesystem is built or contacted here.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
from typing import Any
from urllib.parse import urlparse

import pyarrow.fs as pafs

from sqlgate.core.errors import InterfaceError
from sqlgate.core.params import parse_bool, parse_int, parse_seconds

__all__ = [
    "EMULATOR_ACCOUNT",
    "EMULATOR_KEY",
    "MAX_RETRIES",
    "MAX_SECONDS",
    "azure_options",
    "gcs_options",
    "is_ip_or_localhost",
    "s3_options",
    "seconds",
]

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
