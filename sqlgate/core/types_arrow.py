"""Arrow types to SQLAlchemy types and to DuckDB's type names.

Lakehouse sources hand results and schemas as Arrow, so their reflection and their
``cursor.description`` start from an Arrow type rather than from type text: reflection needs
a SQLAlchemy type (:func:`arrow_to_sqlalchemy`, the same for every engine) and a description
needs the name DuckDB would print (:func:`duckdb_type_string`, ``DECIMAL(10,2)``,
``STRUCT(city VARCHAR, zip BIGINT)``). pyarrow's type predicates do the work; both
functions bound their recursion and never raise on an Arrow type they do not know.
"""

from __future__ import annotations

from collections.abc import Callable

import pyarrow as pa
import sqlalchemy.types as sat

from sqlgate.core.sqltypes import MAP, STRUCT
from sqlgate.core.types import MAX_DEPTH, DBAPITypeObject, type_object_for_arrow
from sqlgate.core.types_duckdb import (  # the predicates both mappings use
    duckdb_type_string,
    fields,
    is_binary,
    is_list,
    is_string,
    unwrap,
)

__all__ = ["DOUBLE", "UUID", "arrow_to_sqlalchemy", "duckdb_type_string", "from_arrow_field"]

# SQLAlchemy 2 has generic Double and Uuid; on 1.4 the closest generic types stand in.
DOUBLE: type[sat.TypeEngine] = getattr(sat, "Double", sat.Float)
UUID: Callable[[], sat.TypeEngine] = getattr(sat, "Uuid", None) or (lambda: sat.String(36))

_t = pa.types


# -- Arrow -> SQLAlchemy -------------------------------------------------------------------------
def arrow_to_sqlalchemy(arrow_type: pa.DataType, _depth: int = 0) -> sat.TypeEngine:
    """The SQLAlchemy type for an Arrow type; ``NullType`` for ``null`` and the unmappable."""
    at = unwrap(arrow_type)
    if _depth > MAX_DEPTH:
        return sat.NullType()
    if isinstance(at, pa.BaseExtensionType):  # arrow.uuid
        return UUID()
    if _t.is_boolean(at):
        return sat.Boolean()
    if _t.is_integer(at):
        bits = at.bit_width + (0 if _t.is_signed_integer(at) else 1)
        return (
            sat.SmallInteger() if bits <= 16 else sat.Integer() if bits <= 32 else sat.BigInteger()
        )
    if _t.is_float16(at) or _t.is_float32(at):
        return sat.REAL()
    if _t.is_float64(at):
        return DOUBLE()
    if _t.is_decimal(at):
        return sat.Numeric(at.precision, at.scale)
    if is_string(at):
        return sat.String()
    if _t.is_fixed_size_binary(at):
        return sat.BINARY(at.byte_width)
    if is_binary(at):
        return sat.LargeBinary()
    if _t.is_date(at):
        return sat.Date()
    if _t.is_time(at):
        return sat.Time()
    if _t.is_timestamp(at):
        return sat.DateTime(timezone=at.tz is not None)
    if _t.is_duration(at) or _t.is_interval(at):
        return sat.Interval()
    if is_list(at):
        item = arrow_to_sqlalchemy(at.value_type, _depth + 1)
        if isinstance(item, sat.ARRAY):
            return sat.ARRAY(item.item_type, dimensions=(item.dimensions or 1) + 1)
        return sat.ARRAY(item)
    if _t.is_map(at):
        key = arrow_to_sqlalchemy(at.key_type, _depth + 1)
        return MAP(key, arrow_to_sqlalchemy(at.item_type, _depth + 1))
    if _t.is_struct(at) or _t.is_union(at):
        return STRUCT([(f.name, arrow_to_sqlalchemy(f.type, _depth + 1)) for f in fields(at)])
    return sat.NullType()


def from_arrow_field(field: pa.Field | pa.DataType) -> tuple[sat.TypeEngine, DBAPITypeObject]:
    """SQLAlchemy type and PEP 249 type object of a result column that arrived as Arrow."""
    arrow_type = field.type if isinstance(field, pa.Field) else field
    return arrow_to_sqlalchemy(arrow_type), type_object_for_arrow(arrow_type)
