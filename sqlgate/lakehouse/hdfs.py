"""HDFS through WebHDFS: ``hdfs://namenode:9870/path`` as a pyarrow filesystem.

Why WebHDFS (fsspec's ``webhdfs`` client) and not native RPC: it is plain HTTP, so Kerberos is
SPNEGO with a ticket from sqlgate's kerberos credential provider (``gssapi`` reads the
provider's private ccache; no ``KRB5CCNAME`` juggling), the NameNode redirects each read to a
DataNode with a delegation token it mints, and reads are ranged (``OPEN`` with
``offset``/``length``), so a Parquet scan fetches footers and the row groups it needs, never a
whole file. Listing pages through ``LISTSTATUS_BATCH`` (a directory of any size never arrives
as one reply). Every request is bounded by ``connect_timeout``/``timeout``.

Every file format of the lakehouse family reads here: Parquet and ORC with ranged reads, CSV
and JSON whole (text has no footer to seek to), Avro through sqlgate's own reader. DuckDB scans
them as pyarrow datasets whose scanners start with the GIL released
(:mod:`sqlgate.lakehouse.pyfs_scan`: the text formats used to deadlock on this Python filesystem).

The URL's port is the NameNode's HTTP port (WebHDFS, 9870 by default), not its RPC port.
"""

from __future__ import annotations

import os
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
#: request headers are small; a DataNode read is at most this much per range request
BLOCK_SIZE = 1 << 20
#: LISTSTATUS_BATCH pages per directory (the NameNode sends dfs.ls.limit, 1000, per page)
_MAX_PAGES = 100_000
_FIX_KERBEROS = (
    "add ?credential=kerberos&credential_keytab=/path/to.keytab&credential_principal=user@REALM "
    "to the URL (or kinit and add ?credential=kerberos)"
)


def locate_hdfs(params: ConnectParams, options: dict[str, Any], root: str | None) -> StoreLocation:
    """``hdfs://[user@]namenode[:9870]/path[?https=true][&rpc_port=8020]``: the root and the
    client options.

    With ``credential=kerberos`` the provider's ccache goes into the options (rebuilt for each
    renewed ticket); otherwise ``user@`` is the simple-auth ``user.name``. ``rpc_port`` is for
    the readers that speak HDFS' own RPC (delta-rs, through hdfs-native): the root URI then
    names the RPC port, and the WebHDFS port moves into the options.
    """
    from sqlgate.lakehouse.stores import StoreLocation

    if not params.host and not root:
        raise InterfaceError("hdfs URLs name the NameNode: hdfs://namenode:9870/path")
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
    rpc = options.pop("rpc_port", None)
    protection = str(options.pop("data_protection", "authentication"))
    if rpc is not None:
        uri = _rpc_uri(uri, str(rpc), opts)
        opts.update(native_options(opts, protection))
    return StoreLocation(uri.rstrip("/"), opts)


def _rpc_uri(uri: str, rpc: str, opts: dict[str, str]) -> str:
    """``uri`` on the NameNode's RPC port; its WebHDFS port kept in ``opts``."""
    from urllib.parse import urlparse

    if not rpc.isdigit() or not 0 < int(rpc) < 65536:
        raise InterfaceError(f"rpc_port must be the NameNode's RPC port (e.g. 8020), not {rpc!r}")
    parsed = urlparse(uri)
    opts["hdfs_http_port"] = str(parsed.port or DEFAULT_PORT)
    return parsed._replace(netloc=f"{parsed.hostname}:{rpc}").geturl()


def native_options(opts: dict[str, str], protection: str) -> dict[str, str]:
    """hdfs-native's Hadoop settings for a Kerberized cluster (SASL on RPC and on data
    transfer). hdfs-native takes its ticket from ``KRB5CCNAME`` (process-wide), so a
    provider's private cache is refused with the fix rather than silently ignored."""
    if "hdfs_kerberos_ccache" not in opts:
        return {}
    if protection not in ("authentication", "integrity", "privacy"):
        raise InterfaceError(
            "data_protection is the cluster's dfs.data.transfer.protection: "
            f"authentication, integrity or privacy, not {protection!r}"
        )
    ccache = opts["hdfs_kerberos_ccache"]
    ambient = os.environ.get("KRB5CCNAME", "")
    if ccache and _cache_path(ccache) != _cache_path(ambient):
        raise NotSupportedError(
            "hdfs rpc_port: delta-rs reads the Kerberos ticket from KRB5CCNAME, not from "
            "sqlgate's private cache; fix: add credential_ccache=<the KRB5CCNAME cache> to "
            "the URL (the provider then renews the ticket there), or kinit and use "
            "?kerberos=true"
        )
    return {
        "hadoop.security.authentication": "kerberos",
        "dfs.data.transfer.protection": protection,
    }


def _cache_path(name: str) -> str:
    return name.removeprefix("FILE:")


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
            self._ccache, self._timeout, self._host = ccache, timeout, kw["host"]
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
                if self._ccache is None:
                    how = "requires Kerberos (SPNEGO) and the URL gives no ticket"
                    msg = f"the NameNode {how} (401); fix: {_FIX_KERBEROS}"
                    raise PermissionError(msg) from None
                # requests-gssapi swallows the GSSAPI error behind the 401: ask for the
                # service ticket again to say why (clock skew, an unknown HTTP/ principal)
                why = _ticket_problem(self._ccache, self._host)
                raise PermissionError(
                    f"the NameNode refused the Kerberos ticket (401): {why}"
                    if why
                    else f"the NameNode refused the Kerberos ticket (401); fix: {_FIX_KERBEROS}"
                ) from None

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


def _ticket_problem(ccache: str, host: str) -> str:
    """Why no service ticket for ``HTTP@host`` comes from ``ccache`` (the error naming the
    fix), or "" when one does."""
    import gssapi

    store: dict[bytes | str, bytes | str] | None = {"ccache": ccache} if ccache else None
    try:
        creds = gssapi.Credentials(usage="initiate", store=store)
        name = gssapi.Name(f"HTTP@{host}", gssapi.NameType.hostbased_service)
        gssapi.SecurityContext(name=name, creds=creds, usage="initiate").step()
    except gssapi.exceptions.GSSError as exc:
        return str(kerberos_error(exc)).removeprefix("hdfs: ")
    return ""


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
        port=int(lower.get("hdfs_http_port") or parsed.port or DEFAULT_PORT),
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
