"""The vocabulary the type tables are written in: entry constructors and shared entries.

Each constructor returns a :class:`~sqlgate.core.typemap.TypeEntry` whose factories read the
parsed node's parameters (``decimal(10,2)``, ``timestamp(3)``, ``DateTime64(3, 'UTC')``) or
members (``array<int>``). A source adding its own names to a table builds entries with these.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pyarrow as pa
import sqlalchemy.types as sat

from sqlgate.core.sqltypes import MAP, STRUCT
from sqlgate.core.typemap import DOUBLE, UUID, TypeEntry, TypeMap
from sqlgate.core.typeparse import TypeNode
from sqlgate.core.types import BINARY, DATETIME, NUMBER, STRING, DBAPITypeObject

Fields = tuple[tuple[str | None, TypeNode], ...]


# -- constructors ---------------------------------------------------------------------------
def int_param(node: TypeNode, index: int = 0, default: int | None = None) -> int | None:
    """The ``index``-th integer parameter of a node, or ``default``."""
    ints = [p for p in node.params if isinstance(p, int)]
    return ints[index] if len(ints) > index else default


def simple(
    arrow: pa.DataType, sa: Callable[[], sat.TypeEngine], dbapi: DBAPITypeObject
) -> TypeEntry:
    """A type whose parameters do not matter: ``int4``, ``boolean``, ``uuid``."""
    return TypeEntry(lambda n, m: arrow, lambda n, m: sa(), dbapi)


def sized(
    arrow: pa.DataType, sa: Callable[..., sat.TypeEngine], dbapi: DBAPITypeObject
) -> TypeEntry:
    """A type whose first parameter is a length: ``varchar(255)`` -> ``String(255)``."""
    return TypeEntry(lambda n, m: arrow, lambda n, m: sa(int_param(n)), dbapi)


def decimal(precision: int | None = None, scale: int = 0, *, unbounded: Any = None) -> TypeEntry:
    """``decimal(p,s)``: decimal128 up to 38 digits, decimal256 up to 76, else ``unbounded``.

    ``precision`` is the engine's default when none is printed; with neither, Arrow gets
    ``unbounded`` (``string``, as ADBC does for PostgreSQL's unconstrained ``numeric``).
    """

    def arrow(node: TypeNode, _: TypeMap) -> pa.DataType:
        p = int_param(node, 0, precision)
        s = int_param(node, 1, scale if int_param(node, 0) is None else 0)
        if p is None or p > 76:
            return unbounded if unbounded is not None else pa.string()
        return pa.decimal128(p, s) if p <= 38 else pa.decimal256(p, s)

    def sa(node: TypeNode, _: TypeMap) -> sat.TypeEngine:
        p = int_param(node, 0, precision)
        s = int_param(node, 1, scale if int_param(node, 0) is None else 0)
        return sat.Numeric(p, s) if p is not None else sat.Numeric()

    return TypeEntry(arrow, sa, NUMBER)


def scaled_decimal(precision: int) -> TypeEntry:
    """ClickHouse ``Decimal64(S)``: fixed precision, the only parameter is the scale."""
    base = decimal(precision)

    def shift(node: TypeNode) -> TypeNode:
        return replace(node, params=(precision, int_param(node, 0, 0) or 0))

    return TypeEntry(
        lambda n, m: base.arrow(shift(n), m), lambda n, m: base.sqlalchemy(shift(n), m), base.dbapi
    )


def unit_for(precision: int | None, default: str = "us") -> str:
    """Arrow time unit for fractional-second digits: 0 -> s, <=3 ms, <=6 us, else ns."""
    if precision is None:
        return default
    return "s" if precision <= 0 else "ms" if precision <= 3 else "us" if precision <= 6 else "ns"


def timestamp(
    tz: str | None = None, unit: str = "us", *, fixed: bool = False, tz_param: bool = False
) -> TypeEntry:
    """``timestamp(p)``; ``fixed`` ignores p (``TIMESTAMP_NS``), ``tz_param`` reads
    ClickHouse's ``DateTime64(3, 'Asia/Shanghai')`` zone."""

    def zone(node: TypeNode) -> str | None:
        names = [p for p in node.params if isinstance(p, str)] if tz_param else []
        return names[0] if names else tz

    def arrow(node: TypeNode, _: TypeMap) -> pa.DataType:
        return pa.timestamp(unit if fixed else unit_for(int_param(node), unit), tz=zone(node))

    return TypeEntry(arrow, lambda n, m: sat.DateTime(timezone=zone(n) is not None), DATETIME)


def time_(unit: str = "us", *, timezone: bool = False) -> TypeEntry:
    """``time(p)``: time32 for s/ms, time64 for us/ns (Arrow has no zoned time)."""

    def arrow(node: TypeNode, _: TypeMap) -> pa.DataType:
        u = unit_for(int_param(node), unit)
        return pa.time32(u) if u in ("s", "ms") else pa.time64(u)

    return TypeEntry(arrow, lambda n, m: sat.Time(timezone=timezone), DATETIME)


def enum(arrow: pa.DataType | None = None) -> TypeEntry:
    """``enum('a','b')``: an SQLAlchemy ``Enum`` of the labels, Arrow ``string``."""

    def sa(node: TypeNode, _: TypeMap) -> sat.TypeEngine:
        labels = [p for p in node.params if isinstance(p, str)]
        return sat.Enum(*labels) if labels else sat.String()

    return TypeEntry(lambda n, m: arrow or pa.string(), sa, STRING)


def array() -> TypeEntry:
    """``array<T>``, ``T[]``, ``Array(T)``; ``T[n]`` is a fixed-size list in Arrow."""

    def arrow(node: TypeNode, m: TypeMap) -> pa.DataType:
        if not node.fields:
            return pa.string()  # semi-structured (Snowflake ARRAY): JSON text
        item = m.arrow_node(node.fields[0][1])
        size = int_param(node)
        return pa.list_(item, size) if size else pa.list_(item)

    def sa(node: TypeNode, m: TypeMap) -> sat.TypeEngine:
        if not node.fields:
            return sat.JSON()
        item = m.sa_node(node.fields[0][1])
        if isinstance(item, sat.ARRAY):  # SQLAlchemy wants dimensions, not nesting
            return sat.ARRAY(item.item_type, dimensions=(item.dimensions or 1) + 1)
        return sat.ARRAY(item)

    return TypeEntry(arrow, sa, STRING)


def _field_names(node: TypeNode) -> list[str]:
    return [n if n is not None else str(i + 1) for i, (n, _) in enumerate(node.fields)]


def _bare(node: TypeNode) -> bool:
    """No argument list was printed at all: Snowflake's semi-structured ``OBJECT``."""
    return not node.fields and node.raw.rstrip()[-1:] not in ("", ">", ")")


def struct(*, union: bool = False) -> TypeEntry:
    """``struct<a:int>``, ``STRUCT(a INTEGER)``, ``Tuple(UInt8, String)`` (fields ``1``, ``2``).

    A DuckDB ``UNION`` is an Arrow sparse union; SQLAlchemy sees it as a STRUCT of its
    alternatives. No fields at all (Snowflake ``OBJECT``) means JSON.
    """

    def arrow(node: TypeNode, m: TypeMap) -> pa.DataType:
        if _bare(node):
            return pa.string()
        items = [
            pa.field(n, m.arrow_node(t))
            for n, (_, t) in zip(_field_names(node), node.fields, strict=True)
        ]
        if union:
            return pa.sparse_union(items, list(range(len(items))))
        return pa.struct(items)

    def sa(node: TypeNode, m: TypeMap) -> sat.TypeEngine:
        if _bare(node):
            return sat.JSON()
        names = _field_names(node)
        return STRUCT([(n, m.sa_node(t)) for n, (_, t) in zip(names, node.fields, strict=True)])

    return TypeEntry(arrow, sa, STRING)


def map_() -> TypeEntry:
    """``map<k,v>``, ``MAP(K, V)``; no members (Snowflake ``MAP`` unparsed) means JSON."""

    def arrow(node: TypeNode, m: TypeMap) -> pa.DataType:
        if len(node.fields) != 2:
            return pa.string()
        return pa.map_(m.arrow_node(node.fields[0][1]), m.arrow_node(node.fields[1][1]))

    def sa(node: TypeNode, m: TypeMap) -> sat.TypeEngine:
        if len(node.fields) != 2:
            return sat.JSON()
        return MAP(m.sa_node(node.fields[0][1]), m.sa_node(node.fields[1][1]))

    return TypeEntry(arrow, sa, STRING)


# -- entries shared by several tables --------------------------------------------------------------
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
I256 = simple(pa.decimal256(76, 0), sat.BigInteger, NUMBER)
F32 = simple(pa.float32(), sat.REAL, NUMBER)
F64 = simple(pa.float64(), DOUBLE, NUMBER)
VARCHAR = sized(pa.string(), sat.String, STRING)
CHAR = sized(pa.string(), sat.CHAR, STRING)
TEXT = simple(pa.string(), sat.Text, STRING)
STR = simple(pa.string(), sat.String, STRING)  # strings with a meaning: inet, xml, geography
BLOB = simple(pa.binary(), sat.LargeBinary, BINARY)
VARBINARY = sized(pa.binary(), sat.VARBINARY, BINARY)
DATE = simple(pa.date32(), sat.Date, DATETIME)
JSON = simple(pa.string(), sat.JSON, STRING)
INTERVAL = simple(pa.month_day_nano_interval(), sat.Interval, DATETIME)
UUIDS = simple(pa.string(), UUID, STRING)
NULL = simple(pa.null(), sat.NullType, STRING)
ARRAY_OF, STRUCT_OF, MAP_OF = array(), struct(), map_()
TS, TSTZ, TIME = timestamp(), timestamp("UTC"), time_()


def fixed_binary() -> TypeEntry:
    """``binary(16)``, ``fixed[16]``, ``FixedString(16)``: fixed-width bytes."""

    def arrow(node: TypeNode, _: TypeMap) -> pa.DataType:
        width = int_param(node)
        return pa.binary(width) if width else pa.binary()

    return TypeEntry(arrow, lambda n, m: sat.BINARY(int_param(n)), BINARY)


# -- entries for one engine's quirks ---------------------------------------------------------------
def mysql_tinyint(unsigned: bool) -> TypeEntry:
    """MySQL ``tinyint(1)`` is how it spells BOOLEAN; any other tinyint is a small int."""
    small = pa.uint8() if unsigned else pa.int8()

    def is_bool(node: TypeNode) -> bool:
        return not unsigned and node.params == (1,)

    return TypeEntry(
        lambda n, m: pa.bool_() if is_bool(n) else small,
        lambda n, m: sat.Boolean() if is_bool(n) else sat.SmallInteger(),
        NUMBER,
    )


def mysql_bit() -> TypeEntry:
    """``bit(1)`` is a flag; wider bit fields arrive as integers."""

    def one(node: TypeNode) -> bool:
        return int_param(node, 0, 1) == 1

    return TypeEntry(
        lambda n, m: pa.bool_() if one(n) else pa.uint64(),
        lambda n, m: sat.Boolean() if one(n) else sat.BigInteger(),
        NUMBER,
    )


def snowflake_number() -> TypeEntry:
    """Snowflake integers are ``NUMBER(38,0)``: scale 0 reads as an integer, not a Decimal."""
    base = decimal(38, 0)

    def scale(node: TypeNode) -> int:
        return int_param(node, 1, 0) or 0

    def arrow(node: TypeNode, m: TypeMap) -> pa.DataType:
        if scale(node) == 0 and (int_param(node, 0, 38) or 38) <= 18:
            return pa.int64()
        return base.arrow(node, m)

    def sa(node: TypeNode, m: TypeMap) -> sat.TypeEngine:
        return sat.BigInteger() if scale(node) == 0 else base.sqlalchemy(node, m)

    return TypeEntry(arrow, sa, NUMBER)


def snowflake_vector() -> TypeEntry:
    """``VECTOR(FLOAT, 256)`` / ``VECTOR(INT, 16)``: a fixed-size list of float32 or int32."""

    def is_float(node: TypeNode) -> bool:
        return any(isinstance(p, str) and p.lower() == "float" for p in node.params)

    def arrow(node: TypeNode, _: TypeMap) -> pa.DataType:
        item = pa.float32() if is_float(node) else pa.int32()
        size = int_param(node)
        return pa.list_(item, size) if size else pa.list_(item)

    def sa(node: TypeNode, _: TypeMap) -> sat.TypeEngine:
        return sat.ARRAY(sat.REAL() if is_float(node) else sat.Integer())

    return TypeEntry(arrow, sa, STRING)


def as_struct(build: Callable[[TypeNode], Fields], *, listed: bool = False) -> TypeEntry:
    """An entry that rewrites its node into a struct first (BigQuery RANGE, ClickHouse Nested)."""

    def node_of(node: TypeNode) -> TypeNode:
        return TypeNode("struct", (), build(node), node.raw)

    def arrow(node: TypeNode, m: TypeMap) -> pa.DataType:
        inner = STRUCT_OF.arrow(node_of(node), m)
        return pa.list_(inner) if listed else inner

    def sa(node: TypeNode, m: TypeMap) -> sat.TypeEngine:
        inner = STRUCT_OF.sqlalchemy(node_of(node), m)
        return sat.ARRAY(inner) if listed else inner

    return TypeEntry(arrow, sa, STRING)


def range_fields(node: TypeNode) -> Fields:
    """BigQuery ``RANGE<T>`` is a pair of bounds, ``start`` and ``end``, of type T."""
    element = node.fields[0][1] if node.fields else TypeNode("date", (), (), "DATE")
    return (("start", element), ("end", element))
