"""SQLAlchemy dialect for Databricks SQL over sqlgate (``databricks+sqlgate://``), SA 1.4 and 2.x.

Identifiers are quoted with backticks; ``LIMIT``/``OFFSET`` numbers are written into the SQL
(every statement then runs without parameters, which also suits Superset's literal SQL).
Unity Catalog's three-level names: a ``schema`` argument may be ``catalog.schema`` (read from
``system.information_schema``, which spans the catalogs).
Reflection reads ``information_schema`` (``schemata``, ``tables``, ``columns``, ``views``,
``table_constraints``/``key_column_usage`` for informational primary keys); column types come
from ``full_data_type`` where the server has it (``ARRAY<INT>``, ``STRUCT<...>``), through
sqlgate's Databricks type table, so a type it does not know reflects as ``NullType`` with a
warning. Names in reflection queries are written as literals, and a name holding a quote or a
backslash is refused rather than escaped (Databricks and other engines read escapes
differently). ``sqlgate.dialects.timetravel.as_of()`` compiles to Delta's own
``t VERSION AS OF 3`` / ``t TIMESTAMP AS OF '...'``.
"""

from __future__ import annotations

import datetime
from typing import Any

from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import elements

from sqlgate.core import errors
from sqlgate.dbapi.databricks_types import sqlalchemy_type
from sqlgate.dialects.timetravel import AsOf
from sqlgate.dialects.warehouse_family import (
    AutocommitDialect,
    BacktickIdentifierPreparer,
    LiteralLimitCompiler,
    LowercaseBooleanCompiler,
    NoIndexDDLCompiler,
    WarehouseTypeCompiler,
)

_VIEWS = "('VIEW', 'MATERIALIZED_VIEW')"


class DatabricksCompiler(LowercaseBooleanCompiler, LiteralLimitCompiler):
    """Literal ``LIMIT``/``OFFSET`` numbers; Databricks' ``true``/``false``."""


class DatabricksTypeCompiler(WarehouseTypeCompiler):
    """Databricks' spellings for the types CAST and DDL name."""

    naive_timestamp_name = "TIMESTAMP_NTZ"

    def visit_integer(self, type_: Any, **kw: Any) -> str:
        return "INT"


class DatabricksIdentifierPreparer(BacktickIdentifierPreparer):
    """Backticks; a backtick inside a name is doubled; a schema ``catalog.schema`` is
    Unity Catalog's first two levels, each quoted on its own."""

    def quote_schema(self, schema: str, force: Any = None) -> str:
        return ".".join(self.quote(part) for part in schema.split("."))


def literal(name: str) -> str:
    """A catalog, schema or table name as a string literal (see the module docstring)."""
    if "'" in name or "\\" in name:
        raise errors.ProgrammingError(
            f"sqlgate does not reflect names holding a quote or a backslash ({name!r})"
        )
    return f"'{name}'"


class DatabricksDialect(AutocommitDialect):
    """Databricks SQL warehouses through sqlgate's Statement Execution API client."""

    name = "databricks"
    supports_statement_cache = True  # SQLAlchemy asks every subclass
    sqlgate_source = "databricks"
    autocommit_only = "Databricks statements run in autocommit mode only"
    default_paramstyle = "named"
    statement_compiler = DatabricksCompiler
    ddl_compiler = NoIndexDDLCompiler
    type_compiler_cls = DatabricksTypeCompiler
    preparer = DatabricksIdentifierPreparer
    supports_is_distinct_from = True
    supports_multivalues_insert = True
    max_identifier_length = 255

    # -- connection ---------------------------------------------------------------------------
    def _get_default_schema_name(self, connection: Any) -> str:
        return str(connection.exec_driver_sql("SELECT current_schema()").scalar())

    # -- reflection ------------------------------------------------------------------------
    def _rows(self, connection: Any, sql: str) -> list[Any]:
        return list(connection.exec_driver_sql(sql).fetchall())

    def _dicts(self, connection: Any, sql: str) -> list[dict[str, Any]]:
        result = connection.exec_driver_sql(sql)
        names = [str(k).lower() for k in result.keys()]  # noqa: SIM118 - a Result, not a dict
        return [dict(zip(names, row, strict=True)) for row in result.fetchall()]

    def _where(self, schema: str | None, alias: str = "") -> tuple[str, str]:
        """``(information_schema prefix, predicate)`` for a schema (``catalog.schema``);
        ``alias`` qualifies the predicate's columns (``c.``)."""
        catalog_col, schema_col = f"{alias}table_catalog", f"{alias}table_schema"
        if schema and "." in schema:
            catalog, _, name = schema.partition(".")
            # system.information_schema spans every catalog the principal may see
            where = f"{catalog_col} = {literal(catalog)} AND {schema_col} = {literal(name)}"
            return "system.information_schema", where
        named = literal(schema) if schema else "current_schema()"
        return "information_schema", (
            f"{catalog_col} = current_catalog() AND {schema_col} = {named}"
        )

    def get_schema_names(self, connection: Any, **kw: Any) -> list[str]:
        rows = self._rows(
            connection,
            "SELECT schema_name FROM information_schema.schemata "
            "WHERE catalog_name = current_catalog() ORDER BY schema_name",
        )
        return [str(r[0]) for r in rows]

    def _names(self, connection: Any, schema: str | None, views: bool) -> list[str]:
        prefix, where = self._where(schema)
        negate = "" if views else "NOT "
        sql = (
            f"SELECT table_name FROM {prefix}.tables WHERE {where} "
            f"AND table_type {negate}IN {_VIEWS} ORDER BY table_name"
        )
        return [str(r[0]) for r in self._rows(connection, sql)]

    def has_table(
        self, connection: Any, table_name: str, schema: str | None = None, **kw: Any
    ) -> bool:
        prefix, where = self._where(schema)
        sql = f"SELECT count(*) FROM {prefix}.tables WHERE {where} AND table_name = "
        return bool(self._rows(connection, sql + literal(table_name))[0][0])

    def get_columns(
        self, connection: Any, table_name: str, schema: str | None = None, **kw: Any
    ) -> list[Any]:
        prefix, where = self._where(schema)
        rows = self._dicts(
            connection,
            f"SELECT * FROM {prefix}.columns WHERE {where} AND table_name = "
            f"{literal(table_name)} ORDER BY ordinal_position",
        )
        if not rows and not self.has_table(connection, table_name, schema):
            from sqlalchemy.exc import NoSuchTableError

            raise NoSuchTableError(table_name)
        return [
            {
                "name": row["column_name"],
                "type": sqlalchemy_type(str(row.get("full_data_type") or row["data_type"])),
                "nullable": str(row.get("is_nullable") or "YES").upper() == "YES",
                "default": row.get("column_default"),
                "comment": row.get("comment") or row.get("column_comment"),
            }
            for row in rows
        ]

    def get_pk_constraint(
        self, connection: Any, table_name: str, schema: str | None = None, **kw: Any
    ) -> Any:
        prefix, where = self._where(schema, "c.")
        rows = self._rows(
            connection,
            f"SELECT k.column_name, c.constraint_name FROM {prefix}.table_constraints c "
            f"JOIN {prefix}.key_column_usage k ON k.constraint_name = c.constraint_name "
            "AND k.table_schema = c.table_schema AND k.table_name = c.table_name "
            f"WHERE {where} AND c.table_name = {literal(table_name)} "
            "AND c.constraint_type = 'PRIMARY KEY' ORDER BY k.ordinal_position",
        )
        return {"constrained_columns": [r[0] for r in rows], "name": rows[0][1] if rows else None}

    def get_view_definition(
        self, connection: Any, view_name: str, schema: str | None = None, **kw: Any
    ) -> Any:
        prefix, where = self._where(schema)
        rows = self._rows(
            connection,
            f"SELECT view_definition FROM {prefix}.views WHERE {where} "
            f"AND table_name = {literal(view_name)}",
        )
        return str(rows[0][0]) if rows and rows[0][0] is not None else None

    def get_table_comment(
        self, connection: Any, table_name: str, schema: str | None = None, **kw: Any
    ) -> Any:
        prefix, where = self._where(schema)
        rows = self._dicts(
            connection,
            f"SELECT * FROM {prefix}.tables WHERE {where} AND table_name = {literal(table_name)}",
        )
        row = rows[0] if rows else {}
        return {"text": row.get("comment") or row.get("table_comment")}


def _literal(value: Any) -> str:
    """A time-travel value as Databricks reads it in ``VERSION|TIMESTAMP AS OF``: an integer,
    or a string literal (a datetime in ISO form); never a parameter."""
    if isinstance(value, bool):
        raise errors.ProgrammingError("a time-travel value cannot be a boolean")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (datetime.datetime, datetime.date)):
        value = value.isoformat(sep=" ") if isinstance(value, datetime.datetime) else str(value)
    return literal(str(value))


@compiles(AsOf, "databricks")
def _compile_as_of(element: AsOf, compiler: Any, **kw: Any) -> str:
    """``as_of(table, version=3)`` -> ``schema.table VERSION AS OF 3 AS table`` (Delta's own
    syntax; the value is written in the text, since Databricks takes no parameter there)."""
    name = element.name
    if isinstance(name, elements._truncated_label):
        name = compiler._truncated_identifier("alias", name)
    alias = compiler.preparer.format_alias(element, name)
    if kw.get("ashint"):
        return alias
    value = element.value.effective_value
    table = compiler.preparer.format_table(element.element)
    return f"{table} {element.kind.upper()} AS OF {_literal(value)} AS {alias}"


dialect = DatabricksDialect
