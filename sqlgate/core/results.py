"""Results: the two shapes data comes back in, both readable as rows or as Arrow.

Row-protocol drivers (psycopg, pymysql) hand rows; :class:`RowResult` passes ``fetchall`` through
untouched (the fast path of the DB-API) and builds Arrow batches column by column on demand.
Embedded engines hand Arrow; :class:`ArrowResult` streams record batches and turns them into
rows only as far as the caller fetches. Neither ever materialises more than it is asked for.

pyarrow is imported where Arrow is built, not with this module: ``import sqlgate`` and a
row-only source (a wire driver's ``fetchall``) never pay its ~100 ms import (issue #11).
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from functools import cache
from operator import itemgetter
from typing import TYPE_CHECKING, Any, NamedTuple

from sqlgate.core import errors
from sqlgate.core.arrow_rows import batch_to_rows, iter_rows

if TYPE_CHECKING:
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


def arrow_columns(schema: pa.Schema) -> tuple[Column, ...]:
    """PEP 249 descriptions of an Arrow schema, the type code being Arrow's type name."""
    return tuple(
        Column(
            f.name,
            str(f.type),
            None,
            None,
            getattr(f.type, "precision", None),
            getattr(f.type, "scale", None),
            f.nullable,
        )
        for f in schema
    )


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

    def fetchone(self) -> tuple[Any, ...] | None:
        """Return the next row, or None; a result holding rows overrides this to skip a list."""
        rows = self.fetchmany(1)
        return rows[0] if rows else None

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
        import pyarrow as pa

        return pa.schema([])

    def record_batches(self, max_rows: int = DEFAULT_BATCH_ROWS) -> Iterator[pa.RecordBatch]:
        return iter(())


class RowResult(Result):
    """Rows from a PEP 249 driver cursor (or anything with its ``fetchmany``/``fetchall``/
    ``close``/``rowcount``, such as a streaming result), with Arrow built on demand.

    ``arrow_type`` maps a column to the Arrow type its source type stands for (``None`` means
    string); ``translate`` wraps driver calls so driver errors surface as sqlgate's.
    ``rowcount`` is read from the source until set: a streamed result learns it at its end.
    """

    def __init__(
        self,
        driver_cursor: Any,
        description: tuple[Column, ...] | None,
        arrow_type: Callable[[Column], pa.DataType | None],
        translate: Callable[[Callable[[], Any]], Any],
        rowcount: int | None = None,
    ) -> None:
        self._cursor = driver_cursor
        self.description = description
        self._rowcount = rowcount
        self._arrow_type = arrow_type  # consulted only when Arrow is asked for
        self._translate = translate
        self._schema: pa.Schema | None = None

    @property
    def rowcount(self) -> int:
        if self._rowcount is not None:
            return self._rowcount
        return int(getattr(self._cursor, "rowcount", -1))

    @rowcount.setter
    def rowcount(self, value: int) -> None:
        self._rowcount = value

    def fetchmany(self, size: int) -> list[tuple[Any, ...]]:
        rows = self._translate(lambda: self._cursor.fetchmany(size))
        return rows if isinstance(rows, list) else list(rows)

    def fetchall(self) -> list[tuple[Any, ...]]:
        rows = self._translate(self._cursor.fetchall)
        return rows if isinstance(rows, list) else list(rows)

    def arrow_schema(self) -> pa.Schema:
        """The mapped types, refined by the rows already read (a streamed result's first
        chunk): a column whose values do not fit its mapped type (a zero date, a NaN in a
        NUMERIC(p,s), a two-dimensional array) becomes a string column of their text form."""
        if self._schema is None:
            import pyarrow as pa

            rows = self._read_ahead()
            fields = []
            for index, col in enumerate(self.description or ()):
                arrow_type = self._arrow_type(col) or pa.string()
                if rows and not _is_string(arrow_type):
                    try:
                        _column_array([row[index] for row in rows], arrow_type, col.name)
                    except errors.DataError:
                        arrow_type = pa.string()
                fields.append(pa.field(col.name, arrow_type))
            self._schema = pa.schema(fields)
        return self._schema

    def _read_ahead(self) -> list[tuple[Any, ...]]:
        """The rows read from the source but not yet fetched (a stream's ``peek``)."""
        peek = getattr(self._cursor, "peek", None)
        return peek() if peek is not None else []

    def record_batches(self, max_rows: int = DEFAULT_BATCH_ROWS) -> Iterator[pa.RecordBatch]:
        schema = self.arrow_schema()
        while True:
            rows = self.fetchmany(max_rows)
            if not rows:
                return
            yield rows_to_batch(rows, schema)

    def close(self) -> None:
        self._translate(self._cursor.close)


def _untranslated(call: Callable[[], Any]) -> Any:
    return call()


class ListResult(RowResult):
    """A result whose rows were all read inside ``execute`` (every point query on a streaming
    family): fetches slice a list and never call the driver, so they need no error
    translation, no stream and no link to hand back; a point query pays for none of them."""

    def __init__(
        self,
        rows: list[tuple[Any, ...]],
        description: tuple[Column, ...] | None,
        arrow_type: Callable[[Column], pa.DataType | None],
        rowcount: int,
    ) -> None:
        super().__init__(None, description, arrow_type, _untranslated, rowcount)
        self._rows = rows
        self._pos = 0

    def _read_ahead(self) -> list[tuple[Any, ...]]:
        return self._rows[self._pos :]

    def fetchone(self) -> tuple[Any, ...] | None:
        pos = self._pos
        if pos < len(self._rows):
            self._pos = pos + 1
            return self._rows[pos]
        return None

    def fetchmany(self, size: int) -> list[tuple[Any, ...]]:
        start, self._pos = self._pos, min(self._pos + size, len(self._rows))
        return self._rows[start : self._pos]

    def fetchall(self) -> list[tuple[Any, ...]]:
        rows = self._rows[self._pos :] if self._pos else self._rows
        self._rows, self._pos = [], 0
        return rows

    def close(self) -> None:
        self._rows, self._pos = [], 0


def rows_to_batch(rows: Sequence[Sequence[Any]], schema: pa.Schema) -> pa.RecordBatch:
    """Transpose rows into a record batch of exactly ``schema``.

    Each column is gathered in one C-level pass (``map(itemgetter(i), rows)``). ``zip(*rows)``
    would allocate an iterator per row, and on a 65,536-row batch those allocations keep the
    garbage collector busy for longer than pyarrow takes to build the arrays.
    """
    import pyarrow as pa

    width = len(schema)
    if rows:
        widths = set(map(len, rows))
        if widths != {width}:
            raise ValueError(f"rows of {sorted(widths)} values do not fit {width} columns")
        columns: list[list[Any]] = [list(map(itemgetter(i), rows)) for i in range(width)]
    else:
        columns = [[] for _ in range(width)]
    arrays = [
        _column_array(values, f.type, f.name) for values, f in zip(columns, schema, strict=True)
    ]
    return pa.RecordBatch.from_arrays(arrays, schema=schema)


@cache
def _conversion_errors() -> tuple[type[Exception], ...]:
    """What a value that does not fit its Arrow type raises (pyarrow's classes, loaded late)."""
    import pyarrow as pa

    arrow = (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError)
    return (*arrow, TypeError, ValueError, OverflowError)


def _is_string(arrow_type: pa.DataType) -> bool:
    import pyarrow as pa

    return bool(pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type))


def _column_array(values: Sequence[Any], arrow_type: pa.DataType, name: str = "") -> pa.Array:
    """Build one column exactly; a value that does not fit is never dropped or changed.

    A string column (or a list of strings) takes the :func:`text_form` of anything. Any other
    misfit raises :class:`~sqlgate.core.errors.DataError` naming the column and the fix.
    """
    import pyarrow as pa

    try:
        return pa.array(values, type=arrow_type)
    except _conversion_errors() as exc:
        failure = exc
    if _is_string(arrow_type):
        return pa.array([text_form(v) for v in values], type=arrow_type)
    if pa.types.is_list(arrow_type) and _is_string(arrow_type.value_type):
        try:
            return pa.array(
                [None if v is None else [text_form(e) for e in v] for v in values], type=arrow_type
            )
        except TypeError as exc:  # an element that is itself a list: not one dimension
            failure = exc
    bad = _first_misfit(values, arrow_type)
    raise errors.DataError(
        f"column {name!r}: the value {str(text_form(bad))[:60]!r} ({type(bad).__name__}) does not "
        f"fit Arrow {arrow_type}, the type chosen from the first rows; select the column as "
        "text (CAST(... AS text), CAST(... AS CHAR)) to read every value exactly"
    ) from failure


def _first_misfit(values: Sequence[Any], arrow_type: pa.DataType) -> Any:
    import pyarrow as pa

    for value in values:
        try:
            pa.array([value], type=arrow_type)
        except _conversion_errors():
            return value
    return None


def text_form(value: Any) -> str | None:
    """The documented lossless text of a value in a string column (docs/types.md): JSON
    documents and nested arrays as JSON, a time with an offset in ISO 8601, anything else as
    ``str`` (a Decimal keeps its digits, NaN and Infinity)."""
    if value is None:
        return None
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(value, ensure_ascii=False, default=text_form)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return "\\x" + bytes(value).hex()
    return str(value)


class ArrowResult(Result):
    """A stream of record batches from an embedded engine, fetched as rows lazily.

    The batches are the truth; rows are a view over the current one. It is converted once,
    whole (:func:`batch_to_rows`), and handed out by position, so ``fetchone`` costs a slice
    of one row, never a copy of what is left.
    """

    def __init__(
        self,
        reader: pa.RecordBatchReader,
        description: tuple[Column, ...],
        translate: Callable[[Callable[[], Any]], Any],
    ) -> None:
        self._reader = reader
        self.description = description
        self._translate = translate
        self._batch: pa.RecordBatch | None = None  # the batch being handed out as rows
        self._rows: list[tuple[Any, ...]] = []  # its rows
        self._at = 0  # how many of them were fetched
        self._exhausted = False

    def arrow_schema(self) -> pa.Schema:
        return self._reader.schema

    def _next_batch(self) -> pa.RecordBatch | None:
        if self._exhausted:
            return None
        try:
            return self._translate(self._reader.read_next_batch)
        except StopIteration:
            self._exhausted = True
            return None

    def _take_rest(self) -> list[tuple[Any, ...]]:
        """The current batch's unfetched rows; the batch is done with."""
        rows, at = self._rows, self._at
        self._batch, self._rows, self._at = None, [], 0
        return rows if at == 0 else rows[at:]

    def fetchone(self) -> tuple[Any, ...] | None:
        at = self._at
        if at < len(self._rows):
            self._at = at + 1
            return self._rows[at]
        return super().fetchone()

    def fetchmany(self, size: int) -> list[tuple[Any, ...]]:
        at = self._at
        if len(self._rows) - at >= size:  # the common case: the current batch suffices
            self._at = at + size
            return self._rows[at : at + size]
        out = self._take_rest()
        while len(out) < size:
            batch = self._next_batch()
            if batch is None:
                break
            rows = batch_to_rows(batch)
            need = size - len(out)
            if len(rows) <= need:
                out.extend(rows)
            else:
                out.extend(rows[:need])
                self._batch, self._rows, self._at = batch, rows, need
        return out

    def fetchall(self) -> list[tuple[Any, ...]]:
        rows = self._take_rest()
        while (batch := self._next_batch()) is not None:
            rows.extend(iter_rows(batch))
        return rows

    def record_batches(self, max_rows: int = DEFAULT_BATCH_ROWS) -> Iterator[pa.RecordBatch]:
        if self._batch is not None:  # rows left over from fetchone/fetchmany come first
            rest = self._batch.slice(self._at)
            self._take_rest()
            for offset in range(0, rest.num_rows, max_rows):
                yield rest.slice(offset, max_rows)
        while (batch := self._next_batch()) is not None:
            for offset in range(0, batch.num_rows, max_rows):
                yield batch.slice(offset, max_rows)

    def close(self) -> None:
        self._exhausted = True
        self._take_rest()
        self._translate(self._reader.close)
