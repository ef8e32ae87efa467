"""A record batch as DataRow messages, built column-wise in Arrow and numpy, not row by row.

Each value becomes its text (or binary) form in one Arrow compute call per column; the 4-byte
length prefixes and each row's header are numpy arrays; ``binary_join_element_wise`` then lays
every row out, so the finished messages are one contiguous Arrow buffer. Types without a
vectorised text form (timestamps with a zone, bytea, nested values, ...) go through the
per-value encoders of ``types.py`` for that column only.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from sqlgate.gateway import types as pgtypes

_FRACTION_ZEROS = r"\.?0+$"


def text_values(column: pa.Array) -> pa.Array:
    """The column's PostgreSQL text forms as an Arrow binary array (nulls kept)."""
    t = column.type
    if pa.types.is_dictionary(t):
        column = column.dictionary_decode()
        t = column.type
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return column.cast(pa.binary())
    if pa.types.is_integer(t) or pa.types.is_decimal(t) or pa.types.is_date(t):
        return pc.cast(column, pa.string()).cast(pa.binary())
    if pa.types.is_floating(t):
        text = pc.cast(column, pa.string())
        finite = pc.is_finite(column)
        if not pc.all(finite).as_py():  # rare: spell NaN and infinities as PostgreSQL does
            word = pc.if_else(
                pc.is_nan(column),
                "NaN",
                pc.if_else(pc.greater(column, 0), "Infinity", "-Infinity"),
            )
            text = pc.if_else(finite, text, word)
        return text.cast(pa.binary())
    if pa.types.is_boolean(t):
        return pc.if_else(column, b"t", b"f")
    if pa.types.is_timestamp(t) and t.tz is None:
        text = pc.cast(column, pa.string())  # "2026-01-01 10:00:00.500000"
        return _trim_fraction(text).cast(pa.binary())
    return pa.array(pgtypes.text_column(column), pa.binary())


def _trim_fraction(text: pa.Array) -> pa.Array:
    """``10:00:00.500000`` -> ``10:00:00.5``, ``10:00:00.000000`` -> ``10:00:00``, as PG."""
    has_fraction = pc.match_substring_regex(text, r"\.\d+$")
    trimmed = pc.replace_substring_regex(text, r"0+$", "")
    trimmed = pc.replace_substring_regex(trimmed, r"\.$", "")
    return pc.if_else(has_fraction, trimmed, text)


def format_of(formats: Sequence[int], index: int) -> int:
    """Bind's result-format rule: none = all text, one = all that, else one per column."""
    if not formats:
        return 0
    return formats[0] if len(formats) == 1 else formats[index]


def _be32(values: np.ndarray) -> pa.Array:
    """int32 values as 4-byte big-endian binary values."""
    data = values.astype(">i4").tobytes()
    return pa.FixedSizeBinaryArray.from_buffers(
        pa.binary(4), len(values), [None, pa.py_buffer(data)]
    )


def encode_batch(batch: pa.RecordBatch, oids: Sequence[int], formats: Sequence[int]) -> bytes:
    """DataRow messages for every row of ``batch``."""
    rows = batch.num_rows
    if rows == 0:
        return b""
    ncols = batch.num_columns
    total = np.full(rows, 4 + 2, dtype=np.int64)
    pieces: list[pa.Array] = []
    for index, column in enumerate(batch.columns):
        if format_of(formats, index) == 1:
            values = pa.array(pgtypes.binary_column(column, oids[index]), pa.binary())
        else:
            values = text_values(column)
        lengths = pc.binary_length(values).to_numpy(zero_copy_only=False)
        is_null = np.asarray(values.is_null().to_numpy(zero_copy_only=False), dtype=bool)
        lengths = np.where(is_null, -1, np.nan_to_num(lengths, nan=0)).astype(np.int64)
        total += 4 + np.maximum(lengths, 0)
        pieces.append(_be32(lengths).cast(pa.binary()))
        pieces.append(values.fill_null(b""))
    if np.any(total > 0x7FFFFFFF):
        raise ValueError("a row is larger than a PostgreSQL message may be")
    header = np.empty(rows, dtype=[("kind", "S1"), ("length", ">i4"), ("count", ">i2")])
    header["kind"] = b"D"
    header["length"] = total
    header["count"] = ncols
    head = pa.FixedSizeBinaryArray.from_buffers(
        pa.binary(7), rows, [None, pa.py_buffer(header.tobytes())]
    ).cast(pa.binary())
    return contiguous_bytes(pc.binary_join_element_wise(head, *pieces, b""))


def contiguous_bytes(joined: pa.Array) -> bytes:
    """All values of a binary array, back to back: one slice of its data buffer, no copy
    per value."""
    offsets, data = joined.buffers()[1], joined.buffers()[2]
    if data is None or len(joined) == 0:
        return b""
    ends = np.frombuffer(offsets, dtype=np.int32)[[joined.offset, joined.offset + len(joined)]]
    return data.slice(int(ends[0]), int(ends[1] - ends[0])).to_pybytes()
