"""SQLAlchemy dialect for ClickHouse over sqlgate (``clickhouse+sqlgate://``), SA 1.4 and 2.x.

ClickHouse has no transactions, constraints or sequences; a schema is a ClickHouse database.
Reflection reads ``system.databases``, ``system.tables`` and ``system.columns`` and maps
column types through sqlgate's ClickHouse type table, so an unknown type reflects as
``NullType`` with a warning instead of failing. ``name`` is ``clickhouse``, Superset's backend
name for its own ClickHouse engine spec.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import schema as sa_schema
from sqlalchemy.exc import NoSuchTableError
from sqlalchemy.sql import compiler, sqltypes

from sqlgate.core.errors import NotSupportedError
from sqlgate.dbapi.clickhouse_types import CLICKHOUSE_TYPES
from sqlgate.dialects.base import dbapi_connection_of
from sqlgate.dialects.warehouse_family import (
    AutocommitDialect,
    BacktickIdentifierPreparer,
    LowercaseBooleanCompiler,
)

_ONE_TABLE = "FROM system.tables WHERE database = %(db)s AND name = %(name)s"
_VIEW_ENGINES = ("View", "MaterializedView", "LiveView", "WindowView")
_NOT_NULLABLE = ("Array(", "Map(", "Tuple(", "Nested(")  # ClickHouse refuses Nullable(Array)


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

    #: a bare UNION is an error on ClickHouse 21.x+ (``union_default_mode`` unset)
    compound_keywords = {
        k: "UNION DISTINCT" if v == "UNION" else v
        for k, v in compiler.SQLCompiler.compound_keywords.items()
    }

    def delete_extra_from_clause(self, *args: Any, **kw: Any) -> str:
        raise NotSupportedError("ClickHouse's DELETE reads one table")

    def visit_delete(self, delete_stmt: Any, visiting_cte: Any = None, **kw: Any) -> str:
        """ClickHouse's (lightweight, 22.8+) DELETE needs a WHERE: ``WHERE 1`` empties."""
        text: str = super().visit_delete(delete_stmt, visiting_cte=visiting_cte, **kw)
        return text if delete_stmt._where_criteria else text + " WHERE 1"

    def visit_regexp_match_op_binary(self, binary: Any, operator: Any, **kw: Any) -> str:
        return f"match({self.process(binary.left, **kw)}, {self.process(binary.right, **kw)})"

    def visit_not_regexp_match_op_binary(self, binary: Any, operator: Any, **kw: Any) -> str:
        return "NOT " + self.visit_regexp_match_op_binary(binary, operator, **kw)

    def visit_regexp_replace_op_binary(self, binary: Any, operator: Any, **kw: Any) -> str:
        pattern, replacement = binary.right.clauses
        return (
            f"replaceRegexpAll({self.process(binary.left, **kw)}, "
            f"{self.process(pattern, **kw)}, {self.process(replacement, **kw)})"
        )


class ClickHouseTypeCompiler(compiler.GenericTypeCompiler):
    """ClickHouse's spellings for the types CAST and DDL name."""

    def visit_string(self, type_: Any, **kw: Any) -> str:
        return "String"

    visit_VARCHAR = visit_NVARCHAR = visit_CHAR = visit_NCHAR = visit_TEXT = visit_string
    visit_JSON = visit_string  # JSON text in a String (no JSON type before 22.x)

    def visit_ARRAY(self, type_: Any, **kw: Any) -> str:
        inner = self.process(type_.item_type, **kw)
        return "Array(" * (type_.dimensions or 1) + inner + ")" * (type_.dimensions or 1)

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


class ClickHouseDDLCompiler(compiler.DDLCompiler):
    """``CREATE TABLE`` as every ClickHouse version reads it (18.16 included).

    A nullable column is ``Nullable(T)`` (``NULL`` / ``NOT NULL`` after the type came in
    20.x); constraints are not emitted, since ClickHouse enforces none of them; the table gets
    an engine: ``clickhouse_engine`` (default ``MergeTree``, ordered by
    ``clickhouse_order_by`` or the primary key's columns, else ``tuple()``).
    """

    def get_column_specification(self, column: Any, **kw: Any) -> str:
        # SQLAlchemy 2 names the instance type_compiler_instance, 1.4 type_compiler
        types = getattr(self.dialect, "type_compiler_instance", None) or self.dialect.type_compiler
        spec = types.process(column.type, type_expression=column)
        if column.nullable and not column.primary_key and not spec.startswith(_NOT_NULLABLE):
            spec = f"Nullable({spec})"
        text = f"{self.preparer.format_column(column)} {spec}"
        default = self.get_column_default_string(column)
        if default is not None:
            text += f" DEFAULT {default}"
        if column.comment is not None:
            text += " COMMENT " + self.sql_compiler.render_literal_value(
                column.comment, sqltypes.String()
            )
        return text

    def create_table_constraints(
        self, table: Any, _include_foreign_key_constraints: Any = None, **kw: Any
    ) -> str:
        return ""

    def post_create_table(self, table: Any) -> str:
        # looked up only when given: the bare name "clickhouse" may load no dialect
        given = "clickhouse" in table.dialect_options
        options = table.dialect_options["clickhouse"] if given else {}
        engine = options.get("engine") or "MergeTree"
        text = f"\nENGINE = {engine}"
        if engine.split("(")[0].endswith("MergeTree"):
            order = options.get("order_by") or ", ".join(
                self.preparer.format_column(c) for c in table.primary_key.columns
            )
            text += f"\nORDER BY {order or 'tuple()'}"
        if table.comment is not None:
            text += " COMMENT " + self.sql_compiler.render_literal_value(
                table.comment, sqltypes.String()
            )
        return text

    def visit_create_schema(self, create: Any, **kw: Any) -> str:
        """A schema is a ClickHouse database."""
        exists = "IF NOT EXISTS " if create.if_not_exists else ""
        return f"CREATE DATABASE {exists}{self.preparer.format_schema(create.element)}"

    def visit_drop_schema(self, drop: Any, **kw: Any) -> str:
        exists = "IF EXISTS " if drop.if_exists else ""
        return f"DROP DATABASE {exists}{self.preparer.format_schema(drop.element)}"

    def visit_create_index(
        self, create: Any, include_schema: Any = False, include_table_schema: Any = True, **kw: Any
    ) -> str:
        """ClickHouse's secondary index is a data-skipping index (``minmax`` unless the
        index names ``clickhouse_type``): it skips granules and enforces nothing, so a unique
        index is made one too, as unique and primary keys constrain nothing here."""
        index = create.element  # unique or not: ClickHouse enforces no uniqueness (as keys)
        kind = index.dialect_kwargs.get("clickhouse_type") or "minmax"
        columns = ", ".join(  # a skipping index has no order: ASC / DESC dropped
            self.sql_compiler.process(
                getattr(e, "element", e) if getattr(e, "modifier", None) else e,
                include_table=False,
                literal_binds=True,
            )
            for e in index.expressions
        )
        return (
            f"ALTER TABLE {self.preparer.format_table(index.table)} ADD INDEX "
            f"{self._prepared_index_name(index)} ({columns}) TYPE {kind} GRANULARITY 1"
        )

    def visit_drop_index(self, drop: Any, **kw: Any) -> str:
        index = drop.element
        return (
            f"ALTER TABLE {self.preparer.format_table(index.table)} DROP INDEX "
            f"{self._prepared_index_name(index)}"
        )


class ClickHouseDialect(AutocommitDialect):
    """ClickHouse through sqlgate: native protocol or embedded (``?embedded=true``).

    Backquoted names, which ClickHouse reads as identifiers in every version and mode. Its
    primary key orders and indexes data but constrains nothing, so none is reflected.
    """

    name = "clickhouse"
    sqlgate_source = "clickhouse"
    supports_statement_cache = True  # SQLAlchemy asks every subclass
    statement_compiler = ClickHouseCompiler
    ddl_compiler = ClickHouseDDLCompiler
    construct_arguments = [
        (sa_schema.Table, {"engine": None, "order_by": None}),
        (sa_schema.Index, {"type": None}),
    ]
    type_compiler_cls = ClickHouseTypeCompiler
    preparer = BacktickIdentifierPreparer
    supports_comments = True
    inline_comments = True
    supports_empty_insert = False
    # Boolean is stored as UInt8 (18.16 has no Bool): SQLAlchemy turns 0/1 back into bools
    supports_native_boolean = False
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
        if not rows:  # every ClickHouse table has a column: no rows, no table
            raise NoSuchTableError(f"{self._schema(connection, schema)}.{table_name}")
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
