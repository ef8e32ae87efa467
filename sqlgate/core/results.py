"""Results: the two shapes data comes back in, both readable as rows or as Arrow.

Row-protocol drivers (psycopg, pymysql) hand rows; :class:`RowResult` passes ``fetchall`` through
untouched (the fast path of the DB-API) and builds Arrow batches column by column on demand.
Embedded engines hand Arrow; :class:`ArrowResult` streams record batches and turns them into
rows only as far as the caller fetches. Neither ever materialises more than it is asked for.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from operator import itemgetter
from typing import Any, NamedTuple

import pyarrow as pa

DEFAULT_BATCH_ROWS = 65_536


class Column(NamedTuple):
    """A PEP 249 ``description`` entry."""

    name: str
    type_code: Any
    display_size: int | None = None
    internal_size: int | None = None
    precision: int | None = None
    scale: int | None = None
    null_ok: bool | None = None


class Result(ABC):
    """The outcome of one statement: a description, a row count and the data."""

    description: tuple[Column, ...] | None = None
    rowcount: int = -1
    lastrowid: int | None = None

    @abstractmethod
    def fetchmany(self, size: int) -> list[tuple[Any, ...]]:
        """Return up to ``size`` further rows."""

    @abstractmethod
    def fetchall(self) -> list[tuple[Any, ...]]:
        """Return every remaining row."""

    @abstractmethod
    def arrow_schema(self) -> pa.Schema:
        """The Arrow schema of the rows."""

    @abstractmethod
    def record_batches(self, max_rows: int = DEFAULT_BATCH_ROWS) -> Iterator[pa.RecordBatch]:
        """Yield the remaining rows as record batches of at most ``max_rows`` rows."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release whatever the result holds."""


class EmptyResult(Result):
    """The result of a statement that returns no rows (a bare COMMIT, say)."""

    def __init__(self, rowcount: int = -1) -> None:
        self.rowcount = rowcount

    def fetchmany(self, size: int) -> list[tuple[Any, ...]]:
        return []

    def fetchall(self) -> list[tuple[Any, ...]]:
        return []

    def arrow_schema(self) -> pa.Schema:
        return pa.schema([])

    def record_batches(self, max_rows: int = DEFAULT_BATCH_ROWS) -> Iterator[pa.RecordBatch]:
        return iter(())


class RowResult(Result):
    """Rows from a PEP 249 driver cursor, with Arrow built on demand.

    ``arrow_type`` maps a column to the Arrow type its source type stands for (``None`` means
    string); ``translate`` wraps driver calls so driver errors surface as sqlgate's.
    """

    def __init__(
        self,
        driver_cursor: Any,
        description: tuple[Column, ...] | None,
        arrow_type: Callable[[Column], pa.DataType | None],
        translate: Callable[[Callable[[], Any]], Any],
        rowcount: int = -1,
    ) -> None:
        self._cursor = driver_cursor
        self.description = description
        self.rowcount = rowcount
        self._arrow_type = arrow_type  # consulted only when Arrow is asked for
        self._translate = translate
        self._schema: pa.Schema | None = None

    def fetchmany(self, size: int) -> list[tuple[Any, ...]]:
        rows = self._translate(lambda: self._cursor.fetchmany(size))
        return rows if isinstance(rows, list) else list(rows)

    def fetchall(self) -> list[tuple[Any, ...]]:
        rows = self._translate(self._cursor.fetchall)
        return rows if isinstance(rows, list) else list(rows)

    def arrow_schema(self) -> pa.Schema:
        if self._schema is None:
            self._schema = pa.schema([
                pa.field(col.name, self._arrow_type(col) or pa.string())
                for col in self.description or ()
            ])
        return self._schema

    def record_batches(self, max_rows: int = DEFAULT_BATCH_ROWS) -> Iterator[pa.RecordBatch]:
        schema = self.arrow_schema()
        while True:
            rows = self.fetchmany(max_rows)
            if not rows:
                return
            yield rows_to_batch(rows, schema)

    def close(self) -> None:
        self._translate(self._cursor.close)


def rows_to_batch(rows: Sequence[Sequence[Any]], schema: pa.Schema) -> pa.RecordBatch:
    """Transpose rows into a record batch of exactly ``schema``.

    Each column is gathered in one C-level pass (``map(itemgetter(i), rows)``). ``zip(*rows)``
    would allocate an iterator per row, and on a 65,536-row batch those allocations keep the
    garbage collector busy for longer than pyarrow takes to build the arrays.
    """
    width = len(schema)
    if rows:
        widths = set(map(len, rows))
        if widths != {width}:
            raise ValueError(f"rows of {sorted(widths)} values do not fit {width} columns")
        columns: list[list[Any]] = [list(map(itemgetter(i), rows)) for i in range(width)]
    else:
        columns = [[] for _ in range(width)]
    arrays = [_column_array(values, f.type) for values, f in zip(columns, schema, strict=True)]
    return pa.RecordBatch.from_arrays(arrays, schema=schema)


def _column_array(values: Sequence[Any], arrow_type: pa.DataType) -> pa.Array:
    """Build one column; values that do not fit the mapped type are converted, not dropped.

    A string column takes the text form of anything (an unconstrained NUMERIC, an unknown
    extension type); other types get pyarrow's inference followed by a checked cast.
    """
    try:
        return pa.array(values, type=arrow_type)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, OverflowError):
        if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type):
            return pa.array([_as_text(v) for v in values], type=arrow_type)
        return pa.array(values).cast(arrow_type)


def _as_text(value: Any) -> str | None:
    """Text for a string column: JSON documents as JSON, anything else as ``str``."""
    if value is None:
        return None
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


class ArrowResult(Result):
    """A stream of record batches from an embedded engine, fetched as rows lazily."""

    def __init__(
        self,
        reader: pa.RecordBatchReader,
        description: tuple[Column, ...],
        translate: Callable[[Callable[[], Any]], Any],
    ) -> None:
        self._reader = reader
        self.description = description
        self._translate = translate
        self._pending: list[tuple[Any, ...]] = []
        self._pending_batch: pa.RecordBatch | None = None
        self._exhausted = False

    def arrow_schema(self) -> pa.Schema:
        return self._reader.schema

    def _next_batch(self) -> pa.RecordBatch | None:
        if self._pending_batch is not None:
            batch, self._pending_batch = self._pending_batch, None
            return batch
        if self._exhausted:
            return None
        try:
            return self._translate(self._reader.read_next_batch)
        except StopIteration:
            self._exhausted = True
            return None

    def fetchmany(self, size: int) -> list[tuple[Any, ...]]:
        while len(self._pending) < size:
            batch = self._next_batch()
            if batch is None:
                break
            self._pending.extend(batch_to_rows(batch))
        out, self._pending = self._pending[:size], self._pending[size:]
        return out

    def fetchall(self) -> list[tuple[Any, ...]]:
        rows, self._pending = self._pending, []
        while (batch := self._next_batch()) is not None:
            rows.extend(batch_to_rows(batch))
        return rows

    def record_batches(self, max_rows: int = DEFAULT_BATCH_ROWS) -> Iterator[pa.RecordBatch]:
        schema = self.arrow_schema()
        if self._pending:  # rows left over from fetchone/fetchmany come first
            rows, self._pending = self._pending, []
            for offset in range(0, len(rows), max_rows):
                yield rows_to_batch(rows[offset:offset + max_rows], schema)
        while (batch := self._next_batch()) is not None:
            for offset in range(0, batch.num_rows, max_rows):
                yield batch.slice(offset, max_rows)

    def close(self) -> None:
        self._exhausted = True
        self._pending = []
        self._translate(self._reader.close)


def batch_to_rows(batch: pa.RecordBatch) -> list[tuple[Any, ...]]:
    """Column-wise conversion: much faster than ``to_pylist`` on a row at a time."""
    columns = [column.to_pylist() for column in batch.columns]
    return list(zip(*columns, strict=True)) if columns else []
