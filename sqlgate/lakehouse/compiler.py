"""Compiling a lakehouse statement: its table references, time travel, pushable conjuncts.

A statement is parsed and vetted once per distinct SQL text; its table references are found,
their time travel and the WHERE conjuncts that touch only one table are set aside, and the SQL
is rewritten to read ``"__sqlgate_rel_<n>"`` relations the engine exposes per execution.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlglot
from sqlglot import exp
from sqlglot.dialects.dialect import Dialect
from sqlglot.errors import ParseError
from sqlglot.tokens import TokenType

from sqlgate.core.errors import NotSupportedError, ProgrammingError, ReadOnlyError
from sqlgate.core.readonly_plain import plain_select
from sqlgate.lakehouse import columns, pushdown
from sqlgate.lakehouse.base import TableHandle, is_path_like
from sqlgate.lakehouse.guard import CHANGES_FUNCTION, is_file_like, vet_functions
from sqlgate.lakehouse.metadata_count import count_column, first_rows
from sqlgate.lakehouse.timetravel import normalise, split_time_travel

RELATION_PREFIX = "__sqlgate_rel_"


@dataclass
class TableRef:
    """One table reference of a compiled statement."""

    relation: str
    alias: str  # the name the query sees it by
    schema: str = ""
    table: str = ""
    version: exp.Expr | None = None  # FOR VERSION|TIMESTAMP AS OF clause
    changes: list[exp.Expr] | None = None  # hudi_changes(...) arguments
    conjuncts: list[tuple[exp.Expr, frozenset[str], int]] = field(default_factory=list)


@dataclass
class CompiledStatement:
    sql: str  # the rewritten SQL DuckDB runs
    refs: list[TableRef]
    n_params: int  # values the statement takes
    param_order: list[int]  # index into the given values of each placeholder DuckDB sees
    #: ``sql`` cut at each relation name (text, ref index, text, ...), so a planned
    #: ``read_parquet`` goes in as a subquery with no view to create; None: use views
    pieces: list[str | int] | None = None
    #: internal column name -> the table's own, for tables whose columns differ only by case
    renames: dict[str, str] = field(default_factory=dict)
    #: this statement rewritten for such tables, by their columns (``columns_sql``)
    variants: dict[tuple, CompiledStatement] = field(default_factory=dict)
    #: the output column of a bare ``SELECT count(*) FROM t [WHERE ...]`` (metadata_count)
    count_column: str | None = None
    #: the rows a bare ``SELECT <columns> FROM t LIMIT n`` needs: the leading files suffice
    first_rows: int | None = None


# ---------------------------------------------------------------------- compile
def compile_statement(sql: str, default_schema: str, *, plain: bool = True) -> CompiledStatement:
    """``sql`` rewritten over relations; ``plain=False`` skips the plain-read shortcut."""
    compiled = _compile_plain(sql, default_schema) if plain else None
    if compiled is not None:
        return compiled
    try:
        trees = [t for t in sqlglot.parse(normalise(sql), read="duckdb") if t is not None]
    except ParseError as exc:
        raise ProgrammingError(f"cannot parse SQL: {exc}") from exc
    if len(trees) != 1:
        raise ProgrammingError("exactly one statement per execute() is expected")
    tree = trees[0]
    if not isinstance(tree, exp.Query):
        raise NotSupportedError(f"only queries are supported, not {tree.key.upper()}")
    vet_functions(tree)
    n_params = max(
        (int(p.this) for p in tree.find_all(exp.Placeholder) if str(p.this).isdigit()), default=0
    )
    refs: list[TableRef] = []
    nodes: dict[int, exp.Table] = {}
    changes: list[tuple[exp.Table, TableRef]] = []
    for node in list(tree.find_all(exp.Table)):
        fn = node.this
        if isinstance(fn, exp.Anonymous) and fn.name.lower() == CHANGES_FUNCTION:
            ref = TableRef(
                relation="",
                alias=node.alias_or_name or CHANGES_FUNCTION,
                changes=list(fn.expressions),
            )
            changes.append((node, ref))
            continue
        if isinstance(node.this, exp.Func) or not node.name:
            continue  # safe table functions (vetted above); nothing to resolve
        version = split_time_travel(node)
        if not node.args.get("db") and node.name.lower() in _visible_ctes(node):
            if is_file_like(node.name):
                raise ReadOnlyError("file path as a table", node.name)
            continue
        if is_path_like(node.name) or any(is_path_like(p.name) for p in node.parts[:-1]):
            raise ReadOnlyError("file path as a table", ".".join(p.name for p in node.parts))
        parts = [p.name for p in node.parts]
        ref = TableRef(
            relation="",
            alias=node.alias_or_name,
            schema=".".join(parts[:-1]) or default_schema,
            table=parts[-1],
            version=version,
        )
        nodes[id(ref)] = node
        refs.append(ref)
    for node, ref in changes:
        refs.append(ref)
        nodes[id(ref)] = node
    for i, ref in enumerate(refs, start=1):
        ref.relation = f"{RELATION_PREFIX}{i}"
    single = len(refs) == 1 and refs[0].changes is None
    counted, first = (count_column(tree), first_rows(tree)) if single else (None, None)
    conjuncts = _conjuncts(tree, {id(nodes[id(r)]): r for r in refs if r.changes is None})
    for ref in refs:
        ref.conjuncts = conjuncts.get(id(ref), [])
    qualified: set[tuple[str, str]] = set()
    for ref in refs:
        node = nodes[id(ref)]
        alias = node.args.get("alias")
        if alias is None or not alias.name:
            original = node.name if ref.changes is None else CHANGES_FUNCTION
            alias = exp.TableAlias(this=exp.to_identifier(original))
            if ref.changes is None:
                qualified.add((ref.schema.lower(), ref.table.lower()))
        elif ref.changes is None and alias.name.lower() == ref.table.lower():
            qualified.add((ref.schema.lower(), ref.table.lower()))
        node.replace(exp.Table(this=exp.to_identifier(ref.relation, quoted=True), alias=alias))
    if qualified:
        _unqualify_columns(tree, qualified)
    final_sql, order = _renumber(tree)
    pieces = pieces_of(final_sql, refs)
    return CompiledStatement(
        final_sql, refs, n_params, order, pieces, count_column=counted, first_rows=first
    )


def _compile_plain(sql: str, default_schema: str) -> CompiledStatement | None:
    """``SELECT * | names FROM t [[AS] a] [LIMIT n]`` compiled as sqlglot would, without
    loading its DuckDB dialect (:mod:`sqlgate.core.readonly_plain`); None for anything else.
    ``tests/unit/test_readonly_fast.py`` checks it against the full compile."""
    plain = plain_select(sql)
    if plain is None or any(is_path_like(part) for part in plain.table):
        return None
    alias = plain.alias or plain.table[-1]
    ref = TableRef(
        relation=f"{RELATION_PREFIX}1",
        alias=alias,
        schema=".".join(plain.table[:-1]) or default_schema,
        table=plain.table[-1],
    )
    head = f"SELECT {'*' if plain.columns is None else ', '.join(plain.columns)} FROM "
    tail = f" AS {alias}" + ("" if plain.limit is None else f" LIMIT {plain.limit}")
    first = None if plain.limit is None else int(plain.limit)
    return CompiledStatement(
        f'{head}"{ref.relation}"{tail}', [ref], 0, [], [head, 0, tail], first_rows=first
    )


def _visible_ctes(node: exp.Expr) -> set[str]:
    """Names of the CTEs in scope at ``node``, scoped as DuckDB binds them (never too many).

    A CTE's body sees only the CTEs listed before it; itself only from the recursive side of
    a ``WITH RECURSIVE`` union. The query owning a ``WITH`` sees all of its CTEs, and so does
    everything nested in it. A name wrongly left out only makes it a lake table reference.
    """
    names: set[str] = set()
    child: exp.Expr = node
    parent = node.parent
    while parent is not None:
        if isinstance(parent, exp.With):
            ctes = list(parent.expressions)
            index = next((i for i, c in enumerate(ctes) if c is child), len(ctes))
            names.update(c.alias_or_name.lower() for c in ctes[:index])
            if index < len(ctes) and parent.args.get("recursive"):
                body = ctes[index].this
                if isinstance(body, exp.Union) and _under(node, body.expression):
                    names.add(ctes[index].alias_or_name.lower())
            owner = parent.parent  # its own WITH must not count again
            if owner is None:
                break
            child, parent = owner, owner.parent
            continue
        with_ = parent.args.get("with_") or parent.args.get("with")
        if isinstance(with_, exp.With) and with_ is not child:
            names.update(c.alias_or_name.lower() for c in with_.expressions)
        child, parent = parent, parent.parent
    return names


def _under(node: exp.Expr, ancestor: exp.Expr | None) -> bool:
    current: exp.Expr | None = node
    while current is not None:
        if current is ancestor:
            return True
        current = current.parent
    return False


def pieces_of(sql: str, refs: list[TableRef]) -> list[str | int] | None:
    """``sql`` cut around each quoted relation name, found as identifier *tokens*; None when a
    name also occurs anywhere else (inside a string or comment): then views are used."""
    if not refs:
        return None
    index = {r.relation: i for i, r in enumerate(refs)}
    try:
        tokens = Dialect.get_or_raise("duckdb").tokenize(sql)
    except Exception:
        return None
    pieces: list[str | int] = []
    pos = 0
    for tok in tokens:
        i = index.get(tok.text) if tok.token_type == TokenType.IDENTIFIER else None
        if i is None or sql[tok.start : tok.end + 1] != f'"{tok.text}"':
            continue
        pieces.extend([sql[pos : tok.start], i])
        pos = tok.end + 1
    pieces.append(sql[pos:])
    found = sum(1 for p in pieces if isinstance(p, int))
    if found != sum(sql.count(f'"{r.relation}"') for r in refs):
        return None
    return pieces


def _conjuncts(tree: exp.Expr, refs: dict[int, TableRef]) -> dict[int, list]:
    """For every SELECT scope, the WHERE conjuncts that may touch only one (safe) table."""
    out: dict[int, list] = {}
    for select in tree.find_all(exp.Select):
        where = select.args.get("where")
        from_ = select.args.get("from_") or select.args.get("from")
        if where is None or from_ is None:
            continue
        scope = [from_.this, *[j.this for j in select.args.get("joins") or []]]
        unsafe: set[int] = set()
        for i, join in enumerate(select.args.get("joins") or [], start=1):
            side = (join.side or "").upper()
            if side in ("LEFT", "FULL"):
                unsafe.add(i)
            if side in ("RIGHT", "FULL"):
                unsafe.update(range(i))
        tables = [
            refs[id(node)]
            for i, node in enumerate(scope)
            if isinstance(node, exp.Table) and id(node) in refs and i not in unsafe
        ]
        if not tables:
            continue
        names = frozenset(
            n.alias_or_name.lower() for n in scope if isinstance(n, (exp.Table, exp.Subquery))
        )
        for conj in where.this.flatten() if isinstance(where.this, exp.And) else [where.this]:
            if conj.find(exp.Select, exp.Subquery):
                continue
            for ref in tables:
                out.setdefault(id(ref), []).append((conj, names, len(scope)))
    return out


def predicate_for_table(
    conj, me: str, handle: TableHandle, scope_names, scope_size, params, exact: bool = False
):
    names = handle.schema.names

    def column(col: exp.Column) -> str:
        qualifier = col.table.lower()
        if qualifier and qualifier != me:
            raise pushdown._Skip
        if not qualifier and scope_size > 1 and any(n != me for n in scope_names):
            # unqualified in a join: only when no other relation could own the name
            raise pushdown._Skip
        try:  # the column the query binds: exact spelling among names equal up to case
            name = columns.match(col.name, names)
        except ProgrammingError:
            name = None  # the statement itself reports the ambiguity
        if name is None:
            raise pushdown._Skip
        return name

    try:
        return pushdown.translate(conj, column, params, exact)
    except pushdown._Skip:
        return None


def _unqualify_columns(tree: exp.Expr, tables: set[tuple[str, str]]) -> None:
    """``db.t.col`` -> ``t.col`` for tables now read through a relation aliased ``t``."""
    for col in tree.find_all(exp.Column):
        db = col.args.get("db")
        if db is None or not col.table:
            continue
        catalog = col.args.get("catalog")
        schema = ".".join(p.name for p in (catalog, db) if p is not None)
        if (schema.lower(), col.table.lower()) in tables:
            col.set("db", None)
            col.set("catalog", None)


def _renumber(tree: exp.Expr) -> tuple[str, list[int]]:
    """Re-number the ``$n`` placeholders left after time-travel ones were consumed."""
    mapping: dict[int, int] = {}
    order: list[int] = []
    for ph in tree.find_all(exp.Placeholder):
        if not str(ph.this).isdigit():
            continue
        old = int(ph.this)
        if old not in mapping:
            order.append(old - 1)
            mapping[old] = len(order)
        ph.set("this", str(mapping[old]))
    return tree.sql("duckdb"), order
