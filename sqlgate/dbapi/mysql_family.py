"""The MySQL-protocol family on pymysql.

A source on this family is a :class:`MySQLFlavor`: its version banner, the statement that makes
its session read-only on the server (where it has one), its sqlglot dialect. Connecting is here
once, with PyMySQL's connection, cursor and result classes wrapped by sqlgate
(:func:`connection_class`, :func:`result_class`); driver options and checks in
:mod:`~sqlgate.dbapi.mysql_driver`, the session (streaming, guard, type names, Arrow types) in
:mod:`~sqlgate.dbapi.mysql_session`, server errors in :mod:`~sqlgate.dbapi.mysql_errors`.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any, NamedTuple

from sqlgate.core.driver import armed
from sqlgate.core.flavor import Flavor
from sqlgate.core.params import ConnectParams
from sqlgate.core.pep249 import *  # noqa: F403 - a DB-API module re-exports the PEP 249 names
from sqlgate.core.pep249 import __all__ as _pep249_all
from sqlgate.core.registry import import_driver
from sqlgate.core.typemap import MYSQL_TYPES, TypeMap
from sqlgate.dbapi.mysql_arrow import native_available
from sqlgate.dbapi.mysql_charset import split_encodings, strict_encode
from sqlgate.dbapi.mysql_driver import (
    EXTRA_CAPABILITIES,
    check_placeholders,
    check_value,
    driver_options,
    encoded_password,
)
from sqlgate.dbapi.mysql_session import MySQLSession

paramstyle = "pyformat"
__all__ = [*_pep249_all, "paramstyle"]

READ_ONLY_STATEMENT = "SET SESSION TRANSACTION READ ONLY"


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


#: result shapes (column definitions) one connection keeps parsed, and their columns in all
#: (about 1 KB each): the cache is emptied when either is reached, so it stays small
MAX_SHAPES = 256
MAX_SHAPE_COLUMNS = 2048
_SHAPE_IDS = itertools.count(1)  # unique in the process: a session's descriptions key


@functools.cache
def result_class(pymysql: ModuleType) -> type:
    """PyMySQL's result, parsing each result shape's column definitions once per connection.

    PyMySQL parses every column definition packet of every result (names decoded, a
    description tuple and a converter per column): over a third of the client's time on a
    three-column point query (benchmarks/small_statements). Those packets' bytes (and the
    encoding the names are decoded with) are the whole shape, so the connection keeps what
    PyMySQL parsed from them (``shapes``) and a repeated statement only compares bytes; a
    changed column (an ``ALTER TABLE``) changes the bytes. ``shape`` numbers the entry: the
    key the session keeps its descriptions under.
    """
    result_base: Any = pymysql.connections.MySQLResult
    packet_class: Any = pymysql.protocol.MysqlPacket
    protocol_error: Any = pymysql.err.InternalError

    class Replay:
        """The connection, as PyMySQL's parse sees it, serving packets already read."""

        def __init__(self, connection: Any, packets: list[bytes]) -> None:
            self._connection = connection
            self._packets = iter(packets)

        def __getattr__(self, name: str) -> Any:
            return getattr(self._connection, name)

        def _read_packet(self, packet_type: Any = packet_class) -> Any:
            return packet_type(next(self._packets), self._connection.encoding)

    class ShapedResult(result_base):
        shape: int | None = None  # None: no result set (or not described yet)

        def _get_descriptions(self) -> None:
            connection = self.connection
            read = connection._read_packet
            key = (connection.encoding, *[read()._data for _ in range(self.field_count)])
            end = read()
            entry = connection.shapes.get(key)
            if entry is None:
                entry = self._parse(connection, key, end._data)
            elif not end.is_eof_packet():  # PyMySQL's own parse asserts it
                raise protocol_error("Protocol error, expecting EOF")
            self.fields, self.converters, self.description, self.shape = entry

        def _parse(self, connection: Any, key: tuple[Any, ...], end: bytes) -> tuple[Any, ...]:
            """PyMySQL's own parse (its converters, its description) of the packets read."""
            self.connection = Replay(connection, [*key[1:], end])
            try:
                super()._get_descriptions()
            finally:
                self.connection = connection
            entry = (self.fields, self.converters, self.description, next(_SHAPE_IDS))
            shapes, columns = connection.shapes, len(key) - 1
            if len(shapes) >= MAX_SHAPES or connection.shape_columns + columns > MAX_SHAPE_COLUMNS:
                shapes.clear()
                connection.shape_columns = 0
            if columns <= MAX_SHAPE_COLUMNS:  # a wider result is parsed every time
                shapes[key] = entry
                connection.shape_columns += columns
            return entry

    return ShapedResult


@functools.cache
def connection_class(pymysql: ModuleType) -> type:
    """PyMySQL's Connection with sqlgate's checks; built once per driver module."""

    # PyMySQL's classes come from the module handed in, so they are dynamic (Any) here
    cursor_base: Any = pymysql.cursors.Cursor
    ss_cursor_base: Any = pymysql.cursors.SSCursor
    connection_base: Any = pymysql.connections.Connection
    shaped_result = result_class(pymysql)

    class GuardedCursor(cursor_base):
        def _mogrify(self, query: str, args: Any) -> str:
            check_placeholders(query)
            return str(super()._mogrify(query, args))

        def _do_execute_many(self, prefix: str, values: str, postfix: str, *rest: Any) -> Any:
            """PyMySQL batches INSERT rows encoded in ``encoding`` (the results' UTF-8 on a
            non-utf8mb4 link): send one statement per row instead, encoded by ``query``."""
            connection = self._get_db()
            if connection.client_encoding == connection.encoding:
                return super()._do_execute_many(prefix, values, postfix, *rest)
            query = prefix.replace("%", "%%") + values + postfix.replace("%", "%%")
            self.rowcount = sum(self.execute(query, arg) for arg in rest[0])
            return self.rowcount

    class GuardedSSCursor(GuardedCursor, ss_cursor_base):
        """Unbuffered: rows stay on the wire until read (see :func:`read_rows`)."""

    class GuardedConnection(connection_base):
        """The handshake and set-up are bounded by connect_timeout; values are checked."""

        # PyMySQL's own (untyped) attributes, swapped for the handshake in connect()
        _read_timeout: float | None
        _write_timeout: float | None
        # statements and parameters are encoded in it; results are UTF-8 (mysql_charset.py)
        client_encoding: str

        def __init__(self, *, session_setup: Callable[[str], list[str]], **kwargs: Any) -> None:
            self._session_setup = session_setup
            self._extra_capabilities = EXTRA_CAPABILITIES.get()  # kept for a reconnect
            self.streaming_cursor = GuardedSSCursor
            self.shapes: dict[tuple[Any, ...], tuple[Any, ...]] = {}  # see result_class
            self.shape_columns = 0  # columns in all of them
            super().__init__(cursorclass=GuardedCursor, **kwargs)

        def connect(self, sock: Any = None) -> None:
            timeouts = self._read_timeout, self._write_timeout
            self._read_timeout = self._write_timeout = self.connect_timeout
            try:
                self.client_flag |= self._extra_capabilities
                super().connect(sock)
                split_encodings(self)
                for statement in self._session_setup(self.server_version):
                    with self.cursor() as cursor:  # trusted text, set by sqlgate itself
                        cursor.execute(statement)
            except BaseException:
                self._force_close()
                raise
            finally:
                self._read_timeout, self._write_timeout = timeouts

        def escape(self, obj: Any, mapping: Any = None) -> str:
            check_value(obj)
            if isinstance(obj, str):
                strict_encode(obj, self.client_encoding, self.charset, "a text parameter")
            return str(super().escape(obj, mapping))

        def _read_query_result(self, unbuffered: bool = False) -> Any:
            """PyMySQL's own, with :func:`result_class`'s result in place of ``MySQLResult``."""
            self._result = None
            result = shaped_result(self)
            try:
                if unbuffered:
                    result.init_unbuffered_query()
                else:
                    result.read()
            except BaseException:
                result.unbuffered_active = False
                result.connection = None
                raise
            self._result = result
            if result.server_status is not None:
                self.server_status = result.server_status
            return result.affected_rows

        def query(self, sql: Any, unbuffered: bool = False) -> Any:
            if isinstance(sql, str):
                sql = strict_encode(sql, self.client_encoding, self.charset, "the statement")
            return super().query(sql, unbuffered)

    return GuardedConnection


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
    # global switches that make the whole cluster read-only (TiDB's tidb_super_read_only):
    # reported by server_guard_active where the engine has no session guard
    read_only_variables: tuple[str, ...] = ()
    # a flavor's own session (OceanBase reads its tenant mode, TiDB rewrites time travel)
    session_class: type[MySQLSession] = MySQLSession

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

        session = self.session_class(raw, self, side_connection)
        session.native_arrow = options.arrow_path == "native" and native_available()
        session.read_only = params.read_only
        if guard:
            armed(session, session.arm_guard)
        if options.require_read_only_user:
            armed(session, lambda: session.require_read_only_user(params.user or ""))
        return session
