"""Which pushed-down conjuncts pyiceberg may prune an Iceberg scan with.

A pushed filter only ever prunes: DuckDB still evaluates the whole WHERE. So a conjunct
pyiceberg 0.12 gets wrong is simply not pushed:

* on a UUID column: the manifest holds an identity partition's UUID as bytes, which pyiceberg
  compares with the predicate's UUID, so ``=``/``IN`` prune every file (rows lost) and a range
  raises ``TypeError``;
* on a column with an ``initial-default``: pyiceberg's reader compares the default, as stored,
  with the literal in the files that lack the column (``TypeError`` for a date).
"""

from __future__ import annotations

from typing import Any

from sqlgate.lakehouse.pushdown import Predicate

__all__ = ["prunable"]


def prunable(predicate: Predicate, schema: Any) -> Predicate:
    """``predicate`` without the conjuncts that mention a column pyiceberg cannot prune on
    (``schema``: the pyiceberg schema read)."""
    from pyiceberg.types import UUIDType

    unsafe = {
        f.name.lower()
        for f in schema.fields
        if isinstance(f.field_type, UUIDType) or f.initial_default is not None
    }
    if predicate is None or not unsafe:
        return predicate
    return _without(predicate, unsafe)


def _without(predicate: tuple, unsafe: set[str]) -> Predicate:
    if predicate[0] == "and":
        kept = [p for p in (_without(q, unsafe) for q in predicate[1]) if p is not None]
        if not kept:
            return None
        return kept[0] if len(kept) == 1 else ("and", kept)
    return None if _mentions(predicate, unsafe) else predicate


def _mentions(predicate: tuple, columns: set[str]) -> bool:
    tag = predicate[0]
    if tag in ("and", "or"):
        return any(_mentions(p, columns) for p in predicate[1])
    if tag == "not":
        return _mentions(predicate[1], columns)
    return str(predicate[1]).lower() in columns
