"""Streaming PostgreSQL results with libpq's chunked-rows mode (psycopg 3.2+, libpq 17+).

Why not a server-side cursor (``DECLARE``, psycopg's ``ServerCursor``)? It costs three more
round trips per statement (DECLARE, describe, CLOSE; FETCH beside the query), needs a
transaction or ``WITH HOLD`` (which materialises the whole result on the server at commit in
autocommit mode), accepts only SELECT/VALUES and plans for the first rows
(``cursor_tuple_fraction``). Chunked-rows mode sends the statement exactly as psycopg's
``execute`` does (same protocol, same BEGIN, any statement) and only changes how libpq hands
the answer over: in PGresults of at most ``size`` rows instead of one result holding all rows.
A point query therefore costs what it costs today. Its price: the link stays busy until the
last chunk is read (:mod:`sqlgate.core.driver` buffers or discards the rest when the link is
needed), and the statement runs server-side while the caller consumes.

This uses psycopg internals (``_start_query``, ``_convert_query``, ``_execute_send``, the
``fetch``/``send`` generators, ``_tx``), the same ones ``Cursor.stream()`` uses; ``stream()``
itself holds the connection lock across yields (a second statement on the connection from the
same thread would deadlock) and turns every row into a separate generator step.
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time
import weakref
from collections.abc import Hashable
from typing import TYPE_CHECKING, Any

from sqlgate.core.driver import DriverSession, LinkStream
from sqlgate.core.errors import OperationalError
from sqlgate.core.results import EmptyResult, Result
from sqlgate.core.session import Parameters
from sqlgate.core.watchdog import WATCHDOG

with contextlib.suppress(ImportError):  # without the postgres extra nothing here is used
    from psycopg.generators import execute as _pq_execute
    from psycopg.generators import fetch, send

if TYPE_CHECKING:
    from sqlgate.dbapi.postgres_arrow import ArrowPath

_TUPLES_CHUNK = 12  # pq.ExecStatus.TUPLES_CHUNK
_SINGLE_TUPLE = 9
_TUPLES_OK = 2
_COMMAND_OK = 1
_EMPTY_QUERY = 0
_ACTIVE = 1  # pq.TransactionStatus.ACTIVE: a command is in progress
_IDLE = 0  # pq.TransactionStatus.IDLE: no transaction open
# statuses whose result has a description even without columns (psycopg: "SELECT ;")
_ROW_STATUSES = (_TUPLES_OK, _SINGLE_TUPLE, _TUPLES_CHUNK)
_GRACE_SECONDS = 3.0  # after a cancel, how long a blocked read may take to return
_READ_COMMITTED = 2  # psycopg.IsolationLevel.READ_COMMITTED
# libpq settings a side connection does not copy (its own name; a fixed address was resolved)
_SIDE_SKIPPED = frozenset({"application_name", "fallback_application_name"})


def chunked_rows_available() -> bool:
    """libpq 17+ and psycopg 3.2+; otherwise the buffering cursor is used."""
    try:
        import psycopg

        return bool(psycopg.capabilities.has_stream_chunked())
    except (ImportError, AttributeError):
        return False


def _fetch_gen(cursor: Any, first: bool) -> Any:
    """One PGresult of the statement (a chunk, or its end), set up on the cursor for loading."""
    res = yield from fetch(cursor._pgconn)
    if res is None:
        return None
    status = res.status
    if status in (_TUPLES_CHUNK, _SINGLE_TUPLE):
        cursor._tx.set_pgresult(res, set_loaders=first)
        if first:
            cursor.pgresult = res
            cursor._make_row = cursor._make_row_maker()
        return res
    if status in (_TUPLES_OK, _COMMAND_OK, _EMPTY_QUERY):
        # the end of the statement: read up to libpq's final NULL (and drop any further
        # statements' results, which a read-write multi-statement string could produce)
        while (more := (yield from fetch(cursor._pgconn))) is not None:
            if more.status not in (_TUPLES_OK, _COMMAND_OK, _EMPTY_QUERY):
                cursor._raise_for_result(more)
        if first:
            cursor.pgresult = res
            cursor._tx.set_pgresult(res)
            cursor._make_row = cursor._make_row_maker()
        return res
    # an error: read up to the final NULL so that the link is idle again, then raise
    while (yield from fetch(cursor._pgconn)) is not None:
        pass
    return cursor._raise_for_result(res)


def _describe_gen(cursor: Any, query: str) -> Any:
    """BEGIN as ``execute`` would send it, then Parse and Describe of the unnamed statement."""
    yield from cursor._start_query(query)
    pgconn = cursor._pgconn
    data = query.encode(cursor._encoding)
    for send_call in (
        lambda: pgconn.send_prepare(b"", data),
        lambda: pgconn.send_describe_prepared(b""),
    ):
        send_call()
        results = yield from _pq_execute(pgconn)
        for res in results:
            if res.status != _COMMAND_OK:
                cursor._raise_for_result(res)
    cursor.pgresult = res
    return res


def _start_gen(cursor: Any, operation: str, parameters: Any, size: int) -> Any:
    """What ``ClientCursor.execute`` sends (BEGIN first if needed), in chunked-rows mode, then
    the first chunk and, after a short one, the end: a point query is one wait, as today."""
    yield from cursor._start_query(operation)
    pgq = cursor._convert_query(operation, parameters)
    cursor._execute_send(pgq)
    cursor._pgconn.set_chunked_rows_mode(size)
    cursor._last_query = operation
    yield from send(cursor._pgconn)
    first = yield from _fetch_gen(cursor, True)
    end = None
    if first.status in (_TUPLES_CHUNK, _SINGLE_TUPLE) and first.ntuples < size:
        end = yield from _fetch_gen(cursor, False)  # a short chunk is the last one
    return first, end


class PgStream(LinkStream):
    """A psycopg cursor whose statement's chunks are still arriving."""

    def __init__(self, raw: Any, cursor: Any, size: int) -> None:
        self._raw = raw
        self._cursor = cursor
        self._size = size
        self._count = 0  # rows read so far: libpq's end-of-rows result carries no count

    def start(self, operation: str, parameters: Any) -> tuple[list[tuple[Any, ...]], bool]:
        """Send the statement and read its first chunk: (rows, whether the result ended)."""
        cursor = self._cursor
        with self._raw.lock:
            res, end = self._raw.wait(_start_gen(cursor, operation, parameters, self._size))
        if res.status != _TUPLES_CHUNK and res.status != _SINGLE_TUPLE:
            self._finish(res)
            return [], True
        rows = cursor._tx.load_rows(0, res.ntuples, cursor._make_row)
        self._count = res.ntuples
        if end is not None:
            self._finish(end)
            return rows, True
        return rows, False

    def _finish(self, res: Any) -> None:
        if res.status == _TUPLES_OK:
            self.rowcount = self._count + res.ntuples
        else:
            count = res.command_tuples
            self.rowcount = -1 if count is None else count

    def read_chunk(self) -> list[tuple[Any, ...]] | None:
        cursor = self._cursor
        with self._raw.lock:
            res = self._raw.wait(_fetch_gen(cursor, False))
        if res is None or (res.status != _TUPLES_CHUNK and res.status != _SINGLE_TUPLE):
            if res is not None:
                self._finish(res)
            return None
        self._count += res.ntuples
        return cursor._tx.load_rows(0, res.ntuples, cursor._make_row)

    def abandon(self) -> None:
        """Outside a transaction block a cancel stops the server's work at once; inside one a
        cancel would abort the caller's transaction, so the rest is read and dropped (in
        libpq, without turning it into Python values)."""
        raw = self._raw
        if raw.autocommit:
            with contextlib.suppress(Exception):
                raw.cancel_safe(timeout=5.0)
        with raw.lock, contextlib.suppress(Exception):  # an error here ends the statement too
            while raw.pgconn.transaction_status == _ACTIVE:
                if raw.wait(fetch(raw.pgconn)) is None:
                    break
        self._cursor.close()


# the type checker sees the mixin's host (``super().run``, ``rows_result``); at run time the
# mixin stays a plain class in front of DriverSession
if TYPE_CHECKING:
    _LinkHost = DriverSession
else:
    _LinkHost = object


class PgLink(_LinkHost):
    """The PostgreSQL session's link: streamed statements, the read deadline, cancel.

    A mixin for :class:`~sqlgate.dbapi.postgres_family.PostgresSession` (a DriverSession);
    it expects ``_raw``, ``_read_timeout``, ``_chunked`` and ``chunk_rows``.
    """

    _raw: Any
    _read_timeout: float | None
    _chunked: bool
    _idle_cursor: Any = None  # a driver cursor free for the next statement
    _backend_pid: int | None = None  # fixed for the life of the link
    _timed_out: threading.Event
    _guarded: bool
    _arrow: ArrowPath | None = None  # arrow_path=native: the ADBC path
    chunk_rows: int

    def server_call(self, call: Any) -> Any:
        """The read deadline covers waits on the server only, never a consumer's pauses."""
        if self._timed_out.is_set():  # left from an expired call (clear() takes a lock)
            self._timed_out.clear()
        try:
            with WATCHDOG.deadline(self._read_timeout, self._expire):
                return call()
        except Exception as exc:
            if self._timed_out.is_set():
                raise OperationalError(
                    f"no answer from the server within read_timeout={self._read_timeout:g} s: "
                    "the statement was cancelled (or the connection closed); raise "
                    "read_timeout for longer queries"
                ) from exc
            raise

    def run(self, operation: str, parameters: Parameters) -> Result:
        """With ``arrow_path=native`` a plain query is described now and run at its first
        fetch, as rows here or as Arrow through ADBC (:mod:`~sqlgate.dbapi.postgres_arrow`)."""
        arrow = self._arrow
        if arrow is not None:
            arrow.observe(operation)
            pending = arrow.defer(self, operation, parameters)
            if pending is not None:
                return pending
        return self.run_rows(operation, parameters)

    def run_rows(self, operation: str, parameters: Parameters) -> Result:
        """Stream in chunked-rows mode where libpq has it (see the module's docstring).

        A result complete in its first chunk leaves its driver cursor idle (its rows are
        already Python values): the next statement reuses it, as psycopg's own repeated
        ``execute`` on one cursor does."""
        if not self._chunked:
            return super().run(operation, parameters)
        cursor, self._idle_cursor = self._idle_cursor or self._raw.cursor(), None
        stream = PgStream(self._raw, cursor, self.chunk_rows)
        try:
            rows, ended = stream.start(operation, parameters)
        except BaseException:
            cursor.close()
            raise
        res = cursor.pgresult
        if res is None or not (res.nfields or res.status in _ROW_STATUSES):
            self._idle_cursor = cursor  # as psycopg: no columns, no description
            return EmptyResult(stream.rowcount)
        if not ended:
            return self.rows_result(cursor, stream, rows)
        result = self.rows_result(cursor, None, rows, stream.rowcount)
        self._idle_cursor = cursor
        return result

    # -- the native Arrow path's hooks (sqlgate.dbapi.postgres_arrow) ------------------------
    def arrow_ready(self) -> bool:
        """Whether another connection would see what this one sees: read-only, UTF-8, each
        statement its own snapshot (autocommit or READ COMMITTED), nothing streaming."""
        raw = self._raw
        isolation = raw.isolation_level
        return (
            self._guarded
            and raw.info.encoding == "utf-8"
            and (raw.autocommit or isolation is None or int(isolation) == _READ_COMMITTED)
            and (self._busy is None)
        )

    def described(self, query: str) -> Any:
        """A driver cursor holding ``query``'s description (Parse/Describe of the unnamed
        statement, after the BEGIN psycopg would send): errors in the text raise here."""
        cursor = self._raw.cursor()
        try:
            with self._raw.lock:
                self._raw.wait(_describe_gen(cursor, query))
        except BaseException:
            cursor.close()
            raise
        return cursor

    def side_conninfo(self) -> str:
        """This connection's libpq settings (login, options with the guard, TLS) for ADBC."""
        import psycopg

        settings = {
            o.keyword.decode(): o.val.decode()
            for o in self._raw.pgconn.info
            if o.val is not None and o.keyword.decode() not in _SIDE_SKIPPED
        }
        settings["application_name"] = "sqlgate-arrow"
        return str(psycopg.conninfo.make_conninfo(**settings))

    def identity(self) -> tuple[Any, ...]:
        """What a side connection must share with this one (see postgres_arrow)."""
        from sqlgate.dbapi.postgres_adbc import IDENTITY

        raw = self._raw
        idle = raw.info.transaction_status == _IDLE
        with raw.cursor() as cur:
            cur.execute(IDENTITY)
            row = cur.fetchone()
        if idle and not raw.autocommit:
            raw.rollback()  # the query opened a transaction: leave the link as found
        return tuple(row or ())

    def occupy(self, link: LinkStream, owner: Any) -> None:
        """A pending or Arrow-streaming result holds the link slot (see free_link)."""
        self._busy = (link, weakref.ref(owner))

    def release(self, link: LinkStream, *, abandon: bool = False) -> None:
        self.stream_ended(link, abandon=abandon)

    def result_shape(self, cursor: Any) -> Hashable:
        """What psycopg builds a column's description from: name, type oid, modifier, size
        (and the encoding the name is decoded with)."""
        res = cursor.pgresult
        fname, ftype, fmod, fsize = res.fname, res.ftype, res.fmod, res.fsize
        return (
            self._raw.pgconn.parameter_status(b"client_encoding"),
            *[(fname(i), ftype(i), fmod(i), fsize(i)) for i in range(res.nfields)],
        )

    def link_id(self) -> int:
        """The backend's pid: what pg_stat_activity, pg_cancel_backend and logs show."""
        if self._backend_pid is None:
            self._backend_pid = int(self._raw.info.backend_pid)
        return self._backend_pid

    def cancel_identity(self) -> tuple[str, str, int, str]:
        """Whose statements a cancel request from this session may stop: same server, login."""
        info = self._raw.info
        return ("postgres", str(info.host), int(info.port), str(info.user))

    def cancel(self) -> None:
        """PostgreSQL's protocol cancel: a side connection asks the server to stop."""
        if self._arrow is not None:
            self._arrow.cancel()
        self._raw.cancel_safe(timeout=5.0)

    def _expire(self) -> None:
        """Cancel through the protocol; if the server is stalled, close the socket."""
        self._timed_out.set()
        with contextlib.suppress(Exception):
            if self._arrow is not None:
                self._arrow.cancel()
        with contextlib.suppress(Exception):
            self._raw.cancel_safe(timeout=3.0)
        time.sleep(_GRACE_SECONDS)
        if self._raw.info.transaction_status == _ACTIVE and not self._raw.closed:
            try:
                sock = socket.socket(fileno=os.dup(self._raw.pgconn.socket))
                sock.shutdown(socket.SHUT_RDWR)
                sock.close()
            except OSError:
                pass
