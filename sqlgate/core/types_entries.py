"""What one type name means: its Arrow type, SQLAlchemy type and PEP 249 family.

A :class:`TypeEntry` holds two factories that read a parsed sqlglot node's arguments
(``decimal(10,2)``, ``timestamp(3)``, ``enum('a','b')``) or members (``INTEGER[]``,
``STRUCT(a INTEGER)``, ``MAP(VARCHAR, INTEGER)``); nested entries map their members through
the :class:`Mapper` they are handed, so a member of an unknown type degrades alone. The tables
in :mod:`sqlgate.core.typemap` are written with the constructors and shared entries below.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import pyarrow as pa
import sqlalchemy.types as sat
from sqlglot import exp

from sqlgate.core.sqltypes import MAP, STRUCT
from sqlgate.core.types import BINARY, DATETIME, NUMBER, STRING, DBAPITypeObject
from sqlgate.core.types_arrow import DOUBLE, UUID
from sqlgate.core.types_parse import array_size, members, params


class Mapper(Protocol):
    """What a nested entry needs from its map: how to map a member node."""

    def arrow_node(self, node: exp.DataType) -> pa.DataType: ...

    def sa_node(self, node: exp.DataType) -> sat.TypeEngine: ...


ArrowFactory = Callable[[exp.DataType, Mapper], pa.DataType]
SAFactory = Callable[[exp.DataType, Mapper], sat.TypeEngine]


@dataclass(frozen=True)
class TypeEntry:
    """How one type maps: Arrow and SQLAlchemy factories, PEP 249 family."""

    arrow: ArrowFactory
    sqlalchemy: SAFactory
    dbapi: DBAPITypeObject


def int_param(node: exp.DataType, index: int = 0, default: int | None = None) -> int | None:
    """The ``index``-th integer argument of a node, or ``default``."""
    ints = [p for p in params(node) if isinstance(p, int)]
    return ints[index] if len(ints) > index else default


def simple(
    arrow: pa.DataType, sa: Callable[[], sat.TypeEngine], dbapi: DBAPITypeObject
) -> TypeEntry:
    """A type whose arguments do not matter: ``int4``, ``boolean``, ``uuid``."""
    return TypeEntry(lambda n, m: arrow, lambda n, m: sa(), dbapi)


def sized(
    arrow: pa.DataType, sa: Callable[..., sat.TypeEngine], dbapi: DBAPITypeObject
) -> TypeEntry:
    """A type whose first argument is a length: ``varchar(255)`` -> ``String(255)``."""
    return TypeEntry(lambda n, m: arrow, lambda n, m: sa(int_param(n)), dbapi)


def _precision_scale(
    node: exp.DataType, precision: int | None, scale: int
) -> tuple[int | None, int]:
    printed = int_param(node, 0)
    return int_param(node, 0, precision), int_param(node, 1, scale if printed is None else 0) or 0


def decimal(precision: int | None = None, scale: int = 0) -> TypeEntry:
    """``decimal(p,s)``: decimal128 up to 38 digits, decimal256 up to 76, else ``string``.

    ``precision``/``scale`` are the engine's defaults when none is printed; with no precision
    at all Arrow gets ``string`` (as ADBC does for PostgreSQL's unconstrained ``numeric``).
    """

    def arrow(node: exp.DataType, _: Mapper) -> pa.DataType:
        p, s = _precision_scale(node, precision, scale)
        if p is None or p > 76:
            return pa.string()
        return pa.decimal128(p, s) if p <= 38 else pa.decimal256(p, s)

    def sa(node: exp.DataType, _: Mapper) -> sat.TypeEngine:
        p, s = _precision_scale(node, precision, scale)
        return sat.Numeric(p, s) if p is not None else sat.Numeric()

    return TypeEntry(arrow, sa, NUMBER)


def unit_for(precision: int | None, default: str = "us") -> str:
    """Arrow time unit for fractional-second digits: 0 -> s, <=3 ms, <=6 us, else ns."""
    if precision is None:
        return default
    return "s" if precision <= 0 else "ms" if precision <= 3 else "us" if precision <= 6 else "ns"


def timestamp(tz: str | None = None, unit: str = "us", *, fixed: bool = False) -> TypeEntry:
    """``timestamp(p)``; ``fixed`` ignores ``p`` (DuckDB's ``TIMESTAMP_NS``)."""

    def arrow(node: exp.DataType, _: Mapper) -> pa.DataType:
        return pa.timestamp(unit if fixed else unit_for(int_param(node), unit), tz=tz)

    return TypeEntry(arrow, lambda n, m: sat.DateTime(timezone=tz is not None), DATETIME)


def time_(unit: str = "us", *, timezone: bool = False) -> TypeEntry:
    """``time(p)``: time32 for s/ms, time64 for us/ns (Arrow has no zoned time)."""

    def arrow(node: exp.DataType, _: Mapper) -> pa.DataType:
        u = unit_for(int_param(node), unit)
        return pa.time32(u) if u in ("s", "ms") else pa.time64(u)

    return TypeEntry(arrow, lambda n, m: sat.Time(timezone=timezone), DATETIME)


def _enum_sa(node: exp.DataType, _: Mapper) -> sat.TypeEngine:
    labels = [p for p in params(node) if isinstance(p, str)]
    return sat.Enum(*labels) if labels else sat.String()


def _element(node: exp.DataType) -> exp.DataType | None:
    """An array's element type; None for an untyped LIST."""
    nested = members(node)
    return nested[0][1] if nested else None


def _array_arrow(node: exp.DataType, m: Mapper) -> pa.DataType:
    element = _element(node)
    if element is None:
        return pa.string()  # an untyped LIST: JSON text
    size = array_size(node)
    return pa.list_(m.arrow_node(element), size) if size else pa.list_(m.arrow_node(element))


def _array_sa(node: exp.DataType, m: Mapper) -> sat.TypeEngine:
    element = _element(node)
    if element is None:
        return sat.JSON()
    item = m.sa_node(element)
    if isinstance(item, sat.ARRAY):  # SQLAlchemy wants dimensions, not nesting
        return sat.ARRAY(item.item_type, dimensions=(item.dimensions or 1) + 1)
    return sat.ARRAY(item)


def _fields(node: exp.DataType) -> list[tuple[str, exp.DataType]]:
    return [(name or str(i + 1), t) for i, (name, t) in enumerate(members(node))]


def struct(*, union: bool = False) -> TypeEntry:
    """``STRUCT(a INTEGER, "b c" VARCHAR[])``; a DuckDB ``UNION`` is an Arrow sparse union
    (SQLAlchemy sees a STRUCT of its alternatives)."""

    def arrow(node: exp.DataType, m: Mapper) -> pa.DataType:
        items = [pa.field(name, m.arrow_node(t)) for name, t in _fields(node)]
        return pa.sparse_union(items, list(range(len(items)))) if union else pa.struct(items)

    def sa(node: exp.DataType, m: Mapper) -> sat.TypeEngine:
        return STRUCT([(name, m.sa_node(t)) for name, t in _fields(node)])

    return TypeEntry(arrow, sa, STRING)


def _map_arrow(node: exp.DataType, m: Mapper) -> pa.DataType:
    pair = members(node)
    if len(pair) != 2:
        return pa.string()
    return pa.map_(m.arrow_node(pair[0][1]), m.arrow_node(pair[1][1]))


def _map_sa(node: exp.DataType, m: Mapper) -> sat.TypeEngine:
    pair = members(node)
    if len(pair) != 2:
        return sat.JSON()
    return MAP(m.sa_node(pair[0][1]), m.sa_node(pair[1][1]))


def fixed_binary() -> TypeEntry:
    """``binary(16)``: fixed-width bytes."""

    def arrow(node: exp.DataType, _: Mapper) -> pa.DataType:
        width = int_param(node)
        return pa.binary(width) if width else pa.binary()

    return TypeEntry(arrow, lambda n, m: sat.BINARY(int_param(n)), BINARY)


def mysql_tinyint(unsigned: bool) -> TypeEntry:
    """MySQL ``tinyint(1)`` is how it spells BOOLEAN; any other tinyint is a small int."""
    small = pa.uint8() if unsigned else pa.int8()

    def is_bool(node: exp.DataType) -> bool:
        return not unsigned and params(node) == (1,)

    return TypeEntry(
        lambda n, m: pa.bool_() if is_bool(n) else small,
        lambda n, m: sat.Boolean() if is_bool(n) else sat.SmallInteger(),
        NUMBER,
    )


def mysql_bit() -> TypeEntry:
    """``bit(1)`` is a flag; wider bit fields arrive as integers."""

    def one(node: exp.DataType) -> bool:
        return int_param(node, 0, 1) == 1

    return TypeEntry(
        lambda n, m: pa.bool_() if one(n) else pa.uint64(),
        lambda n, m: sat.Boolean() if one(n) else sat.BigInteger(),
        NUMBER,
    )


# -- entries shared by the tables ---------------------------------------------------------------
BOOL = simple(pa.bool_(), sat.Boolean, NUMBER)
I8 = simple(pa.int8(), sat.SmallInteger, NUMBER)
I16 = simple(pa.int16(), sat.SmallInteger, NUMBER)
I32 = simple(pa.int32(), sat.Integer, NUMBER)
I64 = simple(pa.int64(), sat.BigInteger, NUMBER)
U8 = simple(pa.uint8(), sat.SmallInteger, NUMBER)
U16 = simple(pa.uint16(), sat.Integer, NUMBER)
U32 = simple(pa.uint32(), sat.BigInteger, NUMBER)
U64 = simple(pa.uint64(), sat.BigInteger, NUMBER)
I128 = simple(pa.decimal128(38, 0), sat.BigInteger, NUMBER)  # as DuckDB exports HUGEINT
F32 = simple(pa.float32(), sat.REAL, NUMBER)
F64 = simple(pa.float64(), DOUBLE, NUMBER)
VARCHAR = sized(pa.string(), sat.String, STRING)
CHAR = sized(pa.string(), sat.CHAR, STRING)
TEXT = simple(pa.string(), sat.Text, STRING)
STR = simple(pa.string(), sat.String, STRING)  # strings with a meaning: inet, xml, tsvector
BLOB = simple(pa.binary(), sat.LargeBinary, BINARY)
VARBINARY = sized(pa.binary(), sat.VARBINARY, BINARY)
DATE = simple(pa.date32(), sat.Date, DATETIME)
JSON = simple(pa.string(), sat.JSON, STRING)
INTERVAL = simple(pa.month_day_nano_interval(), sat.Interval, DATETIME)
UUIDS = simple(pa.string(), UUID, STRING)
NULL = simple(pa.null(), sat.NullType, STRING)
ENUM = TypeEntry(lambda n, m: pa.string(), _enum_sa, STRING)
ARRAY_OF = TypeEntry(_array_arrow, _array_sa, STRING)
STRUCT_OF = struct()
MAP_OF = TypeEntry(_map_arrow, _map_sa, STRING)
TS, TSTZ, TIME = timestamp(), timestamp("UTC"), time_()
