"""How SQLAlchemy writes Snowflake SQL: identifiers, literals, LIMIT and type names.

Snowflake folds unquoted identifiers to UPPER case, so the dialect sets
``requires_name_normalize`` and SQLAlchemy's ``normalize_name`` / ``denormalize_name`` (the
Oracle convention) make a case-insensitive name lower case in Python and upper case on the
server; only names that are not all one case are quoted.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import CompileError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import compiler, elements, sqltypes

from sqlgate.dialects.timetravel import AsOf
from sqlgate.dialects.warehouse_family import NoIndexDDLCompiler

#: Snowflake's reserved keywords (its documentation's list): quoted when used as names
RESERVED_WORDS = set(
    """all alter and any as between by case cast check column connect connection constraint
    create cross current current_date current_time current_timestamp current_user database
    delete distinct drop else exists false following for from full grant group gscluster
    having ilike in increment inner insert intersect into is issue join lateral left like
    localtime localtimestamp minus natural not null of on or order organization qualify
    regexp revoke right rlike row rows sample schema select set some start table tablesample
    then to trigger true try_cast union unique update using values view when whenever where
    window with""".split()  # noqa: SIM905 - a word list reads best as text
)


class SnowflakeIdentifierPreparer(compiler.IdentifierPreparer):
    reserved_words = RESERVED_WORDS


class SnowflakeCompiler(compiler.SQLCompiler):
    """SQLAlchemy's ANSI compiler with Snowflake's spellings where they differ."""

    def limit_clause(self, select: Any, **kw: Any) -> str:
        """``LIMIT NULL OFFSET n`` for an offset alone (Snowflake refuses ``LIMIT -1``)."""
        text = ""
        if select._limit_clause is not None:
            text += "\n LIMIT " + self.process(select._limit_clause, **kw)
        if select._offset_clause is not None:
            if select._limit_clause is None:
                text += "\n LIMIT NULL"
            text += " OFFSET " + self.process(select._offset_clause, **kw)
        return text

    def render_literal_value(self, value: Any, type_: Any) -> str:
        """A backslash in a Snowflake string literal is an escape character: double it."""
        text = super().render_literal_value(value, type_)
        if isinstance(value, str) and isinstance(type_, sqltypes.String):
            text = text.replace("\\", "\\\\")
        return text

    def visit_ilike_op_binary(self, binary: Any, operator: Any, **kw: Any) -> str:
        return f"{self.process(binary.left, **kw)} ILIKE {self.process(binary.right, **kw)}"

    def visit_not_ilike_op_binary(self, binary: Any, operator: Any, **kw: Any) -> str:
        return f"{self.process(binary.left, **kw)} NOT ILIKE {self.process(binary.right, **kw)}"


class SnowflakeDDLCompiler(NoIndexDDLCompiler):
    """``AUTOINCREMENT`` on a table's autoincrement column, as snowflake-sqlalchemy writes it:
    without it an integer primary key that SQLAlchemy expects the server to fill is NOT NULL
    with no default, and every INSERT that leaves it out fails. Indexes only on hybrid tables
    (``Table(..., prefixes=["HYBRID"])``): Snowflake refuses CREATE INDEX on standard ones."""

    def supports_index_on(self, table: Any) -> bool:
        return any(str(p).upper() == "HYBRID" for p in getattr(table, "_prefixes", ()))

    def get_column_specification(self, column: Any, **kw: Any) -> str:
        spec = str(super().get_column_specification(column, **kw))
        table = column.table
        if (
            column is table._autoincrement_column
            and column.server_default is None
            and column.identity is None
            and column.computed is None
        ):
            spec += " AUTOINCREMENT"
        return spec


class SnowflakeTypeCompiler(compiler.GenericTypeCompiler):
    """DDL names of Snowflake's types (CAST targets in queries need them too)."""

    def visit_VARIANT(self, type_: Any, **kw: Any) -> str:
        return "VARIANT"

    def visit_OBJECT(self, type_: Any, **kw: Any) -> str:
        return "OBJECT"

    def visit_ARRAY(self, type_: Any, **kw: Any) -> str:
        return "ARRAY"

    def visit_GEOGRAPHY(self, type_: Any, **kw: Any) -> str:
        return "GEOGRAPHY"

    def visit_GEOMETRY(self, type_: Any, **kw: Any) -> str:
        return "GEOMETRY"

    def visit_TIMESTAMP_NTZ(self, type_: Any, **kw: Any) -> str:
        return "TIMESTAMP_NTZ"

    def visit_TIMESTAMP_LTZ(self, type_: Any, **kw: Any) -> str:
        return "TIMESTAMP_LTZ"

    def visit_TIMESTAMP_TZ(self, type_: Any, **kw: Any) -> str:
        return "TIMESTAMP_TZ"

    def visit_datetime(self, type_: Any, **kw: Any) -> str:
        return "TIMESTAMP_TZ" if getattr(type_, "timezone", False) else "TIMESTAMP_NTZ"

    def visit_TIMESTAMP(self, type_: Any, **kw: Any) -> str:
        return self.visit_datetime(type_, **kw)

    def visit_DATETIME(self, type_: Any, **kw: Any) -> str:
        return self.visit_datetime(type_, **kw)

    def visit_JSON(self, type_: Any, **kw: Any) -> str:
        return "VARIANT"

    def visit_large_binary(self, type_: Any, **kw: Any) -> str:
        return "BINARY"

    def visit_BLOB(self, type_: Any, **kw: Any) -> str:
        return "BINARY"

    def visit_TEXT(self, type_: Any, **kw: Any) -> str:
        return "VARCHAR"

    def visit_uuid(self, type_: Any, **kw: Any) -> str:
        return "VARCHAR(36)"


@compiles(AsOf, "snowflake")
def _compile_as_of(element: AsOf, compiler: Any, **kw: Any) -> str:
    """``as_of(t, timestamp=…)`` -> ``t AT (TIMESTAMP => CAST(%(p)s AS TIMESTAMP_LTZ)) AS t``,
    ``as_of(t, version='<query id>')`` -> ``t AT (STATEMENT => %(p)s) AS t``: a Snowflake table
    has no version numbers, a statement's query id names the state just before it ran. The
    value stays a bound parameter, so one cached compilation serves every snapshot."""
    if element.kind == "version" and isinstance(element.value.effective_value, int):
        raise CompileError(
            "Snowflake has no table version numbers: as_of(table, version=...) takes a query "
            "id ('01b2c3d4-...'), or use timestamp="
        )
    name = element.name
    if isinstance(name, elements._truncated_label):
        name = compiler._truncated_identifier("alias", name)
    alias = compiler.preparer.format_alias(element, name)
    if kw.get("ashint"):
        return alias
    inner = {k: v for k, v in kw.items() if k in ("literal_binds", "literal_execute")}
    value = compiler.process(element.value, **inner)
    if element.kind == "timestamp":
        value, kind = f"CAST({value} AS TIMESTAMP_LTZ)", "TIMESTAMP"
    else:
        kind = "STATEMENT"
    table = compiler.preparer.format_table(element.element)
    return f"{table} AT ({kind} => {value}) AS {alias}"
