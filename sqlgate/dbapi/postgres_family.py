"""The PostgreSQL-protocol family on psycopg 3.

A source on this family is a :class:`PostgresFlavor`: how its version string reads, which
sqlglot dialect gates its statements, which type names it adds. Everything else (connecting,
the ``default_transaction_read_only`` guard, type names from OIDs, Arrow conversion) is here once.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from sqlgate.core.allowlists import FunctionAllowList, parse_allow_functions, postgres_functions
from sqlgate.core.driver import DriverSession
from sqlgate.core.errors import GuardLostError
from sqlgate.core.flavor import Flavor
from sqlgate.core.params import ConnectParams, parse_seconds
from sqlgate.core.pep249 import *  # noqa: F403 - a DB-API module re-exports the PEP 249 names
from sqlgate.core.pep249 import __all__ as _pep249_all
from sqlgate.core.redact import redact
from sqlgate.core.registry import import_driver
from sqlgate.core.results import Column
from sqlgate.core.translate import register_classifier
from sqlgate.core.typemap import POSTGRES_TYPES, TypeMap
from sqlgate.dbapi.postgres_stream import PgLink, chunked_rows_available

paramstyle = "pyformat"
__all__ = [*_pep249_all, "paramstyle"]

# The server-side guard: every transaction starts read-only unless lifted explicitly, and the
# statement gate refuses every statement that could lift it.
READ_ONLY_OPTION = "-c default_transaction_read_only=on"
# Oracle-style names that openGauss, GaussDB, KingbaseES and Oscar report beside PostgreSQL's
_ORACLE_STYLE_NAMES = {
    "varchar2": "varchar",
    "nvarchar2": "varchar",
    "clob": "text",
    "nclob": "text",
    "blob": "bytea",
    "raw": "bytea",
    "number": "numeric",
    "binary_float": "float4",
    "binary_double": "float8",
}
ORACLE_STYLE_TYPES = POSTGRES_TYPES.extend(_ORACLE_STYLE_NAMES, name="oracle-style")
OPENGAUSS_TYPES = ORACLE_STYLE_TYPES.extend(
    {"tinyint": "int2", "int1": "int2", "smalldatetime": "timestamp"}, name="opengauss"
)
# the settings a URL's libpq "options" may carry while read-only: nothing that touches the
# guard, who we are or how names resolve (an allow-list: every other switch is refused)
_STARTUP_SETTINGS = frozenset(
    {
        "application_name",
        "timezone",
        "datestyle",
        "intervalstyle",
        "extra_float_digits",
        "client_encoding",
        "lock_timeout",
        "idle_in_transaction_session_timeout",
        "work_mem",
        "jit",
        "bytea_output",
        "geqo",
        "enable_seqscan",
        "random_page_cost",
        "effective_cache_size",
    }
)
# libpq keywords that would let a URL read client files into errors or skip the guard
_REFUSED_OPTIONS = frozenset(
    {
        "service",
        "passfile",
        "sslpassword",
        "target_session_attrs",
        "replication",
        "dbname",
        "host",
        "hostaddr",
        "port",
        "user",
        "password",
        "cursor_factory",
        "autocommit",
        "prepare_threshold",
        "context",
        "row_factory",
    }
)
#: seconds sqlgate waits for any answer from the server before cancelling, then closing
DEFAULT_READ_TIMEOUT = 900.0
_READ_ONLY_GUC = "default_transaction_read_only"
_READ_ONLY_SQLSTATE = "25006"  # read_only_sql_transaction


def _classify(exc: BaseException) -> Error | None:  # noqa: F405
    if getattr(exc, "sqlstate", None) == _READ_ONLY_SQLSTATE:
        detail = f"refused by the server's read-only guard: {redact(exc)}"
        return ReadOnlyError("write", detail)  # noqa: F405
    return None


register_classifier("psycopg", _classify)

_PSYCOPG_ISOLATION = {
    "READ UNCOMMITTED": "READ_UNCOMMITTED",
    "READ COMMITTED": "READ_COMMITTED",
    "REPEATABLE READ": "REPEATABLE_READ",
    "SERIALIZABLE": "SERIALIZABLE",
}


@dataclass(frozen=True)
class PostgresFlavor(Flavor):
    """How one PostgreSQL-protocol source differs from plain PostgreSQL."""

    compat_pattern: str | None = r"PostgreSQL (\d+)\.(\d+)"
    types: TypeMap = POSTGRES_TYPES
    guard_option: str = READ_ONLY_OPTION

    def open_session(self, params: ConnectParams) -> PostgresSession:
        psycopg = import_driver(self.source, "psycopg")
        options = dict(self.connect_defaults)
        options.update(params.options)
        timeouts = _Timeouts.pop_from(options)
        allowed_extra = parse_allow_functions(options.pop("allow_functions", None))
        refused = sorted(_REFUSED_OPTIONS & options.keys())
        if refused:
            raise InterfaceError(  # noqa: F405
                f"connection option {refused[0]!r} is not supported by sqlgate"
            )
        extra_options = str(options.pop("options", ""))
        if params.read_only:
            _check_startup_options(extra_options)
        # the guard goes last: with repeated -c settings, PostgreSQL keeps the last one
        startup = [extra_options, *timeouts.startup_options()]
        if params.read_only:
            startup.append(self.guard_option)
        options.setdefault("application_name", "sqlgate")
        raw = psycopg.connect(
            host=params.host or "localhost",
            port=params.effective_port(),
            user=params.user,
            password=params.password,
            dbname=params.database,
            options=" ".join(startup).strip() or None,
            autocommit=False,
            connect_timeout=timeouts.connect_seconds(),
            # client-side binding, as psycopg2 did: untyped parameters (json_build_object(%s))
            # in SQLAlchemy's reflection queries work on every SQLAlchemy version
            cursor_factory=psycopg.ClientCursor,
            **options,
        )
        session = PostgresSession(raw, self, timeouts.read, guarded=params.read_only)
        if params.read_only:
            try:
                session.arm_guard(allowed_extra)
            except BaseException:
                session.close()
                raise
        return session


def _check_startup_options(text: str) -> None:
    """Split libpq's ``options`` as the server does; admit only ``-c`` of allowed settings."""
    words: list[str] = []
    current, escaped = "", False
    for ch in text:
        if escaped:
            current, escaped = current + ch, False
        elif ch == "\\":
            escaped = True
        elif ch.isspace():
            words, current = ([*words, current] if current else words), ""
        elif ord(ch) < 32 or ord(ch) == 127:
            raise InterfaceError(  # noqa: F405
                "the 'options' connection parameter contains a control character"
            )
        else:
            current += ch
    words += [current] if current else []
    i = 0
    while i < len(words):
        word = words[i]
        if word in ("-c", "--"):
            setting, i = (words[i + 1] if i + 1 < len(words) else ""), i + 2
        elif word.startswith(("-c", "--")):
            setting, i = word[2:], i + 1
        else:
            raise ProgrammingError(  # noqa: F405
                f"the 'options' connection parameter may only set -c name=value; "
                f"{word[:20]!r} is refused on a read-only connection"
            )
        name = setting.split("=", 1)[0].strip().lower().replace("-", "_")
        if name not in _STARTUP_SETTINGS:
            raise ProgrammingError(  # noqa: F405
                f"the 'options' connection parameter may not set {name[:40]!r} while "
                f"read-only connection (allowed: {', '.join(sorted(_STARTUP_SETTINGS))})"
            )


@dataclass(frozen=True)
class _Timeouts:
    """``connect_timeout``, ``read_timeout`` and ``statement_timeout`` in seconds."""

    connect: float = 10.0
    read: float | None = DEFAULT_READ_TIMEOUT
    statement: float | None = None

    @classmethod
    def pop_from(cls, options: dict[str, Any]) -> _Timeouts:
        connect = parse_seconds("connect_timeout", options.pop("connect_timeout", None))
        read = parse_seconds("read_timeout", options.pop("read_timeout", None))
        statement = parse_seconds("statement_timeout", options.pop("statement_timeout", None))
        return cls(connect or cls.connect, read or DEFAULT_READ_TIMEOUT, statement)

    def connect_seconds(self) -> int:
        return max(2, math.ceil(self.connect))  # libpq: whole seconds, 2 at least

    def startup_options(self) -> list[str]:
        if self.statement is None:
            return []
        return [f"-c statement_timeout={math.ceil(self.statement * 1000)}"]


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
        banner, self._shadowed = _introspect(raw, guarded)
        super().__init__(raw, flavor, banner)
        self._type_names: dict[int, str] = {}
        self._guarded = False
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
        self._guarded = True
        self.verify_guard(boundary=True)
        self._raw.read_only = True
        self.function_allow_list = FunctionAllowList(
            postgres_functions() - self._shadowed, _QUALIFIERS, allowed_extra
        )

    def verify_guard(self, *, boundary: bool = False) -> None:
        """PostgreSQL 14+ reports ``default_transaction_read_only`` in every response:
        reading it costs nothing. Older servers and forks are asked when a transaction ended."""
        if not self._guarded or self.streaming:  # checked again when the stream ends
            return
        status = self._raw.info.parameter_status(_READ_ONLY_GUC)
        if status is None:
            psycopg = import_driver(self._flavor.source, "psycopg")
            idle = self._raw.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
            if not (boundary or idle):
                return
            status = self._show_guard(idle)
        if str(status).lower() not in ("on", "true", "1"):
            raise GuardLostError(
                "the server-side read-only guard (default_transaction_read_only) is off on "
                "this connection; sqlgate closed it and will not use it again"
            )

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
        return tuple(
            Column(
                d.name,
                self.type_name(d.type_code),
                d.display_size,
                d.internal_size,
                d.precision,
                d.scale,
                d.null_ok,
            )
            for d in cursor.description
        )

    def arrow_type(self, column: Column) -> pa.DataType | None:
        name = column.type_code
        if name == "numeric":
            # an unconstrained NUMERIC has no fixed scale: Arrow gets its exact text (as ADBC)
            if column.precision is None:
                return pa.string()
            return (
                pa.decimal128(column.precision, column.scale or 0)
                if column.precision <= 38
                else pa.decimal256(column.precision, column.scale or 0)
            )
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


def _introspect(raw: Any, guarded: bool) -> tuple[str, frozenset[str]]:
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
