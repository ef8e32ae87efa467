"""Snowflake's type table for sqlgate's type machinery (:mod:`sqlgate.core.typemap`).

Type text comes from result metadata (``NUMBER(10,2)``, ``TIMESTAMP_TZ(9)``) and from
``information_schema.columns``; sqlglot's Snowflake dialect parses it and this table says what
each kind means in Arrow, SQLAlchemy and PEP 249. Semi-structured values (``VARIANT``,
``OBJECT``, ``ARRAY``) travel as JSON text, as Snowflake sends them: Arrow ``string`` and, in
SQLAlchemy, JSON types that parse the text (docs/sources/snowflake.md).
"""

from __future__ import annotations

import pyarrow as pa
import sqlalchemy.types as sat
from sqlglot import exp

from sqlgate.core.typemap import TypeMap
from sqlgate.core.types import DATETIME, NUMBER, STRING
from sqlgate.core.types_entries import (
    BLOB,
    BOOL,
    CHAR,
    DATE,
    F64,
    TEXT,
    VARCHAR,
    Mapper,
    TypeEntry,
    int_param,
    simple,
    unit_for,
)


class VARIANT(sat.JSON):
    """A semi-structured value; the driver hands JSON text, which SQLAlchemy parses."""

    __visit_name__ = "VARIANT"


class OBJECT(sat.JSON):
    """A Snowflake ``OBJECT`` (key/value pairs), as JSON text."""

    __visit_name__ = "OBJECT"


class ARRAY(sat.JSON):
    """A Snowflake semi-structured ``ARRAY`` (untyped elements), as JSON text."""

    __visit_name__ = "ARRAY"


class GEOGRAPHY(sat.String):
    """A geospatial value; sent as GeoJSON or WKT text (``GEOGRAPHY_OUTPUT_FORMAT``)."""

    __visit_name__ = "GEOGRAPHY"


class GEOMETRY(sat.String):
    """A planar geospatial value, as text like ``GEOGRAPHY``."""

    __visit_name__ = "GEOMETRY"


class TIMESTAMP_NTZ(sat.DateTime):
    """Wall-clock time without a zone (Snowflake's default ``TIMESTAMP``)."""

    __visit_name__ = "TIMESTAMP_NTZ"

    def __init__(self) -> None:
        super().__init__(timezone=False)


class TIMESTAMP_LTZ(sat.DateTime):
    """An instant, shown in the session's time zone."""

    __visit_name__ = "TIMESTAMP_LTZ"

    def __init__(self) -> None:
        super().__init__(timezone=True)


class TIMESTAMP_TZ(sat.DateTime):
    """An instant with the offset it was written with."""

    __visit_name__ = "TIMESTAMP_TZ"

    def __init__(self) -> None:
        super().__init__(timezone=True)


def _number_arrow(node: exp.DataType, _: Mapper) -> pa.DataType:
    """``NUMBER(p,0)`` is int64 (as the connector's Arrow batches give it), else decimal."""
    precision, scale = int_param(node, 0, 38) or 38, int_param(node, 1, 0) or 0
    if scale == 0:
        return pa.int64()
    return pa.decimal128(precision, scale) if precision <= 38 else pa.string()


def _number_sa(node: exp.DataType, _: Mapper) -> sat.TypeEngine:
    return sat.NUMERIC(int_param(node, 0, 38), int_param(node, 1, 0) or 0)


def _timestamp(sa_type: type[sat.DateTime], tz: str | None) -> TypeEntry:
    """``TIMESTAMP_xTZ(p)``: Snowflake's default precision is 9 digits (nanoseconds)."""

    def arrow(node: exp.DataType, _: Mapper) -> pa.DataType:
        return pa.timestamp(unit_for(int_param(node, 0, 9)), tz=tz)

    return TypeEntry(arrow, lambda n, m: sa_type(), DATETIME)


def _time_arrow(node: exp.DataType, _: Mapper) -> pa.DataType:
    unit = unit_for(int_param(node, 0, 9))
    return pa.time32(unit) if unit in ("s", "ms") else pa.time64(unit)


NUMBER_ENTRY = TypeEntry(_number_arrow, _number_sa, NUMBER)
NTZ = _timestamp(TIMESTAMP_NTZ, None)
TZ = _timestamp(TIMESTAMP_TZ, "UTC")
LTZ = _timestamp(TIMESTAMP_LTZ, "UTC")
SEMI = {
    "variant": simple(pa.string(), VARIANT, STRING),
    "object": simple(pa.string(), OBJECT, STRING),
    "array": simple(pa.string(), ARRAY, STRING),
}

SNOWFLAKE_TYPES = TypeMap(
    # result metadata names the connector uses that sqlglot reads differently or not at all
    {"fixed": "number", "real": "float", "text": "varchar", "timestamp": "timestamp_ntz"},
    kinds={
        **{"decimal": NUMBER_ENTRY, "int": NUMBER_ENTRY, "bigint": NUMBER_ENTRY},
        **{"smallint": NUMBER_ENTRY, "tinyint": NUMBER_ENTRY, "double": F64, "float": F64},
        **{"boolean": BOOL, "varchar": VARCHAR, "char": CHAR, "text": TEXT, "date": DATE},
        **{"binary": BLOB, "varbinary": BLOB, "timestamp": NTZ, "timestampntz": NTZ},
        **{"datetime": NTZ, "timestampltz": LTZ, "timestamptz": TZ, "variant": SEMI["variant"]},
        **{"object": SEMI["object"], "array": SEMI["array"], "map": SEMI["object"]},
        "time": TypeEntry(_time_arrow, lambda n, m: sat.Time(), DATETIME),
        "geography": simple(pa.string(), GEOGRAPHY, STRING),
        "geometry": simple(pa.string(), GEOMETRY, STRING),
        "vector": simple(pa.string(), ARRAY, STRING),
    },
    dialect="snowflake",
    name="snowflake",
)

__all__ = [
    "ARRAY",
    "GEOGRAPHY",
    "GEOMETRY",
    "OBJECT",
    "SNOWFLAKE_TYPES",
    "TIMESTAMP_LTZ",
    "TIMESTAMP_NTZ",
    "TIMESTAMP_TZ",
    "VARIANT",
]
