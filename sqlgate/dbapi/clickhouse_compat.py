"""SQL that newer tools write and older ClickHouse servers lack, spelled the old way.

Superset passes its SQL through sqlglot, which writes ClickHouse's ``toStartOfDay(x)``,
``toMonday(x)``, ``toStartOfMonth(x)`` ... as ``dateTrunc('DAY', x)``. ``dateTrunc`` exists on
servers since 20.x only; on a server without it (asked once, ``system.functions``) such calls
are turned back into the ``toStartOf*`` functions every version has, before the gate reads the
statement. Nothing else in the statement changes meaning: sqlglot reads and writes it in the
ClickHouse dialect.
"""

from __future__ import annotations

import sqlglot
from sqlglot import exp

#: dateTrunc's units and the function every ClickHouse version has for them
_TRUNCATE = {
    "MINUTE": "toStartOfMinute",
    "HOUR": "toStartOfHour",
    "DAY": "toStartOfDay",
    "WEEK": "toMonday",
    "MONTH": "toStartOfMonth",
    "QUARTER": "toStartOfQuarter",
    "YEAR": "toStartOfYear",
}
PROBE = "SELECT count() FROM system.functions WHERE name = 'dateTrunc'"


def mentions_date_trunc(operation: str) -> bool:
    lowered = operation.lower()
    return "datetrunc" in lowered or "date_trunc" in lowered


def without_date_trunc(operation: str) -> str:
    """``operation`` with every ``dateTrunc('<unit>', x)`` of a known unit written as
    ``toStartOf<Unit>(x)``; unchanged if it holds none (or does not parse: the gate says why)."""
    try:
        tree = sqlglot.parse_one(operation, read="clickhouse")
    except sqlglot.errors.SqlglotError:
        return operation
    changed = False

    def legacy(node: exp.Expression) -> exp.Expression:
        nonlocal changed
        unit, value = _truncation(node)
        function = _TRUNCATE.get(unit.upper()) if unit and value is not None else None
        if function is None:
            return node
        changed = True
        return exp.Anonymous(this=function, expressions=[value])

    rewritten = tree.transform(legacy)
    if not changed:
        return operation
    for select in rewritten.find_all(exp.Select):
        _group_by_alias(select)
    return rewritten.sql(dialect="clickhouse")


def _group_by_alias(select: exp.Select) -> None:
    """``SELECT f(day) AS day ... GROUP BY f(day)``: servers before 20.x resolve ``day``
    inside the GROUP BY expression to the alias ("not under aggregate function"); grouping by
    the alias itself means the same there (ClickHouse's aliases are global)."""
    group = select.args.get("group")
    if group is None:
        return
    aliases = {
        item.this.sql(dialect="clickhouse"): item.alias
        for item in select.expressions
        if isinstance(item, exp.Alias)
    }
    for index, key in enumerate(group.expressions):
        alias = aliases.get(key.sql(dialect="clickhouse"))
        if alias:
            group.expressions[index] = exp.column(alias, quoted=True)


def _truncation(node: exp.Expression) -> tuple[str, exp.Expression | None]:
    """(unit, value) of a ``dateTrunc`` call: sqlglot 30 parses it as DateTrunc, sqlglot 28
    (Superset's) as an anonymous call with a string unit first."""
    if isinstance(node, (exp.DateTrunc, exp.TimestampTrunc)):
        unit = node.args.get("unit")
        return (unit.name if unit is not None else ""), node.this
    if isinstance(node, exp.Anonymous) and str(node.this).lower() in ("datetrunc", "date_trunc"):
        args = node.expressions
        if len(args) == 2 and isinstance(args[0], exp.Literal) and args[0].is_string:
            return args[0].name, args[1]
    return "", None
