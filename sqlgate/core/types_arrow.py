"""Arrow types to SQLAlchemy types and to DuckDB's type names.

Lakehouse sources hand results and schemas as Arrow, so their reflection and their
``cursor.description`` start from an Arrow type rather than from type text: reflection needs
a SQLAlchemy type (:func:`arrow_to_sqlalchemy`, the same for every engine) and a description
needs the name DuckDB would print (:func:`duckdb_type_string`, ``DECIMAL(10,2)``,
``STRUCT(city VARCHAR, zip BIGINT)``). pyarrow's type predicates do the work; both
functions bound their recursion and never raise on an Arrow type they do not know.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import pyarrow as pa
import sqlalchemy.types as sat

from sqlgate.core.sqltypes import MAP, STRUCT
from sqlgate.core.types import DBAPITypeObject, type_object_for_arrow
from sqlgate.core.types_parse import MAX_DEPTH, TypeMappingWarning

__all__ = ["DOUBLE", "UUID", "arrow_to_sqlalchemy", "duckdb_type_string", "from_arrow_field"]

# SQLAlchemy 2 has generic Double and Uuid; on 1.4 the closest generic types stand in.
DOUBLE: type[sat.TypeEngine] = getattr(sat, "Double", sat.Float)
UUID: Callable[[], sat.TypeEngine] = getattr(sat, "Uuid", None) or (lambda: sat.String(36))

_t = pa.types


def _is_string(at: pa.DataType) -> bool:
    return _t.is_string(at) or _t.is_large_string(at) or str(at) == "string_view"


def _is_binary(at: pa.DataType) -> bool:
    return _t.is_binary(at) or _t.is_large_binary(at) or str(at) == "binary_view"


def _is_list(at: pa.DataType) -> bool:
    return (
        _t.is_list(at)
        or _t.is_large_list(at)
        or _t.is_fixed_size_list(at)
        or str(at).startswith(("list_view<", "large_list_view<"))
    )


def _unwrap(at: pa.DataType) -> pa.DataType:
    """A dictionary's value type; an extension type's storage (``arrow.uuid`` kept)."""
    for _ in range(MAX_DEPTH):
        if _t.is_dictionary(at):
            at = at.value_type
        elif isinstance(at, pa.BaseExtensionType) and at.extension_name != "arrow.uuid":
            at = at.storage_type
        else:
            break
    return at


def _fields(at: pa.DataType) -> list[pa.Field]:
    return [at.field(i) for i in range(at.num_fields)]


# -- Arrow -> SQLAlchemy -------------------------------------------------------------------------
def arrow_to_sqlalchemy(arrow_type: pa.DataType, _depth: int = 0) -> sat.TypeEngine:
    """The SQLAlchemy type for an Arrow type; ``NullType`` for ``null`` and the unmappable."""
    at = _unwrap(arrow_type)
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
    if _is_string(at):
        return sat.String()
    if _t.is_fixed_size_binary(at):
        return sat.BINARY(at.byte_width)
    if _is_binary(at):
        return sat.LargeBinary()
    if _t.is_date(at):
        return sat.Date()
    if _t.is_time(at):
        return sat.Time()
    if _t.is_timestamp(at):
        return sat.DateTime(timezone=at.tz is not None)
    if _t.is_duration(at) or _t.is_interval(at):
        return sat.Interval()
    if _is_list(at):
        item = arrow_to_sqlalchemy(at.value_type, _depth + 1)
        if isinstance(item, sat.ARRAY):
            return sat.ARRAY(item.item_type, dimensions=(item.dimensions or 1) + 1)
        return sat.ARRAY(item)
    if _t.is_map(at):
        key = arrow_to_sqlalchemy(at.key_type, _depth + 1)
        return MAP(key, arrow_to_sqlalchemy(at.item_type, _depth + 1))
    if _t.is_struct(at) or _t.is_union(at):
        return STRUCT([(f.name, arrow_to_sqlalchemy(f.type, _depth + 1)) for f in _fields(at)])
    return sat.NullType()


def from_arrow_field(field: pa.Field | pa.DataType) -> tuple[sat.TypeEngine, DBAPITypeObject]:
    """SQLAlchemy type and PEP 249 type object of a result column that arrived as Arrow."""
    arrow_type = field.type if isinstance(field, pa.Field) else field
    return arrow_to_sqlalchemy(arrow_type), type_object_for_arrow(arrow_type)


# -- Arrow -> DuckDB type names ------------------------------------------------------------------
_DUCKDB_INTS = {
    "int8": "TINYINT", "int16": "SMALLINT", "int32": "INTEGER", "int64": "BIGINT",
    "uint8": "UTINYINT", "uint16": "USMALLINT", "uint32": "UINTEGER", "uint64": "UBIGINT",
}  # fmt: skip
_DUCKDB_TIMESTAMPS = {
    "s": "TIMESTAMP_S",
    "ms": "TIMESTAMP_MS",
    "us": "TIMESTAMP",
    "ns": "TIMESTAMP_NS",
}


def _quote(name: str) -> str:
    if name.isidentifier() and name.isascii():
        return name
    return '"' + name.replace('"', '""') + '"'


def _scalar_name(at: pa.DataType) -> str | None:
    """DuckDB's name for a scalar Arrow type, or ``None``."""
    if isinstance(at, pa.BaseExtensionType):  # arrow.uuid
        return "UUID"
    if str(at) in _DUCKDB_INTS:
        return _DUCKDB_INTS[str(at)]
    if _t.is_decimal(at):  # DuckDB decimals stop at 38 digits
        return f"DECIMAL({at.precision},{at.scale})" if at.precision <= 38 else "DOUBLE"
    if _t.is_timestamp(at):
        return "TIMESTAMP WITH TIME ZONE" if at.tz else _DUCKDB_TIMESTAMPS[at.unit]
    checks: list[tuple[Callable[[pa.DataType], bool], str]] = [
        (_t.is_boolean, "BOOLEAN"), (_t.is_float64, "DOUBLE"), (_t.is_floating, "FLOAT"),
        (_is_string, "VARCHAR"), (_t.is_null, "VARCHAR"), (_t.is_fixed_size_binary, "BLOB"),
        (_is_binary, "BLOB"), (_t.is_date, "DATE"), (_t.is_time, "TIME"),
        (_t.is_duration, "INTERVAL"), (_t.is_interval, "INTERVAL"),
    ]  # fmt: skip
    return next((name for check, name in checks if check(at)), None)


def duckdb_type_string(arrow_type: pa.DataType, _depth: int = 0) -> str:
    """How DuckDB spells an Arrow type (``VARCHAR[]``, ``MAP(VARCHAR, BIGINT)``).

    An Arrow type DuckDB has no name for is spelled ``VARCHAR`` with a
    :class:`~sqlgate.core.types_parse.TypeMappingWarning`.
    """
    if _depth > MAX_DEPTH:
        raise ValueError("Arrow type nested too deeply")
    at = _unwrap(arrow_type)
    name = _scalar_name(at)
    if name is not None:
        return name
    if _is_list(at):
        item = duckdb_type_string(at.value_type, _depth + 1)
        return f"{item}[{at.list_size}]" if _t.is_fixed_size_list(at) else f"{item}[]"
    if _t.is_map(at):
        key = duckdb_type_string(at.key_type, _depth + 1)
        return f"MAP({key}, {duckdb_type_string(at.item_type, _depth + 1)})"
    if _t.is_struct(at) or _t.is_union(at):
        body = ", ".join(
            f"{_quote(f.name)} {duckdb_type_string(f.type, _depth + 1)}" for f in _fields(at)
        )
        return f"{'UNION' if _t.is_union(at) else 'STRUCT'}({body})"
    warnings.warn(f"no DuckDB name for Arrow type {at}; using VARCHAR", TypeMappingWarning, 3)
    return "VARCHAR"
