"""Sessions over a PEP 249 driver (psycopg, pymysql, ...): the wire families' common part.

Rows pass through from the driver untouched; a family says only how to describe a column (its
type name) and which Arrow type that name stands for.

Results stream. psycopg's and PyMySQL's default cursors read a whole result into client memory
before the first row is returned, so ``fetchmany``, ``fetch_record_batch`` and
``pandas.read_sql(chunksize=)`` held every row. A family instead reads a result in chunks of
:data:`CHUNK_ROWS` rows from a link that stays busy until the last chunk is read
(:class:`LinkStream`, in :mod:`sqlgate.core.driver_stream`; PostgreSQL's chunked-rows mode,
PyMySQL's unbuffered result). The first chunk is read eagerly inside ``execute``: a result that
fits in it (every point query) is complete when ``execute`` returns, with its ``rowcount``,
costs no extra round trip and is served from a list (:class:`ListResult`). A longer one
reports ``rowcount`` -1 until its last row is read (PEP 249 allows it).

A link carries one statement at a time. When anything else needs it (another cursor's
statement, a commit, a ping) while a result still streams, the rest of that result is read into
that result's memory first (:meth:`DriverSession.free_link`), so several cursors on one
connection stay correct; only a caller who interleaves two long results pays in memory. Closing
a result early discards what is left (family: cancel or drain).
"""

from __future__ import annotations

import contextlib
import weakref
from abc import abstractmethod
from collections.abc import Callable, Hashable
from typing import Any

import pyarrow as pa

from sqlgate.core.driver_stream import CHUNK_ROWS, LinkStream, NativeRowResult, StreamedRows
from sqlgate.core.errors import GuardLostError, InterfaceError, ReadOnlyError
from sqlgate.core.flavor import Flavor
from sqlgate.core.results import (
    ArrowResult,
    Column,
    EmptyResult,
    ListResult,
    Result,
    RowResult,
    arrow_columns,
)
from sqlgate.core.session import Parameters, Session
from sqlgate.core.translate import call_translated

#: methods by which Arrow-native DB-API cursors hand a result over as a RecordBatchReader
ARROW_READERS = ("fetch_record_batch", "to_arrow_reader")  # ADBC, DuckDB
#: result shapes whose descriptions a session keeps (cleared when full: a bound, not an LRU)
MAX_SHAPES = 256


def guard_lost(guard: str) -> GuardLostError:
    """The error for a connection whose server-side guard (``guard`` names it) was lifted."""
    return GuardLostError(
        f"the server-side read-only guard ({guard}) is off on this connection; sqlgate "
        "closed it and will not use it again"
    )


def server_refused_write(message: str) -> ReadOnlyError:
    """A driver error for a write the server's own read-only guard refused."""
    return ReadOnlyError("write", f"refused by the server's read-only guard: {message}")


def decimal_type(precision: int, scale: int | None) -> pa.DataType:
    """Arrow's exact decimal for DECIMAL(p, s): 128 bits up to 38 digits, 256 beyond."""
    if precision > 38:
        return pa.decimal256(precision, scale or 0)
    return pa.decimal128(precision, scale or 0)


def armed(session: Session, arm: Callable[[], None]) -> None:
    """Arm a new session's guard; a session whose guard fails to arm is closed, never used."""
    try:
        arm()
    except BaseException:
        session.close()
        raise


class DriverSession(Session):
    """A session whose link is a PEP 249 driver connection with transactions."""

    #: how many rows a streaming result reads per round trip
    chunk_rows: int = CHUNK_ROWS

    def __init__(self, raw: Any, flavor: Flavor, banner: str) -> None:
        self._raw = raw
        self._flavor = flavor
        self.banner = banner
        self.server_version = flavor.compat_version(banner)
        self.product_version = flavor.product_version(banner)
        self._busy: tuple[LinkStream, weakref.ref[StreamedRows]] | None = None
        self._lost = False
        self._guarded = False  # whether the server-side guard is checked (see arm_guard)
        self._statements = 0
        self._shapes: dict[Hashable, tuple[Column, ...]] = {}
        self._binder: Any = None  # the driver cursor that binds values (see :meth:`bind`)

    @property
    def raw(self) -> Any:
        return self._raw

    def arm_guard(self) -> None:
        """From now on check the server-side guard after statements; fail closed at once if
        it did not take effect (a server that ignored it)."""
        self._guarded = True
        self.verify_guard(boundary=True)

    @abstractmethod
    def describe(self, cursor: Any) -> tuple[Column, ...]:
        """The result's columns, with sqlgate's type names as type codes."""

    @abstractmethod
    def arrow_type(self, column: Column) -> pa.DataType | None:
        """The Arrow type a column's values convert to (None: text)."""

    def bind(self, operation: str, parameters: Parameters) -> str | None:
        """psycopg's ClientCursor and PyMySQL both splice values in with ``mogrify``.

        No values and no ``%`` (SQLAlchemy passes ``{}`` with every plain statement): both
        drivers would send the text unchanged, so it is returned without a driver call.
        One driver cursor per session does the binding; mogrify leaves no state behind."""
        if not self._flavor.client_side_binding:
            return None
        if isinstance(parameters, (dict, list, tuple)) and not parameters and "%" not in operation:
            return operation
        if self._binder is None:
            self._binder = self._raw.cursor()
        return str(self._binder.mogrify(operation, parameters))

    # -- the link: one statement at a time -------------------------------------------------
    def server_call(self, call: Any) -> Any:
        """Run ``call``, which waits on the server; a family arms its read deadline here."""
        return call()

    def free_link(self) -> None:
        """Before anything else uses the link: buffer (or drop) a result still streaming."""
        if self._lost:
            raise GuardLostError(
                "this connection was closed because the server-side read-only "
                "guard was lifted; open a new connection"
            )
        if self._busy is not None:
            link, owner = self._busy
            rows = owner()
            if rows is not None and rows.streaming:
                rows.buffer()
            else:
                self.stream_ended(link, abandon=True)

    def stream_ended(self, link: LinkStream, *, abandon: bool = False) -> None:
        """A streamed result ended: the link is free; run the guard check it deferred."""
        if self._busy is None or self._busy[0] is not link:
            return
        self._busy = None
        if abandon:
            call_translated(link.abandon)
        try:
            call_translated(self.verify_guard)
        except GuardLostError:
            self._lost = True
            with contextlib.suppress(Exception):
                self.close()
            raise

    @property
    def streaming(self) -> bool:
        """Whether a result still occupies the link (a guard check waits until it ends)."""
        return self._busy is not None

    def rows_result(
        self, cursor: Any, link: LinkStream | None, first: list[tuple[Any, ...]], rowcount: int = -1
    ) -> RowResult:
        """A result over the first chunk and, while the result goes on, its link.

        A result complete in its first chunk never calls the driver again: a list serves
        its fetches (no stream, no error translation)."""
        if link is None:
            return ListResult(first, self.description_of(cursor), self.arrow_type, rowcount)
        rows = StreamedRows(self, link, first, rowcount)
        self._busy = (link, weakref.ref(rows))
        if link.native_batches:
            return NativeRowResult(
                rows, self.description_of(cursor), self.arrow_type, call_translated
            )
        return RowResult(rows, self.description_of(cursor), self.arrow_type, call_translated)

    def description_of(self, cursor: Any) -> tuple[Column, ...]:
        """:meth:`describe`, built once per result shape (a family's :meth:`result_shape`):
        a repeated statement reuses its description instead of rebuilding every column."""
        shape = self.result_shape(cursor)
        if shape is None:
            return self.describe(cursor)
        described = self._shapes.get(shape)
        if described is None:
            if len(self._shapes) >= MAX_SHAPES:
                self._shapes.clear()
            described = self._shapes[shape] = self.describe(cursor)
        return described

    def result_shape(self, cursor: Any) -> Hashable | None:
        """Everything :meth:`describe` reads from the driver's result, as a hashable key
        (None: no cache, describe every result)."""
        return None

    # -- statements -------------------------------------------------------------------------
    @property
    def query_id(self) -> str | None:
        """``<link id>:<n>``: the server's id of this link (PostgreSQL's backend pid, MySQL's
        CONNECTION_ID(), what ``pg_cancel_backend`` / ``KILL QUERY`` take) and the number of
        the statement on it. Neither server numbers statements (PostgreSQL 14's ``query_id``
        is a hash of a statement's shape, the same for every run), so ``n`` is sqlgate's."""
        if not self._statements:
            return None
        return f"{self.link_id()}:{self._statements}"

    def link_id(self) -> int | str:
        """The server's id of this connection (a family says how to read it)."""
        return "-"

    def execute(self, operation: str, parameters: Parameters = None) -> Result:
        self.free_link()
        self._statements += 1
        return self.server_call(lambda: self.run(operation, parameters))

    def run(self, operation: str, parameters: Parameters) -> Result:
        """Run one statement with the driver's buffering cursor (a family may stream)."""
        cursor = self.executed(self._raw.cursor(), operation, parameters)
        if cursor.description is None:
            return self.no_rows(cursor)
        reader = self.hands_arrow_over(cursor)
        if reader is not None:
            return self.arrow_result(cursor, reader)
        result = RowResult(
            cursor, self.description_of(cursor), self.arrow_type, call_translated, cursor.rowcount
        )
        result.lastrowid = getattr(cursor, "lastrowid", None)
        return result

    @staticmethod
    def hands_arrow_over(cursor: Any) -> Callable[[], pa.RecordBatchReader] | None:
        """How the driver's cursor gives its result as Arrow record batches (ADBC's DB-API
        ``fetch_record_batch``, DuckDB's ``to_arrow_reader``), or None: then the batches
        are the truth and rows a view over them, never Arrow rebuilt from Python tuples."""
        for method in ARROW_READERS:
            reader = getattr(cursor, method, None)
            if callable(reader):
                return reader
        return None

    def arrow_result(self, cursor: Any, reader: Callable[[], pa.RecordBatchReader]) -> ArrowResult:
        """The result as the driver's own record batches (see :meth:`hands_arrow_over`)."""
        try:
            batches = call_translated(reader)
        except BaseException:
            cursor.close()
            raise
        return ArrowResult(batches, self.describe_arrow(batches.schema), call_translated)

    def describe_arrow(self, schema: pa.Schema) -> tuple[Column, ...]:
        """PEP 249 descriptions of an Arrow result; a family names the types its own way
        (the default type code is Arrow's type name)."""
        return arrow_columns(schema)

    @staticmethod
    def executed(cursor: Any, operation: str, parameters: Parameters) -> Any:
        """Run one statement on a driver cursor, closing the cursor if the statement fails."""
        try:
            cursor.execute(operation, parameters)
        except BaseException:
            cursor.close()
            raise
        return cursor

    @staticmethod
    def no_rows(cursor: Any) -> EmptyResult:
        """The result of a statement without a result set; closes the driver cursor."""
        result = EmptyResult(cursor.rowcount)
        result.lastrowid = getattr(cursor, "lastrowid", None)
        cursor.close()
        return result

    def commit(self) -> None:
        self.free_link()
        self._raw.commit()

    def rollback(self) -> None:
        self.free_link()
        self._raw.rollback()


#: ``arrow_path=`` values: ``rows`` (Arrow built from the driver's rows), ``native`` (the
#: family's native Arrow reader where it is installed and applies; docs/types.md)
ARROW_PATHS = ("rows", "native")


def parse_arrow_path(value: Any, default: str = "rows") -> str:
    """The ``arrow_path`` connect option (``default`` when not given)."""
    text = default if value is None or value == "" else str(value).strip().lower()
    if text not in ARROW_PATHS:
        raise InterfaceError(
            f"arrow_path={str(value)[:40]!r} is not one of {', '.join(ARROW_PATHS)}"
        )
    return text
