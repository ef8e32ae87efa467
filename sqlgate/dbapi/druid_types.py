"""Druid's column types: the SQL types header to Arrow, JSON values to Arrow, SQLAlchemy.

Druid names each result column twice (``typesHeader``: its runtime type, ``LONG``, ``STRING``,
``ARRAY<STRING>``, ``COMPLEX<hyperUnique>``; ``sqlTypesHeader``: its SQL type, ``BIGINT``,
``VARCHAR``, ``VARCHAR ARRAY``, ``OTHER``). The Arrow type comes from those headers, never from
the values (pydruid guesses types from the first row). Two things the headers cannot say:

* a *multi-value* dimension is typed ``STRING``/``VARCHAR`` although its values arrive as JSON
  arrays; such a column becomes ``list<string>`` when named in ``?multi_value=`` or when the
  first batch shows an array in it (a scalar value becomes a one-element list);
* a ``COMPLEX<...>`` value (a sketch) has no SQL form: it is kept as its JSON text.

Timestamps arrive as ISO 8601 text in the query's ``sqlTimeZone`` and become
``timestamp[ms, tz=<sqlTimeZone>]`` (``__time`` is a point in time, not a wall-clock reading).
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

import pyarrow as pa
import sqlalchemy.types as sat

from sqlgate.core import errors
from sqlgate.core.results import Column, text_form

_INTS = frozenset({"BIGINT", "INTEGER", "SMALLINT", "TINYINT"})
_FLOATS = {
    "DOUBLE": pa.float64(),
    "DECIMAL": pa.float64(),
    "FLOAT": pa.float32(),
    "REAL": pa.float32(),
}
_SCALARS: dict[str, pa.DataType] = {
    **{name: pa.int64() for name in _INTS},
    **_FLOATS,
    "BOOLEAN": pa.bool_(),
    "VARCHAR": pa.string(),
    "CHAR": pa.string(),
    "DATE": pa.date32(),
}


@dataclass(frozen=True)
class DruidColumn:
    """One result column as the response headers describe it."""

    name: str
    native_type: str  # LONG, STRING, ARRAY<STRING>, COMPLEX<hyperUnique> ...
    sql_type: str  # BIGINT, VARCHAR, VARCHAR ARRAY, OTHER ...

    @property
    def is_string(self) -> bool:
        return self.sql_type.upper() in ("VARCHAR", "CHAR") and self.native_type.upper() == "STRING"


def arrow_type(column: DruidColumn, time_zone: str, multi_value: bool = False) -> pa.DataType:
    """The Arrow type of a column from its SQL type (its runtime type for ``COMPLEX``)."""
    sql = " ".join(column.sql_type.upper().split())
    if multi_value and column.is_string:
        return pa.list_(pa.string())
    if sql == "TIMESTAMP":
        return pa.timestamp("ms", tz=time_zone)
    if sql == "ARRAY" or sql.endswith(" ARRAY"):
        element = DruidColumn(column.name, "", element_sql_type(column))
        return pa.list_(arrow_type(element, time_zone))
    if sql in _SCALARS:
        return _SCALARS[sql]
    return pa.string()  # OTHER / COMPLEX<...>, NULL, anything newer: the value's JSON text


#: an ARRAY's element, from the runtime type (``ARRAY<LONG>``) to the SQL type name
_ELEMENTS = {"STRING": "VARCHAR", "LONG": "BIGINT", "DOUBLE": "DOUBLE", "FLOAT": "FLOAT"}


def element_sql_type(column: DruidColumn) -> str:
    """The SQL type of an ARRAY column's elements. Druid 33's ``sqlTypesHeader`` says only
    ``ARRAY`` (seen on a real Druid), its ``typesHeader`` says ``ARRAY<LONG>``; a newer or
    documented ``BIGINT ARRAY`` is read as well. Unknown elements stay text."""
    sql = " ".join(column.sql_type.upper().split())
    if sql.endswith(" ARRAY"):
        return sql.removesuffix(" ARRAY")
    native = column.native_type.upper()
    if native.startswith("ARRAY<") and native.endswith(">"):
        return _ELEMENTS.get(native[6:-1], "OTHER")
    return "OTHER"


def schema(columns: Sequence[DruidColumn], time_zone: str, multi: Iterable[str]) -> pa.Schema:
    wanted = set(multi)
    return pa.schema(
        [pa.field(c.name, arrow_type(c, time_zone, c.name in wanted)) for c in columns]
    )


def multi_value_columns(columns: Sequence[DruidColumn], rows: Sequence[Sequence[Any]]) -> set[str]:
    """String columns the rows show to be multi-value (a JSON array among their values)."""
    return multi_value_in(columns, transpose(rows, len(columns)))


def multi_value_in(columns: Sequence[DruidColumn], values: Sequence[Sequence[Any]]) -> set[str]:
    """:func:`multi_value_columns` on values already gathered by column."""
    return {
        column.name
        for column, column_values in zip(columns, values, strict=True)
        if column.is_string and any(isinstance(v, list) for v in column_values)
    }


def describe(columns: Sequence[DruidColumn], arrow: pa.Schema) -> tuple[Column, ...]:
    """PEP 249 description: the SQL type name is the type code (``NUMBER == "BIGINT"``);
    a multi-value dimension is described as ``VARCHAR ARRAY``."""
    out = []
    for column, field in zip(columns, arrow, strict=True):
        code = column.sql_type
        if pa.types.is_list(field.type) and column.is_string:
            code = "VARCHAR ARRAY"
        elif pa.types.is_list(field.type):
            code = f"{element_sql_type(column)} ARRAY"
        elif column.sql_type.upper() == "OTHER":
            code = column.native_type or "OTHER"
        out.append(Column(column.name, code, null_ok=True))
    return tuple(out)


def transpose(rows: Sequence[Sequence[Any]], width: int) -> list[list[Any]]:
    """Rows decoded from JSON lines as ``width`` column lists, each gathered in one C-level
    pass; a row of another width is an error."""
    if rows and set(map(len, rows)) != {width}:
        raise errors.OperationalError(
            f"Druid sent a row whose width is not the header's {width} columns"
        )
    return [list(map(itemgetter(i), rows)) for i in range(width)]


def rows_to_batch(rows: Sequence[Sequence[Any]], arrow: pa.Schema) -> pa.RecordBatch:
    """Rows decoded from JSON lines, as one batch of exactly ``arrow``."""
    return columns_to_batch(transpose(rows, len(arrow)), arrow)


def columns_to_batch(values: Sequence[list[Any]], arrow: pa.Schema) -> pa.RecordBatch:
    """Values gathered by column (:func:`transpose`), as one batch of exactly ``arrow``."""
    arrays = [_column(column, field) for column, field in zip(values, arrow, strict=True)]
    return pa.RecordBatch.from_arrays(arrays, schema=arrow)


def _column(values: list[Any], field: pa.Field) -> pa.Array:
    kind = field.type
    try:
        if pa.types.is_timestamp(kind):
            return _timestamps(values, kind)
        if pa.types.is_date32(kind):
            return _dates(values)
        if pa.types.is_list(kind) and pa.types.is_string(kind.value_type):
            return pa.array([_as_list(v) for v in values], kind)
        if pa.types.is_string(kind):
            return _strings(values)
        return pa.array(values, kind)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError, OverflowError) as exc:
        raise errors.DataError(
            f"column {field.name!r}: a value Druid sent does not fit its declared type "
            f"{kind} ({exc})"
        ) from exc


def _strings(values: list[Any]) -> pa.Array:
    """Text as it came; only a column holding something else (a sketch's JSON object, a
    number in an ``OTHER`` column) takes a second pass through :func:`_text`."""
    try:
        return pa.array(values, pa.string())
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return pa.array(
            [v if v is None or isinstance(v, str) else _text(v) for v in values], pa.string()
        )


def _text(value: Any) -> str | None:
    return (
        json.dumps(value, ensure_ascii=False)
        if isinstance(value, (dict, list))
        else text_form(value)
    )


def _as_list(value: Any) -> list[str | None] | None:
    """A multi-value dimension's value: null, one string, or several. Druid sends several as
    the JSON text of their array (``'["a","b"]'``, seen on a real Druid 33, whatever
    ``sqlStringifyArrays`` says), so a text that parses as a JSON array of strings is read as
    one; an actual JSON array is taken as it is."""
    if value is None:
        return None
    if isinstance(value, list):
        return [None if v is None else str(v) for v in value]
    text = str(value)
    if text.startswith("[") and text.endswith("]"):
        try:
            items = json.loads(text)
        except ValueError:
            items = None
        if isinstance(items, list) and all(v is None or isinstance(v, str) for v in items):
            return items
    return [text]


def _timestamps(values: list[Any], kind: pa.TimestampType) -> pa.Array:
    """ISO 8601 text with an offset (``2026-01-01T10:00:00.000Z``) or epoch milliseconds."""
    if all(v is None or isinstance(v, int) for v in values):
        return pa.array(values, pa.int64()).cast(kind)
    try:
        text = pa.array(values, pa.string())
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # epoch numbers among ISO texts
        text = pa.array([None if v is None else str(v) for v in values], pa.string())
    return text.cast(pa.timestamp("ms", tz="UTC")).cast(kind)  # Arrow reads ISO 8601 offsets


def _dates(values: list[Any]) -> pa.Array:
    """A DATE arrives as the midnight that starts it (``2026-01-01T00:00:00.000Z``)."""
    return pa.array(
        [None if v is None else datetime.date.fromisoformat(str(v)[:10]) for v in values],
        pa.date32(),
    )


# -- parameters ----------------------------------------------------------------------------
def parameter(value: Any, time_zone: str = "UTC") -> dict[str, Any]:
    """A typed Druid parameter (``{"type": "BIGINT", "value": 1}``): values travel apart from
    the SQL text, bound by Druid's planner (pydruid splices them into the text).

    A TIMESTAMP travels as epoch milliseconds, the form Druid's ``SqlParameter`` binds in every
    version (Druid 33 answers a ``'yyyy-MM-dd HH:mm:ss'`` text with a ClassCastException, seen
    on a real Druid). Druid reads those milliseconds as a wall-clock time in the session's
    ``sqlTimeZone``, as it reads a TIMESTAMP literal: an aware datetime is first moved to
    ``time_zone``, a naive one is taken as already in it."""
    if value is None:
        return {"type": "VARCHAR", "value": None}
    if isinstance(value, bool):
        return {"type": "BOOLEAN", "value": value}
    if isinstance(value, int):
        return {"type": "BIGINT", "value": value}
    if isinstance(value, float):
        return {"type": "DOUBLE", "value": value}
    if isinstance(value, str):
        return {"type": "VARCHAR", "value": value}
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            import zoneinfo

            value = value.astimezone(zoneinfo.ZoneInfo(time_zone)).replace(tzinfo=None)
        wall = value - datetime.datetime(1970, 1, 1)
        return {"type": "TIMESTAMP", "value": wall // datetime.timedelta(milliseconds=1)}
    if isinstance(value, datetime.date):
        return {"type": "DATE", "value": value.isoformat()}
    if isinstance(value, (list, tuple)):
        return {"type": "ARRAY", "value": list(value)}
    import decimal

    if isinstance(value, decimal.Decimal):
        return {"type": "DOUBLE", "value": float(value)}
    raise errors.ProgrammingError(
        f"Druid cannot bind a parameter of type {type(value).__name__}: pass str, int, float, "
        "bool, date, datetime, a list or None"
    )


# -- SQLAlchemy ------------------------------------------------------------------------------
class COMPLEX(sat.UserDefinedType):
    """A Druid ``COMPLEX<...>`` column (a sketch): reflected by name, read as its JSON text."""

    cache_ok = True

    def __init__(self, name: str = "COMPLEX") -> None:
        self.name = name

    def get_col_spec(self, **kw: Any) -> str:
        return self.name


class ARRAY(sat.ARRAY):
    """A reflected multi-value dimension: ``ARRAY(String)`` whose values are read as lists
    whatever Druid sent (the JSON text of an array, one string, or a list when the URL names
    the column in ``multi_value=``), so a reflected table reads it as it reflects it. Named
    ``ARRAY``: SQLAlchemy (and Superset's column list) shows a type by its class name."""

    cache_ok = True

    def __init__(self) -> None:
        super().__init__(sat.String())

    def result_processor(self, dialect: Any, coltype: Any) -> Any:
        return _as_list


def sqlalchemy_type(data_type: str, multi_value: bool = False) -> sat.TypeEngine[Any]:
    """An ``INFORMATION_SCHEMA.COLUMNS.DATA_TYPE`` as a SQLAlchemy type; never raises."""
    text = " ".join(str(data_type or "").upper().split())
    if multi_value and text in ("VARCHAR", "CHAR"):
        return ARRAY()
    if text.startswith("COMPLEX") or text == "OTHER":
        return COMPLEX(str(data_type) if text.startswith("COMPLEX") else "OTHER")
    if text.endswith(" ARRAY"):
        return sat.ARRAY(sqlalchemy_type(text.removesuffix(" ARRAY")))
    if text.startswith("ARRAY<") and text.endswith(">"):
        inner = {"STRING": "VARCHAR", "LONG": "BIGINT", "DOUBLE": "DOUBLE"}.get(
            text[6:-1], "VARCHAR"
        )
        return sat.ARRAY(sqlalchemy_type(inner))
    simple: dict[str, sat.TypeEngine[Any]] = {
        "TIMESTAMP": sat.TIMESTAMP(timezone=True),
        "DATE": sat.Date(),
        "BIGINT": sat.BigInteger(),
        "INTEGER": sat.Integer(),
        "SMALLINT": sat.SmallInteger(),
        "TINYINT": sat.SmallInteger(),
        "DOUBLE": sat.Float(precision=53),
        "DECIMAL": sat.Float(precision=53),
        "FLOAT": sat.Float(),
        "REAL": sat.Float(),
        "BOOLEAN": sat.Boolean(),
        "VARCHAR": sat.String(),
        "CHAR": sat.String(),
    }
    base = text.split("(")[0].strip()
    return simple.get(base, sat.NullType())
