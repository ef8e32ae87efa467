"""The PostgreSQL-family session on psycopg 3: the read-only guard, column types, Arrow types.

Statements stream through :class:`~sqlgate.dbapi.postgres_stream.PgLink`; this module says
what the server-side guard is and how it is checked after each statement (psycopg reports
``default_transaction_read_only`` with every response), and how columns are named and typed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from sqlgate.core.allowlists import FunctionAllowList, postgres_functions
from sqlgate.core.driver import DriverSession, decimal_type, guard_lost, server_refused_write
from sqlgate.core.errors import Error
from sqlgate.core.redact import redact
from sqlgate.core.registry import import_driver
from sqlgate.core.results import Column
from sqlgate.core.translate import register_classifier
from sqlgate.dbapi.postgres_options import DEFAULT_READ_TIMEOUT
from sqlgate.dbapi.postgres_stream import PgLink, chunked_rows_available

if TYPE_CHECKING:
    from sqlgate.dbapi.postgres_family import PostgresFlavor

_READ_ONLY_GUC = "default_transaction_read_only"
_READ_ONLY_GUC_BYTES = _READ_ONLY_GUC.encode()
_READ_ONLY_SQLSTATE = "25006"  # read_only_sql_transaction


def _classify(exc: BaseException) -> Error | None:
    """A write the server's guard refused is a ReadOnlyError, as the gate's refusals are."""
    if getattr(exc, "sqlstate", None) == _READ_ONLY_SQLSTATE:
        return server_refused_write(redact(exc))
    return None


register_classifier("psycopg", _classify)

_PSYCOPG_ISOLATION = {
    "READ UNCOMMITTED": "READ_UNCOMMITTED",
    "READ COMMITTED": "READ_COMMITTED",
    "REPEATABLE READ": "REPEATABLE_READ",
    "SERIALIZABLE": "SERIALIZABLE",
}


class PostgresSession(PgLink, DriverSession):
    """A psycopg 3 connection; rows pass through untouched, types named from their OIDs.

    Statements stream, under a read deadline, and can be cancelled (:class:`PgLink`)."""

    _flavor: PostgresFlavor

    def __init__(
        self,
        raw: Any,
        flavor: PostgresFlavor,
        read_timeout: float | None = DEFAULT_READ_TIMEOUT,
        *,
        guarded: bool = False,
    ) -> None:
        banner, self._shadowed = introspect(raw, guarded)
        super().__init__(raw, flavor, banner)
        self._type_names: dict[int, str] = {}
        self._read_timeout = read_timeout
        self._timed_out = threading.Event()
        self._chunked = chunked_rows_available()
        # reported by the server; with it on, a backslash in '...' is a plain character
        if raw.info.parameter_status("standard_conforming_strings") == "on":
            self.backslash_escapes = False

    # -- the server-side guard ----------------------------------------------------------
    def arm_guard(self, allowed_extra: frozenset[str] = frozenset()) -> None:
        """Check the guard took effect, make every transaction READ ONLY, fix the allow-list.

        A connection string cut short (a NUL byte stops libpq reading it) or a server that
        ignores the startup option would otherwise run read-write while sqlgate says
        read-only: fail closed. psycopg's ``read_only`` makes it send ``BEGIN READ ONLY``,
        which holds even if the session default were lifted unnoticed.
        """
        super().arm_guard()
        self._raw.read_only = True
        self.function_allow_list = function_allow_list(self._shadowed, allowed_extra)

    def verify_guard(self, *, boundary: bool = False) -> None:
        """PostgreSQL 14+ reports ``default_transaction_read_only`` in every response:
        reading it costs nothing. Older servers and forks are asked when a transaction ended."""
        if not self._guarded or self.streaming:  # checked again when the stream ends
            return
        reported = self._raw.pgconn.parameter_status(_READ_ONLY_GUC_BYTES)
        status = None if reported is None else reported.decode("ascii", "replace")
        if status is None:
            psycopg = import_driver(self._flavor.source, "psycopg")
            idle = self._raw.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
            if not (boundary or idle):
                return
            status = self._show_guard(idle)
        if str(status).lower() not in ("on", "true", "1"):
            raise guard_lost(_READ_ONLY_GUC)

    def _show_guard(self, idle: bool) -> str:
        with self._raw.cursor() as cur:
            cur.execute(f"SHOW {_READ_ONLY_GUC}")
            row = cur.fetchone()
        if idle and not self._raw.autocommit:
            self._raw.rollback()  # SHOW opened a transaction: leave as found
        return str(row[0]) if row else ""

    def guard_warnings(self) -> list[str]:
        """A superuser, or a login that may write, is protected by sqlgate alone."""
        self.free_link()
        with self._raw.cursor() as cur:
            cur.execute(_PRIVILEGES_QUERY)
            row = cur.fetchone()
        self._raw.rollback()
        superuser, writable, programs = row or (False, 0, False)
        warnings = []
        if superuser:
            warnings.append(
                "the login is a superuser: it can lift the server's read-only "
                "guard and reach files and programs; use a role without superuser"
            )
        if writable:
            warnings.append(
                f"the login has write privileges on {writable} table(s): the "
                "server would accept writes that only sqlgate refuses; grant "
                "SELECT only"
            )
        if programs and not superuser:
            warnings.append(
                "the login may read/write server files or run programs "
                "(pg_read_server_files, pg_write_server_files, "
                "pg_execute_server_program)"
            )
        return warnings

    def type_name(self, oid: int) -> str:
        """``int4``, ``int4[]``, ``numeric``...; ``unknown`` for types psycopg cannot name."""
        name = self._type_names.get(oid)
        if name is None:
            info = self._raw.adapters.types.get(oid)
            if info is None:
                name = "unknown"
            else:
                name = f"{info.name}[]" if oid == info.array_oid else info.name
            self._type_names[oid] = name
        return name

    def describe(self, cursor: Any) -> tuple[Column, ...]:
        return describe_columns(cursor, self.type_name)

    def arrow_type(self, column: Column) -> pa.DataType | None:
        name = column.type_code
        if name == "numeric":
            # an unconstrained NUMERIC has no fixed scale: Arrow gets its exact text (as ADBC)
            if column.precision is None:
                return pa.string()
            return decimal_type(column.precision, column.scale)
        base = name[:-2] if name.endswith("[]") else name
        exact = _EXACT_ARROW.get(base)
        if exact is not None:
            return pa.list_(exact) if base != name else exact
        return self._flavor.types.to_arrow(name)

    def set_isolation_level(self, level: str) -> None:
        psycopg = import_driver(self._flavor.source, "psycopg")
        self.free_link()
        if self._raw.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
            self._raw.rollback()
        if level == "AUTOCOMMIT":
            self._raw.autocommit = True
            return
        self._raw.autocommit = False
        self._raw.isolation_level = getattr(psycopg.IsolationLevel, _PSYCOPG_ISOLATION[level])

    def server_guard_active(self) -> bool | None:
        self.free_link()
        with self._raw.cursor() as cur:
            cur.execute("SHOW default_transaction_read_only")
            row = cur.fetchone()
        return bool(row) and row[0] == "on"

    def ping(self) -> None:
        self.free_link()
        with self._raw.cursor() as cur:
            cur.execute("SELECT 1")

    def close(self) -> None:
        self._busy = None  # closing the link discards whatever was still streaming
        if self._arrow is not None:
            self._arrow.close()
        self._raw.close()


_QUALIFIERS = frozenset({"pg_catalog", "information_schema"})
# where psycopg's value needs another Arrow type than the type map's to arrive exactly
# (docs/types.md): money is text in the server's locale format, a time with an offset keeps
# it only as ISO text, psycopg's interval is a timedelta, and float4 arrives as a Python float
_EXACT_ARROW = {
    "money": pa.string(),
    "timetz": pa.string(),
    "interval": pa.duration("us"),
    "float4": pa.float64(),
}
_PRIVILEGES_QUERY = """
SELECT r.rolsuper,
       (SELECT count(*) FROM pg_catalog.pg_class c
        JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')
          AND n.nspname NOT IN ('pg_catalog', 'information_schema')
          AND (has_table_privilege(c.oid, 'INSERT') OR has_table_privilege(c.oid, 'UPDATE')
               OR has_table_privilege(c.oid, 'DELETE')
               OR has_table_privilege(c.oid, 'TRUNCATE'))),
       EXISTS (SELECT 1 FROM pg_catalog.pg_roles g
               WHERE g.rolname IN ('pg_read_server_files', 'pg_write_server_files',
                                   'pg_execute_server_program')
                 AND pg_has_role(r.oid, g.oid, 'MEMBER'))
FROM pg_catalog.pg_roles r WHERE r.rolname = current_user
"""


# function names defined outside the built-in schemas: an overload there could shadow an
# allow-listed built-in by argument type (CVE-2018-1058's pattern)
_SHADOWING_NAMES = (
    "ARRAY(SELECT DISTINCT p.proname FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n "
    "ON n.oid = p.pronamespace WHERE n.nspname NOT IN ('pg_catalog', 'information_schema'))"
)


def introspect(raw: Any, guarded: bool) -> tuple[str, frozenset[str]]:
    """``version()`` and, for a read-only session, the names that could shadow allow-listed
    functions: one round trip at connect, without leaving a transaction open."""
    names = _SHADOWING_NAMES if guarded else "NULL"
    with raw.cursor() as cur:
        cur.execute(f"SELECT version(), {names}")
        row = cur.fetchone()
    raw.rollback()
    if not row:
        return "", frozenset()
    return str(row[0]), frozenset(row[1] or ())


def function_allow_list(
    shadowed: frozenset[str], allowed_extra: frozenset[str]
) -> FunctionAllowList:
    """The built-ins a read-only session may call, less the names a user schema shadows."""
    return FunctionAllowList(postgres_functions() - shadowed, _QUALIFIERS, allowed_extra)


def describe_columns(cursor: Any, type_name: Callable[[Any], str]) -> tuple[Column, ...]:
    """sqlgate's columns from a psycopg-style ``description``, the type named by the session."""
    return tuple(
        Column(
            d.name, type_name(d.type_code), d.display_size, d.internal_size,
            d.precision, d.scale, d.null_ok,
        )
        for d in cursor.description
    )  # fmt: skip
