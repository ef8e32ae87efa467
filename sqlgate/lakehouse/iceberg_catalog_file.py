"""The SQLite file of an embedded Iceberg SQL catalog, read with the stdlib's sqlite3.

pyiceberg's SQL catalog keeps ``iceberg_tables`` (one row per table: its current metadata
file) and ``iceberg_namespace_properties`` in SQLite. :class:`CatalogFile` opens the file
read-only (``mode=ro``: never created), checks it is such a catalog, and answers the one
question a cold query asks (a table's metadata location) without importing pyiceberg;
:class:`~sqlgate.lakehouse.iceberg_sqlite.SqliteCatalog` builds pyiceberg's catalog on it.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections import OrderedDict
from contextlib import closing
from typing import Any
from urllib.parse import quote

from sqlgate.core.errors import OperationalError

__all__ = ["CATALOG_IMPL", "PATH_PROPERTY", "CatalogFile"]

PATH_PROPERTY = "sqlgate.sqlite-path"
CATALOG_IMPL = "sqlgate.lakehouse.iceberg_sqlite.SqliteCatalog"
_TABLE_FILTER = " AND (iceberg_type = 'TABLE' OR iceberg_type IS NULL)"
#: (file identity, write-ahead log identity) -> (has namespaces, table filter)
_LAYOUTS: OrderedDict[tuple, tuple[bool, str]] = OrderedDict()
_LAYOUTS_KEPT = 64
_LAYOUTS_LOCK = threading.Lock()


def _forget_inherited() -> None:
    """A forked child gets a free lock: a thread of the parent may have held it at the fork."""
    global _LAYOUTS_LOCK
    _LAYOUTS_LOCK = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_inherited)


def _identity(path: str) -> tuple | None:
    """The catalog file and its write-ahead log, each as (device, inode, size, mtime, ctime):
    a schema change rewrites one of them. None when the file cannot be stat'ed."""
    out: list[Any] = []
    for name in (path, path + "-wal"):
        try:
            st = os.stat(name)
        except FileNotFoundError:
            if name == path:
                return None
            out.append(None)
            continue
        except OSError:
            return None
        out.append((st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns))
    return tuple(out)


class CatalogFile:
    """One catalog (``name``) in a SQLite file; raises ``OperationalError`` when the file is
    missing or holds no Iceberg SQL catalog."""

    def __init__(self, path: str, name: str) -> None:
        self.path, self.name = path, name
        if not os.path.isfile(self.path):
            raise OperationalError(
                f"Iceberg catalog file {self.path} does not exist; "
                "iceberg:///path/to/catalog.db names an existing catalog"
            )
        self.has_namespaces, self.type_filter = self._layout()

    def _layout(self) -> tuple[bool, str]:
        """Whether the file keeps namespaces, and the filter leaving views out: read once per
        version of the file (and of its write-ahead log) in the process, so a fresh
        connection opens the catalog once, for its table's metadata location."""
        identity = _identity(self.path)
        with _LAYOUTS_LOCK:
            known = _LAYOUTS.get(identity) if identity is not None else None
        if known is not None:
            return known
        con = self._connect()  # one connection for both questions
        try:
            with closing(con):
                tables = {
                    r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
                }
                columns = {r[1] for r in con.execute("PRAGMA table_info(iceberg_tables)")}
        except sqlite3.Error as exc:
            raise OperationalError(f"cannot read Iceberg catalog {self.path}: {exc}") from None
        if "iceberg_tables" not in tables:
            raise OperationalError(
                f"{self.path} is not an Iceberg SQL catalog (it has no iceberg_tables table)"
            )
        # catalogs written by pyiceberg >= 0.10 keep views beside tables (iceberg_type)
        layout = (
            "iceberg_namespace_properties" in tables,
            _TABLE_FILTER * ("iceberg_type" in columns),
        )
        if identity is not None:
            with _LAYOUTS_LOCK:
                _LAYOUTS[identity] = layout
                while len(_LAYOUTS) > _LAYOUTS_KEPT:
                    _LAYOUTS.popitem(last=False)
        return layout

    def _connect(self) -> sqlite3.Connection:
        """One short read-only connection per call: safe from any thread, no lock held."""
        try:
            return sqlite3.connect(f"file:{quote(self.path)}?mode=ro", uri=True, timeout=5)
        except sqlite3.Error as exc:
            raise OperationalError(f"cannot open Iceberg catalog {self.path}: {exc}") from None

    def rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """``sql``'s rows on a connection of its own, closed before returning (a ``with``
        block on a sqlite3 connection ends its transaction but does not close it)."""
        con = self._connect()
        try:
            with closing(con):
                return con.execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise OperationalError(f"cannot read Iceberg catalog {self.path}: {exc}") from None

    def metadata_location(self, schema: str, table: str) -> str | None:
        """The table's current metadata file: one indexed row."""
        rows = self.rows(
            "SELECT metadata_location FROM iceberg_tables WHERE catalog_name = ? "
            "AND table_namespace = ? AND table_name = ?" + self.type_filter,
            (self.name, schema, table),
        )
        return rows[0][0] if rows else None
