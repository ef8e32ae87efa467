"""The MySQL-protocol family on pymysql.

A source on this family is a :class:`MySQLFlavor`: its version banner, the statement that makes
its session read-only on the server (where it has one), its sqlglot dialect. Connecting, type
names from protocol field types, character sets and Arrow conversion are here once.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

import pyarrow as pa

from sqlgate.core.driver import DriverSession, LinkStream
from sqlgate.core.errors import GuardLostError
from sqlgate.core.flavor import Flavor
from sqlgate.core.params import ConnectParams
from sqlgate.core.pep249 import *  # noqa: F403 - a DB-API module re-exports the PEP 249 names
from sqlgate.core.pep249 import __all__ as _pep249_all
from sqlgate.core.redact import redact
from sqlgate.core.registry import import_driver
from sqlgate.core.results import Column, Result
from sqlgate.core.session import Parameters
from sqlgate.core.translate import register_classifier
from sqlgate.core.typemap import MYSQL_TYPES, TypeMap
from sqlgate.dbapi.mysql_driver import (
    DEFAULT_READ_TIMEOUT,
    connection_class,
    discard_rows,
    driver_options,
    encoded_password,
    read_rows,
)

paramstyle = "pyformat"
__all__ = [*_pep249_all, "paramstyle"]

READ_ONLY_STATEMENT = "SET SESSION TRANSACTION READ ONLY"
_BINARY_CHARSET = 63

# protocol field type -> MySQL type name (text/blob types are told apart by the charset)
_FIELD_TYPE_NAMES = {
    0: "decimal",
    1: "tinyint",
    2: "smallint",
    3: "int",
    4: "float",
    5: "double",
    6: "null",
    7: "timestamp",
    8: "bigint",
    9: "mediumint",
    10: "date",
    11: "time",
    12: "datetime",
    13: "year",
    14: "date",
    15: "varchar",
    16: "bit",
    245: "json",
    246: "decimal",
    247: "enum",
    248: "set",
    249: "tinytext",
    250: "mediumtext",
    251: "longtext",
    252: "text",
    253: "varchar",
    254: "char",
    255: "geometry",
}
_BINARY_NAMES = {
    "tinytext": "tinyblob",
    "mediumtext": "mediumblob",
    "longtext": "longblob",
    "text": "blob",
    "varchar": "varbinary",
    "char": "binary",
}
_UNSIGNED_FLAG = 32
_NO_BACKSLASH_ESCAPES = 512  # SERVER_STATUS_NO_BACKSLASH_ESCAPES in the OK packet
_IN_TRANSACTION = 1  # SERVER_STATUS_IN_TRANS

# server error codes pymysql files under the wrong PEP 249 class
_PROGRAMMING_CODES = frozenset(
    {
        1049,
        1054,
        1064,
        1109,
        1146,
        1149,
        1210,
        1305,
        1582,
        1583,
        1630,
        1052,
        1060,
        1066,
        1110,
        1111,
        1140,
        1247,
        1248,
        1222,
        1241,
        1242,
        4078,
    }
)
_DATA_CODES = frozenset({1264, 1265, 1292, 1366, 1365, 1406, 1690, 3140})
_READ_ONLY_CODES = frozenset({1792, 1290})  # read-only transaction / --read-only server
_TIMEOUT_CODES = frozenset({1969, 3024})  # MariaDB max_statement_time, MySQL max_execution_time
_LOST_CODES = frozenset({2006, 2013})  # server gone away / lost connection
_CANCELLED_CODE = 1317  # ER_QUERY_INTERRUPTED: KILL QUERY (Cursor.cancel)


def _classify(exc: BaseException) -> Error | None:  # noqa: F405
    code = exc.args[0] if exc.args and isinstance(exc.args[0], int) else None
    message = redact(exc.args[1] if len(exc.args) > 1 else exc)
    if code in _READ_ONLY_CODES:
        return ReadOnlyError("write", f"refused by the server's read-only guard: {message}")  # noqa: F405
    if code in _TIMEOUT_CODES:
        return OperationalError(  # noqa: F405
            "the statement ran longer than the connection's statement_timeout and the server "
            "stopped it; narrow the query or raise statement_timeout=<seconds> "
            f"({code}: {message})"
        )
    if code == _CANCELLED_CODE:
        return OperationalError(  # noqa: F405
            "the statement was cancelled (Cursor.cancel() or KILL QUERY); the connection is "
            f"still usable ({code}: {message})"
        )
    if code in _LOST_CODES and "timed out" in message:
        return OperationalError(  # noqa: F405
            "the server did not answer in time (connect_timeout bounds the handshake, "
            f"read_timeout and write_timeout, default {DEFAULT_READ_TIMEOUT:g} s, every later "
            f"wait); the connection is closed ({code}: {message})"
        )
    if code in _PROGRAMMING_CODES:
        return ProgrammingError(f"({code}) {message}")  # noqa: F405
    if code in _DATA_CODES:
        return DataError(f"({code}) {message}")  # noqa: F405
    return None


register_classifier("pymysql", _classify)


class TimeoutVariable(NamedTuple):
    """The server variable that bounds a statement's run time, in its own unit."""

    name: str
    per_second: int
    fractional: bool = False

    def statement(self, seconds: float) -> str:
        value = (
            f"{seconds:.6f}"
            if self.fractional
            else str(max(1, math.ceil(seconds * self.per_second)))
        )
        return f"SET SESSION {self.name} = {value}"


MARIADB_TIMEOUT = TimeoutVariable("max_statement_time", 1, fractional=True)
MYSQL_TIMEOUT = TimeoutVariable("max_execution_time", 1000)  # ms; MySQL applies it to SELECT


@dataclass(frozen=True)
class MySQLFlavor(Flavor):
    """How one MySQL-protocol source differs from plain MySQL/MariaDB."""

    # MariaDB's handshake says "5.5.5-10.11.6-MariaDB": the real version follows the prefix
    compat_pattern: str | None = r"^(?:5\.5\.5-)?(\d+)\.(\d+)\.(\d+)"
    types: TypeMap = MYSQL_TYPES
    # None where the engine has no session read-only mode: the statement gate stands alone
    guard_statement: str | None = READ_ONLY_STATEMENT
    # what ``statement_timeout=`` sets; None: MariaDB's or MySQL's variable, by the banner
    timeout_variable: TimeoutVariable | None = None

    def timeout_statement(self, banner: str, seconds: float) -> str:
        if self.timeout_variable is not None:
            return self.timeout_variable.statement(seconds)
        mariadb = "mariadb" in banner.lower()
        return (MARIADB_TIMEOUT if mariadb else MYSQL_TIMEOUT).statement(seconds)

    def open_session(self, params: ConnectParams) -> MySQLSession:
        pymysql = import_driver(self.source, "pymysql")
        options = driver_options(
            {**self.connect_defaults, **params.options}, read_only=params.read_only
        )
        guard = self.guard_statement if params.read_only else None

        def session_setup(banner: str) -> list[str]:
            """Run at every (re)connect; the read-only guard last, so nothing undoes it."""
            statements = []
            if options.statement_timeout is not None:
                statements.append(self.timeout_statement(banner, options.statement_timeout))
            return [*statements, guard] if guard else statements

        raw = connection_class(pymysql)(
            session_setup=session_setup,
            host=params.host or "localhost",
            port=params.effective_port() or 3306,
            user=params.user or "",
            password=encoded_password(params.password),
            database=params.database,
            autocommit=False,
            **options.kwargs,
        )

        def side_connection() -> Any:
            """For KILL QUERY: the same login, no set-up (it runs that one statement only)."""
            return connection_class(pymysql)(
                session_setup=lambda banner: [],
                host=params.host or "localhost",
                port=params.effective_port() or 3306,
                user=params.user or "",
                password=encoded_password(params.password),
                autocommit=True,
                **{**options.kwargs, "connect_timeout": 5, "read_timeout": 5, "write_timeout": 5},
            )

        session = MySQLSession(raw, self, side_connection)
        if guard:
            try:
                session.arm_guard()
            except BaseException:
                session.close()
                raise
        return session


class MySQLSession(DriverSession):
    """A pymysql connection; rows pass through untouched."""

    _flavor: MySQLFlavor

    def __init__(
        self, raw: Any, flavor: MySQLFlavor, side_connection: Callable[[], Any] | None = None
    ) -> None:
        super().__init__(raw, flavor, raw.get_server_info())
        # opens a second link with the login resolved at connect (a closure: the secret is
        # in no attribute, repr or log)
        self._side_connection = side_connection
        # PyMySQL escapes ' as \' unless the server runs NO_BACKSLASH_ESCAPES; the gate
        # must lex the bound statement the way this server will
        self.backslash_escapes = not raw.server_status & _NO_BACKSLASH_ESCAPES
        self._guarded = False

    def link_id(self) -> int:
        return int(self._raw.thread_id())

    def cancel_identity(self) -> tuple[str, str, int, str]:
        """Whose statements a cancel request from this session may stop: same server, login."""
        raw = self._raw
        return ("mysql", str(raw.host), int(raw.port), str(raw.user))

    def cancel(self) -> None:
        """``KILL QUERY <CONNECTION_ID()>`` from a short-lived second link with the same login:
        the running statement stops with error 1317, the connection stays usable."""
        if self._side_connection is None:
            raise NotSupportedError(  # noqa: F405
                "this connection cannot cancel: it was opened without its login"
            )
        target = self.link_id()
        side = self._side_connection()
        try:
            with side.cursor() as cursor:  # trusted text: an int from the handshake
                cursor.execute(f"KILL QUERY {target:d}")
        finally:
            side.close()

    def arm_guard(self) -> None:
        """Fail closed if the guard statement did not take effect."""
        self._guarded = True
        self.verify_guard(boundary=True)

    def run(self, operation: str, parameters: Parameters) -> Result:
        """Unbuffered (PyMySQL's SSCursor): the first chunk is read here, the rest on demand.

        MySQL cannot interleave two unbuffered results on one link; the core buffers the rest
        of a streaming result when another statement needs the link.
        """
        cursor = self.executed(self._raw.cursor(self._raw.streaming_cursor), operation, parameters)
        if cursor.description is None:
            return self.no_rows(cursor)
        rows, ended = read_rows(cursor._result, self.chunk_rows)
        link = None if ended else _MySQLStream(cursor, self.chunk_rows)
        return self.rows_result(cursor, link, rows, len(rows))

    def describe(self, cursor: Any) -> tuple[Column, ...]:
        fields = cursor._result.fields if cursor._result is not None else []
        return tuple(
            Column(d[0], _type_name(f), d[2], d[3], _precision(f, d[4]), d[5], d[6])
            for d, f in zip(cursor.description, fields, strict=True)
        )

    def arrow_type(self, column: Column) -> pa.DataType | None:
        if column.type_code == "decimal" and column.precision:
            if column.precision > 38:
                return pa.decimal256(column.precision, column.scale or 0)
            return pa.decimal128(column.precision, column.scale or 0)
        # PyMySQL returns BIT(n) as big-endian bytes and FLOAT as a Python float (a double):
        # binary and float64 hold them exactly (docs/types.md)
        if column.type_code == "bit":
            return pa.binary()
        if column.type_code == "float":
            return pa.float64()
        return self._flavor.types.to_arrow(column.type_code)

    def set_isolation_level(self, level: str) -> None:
        self.free_link()
        if level == "AUTOCOMMIT":
            self._raw.autocommit(True)
            return
        self._raw.autocommit(False)
        with self._raw.cursor() as cursor:  # a trusted statement built from a checked level
            cursor.execute(f"SET SESSION TRANSACTION ISOLATION LEVEL {level}")

    def server_guard_active(self) -> bool | None:
        if self._flavor.guard_statement is None:
            return None
        self.free_link()
        # MySQL 8 and MariaDB 11.1+ name it transaction_read_only; older ones tx_read_only
        for variable in ("transaction_read_only", "tx_read_only"):
            with self._raw.cursor() as cursor:
                try:
                    cursor.execute(f"SELECT @@session.{variable}")
                except self._pymysql_error():
                    continue
                row = cursor.fetchone()
            return bool(row) and int(row[0]) == 1
        return False

    def verify_guard(self, *, boundary: bool = False) -> None:
        """Ask the server whenever a transaction may have ended (MySQL does not report it).

        A statement can only lift ``SET SESSION TRANSACTION READ ONLY`` for the *next*
        transaction (through a stored function an administrator wrote, say), so checking at
        every boundary (commit, rollback, a statement run outside a transaction) suffices.
        """
        if self._flavor.guard_statement is None or not self._guarded or self.streaming:
            return  # while a result streams, checked when it ends
        if not boundary and self._raw.server_status & _IN_TRANSACTION:
            return
        if not self.server_guard_active():
            raise GuardLostError(
                "the server-side read-only guard (SET SESSION TRANSACTION READ ONLY) is off on "
                "this connection; sqlgate closed it and will not use it again"
            )

    def _pymysql_error(self) -> type[Exception]:
        return import_driver(self._flavor.source, "pymysql").err.OperationalError

    def ping(self) -> None:
        self.free_link()
        self._raw.ping(reconnect=False)

    def close(self) -> None:
        self._busy = None  # closing the link discards whatever was still streaming
        if self._raw.open:
            self._raw.close()


class _MySQLStream(LinkStream):
    """An unbuffered PyMySQL result whose rows are still on the wire."""

    def __init__(self, cursor: Any, size: int) -> None:
        self._cursor = cursor
        self._size = size
        self._count = size

    def read_chunk(self) -> list[tuple[Any, ...]] | None:
        rows, ended = read_rows(self._cursor._result, self._size)
        self._count += len(rows)
        if ended:
            self.rowcount = self._count
            return rows or None
        return rows

    def abandon(self) -> None:
        discard_rows(self._cursor._result)
        self._cursor.close()


def _precision(field_info: Any, reported: int | None) -> int | None:
    """DECIMAL precision: the protocol sends a display length that counts the sign and point."""
    if field_info.type_code not in (0, 246) or reported is None:
        return reported
    signed = 0 if field_info.flags & _UNSIGNED_FLAG else 1
    point = 1 if field_info.scale else 0
    return reported - signed - point


def _type_name(field_info: Any) -> str:
    """``int unsigned``, ``varbinary``, ``tinyint``... from a protocol field."""
    name = _FIELD_TYPE_NAMES.get(field_info.type_code, "unknown")
    if field_info.charsetnr == _BINARY_CHARSET and name in _BINARY_NAMES:
        name = _BINARY_NAMES[name]
    if field_info.flags & _UNSIGNED_FLAG and name.endswith("int"):
        name += " unsigned"
    return name
