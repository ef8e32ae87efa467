"""Rewriting a compiled statement for tables whose columns differ only by case.

Each relation of such a table is given its internal column names positionally at its
reference (``"__sqlgate_rel_1" AS t("id", "__sqlgate_col_1_user_id", ...)``), so DuckDB never
sees two names equal up to case; every column reference that reaches one of those columns,
through any qualifier, derived table or CTE, is renamed by the rule of
:mod:`sqlgate.lakehouse.columns`. A reference the rewrite misses can only fail ("column not
found"): no colliding column keeps a name DuckDB could bind case-insensitively.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlglot
from sqlglot import exp
from sqlglot.optimizer.scope import Scope, traverse_scope

from sqlgate.core.errors import ProgrammingError
from sqlgate.lakehouse.columns import Layout
from sqlgate.lakehouse.compiler import CompiledStatement, pieces_of

_VARIANTS_CACHED = 16
_DEPTH = 64  # derived tables nested deeper than this are not followed


def exact_statement(
    compiled: CompiledStatement,
    layouts: list[Layout | None],
    vet: Callable[[CompiledStatement], None],
) -> CompiledStatement:
    """``compiled`` rewritten for the relations with a layout; ``compiled`` itself when none
    has one. Variants are cached on ``compiled`` (a table's columns rarely change) and each
    is ``vet``-ted once, like any statement DuckDB runs."""
    if not any(layouts):
        return compiled
    key = tuple(None if lay is None else lay.names for lay in layouts)
    variant = compiled.variants.get(key)
    if variant is not None:
        return variant
    tree = sqlglot.parse_one(compiled.sql, read="duckdb")
    by_relation = {
        ref.relation: lay for ref, lay in zip(compiled.refs, layouts, strict=True) if lay
    }
    _rename_columns(tree, by_relation)
    for table in tree.find_all(exp.Table):
        lay = by_relation.get(table.name) if not table.args.get("db") else None
        if lay is not None:
            _alias_columns(table, lay)
    sql = tree.sql("duckdb")
    renames = {i: o for lay in by_relation.values() for o, i in lay.internal.items()}
    variant = CompiledStatement(
        sql,
        compiled.refs,
        compiled.n_params,
        compiled.param_order,
        pieces_of(sql, compiled.refs),
        renames=renames,
    )
    vet(variant)
    if len(compiled.variants) >= _VARIANTS_CACHED:
        compiled.variants.clear()
    compiled.variants[key] = variant
    return variant


def _alias_columns(table: exp.Table, lay: Layout) -> None:
    """``rel AS t`` -> ``rel AS t(<internal names>)``; column aliases the query gave win."""
    alias = table.args.get("alias")
    if alias is None:
        alias = exp.TableAlias(this=exp.to_identifier(table.name, quoted=True))
        table.set("alias", alias)
    given = list(alias.columns)
    ours = lay.alias_columns()
    alias.set("columns", given + [exp.to_identifier(n, quoted=True) for n in ours[len(given) :]])


def _rename_columns(tree: exp.Expr, by_relation: dict[str, Layout]) -> None:
    try:
        scopes = {id(s.expression): s for s in traverse_scope(tree)}
    except Exception:  # a statement sqlglot cannot scope: every relation is visible
        scopes = {}
    everything = list(by_relation.values())
    for col in list(tree.find_all(exp.Column)):
        if not isinstance(col.this, exp.Identifier) or _names_an_alias(col):
            continue
        scope = _scope_of(col, scopes)
        candidates = None
        if scope is not None:
            try:
                candidates = _candidates(col, scope, by_relation)
            except Exception:  # sqlglot could not list the scope's sources
                candidates = None
        if candidates is None:
            candidates = everything if not col.table else _by_qualifier(col, by_relation, tree)
        _rename(col, candidates)


def _scope_of(col: exp.Column, scopes: dict[int, Scope]) -> Scope | None:
    node: exp.Expr | None = col.parent
    while node is not None:
        scope = scopes.get(id(node))
        if scope is not None:
            return scope
        node = node.parent
    return None


def _by_qualifier(col: exp.Column, by_relation: dict[str, Layout], tree: exp.Expr) -> list:
    """Without scopes: the layout of the relation aliased as the qualifier, else all."""
    for table in tree.find_all(exp.Table):
        if table.alias_or_name.lower() == col.table.lower():
            lay = by_relation.get(table.name)
            return [lay] if lay is not None else []
    return list(by_relation.values())


def _candidates(col: exp.Column, scope: Scope, by_relation: dict[str, Layout]) -> list[Layout]:
    """The layouts ``col`` can reach: its qualifier's source, or (unqualified) the sources of
    the innermost scope, outwards, that has a column of that name up to case."""
    qualifier = col.table.lower()
    current: Scope | None = scope
    while current is not None:
        sources = current.selected_sources
        if qualifier:
            for name, (_node, source) in sources.items():
                if name.lower() == qualifier:
                    return _exposed(source, by_relation, col.name, 0)
        else:
            found = [
                lay
                for _node, source in sources.values()
                for lay in _exposed(source, by_relation, col.name, 0)
                if col.name.lower() in lay.groups
            ]
            if found:
                return found
        current = current.parent
    return []


def _exposed(
    source: exp.Expr | Scope, by_relation: dict[str, Layout], name: str, depth: int
) -> list:
    """The layouts whose internal names a source's column ``name`` can carry: a relation's
    own, or what a derived table or CTE selects from (followed down), unless it names an
    output column ``name`` itself (``"uSeR_Id" AS user_id``)."""
    if isinstance(source, exp.Table):
        lay = by_relation.get(source.name) if not source.args.get("db") else None
        return [lay] if lay is not None else []
    if not isinstance(source, Scope) or depth > _DEPTH:
        return []
    out: list[Layout] = []
    for sub in _set_operation_scopes(source) or [source]:
        if sub is not source:
            out.extend(_exposed(sub, by_relation, name, depth + 1))
            continue
        select = sub.expression
        if isinstance(select, exp.Select) and any(
            isinstance(e, exp.Alias) and e.alias.lower() == name.lower() for e in select.expressions
        ):
            continue
        for _node, inner in sub.selected_sources.values():
            out.extend(_exposed(inner, by_relation, name, depth + 1))
    return out


def _rename(col: exp.Column, candidates: list[Layout]) -> None:
    targets = {lay.resolve(col.name) for lay in candidates} - {None}
    if not targets:
        return
    if len(targets) > 1:
        raise ProgrammingError(
            f'column "{col.name}" is ambiguous: several tables of the query have it; '
            "qualify it with the table's name or alias"
        )
    col.set("this", exp.to_identifier(targets.pop(), quoted=True))


def _names_an_alias(col: exp.Column) -> bool:
    """An unqualified ORDER BY name that is one of the SELECT's own output names."""
    if col.table:
        return False
    order = col.find_ancestor(exp.Order, exp.Select, exp.Subquery)
    if not isinstance(order, exp.Order) or not isinstance(order.parent, exp.Select):
        return False
    return col.name.lower() in {s.lower() for s in order.parent.named_selects if s} and not any(
        isinstance(e, exp.Column) and e.name == col.name for e in order.parent.expressions
    )


def _set_operation_scopes(scope: Scope) -> list[Scope]:
    """The scopes a UNION/INTERSECT/EXCEPT combines (``union_scopes`` in older sqlglot)."""
    found = getattr(scope, "set_operation_scopes", None)
    if found is None:
        found = getattr(scope, "union_scopes", None)
    return list(found or [])
