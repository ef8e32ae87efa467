"""Arrow batches as Python rows, exactly as ``to_pylist`` gives them, built in C where pyarrow
builds them one value at a time (dates, timestamps, durations, decimals): rows are a view
over the batches, and fetching them must not cost more than the engine producing them.
pyarrow is imported by the functions, not the module (see :mod:`sqlgate.core.results`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from functools import cache
from itertools import repeat
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pyarrow as pa


def batch_to_rows(batch: pa.RecordBatch) -> list[tuple[Any, ...]]:
    """Column-wise conversion (:func:`column_values`), zipped into tuples in C."""
    return list(iter_rows(batch))


def iter_rows(batch: pa.RecordBatch) -> Iterator[tuple[Any, ...]]:
    """:func:`batch_to_rows` as an iterator, for a caller that extends its own list (no
    intermediate list of a batch's rows)."""
    columns = [column_values(column) for column in batch.columns]
    return zip(*columns, strict=True) if columns else iter(())


#: datetime's range in days and seconds, pulled in by two days so no zone's offset leaves it
_DAYS = (-719_162 + 2, 2_932_896 - 2)
_SECONDS = (-62_135_596_800 + 172_800, 253_402_300_799 - 172_800)
_PER_SECOND = {"s": 1, "ms": 1_000, "us": 1_000_000}
#: below this many values pyarrow's own ``to_pylist`` is faster than numpy's fixed cost
#: (~20-50 µs): a point query's row stays cheap
_SMALL = 16
#: ``datetime(state, tzinfo)``: the constructor ``pickle`` calls (both the C and the pure-Python
#: datetime take it), absent from the type stubs
_from_state: Callable[[bytes, Any], datetime] = datetime  # type: ignore[assignment]


def column_values(column: pa.Array) -> list[Any]:
    """One column as Python values, exactly those of ``column.to_pylist()``, faster.

    pyarrow builds temporal and decimal values one scalar at a time (~1 µs each); numpy builds
    dates, datetimes and timedeltas in C from the Arrow buffer (``to_numpy`` would import
    pandas, too slow for a cold first row), ``Decimal`` parses pyarrow's text of a decimal.
    Anything else, a value outside datetime's range or a short column takes ``to_pylist``.
    """
    import pyarrow as pa

    if len(column) < _SMALL:
        return column.to_pylist()
    kind = column.type
    values: list[Any] | None = None
    if pa.types.is_date32(kind):
        values = _numpy_values(column, "int32", "datetime64[D]", _DAYS)
    elif pa.types.is_timestamp(kind) and kind.unit in _PER_SECOND:
        per = _PER_SECOND[kind.unit]
        if kind.tz is not None:
            values = _in_zone(column, per)
        else:
            bounds = (_SECONDS[0] * per, _SECONDS[1] * per)
            values = _numpy_values(column, "int64", f"datetime64[{kind.unit}]", bounds)
    elif pa.types.is_duration(kind) and kind.unit == "us":  # timedelta holds any int64 µs
        values = _numpy_values(column, "int64", "timedelta64[us]", None)
    elif pa.types.is_decimal(kind) and kind.scale >= 0:
        import pyarrow.compute as pc

        texts = pc.cast(column, pa.string()).to_pylist()
        return [None if t is None else Decimal(t) for t in texts]
    return column.to_pylist() if values is None else values


@cache
def _numpy() -> Any:
    """numpy, or None: pyarrow 16+ installs without it, and no extra but a few requires it
    (without it every column takes ``to_pylist``: slower, the same values)."""
    try:
        import numpy
    except ImportError:
        return None
    return numpy


def _numpy_values(
    column: pa.Array, storage: str, numpy_type: str, bounds: tuple[int, int] | None
) -> list[Any] | None:
    """The values buffer read as ``numpy_type`` and listed in C; nulls put back as None.

    None when numpy is missing or a valid value lies outside ``bounds`` (the caller takes
    ``to_pylist``). The
    bounds are checked with numpy on the same buffer, not ``pyarrow.compute``: importing that
    costs a cold first row ~25 ms.
    """
    np = _numpy()
    if np is None:
        return None
    validity, data = column.buffers()[:2]
    if data is None or len(column) == 0:
        return column.to_pylist()
    width = np.dtype(storage).itemsize
    raw = np.frombuffer(data, dtype=storage, count=len(column), offset=column.offset * width)
    valid = None
    if column.null_count:
        bits = np.unpackbits(np.frombuffer(validity, np.uint8), bitorder="little")
        valid = bits[column.offset : column.offset + len(column)]
    if bounds is not None:
        present = raw if valid is None else raw[valid.astype(bool)]
        if present.size and (present.min() < bounds[0] or present.max() > bounds[1]):
            return None
    values: list[Any] = raw.astype(numpy_type).tolist()
    if valid is not None:
        for index in np.flatnonzero(valid == 0).tolist():
            values[index] = None
    return values


def _in_zone(column: pa.Array, per: int) -> list[Any] | None:
    """Aware datetimes as pyarrow gives them (its tzinfo object, the column's wall time), built
    in C from their pickle state (``datetime(state, tzinfo)``, the constructor ``pickle`` uses):
    ``replace(tzinfo=...)`` on a naive value costs ~0.8 µs, the state ~0.1 µs. The states (UTC
    fields) are computed by numpy; a non-UTC zone then shifts each value with ``fromutc``.

    None when numpy is missing or a valid value lies outside datetime's range (the caller
    takes ``to_pylist``).
    """
    np = _numpy()
    if np is None:
        return None
    validity, data = column.buffers()[:2]
    size = len(column)
    if data is None or size == 0 or column.null_count == size:
        return column.to_pylist()
    raw = np.frombuffer(data, dtype="int64", count=size, offset=column.offset * 8)
    valid = None
    if column.null_count:
        bits = np.unpackbits(np.frombuffer(validity, np.uint8), bitorder="little")
        valid = bits[column.offset : column.offset + size].astype(bool)
        raw = np.where(valid, raw, 0)  # a null's slot holds anything: read it as the epoch
    low, high = _SECONDS[0] * per, _SECONDS[1] * per
    if raw.min() < low or raw.max() > high:
        return None
    micros = raw * (1_000_000 // per)
    days, rest = np.divmod(micros, 86_400_000_000)
    day = days.astype("datetime64[D]")
    month = day.astype("datetime64[M]")
    year = month.astype("datetime64[Y]")
    state = np.empty((size, 10), np.uint8)  # datetime's pickle state, big-endian fields
    years = year.astype(np.int64) + 1970
    state[:, 0], state[:, 1] = years >> 8, years & 0xFF
    state[:, 2] = (month - year.astype("datetime64[M]")).astype(np.int64) + 1
    state[:, 3] = (day - month.astype("datetime64[D]")).astype(np.int64) + 1
    seconds, micro = np.divmod(rest, 1_000_000)
    state[:, 4], state[:, 5], state[:, 6] = seconds // 3600, seconds // 60 % 60, seconds % 60
    state[:, 7], state[:, 8], state[:, 9] = micro >> 16, (micro >> 8) & 0xFF, micro & 0xFF
    first = 0 if valid is None else int(np.argmax(valid))
    zone = column[first].as_py().tzinfo  # pyarrow's tzinfo object for the column's zone
    values: list[Any] = list(map(_from_state, state.view("V10").ravel().tolist(), repeat(zone)))
    if not _is_utc(zone):
        values = list(map(zone.fromutc, values))
    if valid is not None:
        for index in np.flatnonzero(~valid).tolist():
            values[index] = None
    return values


def _is_utc(zone: Any) -> bool:
    """Whether ``fromutc`` leaves every value as it is (UTC or a zero fixed offset)."""
    if getattr(zone, "key", None) in ("UTC", "Etc/UTC"):
        return True
    return isinstance(zone, timezone) and zone.utcoffset(None) == timedelta(0)
