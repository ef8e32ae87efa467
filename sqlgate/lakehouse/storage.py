"""Filesystems from URLs: local paths, ``file://``, ``s3://``, ``gs://``, ``az://``/``abfs://``.

DuckDB cannot read remote URIs offline (no httpfs), so only local files go to DuckDB's
native readers; everything remote is streamed through pyarrow filesystems.

Storage options use object_store's names (what delta-rs and hudi-rs read, and what
:mod:`sqlgate.lakehouse.stores` builds from a URL); :mod:`sqlgate.lakehouse.filesystem_options`
translates them for pyarrow (its names are re-exported here for existing callers).

Timeouts: ``connect_timeout`` and ``timeout`` (object_store durations such as ``"5s"``, or
plain seconds) and ``max_retries`` bound every pyarrow S3 request; pyarrow's Azure filesystem
has no timeout settings and keeps the Azure SDK's bounded retry policy (3 retries).
"""

from __future__ import annotations

import os
import re
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

import pyarrow.fs as pafs

from sqlgate.core.errors import OperationalError, ProgrammingError
from sqlgate.core.redact import redact
from sqlgate.lakehouse.filesystem_options import (
    EMULATOR_ACCOUNT,
    EMULATOR_KEY,
    MAX_RETRIES,
    MAX_SECONDS,
    azure_options,
    gcs_options,
    is_ip_or_localhost,
    s3_options,
    seconds,
)

if TYPE_CHECKING:
    from sqlgate.lakehouse.livefs import LiveOptions

__all__ = [
    "EMULATOR_ACCOUNT",
    "EMULATOR_KEY",
    "MAX_RETRIES",
    "MAX_SECONDS",
    "Location",
    "azure_options",
    "check_root",
    "exists",
    "gcs_options",
    "is_ip_or_localhost",
    "list_dirs",
    "probe_deadline",
    "resolve",
    "s3_options",
    "seconds",
    "store_error",
]


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
    if scheme in ("hdfs", "webhdfs"):
        from sqlgate.lakehouse.hdfs import hdfs_filesystem

        fs, path = hdfs_filesystem(parsed, opts)
        return Location(fs, path, uri)
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
