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
import ctypes
import functools
import itertools
import os
import shutil
import tempfile
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Sequence

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


class _Database:
    """One sandboxed DuckDB database shared by the engines over the same roots."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self.users = 0
        self.kept = True  # still the one lent for its roots; False once evicted


_DATABASES: OrderedDict[tuple[str, ...], _Database] = OrderedDict()
_DATABASES_KEPT = 8
_DATABASES_LOCK = threading.Lock()


def lend(directories: Sequence[str]) -> tuple[duckdb.DuckDBPyConnection, Callable[[], None]]:
    """A connection of its own to the sandboxed database for ``directories``, and the
    function that gives it back (call it after closing the connection).

    Opening a DuckDB database costs ~50 ms, a connection to an open one ~0.03 ms: a fresh
    DB-API connection per request (Superset's NullPool) borrows one. Every sandbox setting is
    global and locked, so a borrowed connection is boxed in as a fresh database would be;
    temp views and registered relations belong to their connection alone, and the engine runs
    one vetted SELECT at a time, so nothing one borrower does is seen by another. The database
    stays open while it is lent (at most ``_DATABASES_KEPT`` idle ones are kept).
    """
    key = tuple(sorted(directories))
    with _DATABASES_LOCK:
        db = _DATABASES.get(key)
        con = None
        if db is not None:
            try:
                con = db.con.cursor()
                con.execute("SELECT 1").fetchall()  # ~0.1 ms: an invalidated database fails
            except duckdb.Error:  # closed or invalidated: start afresh
                _DATABASES.pop(key, None)
                db.kept = False
                if db.users == 0:
                    with contextlib.suppress(duckdb.Error):
                        db.con.close()
                db = None
        if db is None:
            db = _DATABASES[key] = _Database(connect(key))
            con = db.con.cursor()
            while len(_DATABASES) > _DATABASES_KEPT:
                _old_key, old = _DATABASES.popitem(last=False)
                old.kept = False
                if old.users == 0:
                    old.con.close()
        _DATABASES.move_to_end(key)
        db.users += 1
    assert con is not None
    return con, functools.partial(_give_back, db)


def _give_back(db: _Database) -> None:
    with _DATABASES_LOCK:
        db.users -= 1
        if db.users == 0 and not db.kept:
            db.con.close()


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


def _forget_inherited() -> None:
    """A forked child (a pre-forking web server) never touches its parent's DuckDB databases:
    it opens its own. Theirs are kept alive for good, never closed nor freed here: their
    destructors would join threads the child does not have (a segmentation fault)."""
    global _DATABASES_LOCK, _HELPERS_LOCK
    _DATABASES_LOCK, _HELPERS_LOCK = threading.Lock(), threading.Lock()
    inherited = [db.con for db in _DATABASES.values()] + list(_HELPERS.values())
    for con in inherited:
        ctypes.pythonapi.Py_IncRef(ctypes.py_object(con))
    for db in _DATABASES.values():
        db.kept = True  # a give-back here never closes it either
    _DATABASES.clear()
    _HELPERS.clear()
    _ADOPTED.clear()


os.register_at_fork(after_in_child=_forget_inherited)


def settings(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """The sandbox's settings as DuckDB reports them (for checks and tests only)."""
    rows = con.sql(
        "SELECT name, value FROM duckdb_settings() WHERE name IN ('enable_external_access', "
        "'lock_configuration', 'allowed_directories', 'allowed_paths', "
        "'python_enable_replacements', 'temp_directory')"
    ).fetchall()
    return {str(name): str(value) for name, value in rows}
