"""The MySQL-family session on PyMySQL: streamed results, the read-only guard, column types.

The guard (``SET SESSION TRANSACTION READ ONLY``) is checked at every transaction boundary;
MySQL reports no variable changes, so the server is asked (see :meth:`MySQLSession.verify_guard`).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from sqlgate.core.driver import DriverSession, LinkStream, decimal_type, guard_lost
from sqlgate.core.errors import NotSupportedError
from sqlgate.core.registry import import_driver
from sqlgate.core.results import Column, Result
from sqlgate.core.session import Parameters
from sqlgate.dbapi import mysql_errors  # noqa: F401 - registers PyMySQL's error classifier
from sqlgate.dbapi.mysql_arrow import read_batch
from sqlgate.dbapi.mysql_driver import IN_TRANSACTION, discard_rows, read_rows
from sqlgate.dbapi.mysql_grants import (
    cluster_read_only,
    login_write_privileges,
    protection_warnings,
    refuse_writable_login,
)

if TYPE_CHECKING:
    from sqlgate.dbapi.mysql_family import MySQLFlavor

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


class MySQLSession(DriverSession):
    """A pymysql connection; rows pass through untouched."""

    _flavor: MySQLFlavor
    #: streamed results read Arrow from the packets (``arrow_path=native``, mysql_arrow.py)
    native_arrow: bool = False
    #: rows PyMySQL parses inside ``execute`` (None: ``chunk_rows``); a long result fetched as
    #: Arrow pays PyMySQL's per-value parse for these only (benchmarks/README.md, wire_fetch)
    first_chunk_rows: int | None = None
    #: the connection's ``read_only``: a read-only session loses nothing when a transaction
    #: ends (TiDB's session ends one before a stale read, tidb_session.py)
    read_only: bool = True

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
        self._idle_cursor: Any = None  # an unbuffered cursor whose last result ended (run)
        self._guard_variables = guard_variables(self.banner, self.server_version)

    def link_id(self) -> int:
        # PyMySQL's thread_id() reads this tuple; read directly (every statement's query_id)
        return int(self._raw.server_thread_id[0])

    def cancel_identity(self) -> tuple[str, str, int, str]:
        """Whose statements a cancel request from this session may stop: same server, login."""
        raw = self._raw
        return ("mysql", str(raw.host), int(raw.port), str(raw.user))

    def cancel(self) -> None:
        """``KILL QUERY <CONNECTION_ID()>`` from a short-lived second link with the same login:
        the running statement stops with error 1317, the connection stays usable."""
        if self._side_connection is None:
            raise NotSupportedError(
                "this connection cannot cancel: it was opened without its login"
            )
        target = self.link_id()
        side = self._side_connection()
        try:
            with side.cursor() as cursor:  # trusted text: an int from the handshake
                if self.may_kill(cursor, target):
                    cursor.execute(f"KILL QUERY {target:d}")
        finally:
            side.close()

    def may_kill(self, cursor: Any, target: int) -> bool:
        """Whether ``KILL QUERY`` may go out now (a flavor may first ask whether a statement
        runs); on MySQL and MariaDB it does nothing to an idle connection, so always."""
        return True

    def run(self, operation: str, parameters: Parameters) -> Result:
        """Unbuffered (PyMySQL's SSCursor): the first chunk is read here, the rest on demand.

        MySQL cannot interleave two unbuffered results on one link; the core buffers the rest
        of a streaming result when another statement needs the link.

        A result complete in its first chunk leaves its driver cursor idle (its result read
        to the end): the next statement reuses it instead of building a cursor and running
        PyMySQL's ``__del__`` clean-up on this one. A result followed by more (a procedure's)
        is not kept: dropping its cursor reads the rest off the link at once, as before.
        """
        raw = self._raw
        cursor, self._idle_cursor = self._idle_cursor or raw.cursor(raw.streaming_cursor), None
        cursor = self.executed(cursor, operation, parameters)
        if cursor.description is None:
            return self.no_rows(cursor)
        rows, ended = read_rows(cursor._result, self.first_chunk_rows or self.chunk_rows)
        if not ended:
            stream = _MySQLStream(cursor, self.chunk_rows, self.native_arrow, len(rows))
            return self.rows_result(cursor, stream, rows)
        result = self.rows_result(cursor, None, rows, len(rows))
        if not cursor._result.has_next:
            self._idle_cursor = cursor
        return result

    def result_shape(self, cursor: Any) -> Hashable:
        """The number of the column definitions the connection parsed for this result
        (``result_class`` in mysql_family: equal bytes, one number), or, for a result
        without one, PyMySQL's description and the field flags :meth:`describe` reads."""
        result = cursor._result
        if result is None:
            return cursor.description, ()
        shape = getattr(result, "shape", None)
        if shape is not None:
            return shape
        return cursor.description, *[(f.charsetnr, f.flags) for f in result.fields]

    def describe(self, cursor: Any) -> tuple[Column, ...]:
        fields = cursor._result.fields if cursor._result is not None else []
        return tuple(
            Column(d[0], _type_name(f), d[2], d[3], _precision(f, d[4]), d[5], d[6])
            for d, f in zip(cursor.description, fields, strict=True)
        )

    def arrow_type(self, column: Column) -> pa.DataType | None:
        if column.type_code == "decimal" and column.precision:
            return decimal_type(column.precision, column.scale)
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
            # no session mode: only a cluster-wide read-only switch protects this session
            return True if self.read_only_switches() else None
        self.free_link()
        for variable in self._guard_variables:
            with self._raw.cursor() as cursor:
                try:
                    cursor.execute(f"SELECT @@session.{variable}")
                except self._pymysql_error():
                    continue
                row = cursor.fetchone()
            # the name this server has is asked first from now on
            others = [v for v in self._guard_variables if v != variable]
            self._guard_variables = (variable, *others)
            return bool(row) and int(row[0]) == 1
        return False

    def read_only_switches(self) -> list[str]:
        """The flavor's cluster-wide read-only variables that are ON right now."""
        if not self._flavor.read_only_variables:
            return []
        self.free_link()
        return cluster_read_only(self._raw, self._flavor.read_only_variables)

    def guard_warnings(self) -> list[str]:
        """A login that can write is protected by sqlgate's gate alone (and, on engines
        without a session guard, by a cluster read-only switch if one is on)."""
        self.free_link()
        writes = login_write_privileges(self._raw)
        return protection_warnings(writes, self.read_only_switches())

    def require_read_only_user(self, user: str) -> None:
        """``require_read_only_user=true``: refuse a login whose grants can write."""
        self.free_link()
        writes = login_write_privileges(self._raw)
        if writes:
            raise refuse_writable_login(user, writes)

    def verify_guard(self, *, boundary: bool = False) -> None:
        """Ask the server whenever a transaction may have ended (MySQL does not report it).

        A statement can only lift ``SET SESSION TRANSACTION READ ONLY`` for the *next*
        transaction (through a stored function an administrator wrote, say), so checking at
        every boundary (commit, rollback, a statement run outside a transaction) suffices.
        """
        if self._flavor.guard_statement is None or not self._guarded or self.streaming:
            return  # while a result streams, checked when it ends
        if not boundary and self._raw.server_status & IN_TRANSACTION:
            return
        if not self.server_guard_active():
            raise guard_lost(self._flavor.guard_statement)

    def _pymysql_error(self) -> type[Exception]:
        return import_driver(self._flavor.source, "pymysql").err.OperationalError

    def ping(self) -> None:
        self.free_link()
        self._raw.ping(reconnect=False)

    def close(self) -> None:
        self._busy = None  # closing the link discards whatever was still streaming
        self._idle_cursor = None
        if self._raw.open:
            self._raw.close()


class _MySQLStream(LinkStream):
    """An unbuffered PyMySQL result whose rows are still on the wire."""

    def __init__(self, cursor: Any, size: int, native: bool = False, read: int = 0) -> None:
        self._cursor = cursor
        self._size = size
        self._count = read  # rows read before the stream took over (the first chunk)
        self.native_batches = native  # Arrow straight from the packets (mysql_arrow.py)

    def read_chunk(self) -> list[tuple[Any, ...]] | None:
        rows, ended = read_rows(self._cursor._result, self._size)
        self._count += len(rows)
        if ended:
            self.rowcount = self._count
            return rows or None
        return rows

    def read_batch(self, schema: pa.Schema, max_rows: int) -> pa.RecordBatch | None:
        batch, ended = read_batch(self._cursor._result, schema, max_rows)
        self._count += 0 if batch is None else batch.num_rows
        if ended:
            self.rowcount = self._count
        return batch

    def abandon(self) -> None:
        discard_rows(self._cursor._result)
        self._cursor.close()


def guard_variables(banner: str, version: tuple[int, ...]) -> tuple[str, ...]:
    """The session read-only variable's names, the one this server has first.

    MySQL 5.7.20+ and MariaDB 11.1+ call it ``transaction_read_only``; MariaDB 10.x (and old
    MySQL) only ``tx_read_only``. Asking for a name the server lacks fails with error 1193,
    and as a SELECT without tables does not reset the diagnostics area, ``SHOW WARNINGS``
    would show that error to the user after every guard check; so the banner decides, and
    the other name is only a fallback for servers whose banner misleads.
    """
    renamed = (11, 1) if "mariadb" in banner.lower() else (5, 7, 20)
    if version and version >= renamed:
        return ("transaction_read_only", "tx_read_only")
    return ("tx_read_only", "transaction_read_only")


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
