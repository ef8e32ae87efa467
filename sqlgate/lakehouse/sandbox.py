"""The embedded DuckDB, boxed in: it may read the lake's local roots and nothing else.

Every DuckDB connection of the lakehouse (the engine's, and the small helpers that sniff CSV
headers or compare Parquet schemas) is opened here with:

* ``enable_external_access=false``: no file outside ``allowed_directories``, no ``ATTACH``,
  ``COPY``, extension ``LOAD``/``INSTALL``, HTTP or secrets;
* ``allowed_directories`` = the source's local roots by real path (DuckDB resolves symlinks
  before it compares, so a link out of the root is refused by DuckDB too), plus a private,
  per-process spill directory;
* ``lock_configuration=true`` last, so no statement can undo any of it.

Registered Arrow objects (pyarrow datasets, readers) are unaffected: DuckDB scans them through
Python, and the table formats vet their files themselves (:mod:`sqlgate.lakehouse.containment`).
"""

from __future__ import annotations

import atexit
import contextlib
import itertools
import os
import shutil
import tempfile
import threading
import weakref
from collections import OrderedDict
from collections.abc import Sequence

import duckdb

#: no Python variable is ever a table, no extension is downloaded
BASE_CONFIG = {
    "python_enable_replacements": False,
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "allow_community_extensions": False,
}
#: Parquet footers are read once per file and kept (checked against the file's modification
#: time by DuckDB): planned files are immutable in Iceberg and Delta tables. A SET, not a
#: connect-time option: DuckDB only knows the setting once its Parquet reader is loaded, so
#: as an option it was refused, cost a failed connect, and the cache was never on.
_CACHE_METADATA = "SET parquet_metadata_cache = true"
_SPILL: str | None = None
_SPILL_LOCK = threading.Lock()
_COUNTER = itertools.count()


def _spill_directory() -> str:
    """A fresh directory for one connection's spill files, inside a private (0700) one."""
    global _SPILL
    with _SPILL_LOCK:
        if _SPILL is None:
            _SPILL = tempfile.mkdtemp(prefix="sqlgate-duckdb-")
            atexit.register(shutil.rmtree, _SPILL, True)
        return os.path.join(_SPILL, f"c{next(_COUNTER)}")


def connect(
    directories: Sequence[str], *, cache_metadata: bool = True
) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB that may read files under ``directories`` only, configuration locked.

    ``directories`` are real paths (``Jail.duckdb_directories()``); empty for a remote lake.
    """
    con = duckdb.connect(":memory:", config=dict(BASE_CONFIG))
    try:
        if cache_metadata:
            with contextlib.suppress(duckdb.Error):  # a DuckDB without the setting
                con.execute(_CACHE_METADATA)
        con.execute("SET temp_directory = $1", [_spill_directory()])
        con.execute("SET allowed_directories = $1", [list(directories)])
        with contextlib.suppress(duckdb.Error):  # a DuckDB without ICU: TIMESTAMPTZ is UTC
            # table formats store instants in UTC: naive values cast to TIMESTAMPTZ are read
            # as UTC, and results carry ``tz=UTC`` whatever the host's zone
            con.execute("SET GLOBAL TimeZone = 'UTC'")
        con.execute("SET enable_external_access = false")
        con.execute("SET lock_configuration = true")
    except BaseException:
        con.close()
        raise
    return con


_HELPERS: OrderedDict[tuple[str, ...], duckdb.DuckDBPyConnection] = OrderedDict()
_HELPERS_KEPT = 16
_HELPERS_LOCK = threading.Lock()


def helper(directories: Sequence[str]) -> duckdb.DuckDBPyConnection:
    """A shared sandboxed connection for small questions about files under ``directories``
    (opening one costs tens of milliseconds); callers serialise their use of it."""
    key = tuple(sorted(directories))
    with _HELPERS_LOCK:
        con = _HELPERS.get(key)
        if con is None:
            con = _HELPERS[key] = connect(key, cache_metadata=False)
            while len(_HELPERS) > _HELPERS_KEPT:
                old_key, old = _HELPERS.popitem(last=False)
                _ADOPTED.pop(old_key, None)
                old.close()
        _HELPERS.move_to_end(key)
        return con


#: helpers that are cursors of an engine's connection: key -> that connection (weakly)
_ADOPTED: dict[tuple[str, ...], weakref.ref[duckdb.DuckDBPyConnection]] = {}


def adopt(directories: Sequence[str], con: duckdb.DuckDBPyConnection) -> None:
    """Let :func:`helper` answer for ``directories`` with a cursor of an engine's connection,
    sandboxed alike, while it is open: a cold connection opens one DuckDB, not two (~40 ms)."""
    key = tuple(sorted(directories))
    with _HELPERS_LOCK:
        if key not in _HELPERS:
            _HELPERS[key] = con.cursor()
            _ADOPTED[key] = weakref.ref(con)
            while len(_HELPERS) > _HELPERS_KEPT:
                old_key, old = _HELPERS.popitem(last=False)
                _ADOPTED.pop(old_key, None)
                old.close()


def release(con: duckdb.DuckDBPyConnection) -> None:
    """Forget the helpers adopted from ``con`` before it closes (closing it closes them);
    call it while no helper is in use (``duckdb_files.helper_lock``)."""
    with _HELPERS_LOCK:
        for key in [k for k, owner in _ADOPTED.items() if owner() is con]:
            del _ADOPTED[key]
            cursor = _HELPERS.pop(key, None)
            if cursor is not None:
                cursor.close()


def settings(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """The sandbox's settings as DuckDB reports them (for checks and tests only)."""
    rows = con.sql(
        "SELECT name, value FROM duckdb_settings() WHERE name IN ('enable_external_access', "
        "'lock_configuration', 'allowed_directories', 'allowed_paths', "
        "'python_enable_replacements', 'temp_directory')"
    ).fetchall()
    return {str(name): str(value) for name, value in rows}
