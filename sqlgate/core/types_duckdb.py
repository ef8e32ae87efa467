"""Arrow types as DuckDB names them, without SQLAlchemy or sqlglot.

A lakehouse ``cursor.description`` needs the name DuckDB would print for each Arrow result
column (``DECIMAL(10,2)``, ``STRUCT(city VARCHAR, zip BIGINT)``); a DB-API-only user must
get it without importing SQLAlchemy (a cold connection's first rows pay for every import).
:mod:`sqlgate.core.types_arrow` builds its SQLAlchemy mapping on the predicates here.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import pyarrow as pa

from sqlgate.core.types import MAX_DEPTH

__all__ = ["duckdb_type_string", "fields", "is_binary", "is_list", "is_string", "unwrap"]

_t = pa.types


def is_string(at: pa.DataType) -> bool:
    return _t.is_string(at) or _t.is_large_string(at) or str(at) == "string_view"


def is_binary(at: pa.DataType) -> bool:
    return _t.is_binary(at) or _t.is_large_binary(at) or str(at) == "binary_view"


def is_list(at: pa.DataType) -> bool:
    return (
        _t.is_list(at)
        or _t.is_large_list(at)
        or _t.is_fixed_size_list(at)
        or str(at).startswith(("list_view<", "large_list_view<"))
    )


def unwrap(at: pa.DataType) -> pa.DataType:
    """A dictionary's value type; an extension type's storage (``arrow.uuid`` kept)."""
    for _ in range(MAX_DEPTH):
        if _t.is_dictionary(at):
            at = at.value_type
        elif isinstance(at, pa.BaseExtensionType) and at.extension_name != "arrow.uuid":
            at = at.storage_type
        else:
            break
    return at


def fields(at: pa.DataType) -> list[pa.Field]:
    return [at.field(i) for i in range(at.num_fields)]


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
        (is_string, "VARCHAR"), (_t.is_null, "VARCHAR"), (_t.is_fixed_size_binary, "BLOB"),
        (is_binary, "BLOB"), (_t.is_date, "DATE"), (_t.is_time, "TIME"),
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
    at = unwrap(arrow_type)
    name = _scalar_name(at)
    if name is not None:
        return name
    if is_list(at):
        item = duckdb_type_string(at.value_type, _depth + 1)
        return f"{item}[{at.list_size}]" if _t.is_fixed_size_list(at) else f"{item}[]"
    if _t.is_map(at):
        key = duckdb_type_string(at.key_type, _depth + 1)
        return f"MAP({key}, {duckdb_type_string(at.item_type, _depth + 1)})"
    if _t.is_struct(at) or _t.is_union(at):
        body = ", ".join(
            f"{_quote(f.name)} {duckdb_type_string(f.type, _depth + 1)}" for f in fields(at)
        )
        return f"{'UNION' if _t.is_union(at) else 'STRUCT'}({body})"
    from sqlgate.core.types_parse import TypeMappingWarning  # rare: SQLAlchemy's warning class

    warnings.warn(f"no DuckDB name for Arrow type {at}; using VARCHAR", TypeMappingWarning, 3)
    return "VARCHAR"
