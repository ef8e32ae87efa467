"""SQLAlchemy dialect for Apache Druid over sqlgate (``druid+sqlgate://``), SA 1.4 and 2.x.

Named ``druid``, so Superset's own ``DruidEngineSpec`` (time grains on ``TIME_FLOOR``) serves
it. Druid SQL is Calcite's: double-quoted identifiers, ``LIMIT``/``OFFSET`` written as numbers.
Reflection reads ``INFORMATION_SCHEMA`` (datasources are tables in schema ``druid``) with the
names bound as typed parameters, never spliced into the SQL. ``INFORMATION_SCHEMA`` calls a
multi-value dimension ``VARCHAR``; Druid says which string columns hold several values only
in a native ``segmentMetadata`` query, which reflection also asks, so those reflect as
``ARRAY(String)``. ``COMPLEX<...>`` columns (sketches) reflect as :class:`COMPLEX` with their
type name instead of failing (pydruid raises ``KeyError`` on them).
"""

from __future__ import annotations

from typing import Any

from sqlgate.core import errors
from sqlgate.dbapi.druid_types import sqlalchemy_type
from sqlgate.dialects.base import dbapi_connection_of
from sqlgate.dialects.warehouse_family import AutocommitDialect, LiteralLimitCompiler

_SCHEMA = "druid"


class DruidCompiler(LiteralLimitCompiler):
    """Literal ``LIMIT``/``OFFSET`` numbers (Druid plans them, it does not bind them)."""


class DruidDialect(AutocommitDialect):
    """Apache Druid through sqlgate's SQL HTTP API client."""

    name = "druid"
    sqlgate_source = "druid"
    supports_statement_cache = True  # SQLAlchemy asks every subclass
    autocommit_only = "Druid has no transactions: AUTOCOMMIT only"
    default_paramstyle = "qmark"
    statement_compiler = DruidCompiler
    supports_multivalues_insert = False
    max_identifier_length = 255
    default_schema_name = _SCHEMA

    def _get_default_schema_name(self, connection: Any) -> str:
        return _SCHEMA

    # -- reflection ------------------------------------------------------------------------
    def _rows(self, connection: Any, sql: str, *params: Any) -> list[Any]:
        return list(connection.exec_driver_sql(sql, params).fetchall())

    def get_schema_names(self, connection: Any, **kw: Any) -> list[str]:
        sql = "SELECT SCHEMA_NAME FROM INFORMATION_SCHEMA.SCHEMATA ORDER BY SCHEMA_NAME"
        return [str(r[0]) for r in self._rows(connection, sql)]

    def _names(self, connection: Any, schema: str | None, views: bool) -> list[str]:
        sql = (
            "SELECT TABLE_NAME FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_SCHEMA = ? "
            "AND TABLE_TYPE = ? ORDER BY TABLE_NAME"
        )
        kind = "VIEW" if views else "TABLE"
        return [str(r[0]) for r in self._rows(connection, sql, schema or _SCHEMA, kind)]

    def has_table(
        self, connection: Any, table_name: str, schema: str | None = None, **kw: Any
    ) -> bool:
        sql = (
            "SELECT COUNT(*) FROM INFORMATION_SCHEMA.TABLES "
            "WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?"
        )
        return bool(self._rows(connection, sql, schema or _SCHEMA, table_name)[0][0])

    def get_columns(
        self, connection: Any, table_name: str, schema: str | None = None, **kw: Any
    ) -> list[Any]:
        rows = self._rows(
            connection,
            "SELECT COLUMN_NAME, DATA_TYPE, IS_NULLABLE FROM INFORMATION_SCHEMA.COLUMNS "
            "WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION",
            schema or _SCHEMA,
            table_name,
        )
        if not rows:
            from sqlalchemy.exc import NoSuchTableError

            raise NoSuchTableError(table_name)
        multi = self._multi_value(connection, table_name, schema)
        return [
            {
                "name": str(name),
                "type": sqlalchemy_type(str(data_type), multi_value=name in multi),
                "nullable": str(nullable or "YES").upper() == "YES",
                "default": None,
            }
            for name, data_type, nullable in rows
        ]

    def _multi_value(self, connection: Any, table_name: str, schema: str | None) -> set[str]:
        """Multi-value string columns of a datasource (segmentMetadata's hasMultipleValues)."""
        if (schema or _SCHEMA) != _SCHEMA:
            return set()
        session = dbapi_connection_of(connection).session
        try:
            columns = session.client.segment_metadata(table_name)
        except errors.Error:  # no permission for native queries: plain VARCHAR then
            return set()
        return {name for name, info in columns.items() if info.get("hasMultipleValues")}


dialect = DruidDialect
