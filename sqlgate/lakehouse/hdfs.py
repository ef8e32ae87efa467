"""HDFS through WebHDFS: ``hdfs://namenode:9870/path`` as a pyarrow filesystem.

Why WebHDFS (fsspec's ``webhdfs`` client) and not native RPC: it is plain HTTP, so Kerberos is
SPNEGO with a ticket from sqlgate's kerberos credential provider (``gssapi`` reads the
provider's private ccache; no ``KRB5CCNAME`` juggling), the NameNode redirects each read to a
DataNode with a delegation token it mints, and reads are ranged (``OPEN`` with
``offset``/``length``), so a Parquet scan fetches footers and the row groups it needs, never a
whole file. Listing pages through ``LISTSTATUS_BATCH`` (a directory of any size never arrives
as one reply). Every request is bounded by ``connect_timeout``/``timeout``.

The URL's port is the NameNode's HTTP port (WebHDFS, 9870 by default), not its RPC port.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import ParseResult

import pyarrow.fs as pafs

from sqlgate.core.errors import (
    InterfaceError,
    MissingExtraError,
    NotSupportedError,
    OperationalError,
)
from sqlgate.core.params import parse_bool
from sqlgate.lakehouse.filesystem_options import seconds

if TYPE_CHECKING:
    from sqlgate.core.params import ConnectParams
    from sqlgate.lakehouse.stores import StoreLocation

DEFAULT_PORT = 9870
#: formats whose pyarrow scanner opens files on its own threads (see locate_hdfs)
_PYARROW_TEXT_FORMATS = frozenset({"csv", "json", "orc"})
#: request headers are small; a DataNode read is at most this much per range request
BLOCK_SIZE = 1 << 20
#: LISTSTATUS_BATCH pages per directory (the NameNode sends dfs.ls.limit, 1000, per page)
_MAX_PAGES = 100_000
_FIX_KERBEROS = (
    "add ?credential=kerberos&credential_keytab=/path/to.keytab&credential_principal=user@REALM "
    "to the URL (or kinit and add ?credential=kerberos)"
)


def locate_hdfs(params: ConnectParams, options: dict[str, Any], root: str | None) -> StoreLocation:
    """``hdfs://[user@]namenode[:9870]/path[?https=true]``: the root and the client options.

    With ``credential=kerberos`` the provider's ccache goes into the options (rebuilt for each
    renewed ticket); otherwise ``user@`` is the simple-auth ``user.name``.
    """
    from sqlgate.lakehouse.stores import StoreLocation

    if not params.host and not root:
        raise InterfaceError("hdfs URLs name the NameNode: hdfs://namenode:9870/path")
    fmt = str(options.get("format", "parquet")).lower()
    if fmt in _PYARROW_TEXT_FORMATS:
        raise NotSupportedError(
            f"hdfs:// reads Parquet and Avro files, not {fmt}: pyarrow's {fmt} dataset scanner "
            "deadlocks on a Python filesystem (WebHDFS) when DuckDB pulls it; copy the files "
            "to Parquet, or read them from a local or S3 path"
        )
    https = parse_bool("https", options.pop("https", "false"))
    opts: dict[str, str] = {"hdfs_https": str(https).lower()}
    ccache = params.credential_extras.get("ccache")
    if ccache:
        opts["hdfs_kerberos_ccache"] = str(ccache)
    elif parse_bool("kerberos", options.pop("kerberos", "false")):
        opts["hdfs_kerberos_ccache"] = ""  # the ambient cache (after the user's own kinit)
    elif params.user:
        opts["hdfs_user"] = params.user
    path = (params.database or "").strip("/")
    uri = str(root) if root else f"hdfs://{params.host}:{params.port or DEFAULT_PORT}/{path}"
    return StoreLocation(uri.rstrip("/"), opts)


@dataclass
class ReadStats:
    """What the client fetched from DataNodes: the tests' proof of range reads and pruning."""

    files: set[str]
    requests: int = 0
    bytes: int = 0

    def record(self, path: str, size: int) -> None:
        with _STATS_LOCK:
            self.files.add(path)
            self.requests += 1
            self.bytes += size


_STATS_LOCK = threading.Lock()
#: every hdfs filesystem of the process together (benchmarks/storage_scan.py's HDFS arm)
PROCESS_STATS = ReadStats(set())


def _client_class() -> type:
    try:
        import requests
        from fsspec.implementations.webhdfs import (  # type: ignore[import-untyped]
            WebHDFile,
            WebHDFS,
        )
    except ImportError as exc:
        raise MissingExtraError("hdfs", "hdfs", exc.name or "fsspec") from None

    class _BoundedSession(requests.Session):
        """Every request gets the store's timeouts (fsspec's client sets none)."""

        timeout: tuple[float, float] = (5.0, 30.0)

        def request(self, *args: Any, **kwargs: Any) -> Any:
            kwargs.setdefault("timeout", self.timeout)
            return super().request(*args, **kwargs)

    class _File(WebHDFile):
        def _fetch_range(self, start: int, end: int) -> bytes:
            data: bytes = super()._fetch_range(start, end)
            self.fs.stats.record(self.path, len(data))
            PROCESS_STATS.record(self.path, len(data))
            return data

    class Client(WebHDFS):
        """fsspec's WebHDFS with SPNEGO from a given ccache, timeouts and paged listing."""

        def __init__(self, *, ccache: str | None, timeout: tuple[float, float], **kw: Any):
            self._ccache, self._timeout = ccache, timeout
            self.stats = ReadStats(set())
            super().__init__(skip_instance_cache=True, **kw)

        def _connect(self) -> None:
            session = _BoundedSession()
            session.timeout = self._timeout
            if self._ccache is not None:
                session.auth = _spnego(self._ccache)
            self.session = session

        def _call(
            self,
            op: str,
            method: str = "get",
            path: str | None = None,
            data: Any = None,
            redirect: bool = True,
            **kwargs: Any,
        ) -> Any:
            try:
                return super()._call(op, method, path, data, redirect, **kwargs)
            except requests.HTTPError as exc:
                if exc.response is None or exc.response.status_code != 401:
                    raise
                how = (
                    "refused the Kerberos ticket"
                    if self._ccache is not None
                    else ("requires Kerberos (SPNEGO) and the URL gives no ticket")
                )
                raise PermissionError(f"the NameNode {how} (401); fix: {_FIX_KERBEROS}") from None

        def ls(self, path: str, detail: bool = False, **kwargs: Any) -> list[Any]:
            infos: list[dict[str, Any]] = []
            after = ""
            for _ in range(_MAX_PAGES):  # bounded, whatever the server answers
                extra: dict[str, Any] = {"startafter": after} if after else {}
                reply = self._call("LISTSTATUS_BATCH", path=path, **extra).json()[
                    "DirectoryListing"
                ]
                page = reply["partialListing"]["FileStatuses"]["FileStatus"]
                for info in page:
                    self._process_info(info)
                    info["name"] = path.rstrip("/") + "/" + info["pathSuffix"]
                infos.extend(page)
                if not reply.get("remainingEntries") or not page:
                    break
                if page[-1]["pathSuffix"] == after:  # a server ignoring startafter
                    raise OSError(f"hdfs: LISTSTATUS_BATCH of {path} does not advance")
                after = page[-1]["pathSuffix"]
            infos.sort(key=lambda i: i["name"])
            return infos if detail else [i["name"] for i in infos]

        def _open(
            self, path: str, mode: str = "rb", block_size: int | None = None, **kw: Any
        ) -> Any:
            if mode != "rb":
                return super()._open(path, mode=mode, block_size=block_size, **kw)
            # "bytes" cache: each read is one ranged OPEN, so footers cost a footer
            return _File(
                self,
                path,
                mode=mode,
                block_size=block_size or BLOCK_SIZE,
                cache_type="bytes",
                tempdir=self.tempdir,
                autocommit=True,
            )

    return Client


def _spnego(ccache: str) -> Any:
    """SPNEGO auth from ``ccache`` ("" = the ambient cache)."""
    try:
        import gssapi
        from requests_gssapi import HTTPSPNEGOAuth  # type: ignore[import-untyped]
    except ImportError:
        raise MissingExtraError("hdfs", "hdfs", "requests_gssapi") from None
    store: dict[bytes | str, bytes | str] | None = {"ccache": ccache} if ccache else None
    try:
        creds = gssapi.Credentials(usage="initiate", store=store)
        creds.lifetime  # noqa: B018 - fails now on an empty or expired cache, not mid-scan
    except gssapi.exceptions.GSSError as exc:
        raise kerberos_error(exc) from None
    return HTTPSPNEGOAuth(creds=creds, opportunistic_auth=False)


def kerberos_error(exc: BaseException) -> OperationalError:
    """A GSSAPI failure as the PEP 249 error that names the fix."""
    text = " ".join(str(getattr(exc, "gen_message", lambda: exc)()).split())
    low = text.lower()
    if "expired" in low:
        why, fix = "the Kerberos ticket has expired", "renew it (kinit -R) or use a keytab: "
    elif "skew" in low:
        why, fix = "the clocks of this host and the KDC differ too much", "sync the clock (NTP); "
    elif "realm" in low or "server not found" in low:
        why, fix = (
            "the KDC does not know the service principal or realm",
            ("check the realm in krb5.conf and the NameNode's HTTP principal; "),
        )
    elif "no credentials" in low or "not found" in low or "no kerberos" in low:
        why, fix = "there is no Kerberos ticket", ""
    else:
        why, fix = "Kerberos authentication failed", ""
    return OperationalError(f"hdfs: {why} ({text}); fix: {fix}{_FIX_KERBEROS}")


def hdfs_filesystem(parsed: ParseResult, opts: dict[str, Any]) -> tuple[pafs.FileSystem, str]:
    """The pyarrow filesystem and the path inside it for an ``hdfs://`` URI."""
    lower = {str(k).lower(): v for k, v in opts.items()}
    ccache = lower.get("hdfs_kerberos_ccache")
    timeout = (
        seconds("connect_timeout", lower.get("connect_timeout", 5)),
        seconds("timeout", lower.get("timeout", 30)),
    )
    client = _client_class()(
        host=parsed.hostname or "localhost",
        port=parsed.port or DEFAULT_PORT,
        user=lower.get("hdfs_user") or None,
        use_https=parse_bool("https", lower.get("hdfs_https", "false")),
        ccache=None if ccache is None else str(ccache),
        timeout=timeout,
    )
    fs = pafs.PyFileSystem(pafs.FSSpecHandler(client))
    return fs, "/" + parsed.path.strip("/")


def read_stats(fs: pafs.FileSystem) -> ReadStats | None:
    """The read counters of an hdfs filesystem built here (None for any other)."""
    from sqlgate.lakehouse.livefs import inner

    handler = getattr(inner(fs), "handler", None)
    return getattr(getattr(handler, "fs", None), "stats", None)
