"""Databricks SQL types: the manifest's type text to Arrow, SQLAlchemy and PEP 249, and
result values (JSON_ARRAY strings or Arrow IPC columns) to exactly those Arrow types.

The Statement Execution API describes each column by ``type_text`` (``DECIMAL(10,2)``,
``STRUCT<a: INT, b: ARRAY<STRING>>``, ``TIMESTAMP_NTZ``, ``INTERVAL DAY TO SECOND``). It is
parsed by sqlglot's ``databricks`` dialect, which also reads the DuckDB spellings minilake
reports (``INTEGER[]``, ``STRUCT(x INTEGER)``). In ``JSON_ARRAY`` every value is a string (a
nested value is its JSON text); in ``ARROW_STREAM`` a column may arrive as text too. Both are
*conformed* to the manifest's Arrow type here, so a result has one schema however it came.
Databricks ``TIMESTAMP`` is an instant (Arrow ``timestamp[us, UTC]``), ``TIMESTAMP_NTZ`` a
wall-clock time (naive), ``VARIANT`` its JSON text.
"""

from __future__ import annotations

import base64
import datetime
import decimal
import json
import re
from collections.abc import Sequence
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import sqlalchemy.types as sat

from sqlgate.core import errors
from sqlgate.core.results import Column
from sqlgate.core.typemap import STANDARD_NUMBERS, TypeMap
from sqlgate.core.types import DATETIME
from sqlgate.core.types_entries import (
    ARRAY_OF,
    BLOB,
    CHAR,
    DATE,
    I128,
    JSON,
    MAP_OF,
    NULL,
    STR,
    STRUCT_OF,
    TEXT,
    TS,
    TSTZ,
    VARCHAR,
    TypeEntry,
)
from sqlgate.core.types_entries import (
    decimal as decimal_entry,
)
from sqlgate.core.types_parse import TypeParseError

#: Databricks intervals as Arrow's month/day/nanosecond interval (SQLAlchemy ``Interval``)
INTERVAL = TypeEntry(
    lambda n, m: pa.month_day_nano_interval(), lambda n, m: sat.Interval(), DATETIME
)

DATABRICKS_TYPES = TypeMap(
    {"variant": JSON, "void": NULL, "geography": STR, "geometry": STR},
    kinds={
        **STANDARD_NUMBERS,
        **{"int128": I128, "decimal": decimal_entry(10, 0)},
        **{"text": TEXT, "varchar": VARCHAR, "char": CHAR, "binary": BLOB, "varbinary": BLOB},
        **{"date": DATE, "timestamp": TSTZ, "timestamptz": TSTZ, "timestampntz": TS},
        **{"timestampltz": TSTZ, "interval": INTERVAL, "array": ARRAY_OF, "map": MAP_OF},
        **{"struct": STRUCT_OF, "null": NULL, "variant": JSON, "json": JSON, "uuid": STR},
    },
    dialect="databricks",
    name="databricks",
)


def type_code(type_text: str | None) -> str:
    """The PEP 249 type code of a column: its type as Databricks spells it."""
    if not type_text:
        return "STRING"
    try:
        return DATABRICKS_TYPES.parse(type_text).sql("databricks")
    except TypeParseError:
        return type_text


def describe(columns: Sequence[dict[str, Any]], schema: pa.Schema) -> tuple[Column, ...]:
    """PEP 249 descriptions from the manifest's columns and their Arrow types."""
    out = []
    for info, field in zip(columns, schema, strict=True):
        arrow = field.type
        out.append(
            Column(
                field.name,
                type_code(info.get("type_text") or info.get("type_name")),
                None,
                None,
                getattr(arrow, "precision", None),
                getattr(arrow, "scale", None),
                True,
            )
        )
    return tuple(out)


def manifest_schema(columns: Sequence[dict[str, Any]]) -> pa.Schema:
    """The Arrow schema the manifest promises (unknown types: string, with a warning)."""
    fields = []
    for info in columns:
        text = info.get("type_text") or info.get("type_name") or "STRING"
        fields.append(pa.field(str(info.get("name", "")), DATABRICKS_TYPES.to_arrow(text)))
    return pa.schema(fields)


# -- values ------------------------------------------------------------------------------------
_INTERVAL_LITERAL = re.compile(r"(?is)\s*INTERVAL\s*'(?P<body>[^']*)'\s*(?P<unit>[A-Z ]+)?\s*")
_YEAR_MONTH = re.compile(r"(?P<sign>[-+]?)(?P<y>\d+)-(?P<m>\d+)")
_DAY_TIME = re.compile(
    r"(?P<sign>[-+]?)(?:(?P<d>\d+)\s+)?(?P<h>\d+):(?P<mi>\d+)(?::(?P<s>\d+)(?:\.(?P<f>\d{1,9}))?)?"
)
_NANOS = {"DAY": 86_400 * 10**9, "HOUR": 3_600 * 10**9, "MINUTE": 60 * 10**9, "SECOND": 10**9}


def parse_interval(text: str) -> pa.MonthDayNano:
    """``1-2`` (year-month), ``1 02:03:04.5`` (day-time), ``INTERVAL '3' DAY``, or the
    ANSI literal of either, as a month/day/nanosecond triple."""
    literal = _INTERVAL_LITERAL.fullmatch(text)
    body, unit = (
        (literal["body"], (literal["unit"] or "").upper().split()) if literal else (text, [])
    )
    body = body.strip()
    if (ym := _YEAR_MONTH.fullmatch(body)) is not None:
        months = int(ym["y"]) * 12 + int(ym["m"])
        return pa.MonthDayNano([-months if ym["sign"] == "-" else months, 0, 0])
    if (dt := _DAY_TIME.fullmatch(body)) is not None:
        fraction = (dt["f"] or "").ljust(9, "0")
        nanos = ((int(dt["h"]) * 60 + int(dt["mi"])) * 60 + int(dt["s"] or 0)) * 10**9
        nanos += int(fraction or 0)
        days = int(dt["d"] or 0)
        sign = -1 if dt["sign"] == "-" else 1
        return pa.MonthDayNano([0, sign * days, sign * nanos])
    number = re.fullmatch(r"[-+]?\d+(?:\.\d+)?", body)
    if number is not None and unit:
        if unit[0] in ("YEAR", "MONTH"):
            months = int(decimal.Decimal(body) * (12 if unit[0] == "YEAR" else 1))
            return pa.MonthDayNano([months, 0, 0])
        if unit[0] in _NANOS:
            value = decimal.Decimal(body)
            if unit[0] == "DAY" and value == int(value):
                return pa.MonthDayNano([0, int(value), 0])
            return pa.MonthDayNano([0, 0, int(value * _NANOS[unit[0]])])
    raise ValueError(f"not an interval: {text!r}")


def _timestamp(value: Any, zoned: bool) -> datetime.datetime:
    if isinstance(value, datetime.datetime):
        stamp = value
    else:
        stamp = datetime.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if zoned and stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=datetime.timezone.utc)
    return stamp


def python_value(value: Any, arrow_type: pa.DataType) -> Any:
    """One JSON value (text, or an already decoded JSON member) as the Python value Arrow
    builds ``arrow_type`` from; nested values recurse."""
    if value is None:
        return None
    if (
        pa.types.is_struct(arrow_type)
        or pa.types.is_map(arrow_type)
        or pa.types.is_list(arrow_type)
    ):
        if isinstance(value, str):
            value = json.loads(value)
        if pa.types.is_struct(arrow_type):
            return {f.name: python_value(value.get(f.name), f.type) for f in arrow_type}
        if pa.types.is_map(arrow_type):
            pairs = value.items() if isinstance(value, dict) else value
            key_t, item_t = arrow_type.key_type, arrow_type.item_type
            return [(python_value(k, key_t), python_value(v, item_t)) for k, v in pairs]
        return [python_value(v, arrow_type.value_type) for v in value]
    if pa.types.is_string(arrow_type):
        return value if isinstance(value, str) else json.dumps(value)
    if pa.types.is_boolean(arrow_type):
        return value if isinstance(value, bool) else str(value).lower() == "true"
    if pa.types.is_integer(arrow_type):
        return int(value)
    if pa.types.is_floating(arrow_type):
        return float(value)
    if pa.types.is_decimal(arrow_type):
        return decimal.Decimal(str(value))
    if pa.types.is_date(arrow_type):
        return datetime.date.fromisoformat(str(value)[:10])
    if pa.types.is_timestamp(arrow_type):
        return _timestamp(value, arrow_type.tz is not None)
    if pa.types.is_binary(arrow_type):
        return base64.b64decode(value) if isinstance(value, str) else bytes(value)
    if arrow_type == pa.month_day_nano_interval():
        return parse_interval(str(value))
    return value


def _column(values: Sequence[Any], arrow_type: pa.DataType) -> pa.Array:
    """Scalars through Arrow's own casts (C speed); what they cannot read, value by value."""
    if pa.types.is_string(arrow_type) and all(v is None or isinstance(v, str) for v in values):
        return pa.array(values, pa.string())
    if not pa.types.is_nested(arrow_type) and not pa.types.is_binary(arrow_type):
        text = pa.array([None if v is None else str(v) for v in values], pa.string())
        try:
            return _cast_text(text, arrow_type)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
            pass  # e.g. a naive timestamp text for a zoned column: the slow path reads it
    return pa.array([python_value(v, arrow_type) for v in values], arrow_type)


def _cast_text(text: pa.Array, arrow_type: pa.DataType) -> pa.Array:
    if pa.types.is_boolean(arrow_type):
        return pc.equal(pc.utf8_lower(text), "true")
    if arrow_type == pa.month_day_nano_interval():
        raise pa.ArrowNotImplementedError("intervals are parsed in Python")
    return text.cast(arrow_type)


#: what reading a value that does not fit its column raises (Decimal's InvalidOperation is
#: an ArithmeticError)
_MISFITS = (ValueError, TypeError, AttributeError, KeyError, ArithmeticError, pa.ArrowException)


def rows_to_batch(rows: Sequence[Sequence[Any]], schema: pa.Schema) -> pa.RecordBatch:
    """A ``JSON_ARRAY`` chunk as a record batch of the manifest's schema."""
    arrays = []
    for index, field in enumerate(schema):
        values = [row[index] for row in rows]
        try:
            arrays.append(_column(values, field.type))
        except _MISFITS as exc:
            raise _misfit(field, exc) from exc
    return pa.RecordBatch.from_arrays(arrays, schema=schema)


def conform(batch: pa.RecordBatch, schema: pa.Schema) -> pa.RecordBatch:
    """An ``ARROW_STREAM`` batch as the manifest's schema: matching columns pass untouched,
    text columns are read like ``JSON_ARRAY`` values, others are cast."""
    if batch.schema.equals(schema):
        return batch
    if batch.num_columns != len(schema):
        raise errors.OperationalError(
            f"a result chunk has {batch.num_columns} columns, the manifest {len(schema)}"
        )
    arrays = []
    for column, field in zip(batch.columns, schema, strict=True):
        if column.type == field.type:
            arrays.append(column)
            continue
        try:
            if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
                arrays.append(_column(column.to_pylist(), field.type))
            else:
                arrays.append(column.cast(field.type))
        except _MISFITS as exc:
            raise _misfit(field, exc) from exc
    return pa.RecordBatch.from_arrays(arrays, schema=schema)


def _misfit(field: pa.Field, exc: BaseException) -> errors.DataError:
    return errors.DataError(
        f"column {field.name!r}: a value does not read as {field.type}, the type the result's "
        f"manifest gives ({type(exc).__name__}: {str(exc)[:120]}); select the column as text "
        "(CAST(... AS STRING)) to read every value exactly"
    )


def parameter(name: str, value: Any) -> dict[str, Any]:
    """One named statement parameter: its value as text and its Databricks type. The text
    travels apart from the statement; the server binds it (never spliced)."""
    if isinstance(value, bool):
        return {"name": name, "value": "true" if value else "false", "type": "BOOLEAN"}
    if isinstance(value, int):
        kind = "INT" if -(2**31) <= value < 2**31 else "BIGINT"
        return {"name": name, "value": str(value), "type": kind}
    if isinstance(value, float):
        return {"name": name, "value": repr(value), "type": "DOUBLE"}
    if isinstance(value, decimal.Decimal):
        _sign, digits, exponent = value.as_tuple()
        scale = max(0, -int(exponent)) if isinstance(exponent, int) else 0
        precision = max(len(digits), scale, 1)
        return {
            "name": name,
            "value": format(value, "f"),
            "type": f"DECIMAL({precision},{scale})",
        }
    if isinstance(value, datetime.datetime):
        kind = "TIMESTAMP_NTZ" if value.tzinfo is None else "TIMESTAMP"
        return {"name": name, "value": value.isoformat(), "type": kind}
    if isinstance(value, datetime.date):
        return {"name": name, "value": value.isoformat(), "type": "DATE"}
    if value is None:
        return {"name": name, "type": "VOID"}
    if isinstance(value, str):
        return {"name": name, "value": value, "type": "STRING"}
    raise errors.ProgrammingError(
        f"parameter {name!r}: values of type {type(value).__name__} cannot be sent as a "
        "Databricks statement parameter (use str, int, float, Decimal, bool, date, datetime "
        "or None)"
    )


def sqlalchemy_type(type_text: str) -> sat.TypeEngine:
    """Reflection: a column's ``full_data_type`` as a SQLAlchemy type."""
    return DATABRICKS_TYPES.to_sqlalchemy(type_text)


__all__ = [
    "DATABRICKS_TYPES",
    "conform",
    "describe",
    "manifest_schema",
    "parameter",
    "parse_interval",
    "python_value",
    "rows_to_batch",
    "sqlalchemy_type",
    "type_code",
]
