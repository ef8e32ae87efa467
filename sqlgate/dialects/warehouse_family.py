"""What the warehouse and REST dialects share (BigQuery, Databricks, Druid, Snowflake, ClickHouse).

These engines have no transactions a pool could roll back, no indexes, and want ``LIMIT`` /
``OFFSET`` written as numbers (they plan them rather than bind them, and Superset's literal
SQL then reads the same). Each dialect states only how it differs: its names, its quoting
character's escape, its type spellings and its reflection queries. Works on SQLAlchemy 1.4
and 2.x.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.engine import default
from sqlalchemy.sql import compiler

from sqlgate.core import errors
from sqlgate.dialects.base import SQLALCHEMY_2, SqlgateDialectMixin, dbapi_connection_of

_log = logging.getLogger(__name__)


class LiteralLimitCompiler(compiler.SQLCompiler):
    """``LIMIT``/``OFFSET`` as integer literals, never bound parameters."""

    #: the LIMIT written before an OFFSET that has none (for engines that need one), or None
    limit_for_offset_alone: int | None = None

    def limit_clause(self, select: Any, **kw: Any) -> str:
        text = ""
        limit, offset = select._limit, select._offset
        if limit is not None:
            text += f"\n LIMIT {int(limit)}"
        if offset:
            if limit is None and self.limit_for_offset_alone is not None:
                text += f"\n LIMIT {self.limit_for_offset_alone}"
            text += f"\n OFFSET {int(offset)}"
        return text


#: set operations spelled with their implicit DISTINCT, for engines that refuse the bare word
#: (BigQuery: "Expected DISTINCT or ALL for UNION"); ``compound_keywords`` of a compiler
EXPLICIT_DISTINCT_COMPOUNDS = {
    k: v + " DISTINCT" if v in ("UNION", "INTERSECT", "EXCEPT") else v
    for k, v in compiler.SQLCompiler.compound_keywords.items()
}


class LowercaseBooleanCompiler(compiler.SQLCompiler):
    """``true``/``false`` as the engine spells them (mixed in before a compiler)."""

    def visit_true(self, expr: Any, **kw: Any) -> str:
        return "true"

    def visit_false(self, expr: Any, **kw: Any) -> str:
        return "false"


class WarehouseTypeCompiler(compiler.GenericTypeCompiler):
    """One spelling per generic type family; a dialect names its spellings as attributes."""

    string_name = "STRING"
    float_name = "DOUBLE"
    binary_name = "BINARY"
    naive_timestamp_name = "TIMESTAMP"

    def visit_string(self, type_: Any, **kw: Any) -> str:
        return self.string_name

    visit_VARCHAR = visit_NVARCHAR = visit_CHAR = visit_NCHAR = visit_TEXT = visit_string
    visit_unicode = visit_unicode_text = visit_text = visit_string

    def visit_float(self, type_: Any, **kw: Any) -> str:
        return self.float_name

    visit_FLOAT = visit_REAL = visit_DOUBLE = visit_double = visit_float

    def visit_datetime(self, type_: Any, **kw: Any) -> str:
        return "TIMESTAMP" if getattr(type_, "timezone", False) else self.naive_timestamp_name

    visit_DATETIME = visit_TIMESTAMP = visit_datetime

    def visit_large_binary(self, type_: Any, **kw: Any) -> str:
        return self.binary_name

    visit_BLOB = visit_BINARY = visit_VARBINARY = visit_large_binary


class NoIndexDDLCompiler(compiler.DDLCompiler):
    """``Index(...)`` / ``index=True`` compile to no statement, which the dialect never sends.

    Warehouse tables have no indexes (pruning comes from micro-partitions, clustering or
    partitioning instead), so metadata written for other databases - SQLAlchemy's own test
    tables among them - still creates its tables; reflection reports no indexes either. A
    unique index loses nothing the warehouse would have enforced: unique keys never are.
    """

    def supports_index_on(self, table: Any) -> bool:
        """Whether this table kind has indexes after all (Snowflake's hybrid tables do)."""
        return False

    def visit_create_index(self, create: Any, *args: Any, **kw: Any) -> str:
        if self.supports_index_on(create.element.table):
            return str(super().visit_create_index(create, *args, **kw))
        _log.info("index %s not created: %s tables have no indexes", create.element.name,
                  self.dialect.name)  # fmt: skip
        return ""

    def visit_drop_index(self, drop: Any, *args: Any, **kw: Any) -> str:
        if self.supports_index_on(drop.element.table):
            return str(super().visit_drop_index(drop, *args, **kw))
        return ""


class BacktickIdentifierPreparer(compiler.IdentifierPreparer):
    """Backquoted names; ``backtick_escape`` is how a backquote inside a name is written."""

    backtick_escape = "`"

    def __init__(
        self,
        dialect: Any,
        initial_quote: str = "`",
        final_quote: str | None = None,
        escape_quote: str = "",
        quote_case_sensitive_collations: bool = True,
        omit_schema: bool = False,
    ) -> None:
        super().__init__(
            dialect,
            initial_quote,
            final_quote,
            escape_quote or self.backtick_escape,
            quote_case_sensitive_collations,
            omit_schema,
        )


class WarehouseDialect(SqlgateDialectMixin, default.DefaultDialect):
    """Facts and empty reflection answers common to the warehouses (no indexes, no sequences)."""

    supports_statement_cache = True
    supports_native_boolean = True
    supports_sequences = False
    supports_alter = False
    postfetch_lastrowid = False
    implicit_returning = False

    if not SQLALCHEMY_2:

        def __init_subclass__(cls, **kw: Any) -> None:
            """SQLAlchemy 1.4 reads ``type_compiler``; dialects name ``type_compiler_cls``."""
            super().__init_subclass__(**kw)
            if "type_compiler_cls" in cls.__dict__:
                cls.type_compiler = cls.__dict__["type_compiler_cls"]

    def _get_server_version_info(self, connection: Any) -> tuple[int, ...] | None:
        return tuple(dbapi_connection_of(connection).session.server_version)

    def do_execute(self, cursor: Any, statement: str, parameters: Any, context: Any = None) -> None:
        """DDL that compiled to nothing (an index, see NoIndexDDLCompiler) is not sent."""
        if context is not None and context.isddl and not statement.strip():
            return
        super().do_execute(cursor, statement, parameters, context)

    def _names(self, connection: Any, schema: str | None, views: bool) -> list[str]:
        """A schema's table names, or with ``views`` its view names, sorted."""
        raise NotImplementedError

    def get_table_names(self, connection: Any, schema: str | None = None, **kw: Any) -> list[str]:
        return self._names(connection, schema, views=False)

    def get_view_names(self, connection: Any, schema: str | None = None, **kw: Any) -> list[str]:
        return self._names(connection, schema, views=True)

    def get_pk_constraint(self, *args: Any, **kw: Any) -> Any:
        return {"constrained_columns": [], "name": None}

    def get_foreign_keys(self, *args: Any, **kw: Any) -> list[Any]:
        return []

    def get_indexes(self, *args: Any, **kw: Any) -> list[Any]:
        return []  # none of these engines has indexes SQLAlchemy could reflect

    def get_unique_constraints(self, *args: Any, **kw: Any) -> list[Any]:
        return []

    def get_table_comment(self, *args: Any, **kw: Any) -> Any:
        return {"text": None}


class AutocommitDialect(WarehouseDialect):
    """An engine without transactions: AUTOCOMMIT is its only isolation level."""

    #: the refusal's text when asked for another level
    autocommit_only = "this source runs in autocommit mode only"

    def get_isolation_level(self, dbapi_connection: Any) -> Any:
        return "AUTOCOMMIT"  # each statement stands alone; nothing to isolate

    def get_isolation_level_values(self, dbapi_connection: Any) -> Any:
        return ("AUTOCOMMIT",)

    def set_isolation_level(self, dbapi_connection: Any, level: str) -> None:
        if level != "AUTOCOMMIT":
            raise errors.NotSupportedError(self.autocommit_only)

    def do_rollback(self, dbapi_connection: Any) -> None:
        """No transactions: nothing to roll back (the pool calls this on every return)."""
