"""PostgreSQL results as Arrow through ADBC (``arrow_path=native``): the reference speed.

psycopg hands rows as Python objects; building Arrow from them costs more than the query.
``adbc-driver-postgresql`` reads ``COPY (query) TO STDOUT (FORMAT binary)`` straight into Arrow
in C++, but it opens its own connection. So, on a read-only connection that asked for it:

* ``execute`` of a plain query only *describes* it on the session's own psycopg connection
  (Parse/Describe: the description, and any error in the text, arrive as usual) and defers
  running it to the first fetch. Rows (``fetchone``/``fetchall``, SQLAlchemy, pandas) run it on
  psycopg exactly as before; Arrow (``fetch_arrow_table``/``fetch_record_batch``/``fetch_df``)
  runs it on the side connection.
* The side connection is opened from the session's own libpq settings (the same login,
  ``options`` with the read-only guard and ``statement_timeout``, TLS) and *checked* against the
  session before first use: same server, user, database and session settings, the guard on.
  Before every statement the guard is asked again; a side found without it is never used.
* Only what both paths give alike goes this way: a read-only session in autocommit or READ
  COMMITTED (each statement takes its own snapshot, so another connection sees the same data),
  no session statement (``SET``, ``BEGIN ISOLATION ...``) run on it, UTF-8, columns of the
  types in :data:`NATIVE_TYPES`, cast to exactly the Arrow types the row path gives. Anything
  else runs on psycopg, silently.
"""

from __future__ import annotations

import logging
import re
from collections import deque
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.compute as pc

from sqlgate.core.driver import LinkStream
from sqlgate.core.errors import DataError, Error, GuardLostError
from sqlgate.core.redact import redact
from sqlgate.core.results import DEFAULT_BATCH_ROWS, ArrowResult, EmptyResult, Result
from sqlgate.core.translate import call_translated
from sqlgate.dbapi.postgres_adbc import SideLink, adbc_available, first_batch, stream_error

if TYPE_CHECKING:
    from sqlgate.dbapi.postgres_stream import PgLink

LOG = logging.getLogger(__name__)

#: PostgreSQL types whose ADBC value casts to exactly the row path's Arrow value
NATIVE_TYPES = frozenset(
    {
        "bool",
        "int2",
        "int4",
        "int8",
        "float8",
        "numeric",  # with a declared precision: decimal128/256 (unconstrained: text, not here)
        "text",
        "varchar",
        "bpchar",
        "name",
        "date",
        "time",
        "timestamp",
        "timestamptz",
        "bytea",
    }
)
_QUERY = re.compile(r"\s*(?:\(\s*)*(?:select|with|values|table)\b", re.I | re.A)
# statements after which the session may differ from a fresh connection: SET, RESET, BEGIN
# ISOLATION LEVEL ..., anything but these
_NEUTRAL = re.compile(
    r"\s*(?:\(\s*)*(?:select|with|values|table|explain|show|commit|end|rollback|abort)\b",
    re.I | re.A,
)


class _Rerun(Exception):
    """The ADBC run failed before handing anything over: run the statement on psycopg."""


class ArrowPath:
    """A session's choice of Arrow path and, once opened, its side connection."""

    def __init__(self) -> None:
        self._side: SideLink | None = None
        self._refused = not adbc_available()  # True: every statement stays on psycopg
        self._pinned = False

    def observe(self, operation: str) -> None:
        """A session statement (SET, BEGIN ISOLATION ...) pins the session to psycopg."""
        if not _NEUTRAL.match(operation):
            self._pinned = True

    def defer(self, session: PgLink, operation: str, parameters: Any) -> Result | None:
        """A pending result for a plain query on a guarded session, else None (run now)."""
        if self._refused or self._pinned or parameters is not None:
            return None
        query = operation.rstrip()
        query = query[:-1] if query.endswith(";") else query
        if ";" in query or not _QUERY.match(query) or not session.arrow_ready():
            return None
        cursor = session.described(query)
        if not cursor.pgresult.nfields:  # SELECT without columns: nothing for Arrow to do
            cursor.close()
            return None
        return PendingResult(session, self, cursor, query)

    @staticmethod
    def open(session: PgLink) -> None:
        """At connect: open and check the side now, so its cost is the connection's."""
        if session._arrow is not None:
            session._arrow.side(session)

    def side(self, session: PgLink) -> SideLink | None:
        """The checked side connection (opened on first use), or None: stay on psycopg."""
        if self._side is not None or self._refused:
            return self._side
        try:
            side = SideLink(session.side_conninfo())
        except Exception as exc:  # the row path stays correct: say why, once
            self._refused = True
            LOG.warning("arrow_path=native: no ADBC connection (%s); using psycopg", redact(exc))
            return None
        try:
            mine, theirs = session.identity(), side.identity()
        except BaseException:
            side.close()
            raise
        if mine != theirs or str(theirs[6]).lower() != "on":
            side.close()
            self._refused = True
            LOG.warning("arrow_path=native: the ADBC connection differs from the session; psycopg")
            return None
        self._side = side
        return side

    def cancel(self) -> None:
        if self._side is not None:
            self._side.cancel()

    def refuse(self) -> None:
        """Close the side connection for good: psycopg runs everything from now on."""
        self._refused = True
        self.close()

    def close(self) -> None:
        side, self._side = self._side, None
        if side is not None:
            side.close()


class _Occupied(LinkStream):
    """Holds the session's link slot for a pending or Arrow-streaming result. It refers to the
    result's stream only, never to the result: a result dropped unread is discarded, not run."""

    cast: _CastReader | None = None

    def read_chunk(self) -> list[tuple[Any, ...]] | None:
        return None

    def abandon(self) -> None:
        if self.cast is not None:
            self.cast.close()


class _CastReader:
    """ADBC's batches cast to the row path's schema; the link is freed at the end."""

    def __init__(
        self,
        reader: pa.RecordBatchReader,
        schema: pa.Schema,
        done: Callable[[bool], None],
        first: pa.RecordBatch | None,
    ) -> None:
        self.schema = schema
        self._reader = reader
        self._done: Callable[[bool], None] | None = done
        self._held: deque[pa.RecordBatch] = deque([first] if first is not None else [])
        self.rows = 0 if first is None else first.num_rows
        self.ended = False

    def close_ended(self) -> None:
        """The result had no rows: it ended with its first read."""
        self._end(cancel=False)

    def read_next_batch(self) -> pa.RecordBatch:
        if self._held:
            return self._held.popleft()
        if self.ended:
            raise StopIteration
        try:
            batch = self._reader.read_next_batch()
        except StopIteration:
            self._end(cancel=False)
            raise
        except Error:
            self._end(cancel=True)
            raise
        except Exception as exc:  # the stream's errors (OSError, ArrowInvalid) lack a SQLSTATE
            self._end(cancel=True)
            raise stream_error(exc) from None
        except BaseException:
            self._end(cancel=True)
            raise
        self.rows += batch.num_rows
        return cast_batch(batch, self.schema)

    def buffer(self) -> None:
        """Read the rest into memory (another statement needs the link)."""
        while not self.ended:
            try:
                batch = self.read_next_batch()
            except StopIteration:
                break
            self._held.append(batch)

    def _end(self, *, cancel: bool) -> None:
        self.ended = True
        done, self._done = self._done, None
        if done is not None:
            done(cancel)

    def close(self) -> None:
        self._held.clear()
        if not self.ended:
            self._end(cancel=True)


def cast_batch(batch: pa.RecordBatch, schema: pa.Schema) -> pa.RecordBatch:
    """One ADBC batch as the row path's types: ``numeric`` arrives as text (an opaque
    extension over string) and becomes the declared decimal; a NaN does not fit it."""
    arrays = []
    for column, field in zip(batch.columns, schema, strict=True):
        if isinstance(column.type, pa.ExtensionType):
            column = column.storage
        if column.type != field.type:
            try:
                column = pc.cast(column, field.type)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
                raise DataError(
                    f"column {field.name!r}: a value does not fit Arrow {field.type} ({exc}); "
                    "select the column as text (CAST(... AS text)) to read every value"
                ) from None
        arrays.append(column)
    return pa.RecordBatch.from_arrays(arrays, schema=schema)


class PendingResult(Result):
    """A described query not yet run: the first fetch runs it as rows or as Arrow."""

    def __init__(self, session: PgLink, path: ArrowPath, cursor: Any, query: str) -> None:
        self._session = session
        self._path = path
        self._query = query
        self.description = session.description_of(cursor)
        cursor.close()
        self._inner: Result | None = None
        self._cast: _CastReader | None = None
        self._link = _Occupied()
        session.occupy(self._link, self)

    # -- how the first fetch runs it ------------------------------------------------------
    def _as_rows(self) -> Result:
        if self._inner is None:
            self._session.release(self._link)
            session = self._session
            self._inner = EmptyResult()  # what is left if the statement fails
            self._inner = call_translated(
                lambda: session.server_call(lambda: session.run_rows(self._query, None))
            )
        return self._inner

    def _as_arrow(self) -> Result:
        if self._inner is not None:
            return self._inner
        schema = self._schema()
        side = None if schema is None else call_translated(lambda: self._path.side(self._session))
        if side is None or schema is None:
            return self._as_rows()
        session = self._session
        try:
            started = call_translated(
                lambda: session.server_call(
                    lambda: first_batch(side, self._query, schema, cast_batch)
                )
            )
            if started is None:
                raise _Rerun
            reader, first = started
        except _Rerun:
            # failed before anything was handed over (an error without its SQLSTATE, a NaN
            # that does not fit): psycopg runs it, so the result or error is the row path's
            side.finish(cancel=True)
            return self._as_rows()
        except BaseException as exc:
            self._inner = EmptyResult()
            side.finish(cancel=True)
            if isinstance(exc, GuardLostError):  # the side lost its guard: never used again
                self._path.refuse()
            session.release(self._link)
            raise

        def done(cancel: bool) -> None:
            side.finish(cancel=cancel)
            session.release(self._link)

        self._cast = self._link.cast = _CastReader(reader, schema, done, first)
        self._inner = ArrowResult(
            self._cast,  # a reader: schema, read_next_batch and close suffice
            self.description or (),
            lambda call: call_translated(lambda: session.server_call(call)),
        )
        if first is None:
            self._cast.close_ended()
        return self._inner

    def _schema(self) -> pa.Schema | None:
        """The row path's Arrow types, where every column's ADBC value casts to them exactly."""
        fields = []
        for column in self.description or ():
            if column.type_code not in NATIVE_TYPES:
                return None
            if column.type_code == "numeric" and column.precision is None:
                return None
            arrow_type = self._session.arrow_type(column)
            if arrow_type is None:
                return None
            fields.append(pa.field(column.name, arrow_type))
        return pa.schema(fields)

    # -- the link slot ----------------------------------------------------------------------
    @property
    def streaming(self) -> bool:
        return self._inner is None or (self._cast is not None and not self._cast.ended)

    def buffer(self) -> None:
        """Another statement needs the link: run or read this one to the end first."""
        if self._cast is not None:
            call_translated(lambda: self._session.server_call(self._cast_buffer))
        else:
            self._as_rows()
            self._session.free_link()  # buffers the row stream that now holds the link

    def _cast_buffer(self) -> None:
        if self._cast is not None:
            self._cast.buffer()

    # -- Result ------------------------------------------------------------------------------
    @property
    def rowcount(self) -> int:
        if self._cast is not None:
            return self._cast.rows if self._cast.ended else -1
        return -1 if self._inner is None else self._inner.rowcount

    @rowcount.setter
    def rowcount(self, value: int) -> None:  # executemany sums; a pending result has none
        pass

    def fetchone(self) -> tuple[Any, ...] | None:
        return self._current_rows().fetchone()

    def fetchmany(self, size: int) -> list[tuple[Any, ...]]:
        return self._current_rows().fetchmany(size)

    def fetchall(self) -> list[tuple[Any, ...]]:
        return self._current_rows().fetchall()

    def _current_rows(self) -> Result:
        return self._as_rows() if self._cast is None else self._as_arrow()

    def arrow_schema(self) -> pa.Schema:
        return self._as_arrow().arrow_schema()

    def record_batches(self, max_rows: int = DEFAULT_BATCH_ROWS) -> Iterator[pa.RecordBatch]:
        return self._as_arrow().record_batches(max_rows)

    def close(self) -> None:
        inner = self._inner
        if inner is None:
            self._session.release(self._link, abandon=True)
            return
        if self._cast is not None:
            self._cast.close()
        inner.close()
