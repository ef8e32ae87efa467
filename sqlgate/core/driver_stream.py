"""The streaming half of :mod:`sqlgate.core.driver`: a result read from a busy link in chunks.

A family implements :class:`LinkStream` (how to read the next chunk off its link, how to drop
the rest); :class:`StreamedRows` buffers those chunks in front of a result and hands the link
back to its :class:`~sqlgate.core.driver.DriverSession` when the result ends, so the session
can run the guard check the stream deferred. Kept apart from the session so that the rules of
one link (the session) and the reading of one result (here) each fit in one file.
"""

from __future__ import annotations

import functools
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from sqlgate.core.results import DEFAULT_BATCH_ROWS, RowResult, rows_to_batch

if TYPE_CHECKING:
    from sqlgate.core.driver import DriverSession

#: rows a streaming result reads per round: bounded memory, negligible per-chunk overhead
CHUNK_ROWS = 10_000


class LinkStream(ABC):
    """The family's side of a streaming result: reads chunks from the busy link."""

    #: the statement's row count once its end was read (-1 before)
    rowcount: int = -1

    @abstractmethod
    def read_chunk(self) -> list[tuple[Any, ...]] | None:
        """The next chunk of rows; None once the result has ended (the link is then free)."""

    @abstractmethod
    def abandon(self) -> None:
        """Discard the remaining rows (the caller closed the result early); frees the link."""

    #: whether :meth:`read_batch` reads the rest as Arrow without building Python rows
    native_batches: bool = False

    def read_batch(self, schema: pa.Schema, max_rows: int) -> pa.RecordBatch | None:
        """The next rows as a batch of ``schema``; None once the result has ended."""
        raise NotImplementedError


class StreamedRows:
    """Rows of one result: a buffer in front of a :class:`LinkStream` (None once ended).

    Fetched rows are sliced off a list by offset, so ``fetchone`` in a loop is O(1) per row.
    """

    def __init__(
        self,
        session: DriverSession,
        link: LinkStream | None,
        first: list[tuple[Any, ...]],
        rowcount: int = -1,
    ) -> None:
        self._session = session
        self._link = link
        self._rows = first
        self._pos = 0
        self.rowcount = rowcount if link is None else -1

    @property
    def streaming(self) -> bool:
        return self._link is not None

    def peek(self) -> list[tuple[Any, ...]]:
        """The rows read but not yet fetched (Arrow refines its schema with them)."""
        return self._rows[self._pos :]

    def _pull(self) -> bool:
        """One more chunk into the buffer; False at the end."""
        link = self._link
        if link is None:
            return False
        chunk = self._session.server_call(link.read_chunk)
        if chunk is None:
            self._ended(link)
            return False
        if self._pos:
            del self._rows[: self._pos]
            self._pos = 0
        self._rows.extend(chunk)
        return True

    def fetchmany(self, size: int) -> list[tuple[Any, ...]]:
        while len(self._rows) - self._pos < size and self._pull():
            pass
        start, self._pos = self._pos, min(self._pos + size, len(self._rows))
        return self._rows[start : self._pos]

    def fetchall(self) -> list[tuple[Any, ...]]:
        self.buffer()
        rows = self._rows[self._pos :] if self._pos else self._rows
        self._rows, self._pos = [], 0
        return rows

    def buffer(self) -> None:
        """Read the rest into memory (so that the link is free for another statement).

        The read deadline is armed per chunk: it bounds each wait on the server, and a long
        ``fetchall`` is not one wait."""
        link = self._link
        if link is None:
            return
        server_call, read_chunk, extend = (
            self._session.server_call,
            link.read_chunk,
            self._rows.extend,
        )
        while (chunk := server_call(read_chunk)) is not None:
            extend(chunk)
        self._ended(link)

    def batches(
        self, schema: pa.Schema, max_rows: int, translate: Callable[[Callable[[], Any]], Any]
    ) -> Iterator[pa.RecordBatch]:
        """The rest as record batches: rows already read first, then straight from a link
        that reads Arrow natively (:attr:`LinkStream.native_batches`)."""
        while True:
            if self._pos < len(self._rows):  # read before, or buffered by free_link meanwhile
                rows = self._rows[self._pos : self._pos + max_rows]
                self._pos += len(rows)
                yield rows_to_batch(rows, schema)
                continue
            link = self._link
            if link is None:
                return
            read = functools.partial(link.read_batch, schema, max_rows)
            batch = translate(functools.partial(self._session.server_call, read))
            if batch is None:
                translate(functools.partial(self._ended, link))
                return
            if batch.num_rows:
                yield batch

    def close(self) -> None:
        link, self._link = self._link, None
        self._rows, self._pos = [], 0
        if link is not None:
            self._session.stream_ended(link, abandon=True)

    def _ended(self, link: LinkStream) -> None:
        self._link = None
        self.rowcount = link.rowcount
        self._session.stream_ended(link)


class NativeRowResult(RowResult):
    """A streamed result whose link reads the rest as Arrow natively (MySQL's raw reader):
    the schema is the row path's (mapped types refined by the first chunk), the batches come
    from the link without Python rows."""

    _cursor: StreamedRows

    def record_batches(self, max_rows: int = DEFAULT_BATCH_ROWS) -> Iterator[pa.RecordBatch]:
        return self._cursor.batches(self.arrow_schema(), max_rows, self._translate)
