"""Answers from table metadata: ``count(*)``, and the files enough for a bare ``LIMIT``.

Iceberg manifest entries carry each data file's ``record_count``, Delta ``add`` actions their
``stats.numRecords``: summing them is exact when no deletes apply and the WHERE is decided
by partition values alone (every row of a file shares them). Anything less certain is left
to the normal scan: a column that is not an identity partition of every file, a value type
compared differently than DuckDB would (``day = '2026-01-01'`` is DuckDB's cast, not ours),
a missing count, deletes, a conjunct that does not translate whole.

The statement shape (:func:`count_column`) is checked once per SQL text; per execution the
handle hands :func:`count_files` each file's count and partition values.

``SELECT <columns> FROM t LIMIT n`` (:func:`first_rows`) needs any ``n`` rows: a handle plans
only the leading files whose counts reach ``n`` (:func:`leading`), so DuckDB neither opens
nor starts scanning the other files (no deletes: a count is then the file's rows).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlglot import exp

from sqlgate.lakehouse.pushdown import Predicate

__all__ = ["Undecided", "count_column", "count_files", "first_rows", "leading", "matches"]

#: DuckDB's name for an unaliased ``count(*)`` (any spelling)
COUNT_STAR_NAME = "count_star()"
_SELECT_ARGS = {"expressions", "from", "from_", "where"}
_LIMIT_ARGS = {"expressions", "from", "from_", "limit", "offset"}
_TABLE_ARGS = {"this", "db", "catalog", "alias"}
_COUNT_ARGS = {"this", "big_int"}  # sqlglot marks DuckDB's count as BIGINT


class Undecided(Exception):
    """The metadata cannot decide this exactly: plan the scan."""


def count_column(tree: exp.Expr) -> str | None:
    """The output column name when ``tree`` is exactly ``SELECT count(*) [AS n] FROM <one
    table> [WHERE ...]`` (no join, group, limit, sample, subquery); None otherwise. Call it
    after time travel was split off the table node."""
    if not _one_table(tree, _SELECT_ARGS) or len(tree.expressions) != 1:
        return None
    where = tree.args.get("where")
    if where is not None and where.find(exp.Select, exp.Subquery):
        return None
    item = tree.expressions[0]
    name = COUNT_STAR_NAME
    if isinstance(item, exp.Alias):
        name, item = item.alias, item.this
    if not isinstance(item, exp.Count) or not isinstance(item.this, exp.Star):
        return None
    if any(v not in (None, [], False) for k, v in item.args.items() if k not in _COUNT_ARGS):
        return None
    if any(v not in (None, []) for v in item.this.args.values()):
        return None  # count(* EXCLUDE ...)
    return name or None


def first_rows(tree: exp.Expr) -> int | None:
    """``n + offset`` when ``tree`` is exactly ``SELECT <columns or *> FROM <one table>
    LIMIT n [OFFSET m]`` with integer literals: any that many rows of the table answer it,
    so the files holding the first ones are enough. None otherwise (a WHERE, an ORDER BY,
    an expression that could drop or multiply rows)."""
    if not _one_table(tree, _LIMIT_ARGS):
        return None
    for item in tree.expressions:
        item = item.this if isinstance(item, exp.Alias) else item
        if isinstance(item, exp.Star) and not any(item.args.values()):
            continue
        if not isinstance(item, exp.Column) or isinstance(item.this, exp.Star):
            return None
    total = 0
    for key in ("limit", "offset"):
        node = tree.args.get(key)
        if node is None:
            continue
        if any(v not in (None, []) for k, v in node.args.items() if k != "expression"):
            return None  # LIMIT 10 PERCENT, WITH TIES
        value = node.expression
        if not isinstance(value, exp.Literal) or value.is_string or not value.is_int:
            return None
        total += int(value.this)
    return total if tree.args.get("limit") is not None and total >= 0 else None


def _one_table(tree: exp.Expr, allowed: set[str]) -> bool:
    """A single SELECT with only the ``allowed`` clauses, over one plain table reference."""
    if not isinstance(tree, exp.Select):
        return False
    if any(v not in (None, [], False) for k, v in tree.args.items() if k not in allowed):
        return False
    from_ = tree.args.get("from_") or tree.args.get("from")
    if from_ is None or not isinstance(from_.this, exp.Table):
        return False
    table = from_.this
    if any(v not in (None, []) for k, v in table.args.items() if k not in _TABLE_ARGS):
        return False
    if isinstance(table.this, exp.Func) or not table.name:
        return False
    alias = table.args.get("alias")
    return alias is None or not alias.args.get("columns")  # renamed columns


def leading(items: list[Any], rows: int, count: Any) -> list[Any] | None:
    """The shortest prefix of ``items`` holding ``rows`` rows by ``count(item)``; None when
    a count is missing (then read them all)."""
    total = 0
    for i, item in enumerate(items):
        if total >= rows:
            return items[:i]
        n = count(item)
        if n is None or n < 0:
            return None
        total += int(n)
    return list(items)


def count_files(files: Iterable[tuple[int | None, dict[str, Any]]], predicate: Predicate) -> int:
    """The rows of the files (their count, their partition values by column) matching
    ``predicate``; raises :class:`Undecided` when that is not certain."""
    total = 0
    for count, partition in files:
        if predicate is not None and matches(predicate, partition) is not True:
            continue
        if count is None or count < 0:
            raise Undecided("a file without a row count")
        total += int(count)
    return total


def matches(pred: tuple, values: dict[str, Any]) -> bool | None:
    """SQL three-valued truth of ``pred`` for a file whose partition columns hold ``values``
    (True, False, None for NULL); :class:`Undecided` for a column not in ``values`` or a
    comparison DuckDB might make differently."""
    tag = pred[0]
    if tag == "and":
        parts = [matches(p, values) for p in pred[1]]
        if False in parts:
            return False
        return None if None in parts else True
    if tag == "or":
        parts = [matches(p, values) for p in pred[1]]
        if True in parts:
            return True
        return None if None in parts else False
    if tag == "not":
        inner = matches(pred[1], values)
        return None if inner is None else not inner
    if pred[1] not in values:
        raise Undecided(f"{pred[1]} is not a partition column of every file")
    have = values[pred[1]]
    if tag == "isnull":
        return have is None
    if tag == "in":
        if have is None:
            return None
        return any(_compare(have, "=", v) for v in pred[2])
    if tag == "cmp":
        return None if have is None else _compare(have, pred[2], pred[3])
    raise Undecided(f"predicate {tag!r}")


def _kind(value: Any) -> str:
    """The comparison family; only same-family comparisons are decided here."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, str):
        return "str"
    if isinstance(value, dt.datetime):
        return "other"  # time zones and precision: DuckDB decides
    if isinstance(value, dt.date):
        return "date"
    return "other"


def _compare(have: Any, op: str, want: Any) -> bool:
    kind = _kind(have)
    if kind == "other" or kind != _kind(want):
        raise Undecided(f"comparing {type(have).__name__} with {type(want).__name__}")
    if op == "=":
        return bool(have == want)
    if op == "!=":
        return bool(have != want)
    if op == "<":
        return bool(have < want)
    if op == "<=":
        return bool(have <= want)
    if op == ">":
        return bool(have > want)
    if op == ">=":
        return bool(have >= want)
    raise Undecided(f"operator {op!r}")
