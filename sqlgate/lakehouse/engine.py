"""The lakehouse query engine: SQL in, a streaming ``pyarrow.RecordBatchReader`` out.

Each table reference is resolved through the :class:`TableSource` (snapshot, time travel),
planned with the WHERE conjuncts that touch only that table, exposed to an embedded DuckDB
as a temp view (native ``read_parquet`` over planned local files) or a registered Arrow
object, and the SQL is rewritten to point at it. Only DuckDB's built-in features are used.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import duckdb
import pyarrow as pa
import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError

from sqlgate.core.errors import Error, NotSupportedError, OperationalError, ProgrammingError
from sqlgate.lakehouse import pushdown
from sqlgate.lakehouse.base import ScanPlan, TableHandle, TableSource
from sqlgate.lakehouse.timetravel import literal_value, normalise, pop_time_travel

CHANGES_FUNCTION = "hudi_changes"
_ids = itertools.count(1)


class LakehouseEngine:
    """One DuckDB session over one :class:`TableSource`; one per DB-API connection."""

    def __init__(self, source: TableSource, rows_per_batch: int = 65536) -> None:
        self.source = source
        self.rows_per_batch = rows_per_batch
        self.plan_info: list[dict[str, Any]] = []
        self._con: duckdb.DuckDBPyConnection | None = duckdb.connect(":memory:")
        self._relations: list[str] = []

    # ------------------------------------------------------------------ metadata
    def list_schemas(self) -> list[str]:
        return self.source.list_schemas()

    def list_tables(self, schema: str) -> list[str]:
        return self.source.list_tables(schema)

    def table_schema(self, schema: str, table: str) -> pa.Schema:
        return self.source.table_schema(schema, table)

    def partition_columns(self, schema: str, table: str) -> list[str]:
        return self.source.partition_columns(schema, table)

    def table_properties(self, schema: str, table: str) -> dict[str, str]:
        return self.source.table_properties(schema, table)

    def close(self) -> None:
        if self._con is not None:
            self._con.close()
            self._con = None
            self.source.close()

    # ------------------------------------------------------------------ execution
    def execute(self, sql: str, parameters: Sequence[Any] | None = None) -> pa.RecordBatchReader:
        """Plan every table reference, rewrite the SQL, and stream DuckDB's result."""
        con = self._connection()
        self._drop_relations()
        self.plan_info = []
        params = list(parameters or [])
        try:
            trees = [t for t in sqlglot.parse(normalise(sql), read="duckdb") if t is not None]
        except ParseError as exc:
            raise ProgrammingError(f"cannot parse SQL: {exc}") from exc
        if len(trees) != 1:
            raise ProgrammingError("exactly one statement per execute() is expected")
        tree = trees[0]
        if not isinstance(tree, exp.Query):
            raise NotSupportedError(f"only queries are supported, not {tree.key.upper()}")
        refs = self._resolve(tree, params)
        preds = _predicates(tree, refs, params)
        for node, (handle, meta) in refs.items():
            plan = self._plan(handle, preds.get(node))
            plan.info.update(meta)
            self._expose(node, plan)
        for node, plan in self._changes(tree, params):
            self._expose(node, plan)
        final_sql, final_params = _renumber(tree, params)
        try:
            relation = con.sql(final_sql, params=final_params or None)
            return relation.to_arrow_reader(self.rows_per_batch)
        except duckdb.Error as exc:
            raise _duck_error(exc) from exc

    def _connection(self) -> duckdb.DuckDBPyConnection:
        if self._con is None:
            raise ProgrammingError("the lakehouse engine is closed")
        return self._con

    def _drop_relations(self) -> None:
        con = self._connection()
        for name in self._relations:
            try:
                con.execute(f'DROP VIEW IF EXISTS "{name}"')
                con.unregister(name)
            except duckdb.Error:
                pass
        self._relations = []

    def _resolve(self, tree: exp.Expression, params: list[Any]) -> dict:
        """Open each table reference (time travel popped from the AST) in SQL order."""
        ctes = {c.alias_or_name.lower() for c in tree.find_all(exp.CTE)}
        refs: dict[exp.Table, tuple[TableHandle, dict[str, Any]]] = {}
        for node in list(tree.find_all(exp.Table)):
            if isinstance(node.this, (exp.Func, exp.Anonymous)):
                name = node.this.name if isinstance(node.this, exp.Anonymous) else node.this.key
                if name.lower() == CHANGES_FUNCTION:
                    continue
                raise ProgrammingError(f"table function {name}() is not allowed; name a table")
            if not node.name:
                continue
            travel = pop_time_travel(node, params)
            if not node.args.get("db") and node.name.lower() in ctes:
                continue
            parts = [p.name for p in node.parts]
            schema = ".".join(parts[:-1]) or self.source.default_schema
            handle = self.source.open(schema, parts[-1], travel)
            meta = {"table": f"{schema}.{parts[-1]}", "format": self.source.format}
            if travel is not None:
                meta["time_travel"] = travel.describe()
            refs[node] = (handle, meta)
        return refs

    def _plan(self, handle: TableHandle, pred: pushdown.Predicate) -> ScanPlan:
        try:
            return handle.scan(pred)
        except Error:
            raise
        except Exception as exc:
            if pred is None:
                raise OperationalError(f"planning failed: {exc}") from exc
            plan = handle.scan(None)  # a filter the planner rejects must never fail a query
            plan.info["pushdown_error"] = str(exc)
            return plan

    def _changes(self, tree: exp.Expression, params: list[Any]):
        for node in list(tree.find_all(exp.Table)):
            fn = node.this
            if not (isinstance(fn, exp.Anonymous) and fn.name.lower() == CHANGES_FUNCTION):
                continue
            args = [literal_value(a, params) for a in fn.expressions]
            if len(args) not in (2, 3):
                raise ProgrammingError(
                    f"{CHANGES_FUNCTION}('schema.table', start_instant [, end_instant])"
                )
            name = str(args[0]).split(".")
            schema = ".".join(name[:-1]) or self.source.default_schema
            end = str(args[2]) if len(args) == 3 and args[2] is not None else None
            plan = self.source.changes(schema, name[-1], str(args[1]), end)
            plan.info.update({"table": f"{schema}.{name[-1]}", "query": "incremental"})
            yield node, plan

    def _expose(self, node: exp.Table, plan: ScanPlan) -> None:
        con = self._connection()
        name = f"__sqlgate_rel_{next(_ids)}"
        try:
            if plan.sql is not None:
                con.execute(f'CREATE TEMP VIEW "{name}" AS {plan.sql}')
            else:
                con.register(name, plan.arrow)
        except duckdb.Error as exc:
            raise _duck_error(exc) from exc
        self._relations.append(name)
        plan.info["relation"] = name
        self.plan_info.append(plan.info)
        alias = node.args.get("alias")
        if alias is None:
            original = node.name if node.name else CHANGES_FUNCTION
            alias = exp.TableAlias(this=exp.to_identifier(original))
        node.replace(exp.Table(this=exp.to_identifier(name, quoted=True), alias=alias))

    def __enter__(self) -> LakehouseEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _predicates(tree: exp.Expression, refs: dict, params: list[Any]) -> dict:
    """For every SELECT scope, the WHERE conjuncts that touch only one (safe) table."""
    out: dict[exp.Table, list] = {}
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
            (node, refs[node][0])
            for i, node in enumerate(scope)
            if isinstance(node, exp.Table) and node in refs and i not in unsafe
        ]
        names = {n.alias_or_name.lower() for n in scope if isinstance(n, (exp.Table, exp.Subquery))}
        for conj in where.this.flatten() if isinstance(where.this, exp.And) else [where.this]:
            if conj.find(exp.Select, exp.Subquery):
                continue
            for node, handle in tables:
                pred = _for_table(conj, node, handle, names, len(scope), params)
                if pred is not None:
                    out.setdefault(node, []).append(pred)
    return {node: pushdown.conjoin(preds) for node, preds in out.items()}


def _for_table(conj, node, handle, scope_names, scope_size, params):
    lookup = {f.name.lower(): f.name for f in handle.schema}
    me = node.alias_or_name.lower()

    def column(col: exp.Column) -> str:
        qualifier = col.table.lower()
        if qualifier and qualifier != me:
            raise pushdown._Skip
        if not qualifier and scope_size > 1 and any(n != me for n in scope_names):
            # unqualified in a join: only when no other relation could own the name
            raise pushdown._Skip
        if col.name.lower() not in lookup:
            raise pushdown._Skip
        return lookup[col.name.lower()]

    try:
        return pushdown.translate(conj, column, params)
    except pushdown._Skip:
        return None


def _renumber(tree: exp.Expression, params: list[Any]) -> tuple[str, list[Any]]:
    """Re-number the ``$n`` placeholders left after time-travel ones were consumed."""
    mapping: dict[int, int] = {}
    new_params: list[Any] = []
    for ph in tree.find_all(exp.Placeholder):
        if not str(ph.this).isdigit():
            continue
        old = int(ph.this)
        if old not in mapping:
            if old - 1 >= len(params):
                raise ProgrammingError(f"missing value for parameter {old}")
            new_params.append(params[old - 1])
            mapping[old] = len(new_params)
        ph.set("this", str(mapping[old]))
    return tree.sql("duckdb"), new_params


def _duck_error(exc: duckdb.Error) -> Error:
    if isinstance(exc, (duckdb.CatalogException, duckdb.ParserException, duckdb.BinderException)):
        return ProgrammingError(str(exc))
    if isinstance(exc, duckdb.ConversionException):
        from sqlgate.core.errors import DataError

        return DataError(str(exc))
    return OperationalError(str(exc))
