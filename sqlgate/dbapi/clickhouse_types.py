"""ClickHouse's type table for sqlgate's type machinery (:mod:`sqlgate.core.typemap`).

sqlglot's ClickHouse dialect parses every ClickHouse type string (``Nullable(...)`` becomes a
flag on the node, ``LowCardinality(...)``, ``Tuple(a Int32, b String)``, ``Map(K, V)``,
``DateTime64(3, 'Europe/Berlin')``, ``Enum8('a' = 1)``, ``Nested(...)``); this table says what
each kind means in Arrow and SQLAlchemy. Unknown kinds degrade to ``string`` / ``NullType``
with a :class:`~sqlgate.core.typemap.TypeMappingWarning`, so reflection never fails on them.
"""

from __future__ import annotations

import pyarrow as pa
import sqlalchemy.types as sat
from sqlglot import exp

from sqlgate.core.sqltypes import STRUCT
from sqlgate.core.typemap import STANDARD_NUMBERS, TypeMap
from sqlgate.core.types import DATETIME, NUMBER, STRING
from sqlgate.core.types_entries import (
    ARRAY_OF,
    BLOB,
    DATE,
    ENUM,
    F32,
    JSON,
    MAP_OF,
    NULL,
    STR,
    STRUCT_OF,
    TEXT,
    U8,
    U16,
    U32,
    U64,
    UUIDS,
    Mapper,
    TypeEntry,
    decimal,
    int_param,
    simple,
    unit_for,
)
from sqlgate.core.types_parse import members, params


def _inner(node: exp.DataType) -> exp.DataType | None:
    """The last member type: ``LowCardinality(T)``, ``SimpleAggregateFunction(f, T)``."""
    nested = members(node)
    return nested[-1][1] if nested else None


def _wrapper_arrow(node: exp.DataType, m: Mapper) -> pa.DataType:
    inner = _inner(node)
    return m.arrow_node(inner) if inner is not None else pa.string()


def _wrapper_sa(node: exp.DataType, m: Mapper) -> sat.TypeEngine:
    inner = _inner(node)
    return m.sa_node(inner) if inner is not None else sat.String()


#: ``LowCardinality(T)`` and ``SimpleAggregateFunction(f, T)`` hold values of T
WRAPPED = TypeEntry(_wrapper_arrow, _wrapper_sa, STRING)


def _timezone(node: exp.DataType) -> str | None:
    zones = [p for p in params(node) if isinstance(p, str)]
    return zones[0] if zones else None


def datetime_entry(default_digits: int) -> TypeEntry:
    """``DateTime('tz')`` (seconds) and ``DateTime64(p, 'tz')``: Arrow timestamps, zoned when
    the type names a zone (the driver then returns aware datetimes)."""

    def arrow(node: exp.DataType, _: Mapper) -> pa.DataType:
        digits = int_param(node, 0, default_digits) if default_digits else 0
        return pa.timestamp(unit_for(digits), tz=_timezone(node))

    def sa(node: exp.DataType, _: Mapper) -> sat.TypeEngine:
        return sat.DateTime(timezone=_timezone(node) is not None)

    return TypeEntry(arrow, sa, DATETIME)


def fixed_decimal(precision: int) -> TypeEntry:
    """``Decimal32(S)`` .. ``Decimal256(S)``: the precision is the width's, the scale given."""

    def arrow(node: exp.DataType, _: Mapper) -> pa.DataType:
        scale = int_param(node, 0, 0) or 0
        return (
            pa.decimal128(precision, scale) if precision <= 38 else pa.decimal256(precision, scale)
        )

    return TypeEntry(arrow, lambda n, m: sat.Numeric(precision, int_param(n, 0, 0)), NUMBER)


def _nested_arrow(node: exp.DataType, m: Mapper) -> pa.DataType:
    items = [
        pa.field(name or str(i + 1), m.arrow_node(t)) for i, (name, t) in enumerate(members(node))
    ]
    return pa.list_(pa.struct(items))


def _nested_sa(node: exp.DataType, m: Mapper) -> sat.TypeEngine:
    fields = [(name or str(i + 1), m.sa_node(t)) for i, (name, t) in enumerate(members(node))]
    return sat.ARRAY(STRUCT(fields))


#: ``Nested(a T, b U)``: an array of records (ClickHouse usually shows it flattened as
#: ``n.a Array(T)``, ``n.b Array(U)`` columns)
NESTED = TypeEntry(_nested_arrow, _nested_sa, STRING)
#: 128-bit integers fit Arrow's decimal256 exactly; 256-bit ones exceed it (78 digits): text
WIDE_INT = simple(pa.decimal256(39, 0), lambda: sat.Numeric(39, 0), NUMBER)
HUGE_INT = simple(pa.string(), lambda: sat.Numeric(78, 0), NUMBER)

CLICKHOUSE_TYPES = TypeMap(
    {"object": JSON, "bfloat16": F32, "ipv4": STR, "ipv6": STR},
    kinds={
        **STANDARD_NUMBERS,
        **{"utinyint": U8, "usmallint": U16, "uint": U32, "ubigint": U64},
        **{"int128": WIDE_INT, "uint128": WIDE_INT, "int256": HUGE_INT, "uint256": HUGE_INT},
        **{"decimal": decimal(10, 0)},
        **{"decimal32": fixed_decimal(9), "decimal64": fixed_decimal(18)},
        **{"decimal128": fixed_decimal(38), "decimal256": fixed_decimal(76)},
        **{"text": TEXT, "varchar": TEXT, "char": TEXT, "fixedstring": STR, "uuid": UUIDS},
        **{"ipv4": STR, "ipv6": STR, "enum": ENUM, "enum8": ENUM, "enum16": ENUM},
        **{"date": DATE, "date32": DATE, "datetime": datetime_entry(0)},
        **{"datetime64": datetime_entry(3), "array": ARRAY_OF, "struct": STRUCT_OF},
        **{"map": MAP_OF, "nested": NESTED, "lowcardinality": WRAPPED, "nothing": NULL},
        **{"simpleaggregatefunction": WRAPPED, "aggregatefunction": BLOB, "json": JSON},
        **{"dynamic": STR, "variant": STR, "point": STR, "ring": STR, "polygon": STR},
        **{"multipolygon": STR, "linestring": STR, "multilinestring": STR},
    },
    dialect="clickhouse",
    name="clickhouse",
)

__all__ = ["CLICKHOUSE_TYPES"]
