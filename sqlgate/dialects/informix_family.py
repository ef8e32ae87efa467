"""The Informix family's SQLAlchemy dialect (GBase 8s, GBase 8t): SQL as Informix writes it.

SQLAlchemy ships no Informix dialect, and the third-party ones are unmaintained
(``sqlalchemy-informix``, last released for SQLAlchemy 0.x; ``ibm_db_sa`` targets Db2 and
needs IBM's native client), so this one states Informix's differences on SQLAlchemy's default
compiler: ``SELECT SKIP m FIRST n``, ``CURRENT`` / ``TODAY``, ``FROM sysmaster:sysdual`` for a
bare SELECT, ``DATETIME YEAR TO FRACTION(5)``, ``LVARCHAR``, ``SERIAL``/``SERIAL8``, ``BYTE``.
Reflection reads Informix's catalog (``systables``, ``syscolumns``). Works on SQLAlchemy 1.4
and 2.x. Not verified against a server (none here).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy.types as sat
from sqlalchemy import text
from sqlalchemy.engine import default
from sqlalchemy.sql import compiler

from sqlgate.dialects.base import SqlgateDialectMixin

#: syscolumns.coltype (low byte; +256 means NOT NULL) -> SQLAlchemy type
COLTYPES: dict[int, Any] = {
    0: sat.CHAR, 1: sat.SmallInteger, 2: sat.Integer, 3: sat.Float, 4: sat.REAL,
    5: sat.Numeric, 6: sat.Integer, 7: sat.Date, 8: sat.Numeric, 10: sat.DateTime,
    11: sat.LargeBinary, 12: sat.Text, 13: sat.VARCHAR, 14: sat.Interval, 15: sat.NCHAR,
    16: sat.NVARCHAR, 17: sat.BigInteger, 18: sat.BigInteger, 40: sat.Text, 41: sat.LargeBinary,
    43: sat.VARCHAR, 45: sat.Boolean, 52: sat.BigInteger, 53: sat.BigInteger,
}  # fmt: skip
#: serial types (autoincrement)
SERIAL_COLTYPES = frozenset({6, 18, 53})
VARCHAR_MAX = 255  # longer strings are LVARCHAR


def decode_coltype(coltype: int, collength: int) -> tuple[sat.TypeEngine[Any], bool, bool]:
    """``(type, nullable, autoincrement)`` of a ``syscolumns`` row."""
    base, not_null = coltype & 0xFF, bool(coltype & 0x100)
    klass = COLTYPES.get(base, sat.NullType)
    if base in (0, 13, 15, 16, 43):
        # VARCHAR/NVARCHAR: collength = min_length * 256 + max_length
        length = collength & 0xFF if base in (13, 16) else collength
        type_: sat.TypeEngine[Any] = klass(length)
    elif base in (5, 8):
        type_ = klass(collength // 256, collength % 256)
    else:
        type_ = klass()
    return type_, not not_null and base not in SERIAL_COLTYPES, base in SERIAL_COLTYPES


class InformixCompiler(compiler.SQLCompiler):
    """``SKIP``/``FIRST`` after ``SELECT`` (literal integers, as Informix requires)."""

    def get_select_precolumns(self, select: Any, **kw: Any) -> str:
        text_ = ""
        if select._offset_clause is not None:
            text_ += f"SKIP {int(select._offset)} "
        if select._limit_clause is not None:
            text_ += f"FIRST {int(select._limit)} "
        return text_ + super().get_select_precolumns(select, **kw)

    def limit_clause(self, select: Any, **kw: Any) -> str:
        return ""

    def fetch_clause(self, select: Any, *args: Any, **kw: Any) -> str:
        return ""

    def default_from(self) -> str:
        return " FROM sysmaster:sysdual"

    def visit_now_func(self, fn: Any, **kw: Any) -> str:
        return "CURRENT"

    def visit_current_timestamp_func(self, fn: Any, **kw: Any) -> str:
        return "CURRENT"

    def visit_current_date_func(self, fn: Any, **kw: Any) -> str:
        return "TODAY"

    def visit_sequence(self, sequence: Any, **kw: Any) -> str:
        return f"{self.preparer.format_sequence(sequence)}.NEXTVAL"

    def visit_true(self, expr: Any, **kw: Any) -> str:
        return "'t'"

    def visit_false(self, expr: Any, **kw: Any) -> str:
        return "'f'"


class InformixDDLCompiler(compiler.DDLCompiler):
    def get_column_specification(self, column: Any, **kw: Any) -> str:
        """An autoincrement integer key is ``SERIAL`` (``SERIAL8`` for BIGINT)."""
        if column is column.table._autoincrement_column and column.server_default is None:
            serial = "SERIAL8" if isinstance(column.type, sat.BigInteger) else "SERIAL"
            return f"{self.preparer.format_column(column)} {serial} NOT NULL"
        return super().get_column_specification(column, **kw)


class InformixTypeCompiler(compiler.GenericTypeCompiler):
    def visit_VARCHAR(self, type_: Any, **kw: Any) -> str:
        length = type_.length or VARCHAR_MAX
        return f"VARCHAR({length})" if length <= VARCHAR_MAX else f"LVARCHAR({length})"

    visit_string = visit_NVARCHAR = visit_unicode = visit_VARCHAR

    def visit_text(self, type_: Any, **kw: Any) -> str:
        return "LVARCHAR(32739)"  # TEXT is Informix's legacy blob-space type

    visit_unicode_text = visit_text

    def visit_datetime(self, type_: Any, **kw: Any) -> str:
        return "DATETIME YEAR TO FRACTION(5)"

    visit_DATETIME = visit_TIMESTAMP = visit_datetime

    def visit_time(self, type_: Any, **kw: Any) -> str:
        return "DATETIME HOUR TO SECOND"

    def visit_large_binary(self, type_: Any, **kw: Any) -> str:
        return "BYTE"

    def visit_boolean(self, type_: Any, **kw: Any) -> str:
        return "BOOLEAN"

    def visit_float(self, type_: Any, **kw: Any) -> str:
        return "FLOAT"


class InformixFamilyDialect(SqlgateDialectMixin, default.DefaultDialect):
    """Base of the Informix-protocol sources' dialects."""

    name = "informix"
    sqlgate_source = ""
    default_paramstyle = "qmark"
    supports_statement_cache = True
    statement_compiler = InformixCompiler
    ddl_compiler = InformixDDLCompiler
    type_compiler = InformixTypeCompiler  # SQLAlchemy 1.4
    type_compiler_cls = InformixTypeCompiler  # SQLAlchemy 2
    supports_sequences = True
    sequences_optional = True
    supports_native_boolean = True
    supports_native_decimal = True
    max_identifier_length = 128
    requires_name_normalize = False
    default_schema_name = None

    def _get_server_version_info(self, connection: Any) -> tuple[int, ...]:
        session = connection.connection.dbapi_connection.session
        return tuple(getattr(session, "product_version", ()) or ())

    def _get_default_schema_name(self, connection: Any) -> Any:
        return None  # owners are per table; SQLAlchemy addresses tables unqualified

    def get_isolation_level(self, dbapi_connection: Any) -> Any:
        return "READ COMMITTED"

    def get_default_isolation_level(self, dbapi_conn: Any) -> Any:
        return "READ COMMITTED"

    def get_isolation_level_values(self, dbapi_connection: Any) -> tuple[Any, ...]:
        return ("AUTOCOMMIT",)

    # no reflection.cache: SQLAlchemy 1.4's rebuilds the signature as text and breaks on
    # postponed annotations
    def get_table_names(self, connection: Any, schema: str | None = None, **kw: Any) -> Any:
        sql = "SELECT tabname FROM systables WHERE tabid > 99 AND tabtype = 'T'"
        args: dict[str, Any] = {}
        if schema:
            sql, args = sql + " AND owner = :owner", {"owner": schema}
        return [row[0].strip() for row in connection.execute(text(sql + " ORDER BY 1"), args)]

    def get_view_names(self, connection: Any, schema: str | None = None, **kw: Any) -> Any:
        sql = "SELECT tabname FROM systables WHERE tabid > 99 AND tabtype = 'V' ORDER BY 1"
        return [row[0].strip() for row in connection.execute(text(sql))]

    def has_table(
        self, connection: Any, table_name: str, schema: str | None = None, **kw: Any
    ) -> bool:
        sql = text("SELECT 1 FROM systables WHERE tabname = :t")
        return connection.execute(sql, {"t": table_name}).first() is not None

    def get_columns(
        self, connection: Any, table_name: str, schema: str | None = None, **kw: Any
    ) -> Any:
        sql = text(
            "SELECT c.colname, c.coltype, c.collength FROM syscolumns c JOIN systables t "
            "ON t.tabid = c.tabid WHERE t.tabname = :t ORDER BY c.colno"
        )
        columns = []
        for name, coltype, collength in connection.execute(sql, {"t": table_name}):
            type_, nullable, serial = decode_coltype(int(coltype), int(collength))
            columns.append(
                {"name": name.strip(), "type": type_, "nullable": nullable,
                 "default": None, "autoincrement": serial}
            )  # fmt: skip
        return columns

    def get_pk_constraint(
        self, connection: Any, table_name: str, schema: str | None = None, **kw: Any
    ) -> Any:
        return {"constrained_columns": [], "name": None}

    def get_foreign_keys(
        self, connection: Any, table_name: str, schema: str | None = None, **kw: Any
    ) -> list[Any]:
        return []

    def get_indexes(
        self, connection: Any, table_name: str, schema: str | None = None, **kw: Any
    ) -> list[Any]:
        return []

    def get_schema_names(self, connection: Any, **kw: Any) -> list[str]:
        sql = text("SELECT DISTINCT owner FROM systables WHERE tabid > 99 ORDER BY 1")
        return [row[0].strip() for row in connection.execute(sql)]
