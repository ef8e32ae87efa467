"""SQLAlchemy dialect for ClickHouse over sqlgate (``clickhouse+sqlgate://``), SA 1.4 and 2.x.

ClickHouse has no transactions, constraints or sequences; a schema is a ClickHouse database.
Reflection reads ``system.databases``, ``system.tables`` and ``system.columns`` and maps
column types through sqlgate's ClickHouse type table, so an unknown type reflects as
``NullType`` with a warning instead of failing. ``name`` is ``clickhouse``, Superset's backend
name for its own ClickHouse engine spec.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import NoSuchTableError
from sqlalchemy.sql import compiler

from sqlgate.dbapi.clickhouse_types import CLICKHOUSE_TYPES
from sqlgate.dialects.base import dbapi_connection_of
from sqlgate.dialects.warehouse_family import (
    AutocommitDialect,
    BacktickIdentifierPreparer,
    LowercaseBooleanCompiler,
)

_ONE_TABLE = "FROM system.tables WHERE database = %(db)s AND name = %(name)s"
_VIEW_ENGINES = ("View", "MaterializedView", "LiveView", "WindowView")


class ClickHouseCompiler(LowercaseBooleanCompiler):
    """``LIMIT offset, n`` (every server version reads it) and ClickHouse's ``count()``."""

    def limit_clause(self, select: Any, **kw: Any) -> str:
        limit, offset = select._limit_clause, select._offset_clause
        if limit is None and offset is None:
            return ""
        text = "\n LIMIT "
        if offset is not None:
            text += self.process(offset, **kw) + ", "
        if limit is None:
            return text + "18446744073709551615"
        return text + self.process(limit, **kw)


class ClickHouseTypeCompiler(compiler.GenericTypeCompiler):
    """ClickHouse's spellings for the types CAST and DDL name."""

    def visit_string(self, type_: Any, **kw: Any) -> str:
        return "String"

    visit_VARCHAR = visit_NVARCHAR = visit_CHAR = visit_NCHAR = visit_TEXT = visit_string
    visit_unicode = visit_unicode_text = visit_text = visit_string

    def visit_integer(self, type_: Any, **kw: Any) -> str:
        return "Int32"

    def visit_big_integer(self, type_: Any, **kw: Any) -> str:
        return "Int64"

    def visit_small_integer(self, type_: Any, **kw: Any) -> str:
        return "Int16"

    def visit_boolean(self, type_: Any, **kw: Any) -> str:
        return "UInt8"

    def visit_float(self, type_: Any, **kw: Any) -> str:
        return "Float64"

    def visit_numeric(self, type_: Any, **kw: Any) -> str:
        return f"Decimal({type_.precision or 38}, {type_.scale or 0})"

    def visit_datetime(self, type_: Any, **kw: Any) -> str:
        return "DateTime"

    def visit_date(self, type_: Any, **kw: Any) -> str:
        return "Date"

    visit_INTEGER, visit_BIGINT, visit_SMALLINT = (
        visit_integer,
        visit_big_integer,
        visit_small_integer,
    )
    visit_BOOLEAN, visit_FLOAT, visit_REAL = visit_boolean, visit_float, visit_float
    visit_NUMERIC = visit_DECIMAL = visit_numeric
    visit_DATETIME = visit_TIMESTAMP = visit_datetime
    visit_DATE = visit_date


class ClickHouseDialect(AutocommitDialect):
    """ClickHouse through sqlgate: native protocol or embedded (``?embedded=true``).

    Backquoted names, which ClickHouse reads as identifiers in every version and mode. Its
    primary key orders and indexes data but constrains nothing, so none is reflected.
    """

    name = "clickhouse"
    sqlgate_source = "clickhouse"
    statement_compiler = ClickHouseCompiler
    type_compiler_cls = ClickHouseTypeCompiler
    preparer = BacktickIdentifierPreparer
    supports_comments = True
    inline_comments = True
    supports_empty_insert = False
    supports_multivalues_insert = True
    supports_sane_rowcount = False
    supports_sane_multi_rowcount = False
    max_identifier_length = 127
    default_schema_name = "default"

    def initialize(self, connection: Any) -> None:
        super().initialize(connection)
        session = dbapi_connection_of(connection).session
        self.server_version_info = tuple(session.server_version) or None

    def _get_server_version_info(self, connection: Any) -> tuple[int, ...] | None:
        return tuple(dbapi_connection_of(connection).session.server_version) or None

    def _get_default_schema_name(self, connection: Any) -> str:
        return str(connection.exec_driver_sql("SELECT currentDatabase()").scalar())

    def set_isolation_level(self, dbapi_connection: Any, level: Any) -> None:
        """ClickHouse has no transactions: every statement stands alone, whatever is asked."""

    def do_commit(self, dbapi_connection: Any) -> None:
        """No transactions: nothing to commit."""

    # -- reflection -------------------------------------------------------------------------
    def _rows(self, connection: Any, sql: str, **params: Any) -> list[Any]:
        return list(connection.exec_driver_sql(sql, params).fetchall())

    def _schema(self, connection: Any, schema: str | None) -> str:
        return schema or self.default_schema_name or self._get_default_schema_name(connection)

    def _about(self, connection: Any, sql: str, name: str, schema: str | None) -> list[Any]:
        """Rows of a system table about one table: ``sql`` binds ``%(db)s`` and ``%(name)s``."""
        return self._rows(connection, sql, db=self._schema(connection, schema), name=name)

    def get_schema_names(self, connection: Any, **kw: Any) -> list[str]:
        return [
            r[0] for r in self._rows(connection, "SELECT name FROM system.databases ORDER BY name")
        ]

    def _names(self, connection: Any, schema: str | None, views: bool) -> list[str]:
        engines = ", ".join(f"'{e}'" for e in _VIEW_ENGINES)
        test = "IN" if views else "NOT IN"
        sql = (
            "SELECT name FROM system.tables WHERE database = %(db)s "
            f"AND engine {test} ({engines}) AND NOT is_temporary ORDER BY name"
        )
        return [r[0] for r in self._rows(connection, sql, db=self._schema(connection, schema))]

    def get_view_definition(
        self, connection: Any, view_name: str, schema: str | None = None, **kw: Any
    ) -> str:
        rows = self._about(connection, f"SELECT create_table_query {_ONE_TABLE}", view_name, schema)
        if not rows:
            raise NoSuchTableError(view_name)
        return str(rows[0][0])

    def has_table(
        self, connection: Any, table_name: str, schema: str | None = None, **kw: Any
    ) -> bool:
        rows = self._about(connection, f"SELECT count() {_ONE_TABLE}", table_name, schema)
        return bool(rows and rows[0][0])

    def get_columns(
        self, connection: Any, table_name: str, schema: str | None = None, **kw: Any
    ) -> list[Any]:
        sql = (
            "SELECT name, type, default_kind, default_expression FROM system.columns "
            "WHERE database = %(db)s AND table = %(name)s"
        )
        rows = self._about(connection, sql, table_name, schema)
        columns = []
        for name, type_name, default_kind, default_expression in rows:
            columns.append(
                {
                    "name": name,
                    "type": CLICKHOUSE_TYPES.to_sqlalchemy(type_name),
                    "nullable": type_name.startswith(("Nullable(", "LowCardinality(Nullable(")),
                    "default": default_expression if default_kind == "DEFAULT" else None,
                    "autoincrement": False,
                    "comment": None,
                }
            )
        return columns

    def get_check_constraints(
        self, connection: Any, table_name: str, schema: str | None = None, **kw: Any
    ) -> list[Any]:
        return []


dialect = ClickHouseDialect
