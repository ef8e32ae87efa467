"""A native-protocol result, block by block: rows or Arrow from the same driver columns.

Each ClickHouse block arrives as columns. Rows are the driver's own (``block.get_rows()``);
Arrow batches are clickhouse-driver 0.2.11's conversion of those columns (no Python row in
between), with the types the driver would have to guess from data (``Tuple``, ``Nested``,
128-bit integers) taken from sqlgate's ClickHouse type table, read from the result's header.
Each block is converted in the form the caller fetches, so neither path pays for the other.

One statement streams on a link at a time: before the link is used again, the rest of a
result still being read is buffered into that result (:meth:`BlockStream.buffer_rest`); a
result closed early is dropped and the driver cancels it before its next query.
"""

from __future__ import annotations

import functools
from collections import deque
from collections.abc import Callable, Iterator
from typing import Any

import pyarrow as pa

from sqlgate.core.results import DEFAULT_BATCH_ROWS, Column, Result, rows_to_batch
from sqlgate.core.translate import call_translated
from sqlgate.dbapi.clickhouse_types import CLICKHOUSE_TYPES

_DATA = 1  # ServerPacketTypes.DATA: blocks of the result (not totals or extremes)


class HeaderTypes:
    """``arrow_types`` for the driver, filled from the header block as it passes by: the
    type table's Arrow type where the driver has none of its own."""

    def __init__(self) -> None:
        self.columns: dict[str, str] = {}
        self.pairs: list[tuple[str, str]] = []  # in order, a repeated name repeated

    def get(self, name: str, default: Any = None) -> Any:
        from clickhouse_driver.arrow.mapping import get_type_and_converter

        type_name = self.columns.get(name)
        if type_name is None:
            return default
        driver_type, _ = get_type_and_converter(type_name)
        return CLICKHOUSE_TYPES.to_arrow(type_name) if driver_type is None else default

    def watch(self, packets: Iterator[Any]) -> Iterator[Any]:
        """Pass the packets on, noting the header's (name, type) pairs first."""
        for packet in packets:
            block = getattr(packet, "block", None)
            if not self.pairs and block is not None and block.columns_with_types:
                self.pairs = [(str(n), str(t)) for n, t in block.columns_with_types]
                self.columns = dict(self.pairs)
            yield packet


def open_stream(
    client: Any, text: str, query_id: str, ended: Callable[[BlockStream], None]
) -> BlockStream:
    """Send ``text``; the stream has read the result's header when this returns."""
    from clickhouse_driver.arrow.convert import ArrowStreamState

    types = HeaderTypes()
    with client.disconnect_on_error(text, None):
        client.connection.send_query(text, query_id=query_id)
        client.connection.send_external_tables(None)
        state = ArrowStreamState(client.connection)
        client._pending_arrow_stream = state  # the driver cancels it before its next query
        return BlockStream(client, types.watch(client.packet_generator()), types, state, ended)


class BlockStream:
    """The blocks of one result; each is handed out as rows or as a record batch."""

    def __init__(
        self,
        client: Any,
        packets: Iterator[Any],
        types: HeaderTypes,
        state: Any,
        ended: Callable[[BlockStream], None],
    ) -> None:
        from clickhouse_driver.arrow.convert import _resolve_fields

        self._packets = packets
        self._state = state
        self._ended = ended
        self._pending: deque[Any] = deque()
        self.done = False
        self.rows = 0
        header = self._next_packet_block(header=True)
        self.columns = list(types.pairs)
        strings_as_bytes = client.connection.context.client_settings.get("strings_as_bytes")
        self.fields = (
            _resolve_fields(header.columns_with_types, strings_as_bytes, types) if header else []
        )
        self.schema = pa.schema(
            [
                pa.field(name, type_)
                for (name, _), (type_, _) in zip(self.columns, self.fields, strict=True)
            ]
        )

    def _next_packet_block(self, header: bool = False) -> Any:
        for packet in self._packets:
            block = getattr(packet, "block", None)
            if packet.type != _DATA or block is None:
                continue
            if header or block.num_rows:
                return block
        self._finish()
        return None

    def next_block(self) -> Any:
        """The next block with rows, or None at the end."""
        if self._pending:
            return self._pending.popleft()
        return self._read()

    def _read(self) -> Any:
        """The next block from the link (None at the end)."""
        if self.done:
            return None
        block = self._next_packet_block()
        if block is not None:
            self.rows += block.num_rows
        return block

    def prefetch(self, min_rows: int) -> None:
        """Read ahead until ``min_rows`` rows or the end: a short result (every point query)
        is complete, with its row count, when ``execute`` returns."""
        while not self.done and self.rows < min_rows:
            block = self._read()
            if block is not None:
                self._pending.append(block)

    def buffer_rest(self) -> None:
        """Read what is left into memory (another statement needs the link)."""
        while (block := self._read()) is not None:
            self._pending.append(block)

    def to_batch(self, block: Any) -> pa.RecordBatch:
        from clickhouse_driver.arrow.convert import _block_to_batch

        return _block_to_batch(block, self.schema, self.fields)

    def abandon(self) -> None:
        """Closed early: the driver cancels the rest before its next query."""
        self._pending.clear()
        self.done = True

    def _finish(self) -> None:
        if not self.done:
            self.done = True
            self._state.finished = True
            self._ended(self)


class BlockResult(Result):
    """Rows (``block.get_rows()``, the driver's own) or record batches (the driver's Arrow
    conversion of the same columns), whichever the caller fetches; nothing is built twice."""

    def __init__(self, stream: BlockStream, description: tuple[Column, ...]) -> None:
        self._stream = stream
        self.description = description
        self._rows: list[tuple[Any, ...]] = []
        self._at = 0
        self._rowcount: int | None = None

    @property
    def rowcount(self) -> int:
        if self._rowcount is not None:
            return self._rowcount
        return self._stream.rows if self._stream.done else -1

    @rowcount.setter
    def rowcount(self, value: int) -> None:
        self._rowcount = value

    def _block(self) -> Any:
        return call_translated(self._stream.next_block)

    def fetchmany(self, size: int) -> list[tuple[Any, ...]]:
        out: list[tuple[Any, ...]] = []
        while len(out) < size:
            if self._at >= len(self._rows):
                block = self._block()
                if block is None:
                    break
                self._rows, self._at = block.get_rows(), 0
            take = self._rows[self._at : self._at + size - len(out)]
            self._at += len(take)
            out.extend(take)
        return out

    def fetchall(self) -> list[tuple[Any, ...]]:
        out = self._rows[self._at :]
        self._rows, self._at = [], 0
        while (block := self._block()) is not None:
            out.extend(block.get_rows())
        return out

    def arrow_schema(self) -> pa.Schema:
        return self._stream.schema

    def record_batches(self, max_rows: int = DEFAULT_BATCH_ROWS) -> Iterator[pa.RecordBatch]:
        rest = self._rows[self._at :]
        self._rows, self._at = [], 0
        if rest:
            yield rows_to_batch(rest, self._stream.schema)
        while (block := self._block()) is not None:
            batch = call_translated(functools.partial(self._stream.to_batch, block))
            for offset in range(0, batch.num_rows, max_rows):
                yield batch.slice(offset, max_rows)

    def close(self) -> None:
        self._rows, self._at = [], 0
        self._stream.abandon()
