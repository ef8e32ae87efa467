"""Columns whose names differ only by case: which one a name selects, and their stand-ins.

Iceberg and Parquet are case-sensitive (``user_id`` and ``uSeR_Id`` can be two columns of one
table); the embedded DuckDB binds names case-insensitively and would read one column for both.
So a table with such columns gets, for this statement only, distinct *internal* names for them
(:class:`Layout`), the statement is rewritten to use them (:mod:`columns_sql`), the planned
read is made to produce them (:mod:`columns_plan`), and the result's names are restored here.
Tables without such columns never reach this module's rewrites.

The rule (Spark's and Iceberg's case-sensitive mode, for the colliding names only): a name that
several columns share up to case selects the column spelled exactly that way, quoted or not;
a spelling that matches several of them only by case is a ``ProgrammingError`` naming them.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import pyarrow as pa

from sqlgate.core.errors import ProgrammingError

#: internal names start with this; it never reaches a result's column names
PREFIX = "__sqlgate_col_"


def ambiguous(name: str, candidates: Sequence[str]) -> ProgrammingError:
    """The error for a spelling that matches several columns only by case."""
    listed = ", ".join(f'"{c}"' for c in candidates)
    return ProgrammingError(
        f'column name "{name}" matches several columns that differ only by case ({listed}); '
        "spell the one you mean exactly as the table does (quoted or not)"
    )


def match(name: str, names: Sequence[str]) -> str | None:
    """The column ``name`` selects among ``names``: the exact spelling, else the only one equal
    up to case; None when there is none. Raises ``ProgrammingError`` when several are."""
    if name in names:
        return name
    candidates = [n for n in names if n.lower() == name.lower()]
    if len(candidates) > 1:
        raise ambiguous(name, candidates)
    return candidates[0] if candidates else None


def collisions(names: Sequence[str]) -> dict[str, list[str]]:
    """Lower-case name -> the exact names of the columns sharing it, where there are several."""
    groups: dict[str, list[str]] = {}
    for name in names:
        groups.setdefault(name.lower(), []).append(name)
    return {key: members for key, members in groups.items() if len(members) > 1}


@dataclass(frozen=True)
class Layout:
    """One relation's columns in order, and the internal names of the colliding ones."""

    names: tuple[str, ...]
    internal: dict[str, str]  # exact name -> internal name (colliding columns only)
    groups: dict[str, list[str]]  # lower-case name -> exact names (colliding only)

    def alias_columns(self) -> list[str]:
        """Positional column aliases naming every column of the relation: the colliding ones
        by their internal names, the others by their own."""
        return [self.internal.get(n, n) for n in self.names]

    def resolve(self, name: str) -> str | None:
        """The internal name ``name`` selects, None when it is no colliding column's name."""
        members = self.groups.get(name.lower())
        if members is None:
            return None
        if name not in self.internal:
            raise ambiguous(name, members)
        return self.internal[name]


def layout(schema: pa.Schema | None) -> Layout | None:
    """The layout of a table with case-colliding top-level columns; None for any other."""
    if schema is None:
        return None
    names = tuple(schema.names)
    groups = collisions(names)
    if not groups:
        return None
    colliding = {n for members in groups.values() for n in members}
    internal = {n: f"{PREFIX}{i}_{n}" for i, n in enumerate(names) if n in colliding}
    return Layout(names, internal, groups)


def plain(text: str, renames: dict[str, str]) -> str:
    """``text`` (a column's or an expression's name, an error message) with every internal
    name replaced by the column's own name."""
    if PREFIX in text:
        for internal, original in renames.items():
            text = text.replace(internal, original)
    return text


def restore(schema: pa.Schema, renames: dict[str, str]) -> pa.Schema:
    """The result's schema under the columns' own names (also inside an expression's name,
    such as ``upper(__sqlgate_col_2_uSeR_Id)``)."""
    fields = [field.with_name(plain(field.name, renames)) for field in schema]
    return pa.schema(fields, metadata=schema.metadata)


def renamed(batches: Iterator[pa.RecordBatch], schema: pa.Schema) -> Iterator[pa.RecordBatch]:
    """``batches`` under ``schema``'s names (same columns, no copy)."""
    for batch in batches:
        yield pa.RecordBatch.from_arrays(batch.columns, schema=schema)
