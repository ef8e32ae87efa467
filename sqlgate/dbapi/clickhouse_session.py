"""The ClickHouse session over clickhouse-driver's native protocol (TCP, port 9000).

The native protocol carries the query's settings in every Query packet, so the read-only guard
(``readonly=2``: reads and setting changes only, and never ``readonly`` itself) rides on every
statement this session sends and no SQL can lift it for the next one. Results stream as Arrow
batches built from the driver's blocks (:mod:`~sqlgate.dbapi.clickhouse_stream`).
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from sqlgate.core.driver import MAX_SHAPES, DriverSession, guard_lost
from sqlgate.core.errors import OperationalError, ProgrammingError
from sqlgate.core.results import Column, EmptyResult, Result
from sqlgate.core.session import Parameters
from sqlgate.dbapi import clickhouse_errors  # noqa: F401 - registers the error classifier
from sqlgate.dbapi.clickhouse_compat import PROBE as DATE_TRUNC_PROBE
from sqlgate.dbapi.clickhouse_compat import mentions_date_trunc, without_date_trunc
from sqlgate.dbapi.clickhouse_insert import insert_rows, is_insert, send_rows, send_text
from sqlgate.dbapi.clickhouse_stream import BlockResult, BlockStream, open_stream
from sqlgate.dbapi.clickhouse_types import CLICKHOUSE_TYPES

if TYPE_CHECKING:
    from sqlgate.core.flavor import Flavor

GUARD_SETTING = "readonly"
GUARD_VALUE = 2  # reads and SET of other settings; readonly itself can never be changed
GUARD_QUERY = "SELECT value FROM system.settings WHERE name = 'readonly'"


def describe_columns(columns: Sequence[tuple[str, str]]) -> tuple[Column, ...]:
    """PEP 249 descriptions: the ClickHouse type name as type code, decimals' digits."""
    out = []
    for name, type_name in columns:
        arrow = CLICKHOUSE_TYPES.to_arrow(type_name)
        out.append(
            Column(
                name,
                type_name,
                None,
                None,
                getattr(arrow, "precision", None),
                getattr(arrow, "scale", None),
                "Nullable(" in type_name,
            )
        )
    return tuple(out)


def arrow_type_of(column: Column) -> pa.DataType:
    """The Arrow type a ClickHouse column's values convert to."""
    return CLICKHOUSE_TYPES.to_arrow(str(column.type_code))


class ClickHouseSession(DriverSession):
    """A clickhouse-driver ``Client``; rows pass through from its blocks untouched."""

    backslash_escapes = True  # ClickHouse always reads \' inside a literal as a quote

    def __init__(self, client: Any, flavor: Flavor, guard: bool) -> None:
        info = client.connection.server_info
        version = f"{info.version_major}.{info.version_minor}.{info.version_patch}"
        super().__init__(client, flavor, f"{info.name} {version}")
        self._guard = guard
        self._running: str | None = None  # the query id while a statement occupies the link
        self._cancelled = False
        self._lock = threading.Lock()
        self._has_date_trunc: bool | None = None  # asked when a statement first needs it
        self._pending: BlockStream | None = None  # the result still streaming on the link

    # -- binding: clickhouse-driver splices values into the text client-side ----------------
    def bind(self, operation: str, parameters: Parameters) -> str | None:
        """The text clickhouse-driver would send (see :func:`bind_parameters`)."""
        return bind_parameters(operation, parameters, self._raw.connection.context)

    def prepare(self, operation: str) -> str:
        """On servers without ``dateTrunc`` (before 20.x), Superset's time grains are spelled
        with ``toStartOf*`` (:mod:`~sqlgate.dbapi.clickhouse_compat`)."""
        if not mentions_date_trunc(operation):
            return operation
        if self._has_date_trunc is None:
            self.free_link()
            rows = self._raw.execute(DATE_TRUNC_PROBE)
            self._has_date_trunc = bool(rows and rows[0][0])
        return operation if self._has_date_trunc else without_date_trunc(operation)

    # -- statements -------------------------------------------------------------------------
    def run(self, operation: str, parameters: Parameters) -> Result:
        """Stream the result as the driver's Arrow batches (see :mod:`clickhouse_stream`)."""
        query_id = uuid.uuid4().hex
        if is_insert(operation):
            return self._insert(operation, parameters, query_id)
        text = operation if parameters is None else self.bind(operation, parameters) or operation
        self._running, self._cancelled = query_id, False
        try:
            stream = open_stream(self._raw, text, query_id, self._stream_ended)
        except BaseException:
            self._running = None
            raise
        if not stream.columns:  # a statement without a result set
            self._stream_ended(None)
            return EmptyResult(-1)
        self._pending = stream
        stream.prefetch(self.chunk_rows)
        return BlockResult(stream, self._description(stream.columns))

    def _insert(self, operation: str, parameters: Parameters, query_id: str) -> Result:
        """Rows as data blocks (:mod:`~sqlgate.dbapi.clickhouse_insert`): never a wait for
        blocks the server expects and the text cannot send."""
        self._running, self._cancelled = query_id, False
        try:
            split = insert_rows(operation, parameters)
            if split is not None:
                return EmptyResult(send_rows(self._raw, *split, query_id))
            text = operation if parameters is None else self.bind(operation, parameters)
            return EmptyResult(send_text(self._raw, text or operation, query_id))
        finally:
            self._stream_ended(None)

    def _description(self, columns: list[tuple[str, str]]) -> tuple[Column, ...]:
        """Built once per result shape: a repeated statement reuses it."""
        key = tuple(columns)
        described = self._shapes.get(key)
        if described is None:
            if len(self._shapes) >= MAX_SHAPES:
                self._shapes.clear()
            described = self._shapes[key] = describe_columns(columns)
        return described

    def free_link(self) -> None:
        """Before the link is used again: buffer the rest of a result still streaming."""
        pending, self._pending = self._pending, None
        if pending is not None and not pending.done:
            pending.buffer_rest()

    def _stream_ended(self, stream: BlockStream | None) -> None:
        """The statement's last packet was read: a cancelled one fails instead of looking
        like a short result."""
        if stream is not None and self._pending is stream:
            self._pending = None
        self._running = None
        if self._cancelled:
            self._cancelled = False
            raise OperationalError(
                "the statement was cancelled (Cursor.cancel()); its rows are incomplete; "
                "the connection is still usable"
            )

    def describe(self, cursor: Any) -> tuple[Column, ...]:
        return describe_columns(cursor.columns)

    def arrow_type(self, column: Column) -> pa.DataType | None:
        return arrow_type_of(column)

    def link_id(self) -> str:
        return self._running or "-"

    def cancel(self) -> None:
        """Send the protocol's Cancel packet for the running statement (from any thread);
        the server stops it and the statement's thread gets ``OperationalError``."""
        with self._lock:
            connection = getattr(self._raw, "connection", None)
            if self._running is None or connection is None or not connection.connected:
                return
            self._cancelled = True
            connection.send_cancel()

    # -- the guard --------------------------------------------------------------------------
    def server_guard_active(self) -> bool | None:
        self.free_link()
        rows = self._raw.execute(GUARD_QUERY)
        return bool(rows) and str(rows[0][0]) != "0"

    def verify_guard(self, *, boundary: bool = False) -> None:
        """Checked once, when the session opens: the setting travels in every query packet
        and a read-only server refuses to change ``readonly``, so nothing lifts it later."""
        armed_now = self._guard and self._guarded and not self._statements and boundary
        if armed_now and not self.server_guard_active():
            raise guard_lost(f"{GUARD_SETTING}={GUARD_VALUE}")

    def commit(self) -> None:
        """ClickHouse has no transactions: nothing to commit."""

    def rollback(self) -> None:
        """Nothing to roll back; a result still streaming is left to its cursor."""

    def ping(self) -> None:
        self.free_link()
        if not self._raw.connection.ping():
            self._raw.disconnect()
            raise OperationalError("the ClickHouse server did not answer a ping")

    def close(self) -> None:
        self._pending = None
        self._raw.disconnect()


def _escaped(value: Any, context: Any) -> str:
    """clickhouse-driver's escaping, plus ``bytes`` (it would print Python's ``b'...'``)."""
    from clickhouse_driver.util.escape import escape_param

    if isinstance(value, (bytes, bytearray, memoryview)):
        return f"unhex('{bytes(value).hex()}')"
    return str(escape_param(value, context))


def bind_parameters(operation: str, parameters: Parameters, context: Any) -> str:
    """Values spliced into ``%s`` / ``%(name)s`` client-side, as clickhouse-driver does (it
    takes only a mapping itself). Bound parameters, even none, make ``%%`` a ``%``, as in
    PyMySQL and psycopg: SQLAlchemy doubles ``%`` in every statement it compiles."""
    if parameters is None:
        return operation
    if isinstance(parameters, Mapping):
        values: Any = {k: _escaped(v, context) for k, v in parameters.items()}
    elif isinstance(parameters, (list, tuple)):
        values = tuple(_escaped(v, context) for v in parameters)
    else:
        raise ProgrammingError("parameters must be a sequence or a mapping")
    if not values and "%" not in operation:
        return operation
    try:
        return operation % values
    except (TypeError, ValueError, KeyError) as exc:
        raise ProgrammingError(
            f"parameters do not fit the statement's placeholders: {exc}"
        ) from None
