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

from sqlalchemy.engine import default
from sqlalchemy.sql import compiler

from sqlgate.core import errors
from sqlgate.dbapi.druid_types import sqlalchemy_type
from sqlgate.dialects.base import SqlgateDialectMixin, dbapi_connection_of

_SCHEMA = "druid"


class DruidCompiler(compiler.SQLCompiler):
    """Literal ``LIMIT``/``OFFSET`` numbers (Druid plans them, it does not bind them)."""

    def limit_clause(self, select: Any, **kw: Any) -> str:
        text = ""
        limit, offset = select._limit, select._offset
        if limit is not None:
            text += f"\n LIMIT {int(limit)}"
        if offset:
            text += f"\n OFFSET {int(offset)}"
        return text


class DruidDialect(SqlgateDialectMixin, default.DefaultDialect):
    """Apache Druid through sqlgate's SQL HTTP API client."""

    name = "druid"
    sqlgate_source = "druid"
    supports_statement_cache = True
    default_paramstyle = "qmark"
    statement_compiler = DruidCompiler
    supports_native_boolean = True
    supports_sequences = False
    supports_alter = False
    postfetch_lastrowid = False
    implicit_returning = False
    supports_multivalues_insert = False
    max_identifier_length = 255
    default_schema_name = _SCHEMA

    def get_isolation_level(self, dbapi_connection: Any) -> Any:
        return "AUTOCOMMIT"  # no transactions

    def get_isolation_level_values(self, dbapi_connection: Any) -> Any:
        return ("AUTOCOMMIT",)

    def set_isolation_level(self, dbapi_connection: Any, level: str) -> None:
        if level != "AUTOCOMMIT":
            raise errors.NotSupportedError("Druid has no transactions: AUTOCOMMIT only")

    def _get_default_schema_name(self, connection: Any) -> str:
        return _SCHEMA

    def _get_server_version_info(self, connection: Any) -> tuple[int, ...]:
        return tuple(dbapi_connection_of(connection).session.server_version)

    def do_rollback(self, dbapi_connection: Any) -> None:
        """No transactions: nothing to roll back (the pool calls this on every return)."""

    # -- reflection ------------------------------------------------------------------------
    def _rows(self, connection: Any, sql: str, *params: Any) -> list[Any]:
        return list(connection.exec_driver_sql(sql, params).fetchall())

    def get_schema_names(self, connection: Any, **kw: Any) -> list[str]:
        sql = "SELECT SCHEMA_NAME FROM INFORMATION_SCHEMA.SCHEMATA ORDER BY SCHEMA_NAME"
        return [str(r[0]) for r in self._rows(connection, sql)]

    def _names(self, connection: Any, schema: str | None, table_type: str) -> list[str]:
        sql = (
            "SELECT TABLE_NAME FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_SCHEMA = ? "
            "AND TABLE_TYPE = ? ORDER BY TABLE_NAME"
        )
        return [str(r[0]) for r in self._rows(connection, sql, schema or _SCHEMA, table_type)]

    def get_table_names(self, connection: Any, schema: str | None = None, **kw: Any) -> list[str]:
        return self._names(connection, schema, "TABLE")

    def get_view_names(self, connection: Any, schema: str | None = None, **kw: Any) -> list[str]:
        return self._names(connection, schema, "VIEW")

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

    def get_pk_constraint(self, *args: Any, **kw: Any) -> Any:
        return {"constrained_columns": [], "name": None}

    def get_foreign_keys(self, *args: Any, **kw: Any) -> list[Any]:
        return []

    def get_indexes(self, *args: Any, **kw: Any) -> list[Any]:
        return []

    def get_table_comment(self, *args: Any, **kw: Any) -> Any:
        return {"text": None}


dialect = DruidDialect
