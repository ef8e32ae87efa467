"""Arrow batches as Python rows, exactly as ``to_pylist`` gives them, built in C where pyarrow
builds them one value at a time (dates, timestamps, durations, decimals): rows are a view
over the batches, and fetching them must not cost more than the engine producing them.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pyarrow as pa


def batch_to_rows(batch: pa.RecordBatch) -> list[tuple[Any, ...]]:
    """Column-wise conversion (:func:`column_values`), zipped into tuples in C."""
    columns = [column_values(column) for column in batch.columns]
    return list(zip(*columns, strict=True)) if columns else []


#: datetime's range in days and seconds, pulled in by two days so no zone's offset leaves it
_DAYS = (-719_162 + 2, 2_932_896 - 2)
_SECONDS = (-62_135_596_800 + 172_800, 253_402_300_799 - 172_800)
_PER_SECOND = {"s": 1, "ms": 1_000, "us": 1_000_000}


def column_values(column: pa.Array) -> list[Any]:
    """One column as Python values, exactly those of ``column.to_pylist()``, faster.

    pyarrow builds temporal and decimal values one scalar at a time (~1 µs each); numpy builds
    dates, datetimes and timedeltas in C from the Arrow buffer (``to_numpy`` would import
    pandas, too slow for a cold first row), ``Decimal`` parses pyarrow's text of a decimal.
    Anything else, or a value outside datetime's range, takes ``to_pylist``.
    """
    kind = column.type
    values: list[Any] | None = None
    if pa.types.is_date32(kind):
        values = _numpy_values(column, "int32", "datetime64[D]", _DAYS)
    elif pa.types.is_timestamp(kind) and kind.unit in _PER_SECOND:
        per = _PER_SECOND[kind.unit]
        bounds = (_SECONDS[0] * per, _SECONDS[1] * per)
        values = _numpy_values(column, "int64", f"datetime64[{kind.unit}]", bounds)
        if values is not None and kind.tz is not None:
            return _in_zone(values, column)
    elif pa.types.is_duration(kind) and kind.unit == "us":  # timedelta holds any int64 µs
        values = _numpy_values(column, "int64", "timedelta64[us]", None)
    elif pa.types.is_decimal(kind) and kind.scale >= 0:
        import pyarrow.compute as pc

        texts = pc.cast(column, pa.string()).to_pylist()
        return [None if t is None else Decimal(t) for t in texts]
    return column.to_pylist() if values is None else values


def _numpy_values(
    column: pa.Array, storage: str, numpy_type: str, bounds: tuple[int, int] | None
) -> list[Any] | None:
    """The values buffer read as ``numpy_type`` and listed in C; nulls put back as None.

    None when a valid value lies outside ``bounds`` (the caller takes ``to_pylist``). The
    bounds are checked with numpy on the same buffer, not ``pyarrow.compute``: importing that
    costs a cold first row ~25 ms.
    """
    import numpy as np

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


def _in_zone(values: list[Any], column: pa.Array) -> list[Any]:
    """Naive UTC datetimes as pyarrow gives them: in the column's zone, its own tzinfo."""
    first = next((i for i, v in enumerate(values) if v is not None), None)
    if first is None:
        return values
    zone = column[first].as_py().tzinfo  # pyarrow's tzinfo object for the column's zone
    from_utc = zone.fromutc
    return [None if v is None else from_utc(v.replace(tzinfo=zone)) for v in values]
