"""Predicate pushdown: WHERE conjuncts per table reference, translated per planner.

The neutral form is a tiny tuple tree so each planner gets its own dialect:
``("and"|"or", [p, ...])``, ``("not", p)``, ``("cmp", col, op, value)``,
``("in", col, [values])``, ``("isnull", col)``. Anything not translatable stays only in the
SQL, which DuckDB still evaluates in full: a pushed filter may only ever prune, never decide.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Union

import pyarrow as pa
from sqlglot import exp

from sqlgate.lakehouse.timetravel import literal_value, parse_iso

if TYPE_CHECKING:  # pyarrow.compute costs a cold connection ~60 ms: imported when used
    import pyarrow.compute as pc

Predicate = Union[tuple, None]  # noqa: UP007 - runtime alias

_OPS: dict[type[exp.Expr], str] = {
    exp.EQ: "=",
    exp.NEQ: "!=",
    exp.GT: ">",
    exp.GTE: ">=",
    exp.LT: "<",
    exp.LTE: "<=",
}
_FLIP = {"=": "=", "!=": "!=", ">": "<", ">=": "<=", "<": ">", "<=": ">="}


class _Skip(Exception):
    """This expression cannot be pushed down."""


def _value(node: exp.Expr, params: list[Any]) -> Any:
    if isinstance(node, exp.Boolean):
        return bool(node.this)
    if isinstance(node, exp.Cast) and isinstance(node.this, exp.Literal):
        raw = literal_value(node.this, params)
        target = node.to.this
        if target == exp.DataType.Type.DATE:
            return _iso(raw, date=True)
        if target in (exp.DataType.Type.TIMESTAMP, exp.DataType.Type.DATETIME):
            return _iso(raw)
        raise _Skip
    if isinstance(node, (exp.Literal, exp.Placeholder, exp.Neg)):
        try:
            value = literal_value(node, params)
        except Exception as exc:
            raise _Skip from exc
        if value is None:
            raise _Skip
        return value
    raise _Skip


def _iso(raw: Any, date: bool = False) -> dt.datetime | dt.date:
    """A literal read strictly (ISO-8601 with a date part): never prune by a guess."""
    try:
        value = parse_iso(str(raw))
    except ValueError as exc:
        raise _Skip from exc
    if not date:
        return value
    if value.tzinfo is not None or value.time() != dt.time(0):
        raise _Skip
    return value.date()


def translate(node: exp.Expr, column, params: list[Any], exact: bool = False) -> Predicate:
    """Neutral predicate for ``node``; ``column(exp.Column) -> name`` raises ``_Skip``.
    ``exact``: the whole of ``node`` or ``_Skip`` (an ``AND`` inside never loses a part that
    does not translate): for deciding rows, not only pruning files."""
    if isinstance(node, exp.Paren):
        return translate(node.this, column, params, exact)
    if isinstance(node, exp.And):
        if exact:
            return ("and", [translate(p, column, params, exact) for p in node.flatten()])
        parts = [_try(p, column, params) for p in node.flatten()]
        parts = [p for p in parts if p is not None]
        if not parts:
            raise _Skip
        return ("and", parts)
    if isinstance(node, exp.Or):
        return ("or", [translate(p, column, params, exact) for p in node.flatten()])
    if isinstance(node, exp.Not):
        return ("not", translate(node.this, column, params, exact))
    if type(node) in _OPS:
        op, left, right = _OPS[type(node)], node.this, node.expression
        if isinstance(right, exp.Column) and not isinstance(left, exp.Column):
            left, right, op = right, left, _FLIP[op]
        if not isinstance(left, exp.Column):
            raise _Skip
        return ("cmp", column(left), op, _value(right, params))
    if isinstance(node, exp.In) and isinstance(node.this, exp.Column):
        if node.args.get("query") or node.args.get("unnest") or not node.expressions:
            raise _Skip
        return ("in", column(node.this), [_value(v, params) for v in node.expressions])
    if isinstance(node, exp.Is) and isinstance(node.this, exp.Column):
        if isinstance(node.expression, exp.Null):
            return ("isnull", column(node.this))
        raise _Skip
    if isinstance(node, exp.Between) and isinstance(node.this, exp.Column):
        name = column(node.this)
        low, high = _value(node.args["low"], params), _value(node.args["high"], params)
        return ("and", [("cmp", name, ">=", low), ("cmp", name, "<=", high)])
    raise _Skip


def _try(node: exp.Expr, column, params: list[Any]) -> Predicate:
    try:
        return translate(node, column, params)
    except _Skip:
        return None


def columns_of(pred: Predicate) -> set[str]:
    if pred is None:
        return set()
    tag = pred[0]
    if tag in ("and", "or"):
        return set().union(*(columns_of(p) for p in pred[1]))
    if tag == "not":
        return columns_of(pred[1])
    return {pred[1]}


def restrict(pred: Predicate, keep: Callable[[str], bool]) -> Predicate:
    """``pred`` without the top-level AND conjuncts on a column ``keep`` refuses (a weaker
    predicate: it prunes less, never more)."""
    if pred is None:
        return None
    if pred[0] == "and":
        return conjoin([restrict(p, keep) for p in pred[1]])
    return pred if all(keep(c) for c in columns_of(pred)) else None


def conjoin(preds: list[Predicate]) -> Predicate:
    preds = [p for p in preds if p is not None]
    if not preds:
        return None
    return preds[0] if len(preds) == 1 else ("and", preds)


# ---------------------------------------------------------------- planner dialects
def _family(t: pa.DataType) -> str:
    if pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_decimal(t):
        return "num"
    if pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t):
        return "str"
    if pa.types.is_boolean(t):
        return "bool"
    if pa.types.is_date(t) or pa.types.is_timestamp(t):
        return "time"
    return "other"


def coerce(value: Any, arrow_type: pa.DataType) -> pa.Scalar:
    """``value`` as a scalar of ``arrow_type``; raises when DuckDB would compare differently."""
    fam = _family(arrow_type)
    ok = {
        "num": isinstance(value, (int, float)) and not isinstance(value, bool),
        "str": isinstance(value, str),
        "bool": isinstance(value, bool),
        "time": isinstance(value, (str, dt.date)),
    }.get(fam, False)
    if not ok:
        raise _Skip
    if fam == "time" and isinstance(value, str):
        value = _iso(value)
    if pa.types.is_date(arrow_type) and isinstance(value, dt.datetime):
        if value.time() != dt.time(0):
            raise _Skip  # DuckDB compares date < timestamp as timestamps
        value = value.date()
    if pa.types.is_timestamp(arrow_type) and isinstance(value, dt.datetime):
        if arrow_type.tz and value.tzinfo is None:
            value = value.replace(tzinfo=dt.timezone.utc)
        elif not arrow_type.tz and value.tzinfo is not None:
            raise _Skip
    try:
        return pa.scalar(value).cast(arrow_type)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, OverflowError) as exc:
        raise _Skip from exc


def to_pyarrow(pred: Predicate, schema: pa.Schema) -> pc.Expression | None:
    """A pyarrow dataset expression (drops untranslatable AND children, never OR/NOT ones)."""
    try:
        return _pa(pred, schema) if pred is not None else None
    except _Skip:
        return None


def _pa(pred: tuple, schema: pa.Schema) -> pc.Expression:
    tag = pred[0]
    if tag == "and":
        pushed = [to_pyarrow(p, schema) for p in pred[1]]
        parts = [p for p in pushed if p is not None]
        if not parts:
            raise _Skip
        out = parts[0]
        for p in parts[1:]:
            out = out & p
        return out
    if tag == "or":
        parts = [_pa(p, schema) for p in pred[1]]
        out = parts[0]
        for p in parts[1:]:
            out = out | p
        return out
    if tag == "not":
        return ~_pa(pred[1], schema)
    name = pred[1]
    if schema.get_field_index(name) < 0:
        raise _Skip
    import pyarrow.compute as pc

    field, ftype = pc.field(name), schema.field(name).type
    if tag == "isnull":
        return field.is_null()
    values = pred[2] if tag == "in" else [pred[3]]
    if _family(ftype) == "str" and values and all(_is_date(v) for v in values):
        # DuckDB compares VARCHAR with DATE as dates (the text is cast); so does the pruning.
        # Hive partition values read as text ("day=2024-01-31") then prune by date; a value
        # that is no date makes the cast fail, and the engine plans without the filter.
        field, ftype = field.cast(pa.date32()), pa.date32()
    if tag == "in":
        return field.isin(pa.array([coerce(v, ftype).as_py() for v in pred[2]], type=ftype))
    value = coerce(pred[3], ftype)
    return {
        "=": field == value,
        "!=": field != value,
        ">": field > value,
        ">=": field >= value,
        "<": field < value,
        "<=": field <= value,
    }[pred[2]]


def _is_date(value: Any) -> bool:
    return isinstance(value, dt.date) and not isinstance(value, dt.datetime)


def _sql_literal(value: Any) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, dt.datetime):
        return f"TIMESTAMP '{value.isoformat(sep=' ')}'"
    if isinstance(value, dt.date):
        return f"DATE '{value.isoformat()}'"
    return "'" + str(value).replace("'", "''") + "'"


def to_sql(pred: Predicate) -> str | None:
    """ANSI SQL text (delta-rs file pruning, DataFusion WHERE)."""
    return None if pred is None else _sql(pred)


def _sql(pred: tuple) -> str:
    tag = pred[0]
    if tag in ("and", "or"):
        return "(" + f" {tag.upper()} ".join(_sql(p) for p in pred[1]) + ")"
    if tag == "not":
        return f"(NOT {_sql(pred[1])})"
    col = '"' + pred[1].replace('"', '""') + '"'
    if tag == "isnull":
        return f"({col} IS NULL)"
    if tag == "in":
        return f"({col} IN ({', '.join(_sql_literal(v) for v in pred[2])}))"
    return f"({col} {pred[2]} {_sql_literal(pred[3])})"


def to_iceberg(pred: Predicate):
    """A pyiceberg boolean expression; ``AlwaysTrue`` when nothing was pushed."""
    from pyiceberg import expressions as ie

    if pred is None:
        return ie.AlwaysTrue()
    tag = pred[0]
    if tag in ("and", "or"):
        parts = [to_iceberg(p) for p in pred[1]]
        return (ie.And if tag == "and" else ie.Or)(*parts) if len(parts) > 1 else parts[0]
    if tag == "not":
        return ie.Not(to_iceberg(pred[1]))
    if tag == "isnull":
        # pyiceberg's predicates are pydantic models: mypy sees pydantic's keyword-only
        # __init__, not the positional one pyiceberg defines on top
        return ie.IsNull(pred[1])  # type: ignore[call-arg]

    def lit(v: Any) -> Any:
        return v.isoformat() if isinstance(v, (dt.date, dt.datetime)) else v

    if tag == "in":
        return ie.In(pred[1], {lit(v) for v in pred[2]})  # type: ignore[call-arg, arg-type]
    cls = {
        "=": ie.EqualTo,
        "!=": ie.NotEqualTo,
        ">": ie.GreaterThan,
        ">=": ie.GreaterThanOrEqual,
        "<": ie.LessThan,
        "<=": ie.LessThanOrEqual,
    }[pred[2]]
    return cls(pred[1], lit(pred[3]))


def to_hudi(pred: Predicate, allowed: set[str]) -> list[tuple[str, str, str]]:
    """hudi-rs ``(field, op, value)`` filters: top-level AND of simple comparisons only."""
    if pred is None:
        return []
    items = pred[1] if pred[0] == "and" else [pred]
    out: list[tuple[str, str, str]] = []
    for p in items:
        if p[0] == "cmp" and p[1] in allowed and not isinstance(p[3], (bool, dt.date)):
            out.append((p[1], p[2], str(p[3])))
        elif p[0] == "and":
            out.extend(to_hudi(p, allowed))
    return out
