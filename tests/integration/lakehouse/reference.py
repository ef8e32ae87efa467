"""Compare an sqlgate result with a reference Arrow table row for row, with types.

The reference is what the table format's own library returns (pyiceberg's ``to_arrow()``,
deltalake's ``to_pyarrow_table()`` ...). sqlgate's results come out of DuckDB, whose Arrow
export has no large, fixed-size or UUID types; those few spellings of the same values are
the only differences allowed (:func:`canonical_type`). Everything else must match: a boolean
that comes back as ``'true'`` text, a decimal as a double or a renamed struct field under its
old name fails. Rows are compared as multisets (SQL promises no order without ORDER BY).
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Sequence
from typing import Any

import pyarrow as pa

__all__ = ["assert_same_rows", "canonical_type", "fetch_arrow", "row_key"]


def canonical_type(t: pa.DataType) -> str:
    """The type as DuckDB can return it: large/fixed-size spellings folded into the plain
    ones, UUIDs as strings, list element names and nullability ignored."""
    if isinstance(t, pa.BaseExtensionType):
        return "string" if t.extension_name == "arrow.uuid" else f"ext<{t.extension_name}>"
    if pa.types.is_large_string(t) or pa.types.is_string_view(t):
        return "string"
    if pa.types.is_large_binary(t) or pa.types.is_fixed_size_binary(t):
        return "binary"
    if pa.types.is_binary_view(t):
        return "binary"
    if pa.types.is_map(t):
        return f"map<{canonical_type(t.key_type)}, {canonical_type(t.item_type)}>"
    if pa.types.is_list(t) or pa.types.is_large_list(t) or pa.types.is_list_view(t):
        return f"list<{canonical_type(t.value_type)}>"
    if pa.types.is_struct(t):
        inner = ", ".join(f"{f.name}: {canonical_type(f.type)}" for f in t)
        return f"struct<{inner}>"
    return str(t)


def _canonical_value(value: Any) -> Any:
    """A Python value in a form that compares (and sorts) the same on both sides."""
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, float) and math.isnan(value):
        return "<NaN>"
    if isinstance(value, dict):
        return {k: _canonical_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_canonical_value(v) for v in value)
    return value


def row_key(row: dict[str, Any]) -> str:
    """A total order over rows of any types (``None`` and mixed types included)."""
    return repr(sorted(row.items()))


def _rows(table: pa.Table) -> list[dict[str, Any]]:
    rows = [{k: _canonical_value(v) for k, v in row.items()} for row in table.to_pylist()]
    return sorted(rows, key=row_key)


def assert_same_rows(got: pa.Table, expected: pa.Table, context: str = "") -> None:
    """Fail unless ``got`` has ``expected``'s columns, in order, with the same (canonical)
    types and the same rows (as a multiset); ``context`` names the case in the message."""
    where = f" ({context})" if context else ""
    assert got.schema.names == expected.schema.names, f"columns differ{where}"
    for name in expected.schema.names:
        want = canonical_type(expected.schema.field(name).type)
        have = canonical_type(got.schema.field(name).type)
        assert have == want, f"column {name!r} is {have}, reference {want}{where}"
    got_rows, want_rows = _rows(got), _rows(expected)
    assert len(got_rows) == len(want_rows), (
        f"{len(got_rows)} rows, reference {len(want_rows)}{where}"
    )
    for i, (have_row, want_row) in enumerate(zip(got_rows, want_rows, strict=True)):
        assert have_row == want_row, f"row {i} differs{where}: {have_row!r} != {want_row!r}"


def fetch_arrow(connection: Any, sql: str, parameters: Sequence[Any] | None = None) -> pa.Table:
    """Run ``sql`` on an sqlgate DB-API connection and return the whole result as Arrow."""
    cursor = connection.cursor()
    try:
        cursor.execute(sql, parameters)
        table: pa.Table = cursor.fetch_arrow_table()
        return table
    finally:
        cursor.close()
