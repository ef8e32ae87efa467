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
from typing import Any
from urllib.parse import quote

from sqlgate.core.errors import OperationalError

__all__ = ["CATALOG_IMPL", "PATH_PROPERTY", "CatalogFile"]

PATH_PROPERTY = "sqlgate.sqlite-path"
CATALOG_IMPL = "sqlgate.lakehouse.iceberg_sqlite.SqliteCatalog"
_TABLE_FILTER = " AND (iceberg_type = 'TABLE' OR iceberg_type IS NULL)"


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
        with self._connect() as con:
            tables = {
                r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            }
            if "iceberg_tables" not in tables:
                raise OperationalError(
                    f"{self.path} is not an Iceberg SQL catalog (it has no iceberg_tables table)"
                )
            columns = {r[1] for r in con.execute("PRAGMA table_info(iceberg_tables)")}
        self.has_namespaces = "iceberg_namespace_properties" in tables
        # catalogs written by pyiceberg >= 0.10 keep views beside tables (iceberg_type)
        self.type_filter = _TABLE_FILTER if "iceberg_type" in columns else ""

    def _connect(self) -> sqlite3.Connection:
        """One short read-only connection per call: safe from any thread, no lock held."""
        try:
            return sqlite3.connect(f"file:{quote(self.path)}?mode=ro", uri=True, timeout=5)
        except sqlite3.Error as exc:
            raise OperationalError(f"cannot open Iceberg catalog {self.path}: {exc}") from None

    def rows(self, sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        try:
            con = self._connect()
            try:
                return con.execute(sql, params).fetchall()
            finally:
                con.close()
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
