"""How SQLAlchemy writes Snowflake SQL: identifiers, literals, LIMIT and type names.

Snowflake folds unquoted identifiers to UPPER case, so the dialect sets
``requires_name_normalize`` and SQLAlchemy's ``normalize_name`` / ``denormalize_name`` (the
Oracle convention) make a case-insensitive name lower case in Python and upper case on the
server; only names that are not all one case are quoted.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.sql import compiler, sqltypes

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
