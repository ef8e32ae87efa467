"""Arrow types as PostgreSQL type OIDs, and column values in PostgreSQL's text/binary formats.

The gateway reads every result as Arrow record batches (sqlgate's one typed view of all
sources), so one table maps all of them. Whole columns are encoded at once: pyarrow's casts
do the number and date formatting in C; Python handles only what PostgreSQL writes
differently (booleans, infinities, bytea, timestamps without trailing zeros, nested values).
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import struct
from collections.abc import Callable, Sequence
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from sqlgate.core import errors

BOOL, BYTEA, INT8, INT2, INT4, TEXT, JSON = 16, 17, 20, 21, 23, 25, 114
FLOAT4, FLOAT8, VARCHAR, DATE, TIME, TIMESTAMP = 700, 701, 1043, 1082, 1083, 1114
TIMESTAMPTZ, INTERVAL, NUMERIC, UUID, UNKNOWN = 1184, 1186, 1700, 2950, 705

#: OID -> (type name, typlen) for RowDescription and the emulated pg_type
TYPES: dict[int, tuple[str, int]] = {
    BOOL: ("bool", 1),
    BYTEA: ("bytea", -1),
    INT8: ("int8", 8),
    INT2: ("int2", 2),
    INT4: ("int4", 4),
    TEXT: ("text", -1),
    JSON: ("json", -1),
    FLOAT4: ("float4", 4),
    FLOAT8: ("float8", 8),
    VARCHAR: ("varchar", -1),
    DATE: ("date", 4),
    TIME: ("time", 8),
    TIMESTAMP: ("timestamp", 8),
    TIMESTAMPTZ: ("timestamptz", 8),
    INTERVAL: ("interval", 16),
    NUMERIC: ("numeric", -1),
    UUID: ("uuid", 16),
}

_PG_EPOCH = dt.datetime(2000, 1, 1)
_PG_EPOCH_DATE = dt.date(2000, 1, 1)


def oid_of(arrow_type: pa.DataType) -> int:
    """The PostgreSQL type a client should see for an Arrow column."""
    t = arrow_type
    if pa.types.is_dictionary(t):
        return oid_of(t.value_type)
    checks: list[tuple[Callable[[pa.DataType], bool], int]] = [
        (pa.types.is_boolean, BOOL),
        (lambda x: x in (pa.int8(), pa.uint8(), pa.int16()), INT2),
        (lambda x: x in (pa.uint16(), pa.int32()), INT4),
        (lambda x: x in (pa.uint32(), pa.int64()), INT8),
        (lambda x: x == pa.uint64(), NUMERIC),
        (lambda x: x in (pa.float16(), pa.float32()), FLOAT4),
        (pa.types.is_float64, FLOAT8),
        (pa.types.is_decimal, NUMERIC),
        (pa.types.is_date, DATE),
        (pa.types.is_time, TIME),
        (lambda x: pa.types.is_timestamp(x) and x.tz is None, TIMESTAMP),
        (pa.types.is_timestamp, TIMESTAMPTZ),
        (pa.types.is_duration, INTERVAL),
        (lambda x: pa.types.is_binary(x) or pa.types.is_large_binary(x), BYTEA),
        (pa.types.is_fixed_size_binary, BYTEA),
        (lambda x: pa.types.is_nested(x), JSON),
    ]
    for check, oid in checks:
        if check(t):
            return oid
    return TEXT


def typmod_of(arrow_type: pa.DataType) -> int:
    """The type modifier clients read precision and scale from: NUMERIC(p,s) only."""
    if pa.types.is_decimal(arrow_type):
        return ((arrow_type.precision << 16) | arrow_type.scale) + 4
    return -1


def type_size(oid: int) -> int:
    return TYPES.get(oid, ("text", -1))[1]


# -- text format ----------------------------------------------------------------------------
def _encode_strs(values: Sequence[str | None]) -> list[bytes | None]:
    return [None if v is None else v.encode("utf-8") for v in values]


_FLOAT_WORDS = {"inf": "Infinity", "-inf": "-Infinity", "nan": "NaN"}


def _text_float(column: pa.Array) -> list[bytes | None]:
    texts = pc.cast(column, pa.string()).to_pylist()
    return _encode_strs([None if v is None else _FLOAT_WORDS.get(v, v) for v in texts])


def _trim_fraction(text: str) -> str:
    """``10:00:00.500000+00:00`` -> ``10:00:00.5+00:00``: PostgreSQL drops trailing zeros."""
    head, dot, rest = text.partition(".")
    if not dot:
        return text
    digits = rest[: len(rest) - len(rest.lstrip("0123456789"))]
    zone = rest[len(digits) :]
    digits = digits.rstrip("0")
    return f"{head}.{digits}{zone}" if digits else head + zone


def _text_python(value: Any) -> str:
    """PostgreSQL's text form of one Python value (the rare and nested types)."""
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, dt.datetime):
        return _trim_fraction(value.isoformat(sep=" "))
    if isinstance(value, dt.time):
        return _trim_fraction(value.isoformat())
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return f"{value.days} days {value.seconds} seconds {value.microseconds} microseconds"
    if isinstance(value, (bytes, bytearray, memoryview)):
        return "\\x" + bytes(value).hex()
    if isinstance(value, (list, dict, tuple)):
        return json.dumps(value, default=str, ensure_ascii=False)
    return str(value)


def text_column(column: pa.Array) -> list[bytes | None]:
    """One column in text format, NULL as ``None``."""
    t = column.type
    if pa.types.is_dictionary(t):
        column = column.dictionary_decode()
        t = column.type
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return _encode_strs(column.to_pylist())
    if pa.types.is_integer(t) or pa.types.is_decimal(t) or pa.types.is_date(t):
        return _encode_strs(pc.cast(column, pa.string()).to_pylist())
    if pa.types.is_floating(t):
        return _text_float(column)
    if pa.types.is_boolean(t):
        return [None if v is None else (b"t" if v else b"f") for v in column.to_pylist()]
    return _encode_strs([None if v is None else _text_python(v) for v in column.to_pylist()])


# -- binary format --------------------------------------------------------------------------
def _packer(fmt: str) -> Callable[[Any], bytes]:
    return struct.Struct(fmt).pack


_BINARY: dict[int, Callable[[Any], bytes]] = {
    BOOL: lambda v: b"\x01" if v else b"\x00",
    INT2: _packer("!h"),
    INT4: _packer("!i"),
    INT8: _packer("!q"),
    FLOAT4: _packer("!f"),
    FLOAT8: _packer("!d"),
    BYTEA: bytes,
    TEXT: lambda v: str(v).encode("utf-8"),
    VARCHAR: lambda v: str(v).encode("utf-8"),
    DATE: lambda v: struct.pack("!i", (v - _PG_EPOCH_DATE).days),
    TIMESTAMP: lambda v: struct.pack("!q", (v - _PG_EPOCH) // dt.timedelta(microseconds=1)),
}


def binary_supported(oid: int) -> bool:
    return oid in _BINARY


def binary_column(column: pa.Array, oid: int) -> list[bytes | None]:
    """One column in binary format; the caller checked :func:`binary_supported`."""
    pack = _BINARY[oid]
    if pa.types.is_dictionary(column.type):
        column = column.dictionary_decode()
    return [None if v is None else pack(v) for v in column.to_pylist()]


# -- parameters -----------------------------------------------------------------------------
def _text_bool(text: str) -> bool:
    return text.strip().lower() in ("t", "true", "1", "on", "yes", "y")


_TEXT_PARAM: dict[int, Callable[[str], Any]] = {
    BOOL: _text_bool,
    INT2: int,
    INT4: int,
    INT8: int,
    FLOAT4: float,
    FLOAT8: float,
    NUMERIC: decimal.Decimal,
    DATE: dt.date.fromisoformat,
    TIMESTAMP: dt.datetime.fromisoformat,
    TIMESTAMPTZ: dt.datetime.fromisoformat,
}
_BINARY_PARAM: dict[int, Callable[[bytes], Any]] = {
    BOOL: lambda b: b != b"\x00",
    INT2: lambda b: struct.unpack("!h", b)[0],
    INT4: lambda b: struct.unpack("!i", b)[0],
    INT8: lambda b: struct.unpack("!q", b)[0],
    FLOAT4: lambda b: struct.unpack("!f", b)[0],
    FLOAT8: lambda b: struct.unpack("!d", b)[0],
    BYTEA: bytes,
    TEXT: lambda b: b.decode("utf-8"),
    VARCHAR: lambda b: b.decode("utf-8"),
    UNKNOWN: lambda b: b.decode("utf-8"),
    0: lambda b: b.decode("utf-8"),
}


def decode_parameter(raw: bytes | None, oid: int, binary: bool) -> Any:
    """A Bind value as the Python value the source's driver should receive."""
    if raw is None:
        return None
    try:
        if binary:
            if oid not in _BINARY_PARAM:
                raise errors.NotSupportedError(
                    f"binary parameters of type OID {oid} are not supported; send them as text"
                )
            return _BINARY_PARAM[oid](raw)
        text = raw.decode("utf-8")
        if oid == BYTEA and text.startswith("\\x"):
            return bytes.fromhex(text[2:])
        return _TEXT_PARAM.get(oid, str)(text)
    except (ValueError, struct.error, decimal.InvalidOperation) as exc:
        raise errors.DataError(f"invalid value for parameter of type OID {oid}: {exc}") from exc
