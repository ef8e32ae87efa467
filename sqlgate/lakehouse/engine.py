"""The lakehouse query engine: SQL in, a streaming ``pyarrow.RecordBatchReader`` out.

A statement is *compiled* once per distinct SQL text (and cached): parsed, vetted (no table
function but a few harmless ones, no function that reaches outside the engine, one query and
nothing else), its table references found, their time travel and the WHERE conjuncts that touch
only one table set aside, and the SQL rewritten to read ``"__sqlgate_rel_<n>"`` relations.
DuckDB's own parser then vets the rewritten text again (fail closed: what DuckDB would run is
what is checked).

Each execution opens every table reference through the :class:`TableSource` (snapshot, time
travel), plans it with its pushed-down predicate, and exposes it on a DuckDB cursor of its own
(a temp view over native ``read_parquet``, or a registered Arrow object); the result streams
from that cursor, which is released once the result is exhausted or closed, so several results
of one connection can stream at the same time.
"""

from __future__ import annotations

import contextlib
import json
import threading
import weakref
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import duckdb
import pyarrow as pa
import sqlglot
from sqlglot import exp
from sqlglot.dialects.dialect import Dialect
from sqlglot.errors import ParseError
from sqlglot.tokens import TokenType

from sqlgate.core.errors import (
    Error,
    NotSupportedError,
    OperationalError,
    ProgrammingError,
    ReadOnlyError,
)
from sqlgate.lakehouse import pushdown
from sqlgate.lakehouse.base import ScanPlan, TableHandle, TableSource, is_path_like
from sqlgate.lakehouse.timetravel import (
    literal_value,
    normalise,
    resolve_time_travel,
    split_time_travel,
)

CHANGES_FUNCTION = "hudi_changes"
RELATION_PREFIX = "__sqlgate_rel_"

#: Table functions that only compute rows from their arguments: no file, no setting, no catalog.
SAFE_TABLE_FUNCTIONS = frozenset(
    {"unnest", "explode", "range", "generate_series", "json_each", "json_tree"}
)
#: Functions refused wherever they appear: they read the environment, the settings or the log,
#: run SQL given as text, or touch sequences (none exist; a gate refuses them elsewhere too).
DENIED_FUNCTIONS = frozenset(
    {
        "getenv", "current_setting", "write_log", "nextval", "currval", "setval",
        "query", "query_table", "json_execute_serialized_sql", "checkpoint", "force_checkpoint",
        "glob", "read_text", "read_blob", "sniff_csv", "parquet_scan", "which_secret",
        "load_extension", "install_extension", "python_map_function", "arrow_scan",
        "arrow_scan_dumb", "pandas_scan", "python_arrow_scan", "seq_scan", "summary",
    }
)  # fmt: skip
#: Name prefixes of file readers and catalog/extension functions (also of extensions that are
#: not loaded yet, so an extension installed later cannot widen what a query may reach).
DENIED_PREFIXES = (
    "read_", "parquet_", "duckdb_", "pragma_", "sqlite_", "postgres_", "mysql_", "iceberg_",
    "delta_", "ducklake_", "st_read", "glob", "sniff_", "http", "s3_", "azure_", "gcs_",
    "register_", "deregister_", "create_", "destroy_", "enable_", "disable_", "truncate_",
    "test_", "icu_", "pg_timezone",
)  # fmt: skip

#: DuckDB settings of every engine connection: no Python variable is ever a table, no extension
#: is downloaded, and the configuration cannot be changed afterwards.
DUCKDB_CONFIG = {
    "python_enable_replacements": False,
    "autoinstall_known_extensions": False,
    "allow_community_extensions": False,
}
#: Parquet footers are read once per file and kept (checked against the file's modification
#: time by DuckDB): planned files are immutable in Iceberg and Delta tables.
_OPTIONAL_CONFIG = {"parquet_metadata_cache": True}
_COMPILED_CACHE_SIZE = 256


@dataclass
class _Ref:
    """One table reference of a compiled statement."""

    relation: str
    alias: str  # the name the query sees it by
    schema: str = ""
    table: str = ""
    version: exp.Expression | None = None  # FOR VERSION|TIMESTAMP AS OF clause
    changes: list[exp.Expression] | None = None  # hudi_changes(...) arguments
    conjuncts: list[tuple[exp.Expression, frozenset[str], int]] = field(default_factory=list)


@dataclass
class _Compiled:
    sql: str  # the rewritten SQL DuckDB runs
    refs: list[_Ref]
    n_params: int  # values the statement takes
    param_order: list[int]  # index into the given values of each placeholder DuckDB sees
    #: ``sql`` cut at each relation name (text, ref index, text, ...), so a planned
    #: ``read_parquet`` goes in as a subquery with no view to create; None: use views
    pieces: list[str | int] | None = None


class _Statement:
    """The DuckDB cursor one result streams from, with that statement's relations on it."""

    __slots__ = ("__weakref__", "cursor", "reader")

    def __init__(self, cursor: duckdb.DuckDBPyConnection) -> None:
        self.cursor: duckdb.DuckDBPyConnection | None = cursor
        self.reader: Any = None

    def close(self) -> None:
        cursor, self.cursor = self.cursor, None
        reader, self.reader = self.reader, None
        with contextlib.suppress(Exception):  # releasing, never failing
            if reader is not None:
                reader.close()
        with contextlib.suppress(Exception):
            if cursor is not None:
                cursor.close()


class LakehouseEngine:
    """One DuckDB database over one :class:`TableSource`; one per DB-API connection."""

    def __init__(self, source: TableSource, rows_per_batch: int = 65536) -> None:
        self.source = source
        self.rows_per_batch = rows_per_batch
        self.plan_info: list[dict[str, Any]] = []
        try:
            try:
                con = duckdb.connect(":memory:", config={**DUCKDB_CONFIG, **_OPTIONAL_CONFIG})
            except duckdb.Error:  # a DuckDB without the optional settings
                con = duckdb.connect(":memory:", config=dict(DUCKDB_CONFIG))
            con.execute("SET GLOBAL lock_configuration = true")
        except duckdb.Error as exc:
            raise OperationalError(f"cannot start the embedded DuckDB: {exc}") from exc
        self._con: duckdb.DuckDBPyConnection | None = con
        self._open: weakref.WeakSet[_Statement] = weakref.WeakSet()
        self._compiled: OrderedDict[str, _Compiled] = OrderedDict()
        self._lock = threading.Lock()

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
            for statement in list(self._open):
                statement.close()
            self._open.clear()
            self._con.close()
            self._con = None
            self.source.close()

    # ------------------------------------------------------------------ execution
    def execute(self, sql: str, parameters: Sequence[Any] | None = None) -> pa.RecordBatchReader:
        """Plan every table reference and stream DuckDB's result of the rewritten SQL."""
        con = self._connection()
        params = list(parameters or [])
        compiled = self._compile(sql)
        if len(params) < compiled.n_params:
            raise ProgrammingError(f"missing value for parameter {len(params) + 1}")
        if len(params) > compiled.n_params:
            raise ProgrammingError(
                f"the statement takes {compiled.n_params} parameter(s) but "
                f"{len(params)} were given"
            )
        values = [params[i] for i in compiled.param_order]
        opened: list[tuple[_Ref, TableHandle | None, dict[str, Any]]] = []
        for ref in compiled.refs:
            if ref.changes is not None:
                opened.append((ref, None, {}))
                continue
            travel = resolve_time_travel(ref.version, params) if ref.version is not None else None
            handle = self.source.open(ref.schema, ref.table, travel)
            meta: dict[str, Any] = {
                "table": f"{ref.schema}.{ref.table}",
                "format": self.source.format,
            }
            if travel is not None:
                meta["time_travel"] = travel.describe()
            opened.append((ref, handle, meta))
        statement = _Statement(con.cursor())
        self._open.add(statement)
        try:
            inline: dict[int, str] = {}
            infos = []
            for i, (ref, handle, meta) in enumerate(opened):
                plan = self._scan(ref, handle, meta, values, params)
                if plan.sql is not None and compiled.pieces is not None:
                    inline[i] = f"({plan.sql})"
                    plan.info["relation"] = ref.relation
                else:
                    self._expose(statement, ref, plan)
                infos.append(plan.info)
            sql = compiled.sql
            if inline:
                sql = "".join(
                    p if isinstance(p, str) else inline.get(p, f'"{compiled.refs[p].relation}"')
                    for p in compiled.pieces or ()
                )
            relation = statement.cursor.sql(sql, params=values or None)
            reader = relation.to_arrow_reader(self.rows_per_batch)
        except duckdb.Error as exc:
            statement.close()
            raise _duck_error(exc) from exc
        except BaseException:
            statement.close()
            raise
        statement.reader = reader
        self.plan_info = infos
        return pa.RecordBatchReader.from_batches(reader.schema, _stream(statement))

    def _connection(self) -> duckdb.DuckDBPyConnection:
        if self._con is None:
            raise ProgrammingError("the lakehouse engine is closed")
        return self._con

    def _scan(self, ref: _Ref, handle: TableHandle | None, meta: dict, values: list,
              params: list) -> ScanPlan:
        if handle is None:
            return self._changes(ref, params)
        preds = []
        for conj, names, size in ref.conjuncts:
            pred = _for_table(conj, ref.alias.lower(), handle, names, size, values)
            if pred is not None:
                preds.append(pred)
        plan = self._plan(handle, pushdown.conjoin(preds))
        plan.info.update(meta)
        return plan

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

    def _changes(self, ref: _Ref, params: list[Any]) -> ScanPlan:
        args = [literal_value(a, params) for a in ref.changes or []]
        if len(args) not in (2, 3):
            raise ProgrammingError(
                f"{CHANGES_FUNCTION}('schema.table', start_instant [, end_instant])"
            )
        name = str(args[0]).split(".")
        schema = ".".join(name[:-1]) or self.source.default_schema
        end = str(args[2]) if len(args) == 3 and args[2] is not None else None
        plan = self.source.changes(schema, name[-1], str(args[1]), end)
        plan.info.update({"table": f"{schema}.{name[-1]}", "query": "incremental"})
        return plan

    def _expose(self, statement: _Statement, ref: _Ref, plan: ScanPlan) -> dict[str, Any]:
        cursor = statement.cursor
        assert cursor is not None
        if plan.sql is not None:
            cursor.execute(f'CREATE TEMP VIEW "{ref.relation}" AS {plan.sql}')
        else:
            cursor.register(ref.relation, plan.arrow)
        plan.info["relation"] = ref.relation
        return plan.info

    # ------------------------------------------------------------------ compilation
    def _compile(self, sql: str) -> _Compiled:
        with self._lock:
            compiled = self._compiled.get(sql)
            if compiled is not None:
                self._compiled.move_to_end(sql)
                return compiled
        compiled = _compile(sql, self.source.default_schema)
        _vet_with_duckdb(self._connection(), compiled)
        with self._lock:
            self._compiled[sql] = compiled
            while len(self._compiled) > _COMPILED_CACHE_SIZE:
                self._compiled.popitem(last=False)
        return compiled

    def __enter__(self) -> LakehouseEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _stream(statement: _Statement) -> Iterator[pa.RecordBatch]:
    """The result's batches; the statement's cursor goes once they are read or dropped."""
    try:
        while True:
            reader = statement.reader
            if reader is None:
                return
            try:
                batch = reader.read_next_batch()
            except StopIteration:
                return
            except duckdb.Error as exc:
                raise _duck_error(exc) from exc
            yield batch
    finally:
        statement.close()


# ---------------------------------------------------------------------- compile
def _compile(sql: str, default_schema: str) -> _Compiled:
    try:
        trees = [t for t in sqlglot.parse(normalise(sql), read="duckdb") if t is not None]
    except ParseError as exc:
        raise ProgrammingError(f"cannot parse SQL: {exc}") from exc
    if len(trees) != 1:
        raise ProgrammingError("exactly one statement per execute() is expected")
    tree = trees[0]
    if not isinstance(tree, exp.Query):
        raise NotSupportedError(f"only queries are supported, not {tree.key.upper()}")
    _vet_functions(tree)
    n_params = max(
        (int(p.this) for p in tree.find_all(exp.Placeholder) if str(p.this).isdigit()), default=0
    )
    refs: list[_Ref] = []
    nodes: dict[int, exp.Table] = {}
    changes: list[tuple[exp.Table, _Ref]] = []
    for node in list(tree.find_all(exp.Table)):
        fn = node.this
        if isinstance(fn, exp.Anonymous) and fn.name.lower() == CHANGES_FUNCTION:
            ref = _Ref(relation="", alias=node.alias_or_name or CHANGES_FUNCTION,
                       changes=list(fn.expressions))
            changes.append((node, ref))
            continue
        if isinstance(node.this, exp.Func) or not node.name:
            continue  # safe table functions (vetted above); nothing to resolve
        version = split_time_travel(node)
        if not node.args.get("db") and node.name.lower() in _visible_ctes(node):
            if _file_like(node.name):
                raise ReadOnlyError("file path as a table", node.name)
            continue
        if is_path_like(node.name) or any(is_path_like(p.name) for p in node.parts[:-1]):
            raise ReadOnlyError("file path as a table", ".".join(p.name for p in node.parts))
        parts = [p.name for p in node.parts]
        ref = _Ref(
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
    return _Compiled(final_sql, refs, n_params, order, _pieces(final_sql, refs))


def _pieces(sql: str, refs: list[_Ref]) -> list[str | int] | None:
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


def _file_like(name: str) -> bool:
    """A name DuckDB could read as a file (replacement scan) were it not a CTE in scope."""
    return is_path_like(name) or "." in name or ":" in name


def _visible_ctes(node: exp.Expression) -> set[str]:
    """Names of the CTEs of every query enclosing ``node`` (generous: never too few)."""
    names: set[str] = set()
    parent = node.parent
    while parent is not None:
        with_ = parent.args.get("with_") or parent.args.get("with")
        if isinstance(with_, exp.With):
            names.update(c.alias_or_name.lower() for c in with_.expressions)
        parent = parent.parent
    return names


def _func_names(fn: exp.Func) -> set[str]:
    if isinstance(fn, exp.Anonymous):
        return {fn.name.lower()}
    names = {fn.key.lower(), fn.sql_name().lower()}
    names.update(n.lower() for n in getattr(type(fn), "_sql_names", ()) or ())
    return names


def _denied(name: str) -> bool:
    return (
        name in DENIED_FUNCTIONS
        or name.startswith(DENIED_PREFIXES)
        or name in _duckdb_table_only_functions()
    ) and name not in SAFE_TABLE_FUNCTIONS


def _vet_functions(tree: exp.Expression) -> None:
    """Refuse table functions outside the allow-list and functions that reach outside."""
    for node in tree.walk():
        if isinstance(node, (exp.Table, exp.Lateral, exp.From, exp.Join)):
            fn = node.this
            if isinstance(fn, exp.Func) and not isinstance(fn, exp.Subquery):
                names = _func_names(fn)
                if CHANGES_FUNCTION in names and isinstance(node, exp.Table):
                    continue
                if not names & SAFE_TABLE_FUNCTIONS:
                    name = fn.name if isinstance(fn, exp.Anonymous) else fn.sql_name().lower()
                    raise ReadOnlyError(f"table function {name}", "only unnest, range and "
                                   "generate_series may stand in for a table")
        elif isinstance(node, exp.Func):
            for name in _func_names(node):
                if name != CHANGES_FUNCTION and _denied(name):
                    raise ReadOnlyError(f"function {name}", "it reaches outside the query engine")


def _conjuncts(tree: exp.Expression, refs: dict[int, _Ref]) -> dict[int, list]:
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


def _for_table(conj, me: str, handle: TableHandle, scope_names, scope_size, params):
    lookup = {f.name.lower(): f.name for f in handle.schema}

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


def _unqualify_columns(tree: exp.Expression, tables: set[tuple[str, str]]) -> None:
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


def _renumber(tree: exp.Expression) -> tuple[str, list[int]]:
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


# ---------------------------------------------------------------------- DuckDB's own parse
_TABLE_ONLY: frozenset[str] | None = None


def _duckdb_table_only_functions() -> frozenset[str]:
    """Table functions of this DuckDB that have no scalar/aggregate namesake."""
    global _TABLE_ONLY
    if _TABLE_ONLY is None:
        with duckdb.connect(":memory:") as con:
            rows = con.sql(
                "SELECT function_name, bool_or(function_type IN ('table', 'table_macro')), "
                "bool_and(function_type IN ('table', 'table_macro', 'pragma')) "
                "FROM duckdb_functions() GROUP BY function_name"
            ).fetchall()
        _TABLE_ONLY = frozenset(name.lower() for name, table, only in rows if table and only)
    return _TABLE_ONLY


def _vet_with_duckdb(con: duckdb.DuckDBPyConnection, compiled: _Compiled) -> None:
    """Fail closed on DuckDB's parse of the rewritten SQL: what runs is what was vetted."""
    try:
        text = con.sql("SELECT json_serialize_sql($1)", params=[compiled.sql]).fetchall()[0][0]
        doc = json.loads(text)
    except (duckdb.Error, ValueError, TypeError) as exc:
        raise ReadOnlyError("statement DuckDB cannot vet", str(exc)) from exc
    if doc.get("error") or len(doc.get("statements") or []) != 1:
        raise ReadOnlyError("statement DuckDB cannot vet", str(doc.get("error_message", ""))[:200])
    relations = {r.relation for r in compiled.refs}
    ctes: set[str] = set()
    tables: list[dict] = []
    stack: list[Any] = [doc["statements"]]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
            continue
        if not isinstance(item, dict):
            continue
        kind = item.get("type")
        if kind == "TABLE_FUNCTION":
            fn = item.get("function") or {}
            name = str(fn.get("function_name", "")).lower()
            if name not in SAFE_TABLE_FUNCTIONS or fn.get("schema") or fn.get("catalog"):
                raise ReadOnlyError(f"table function {name}", "refused by the engine")
        elif kind == "BASE_TABLE":
            tables.append(item)
        elif kind == "SHOW_REF":
            raise ReadOnlyError("DESCRIBE/SUMMARIZE in FROM", "refused by the engine")
        if item.get("class") in ("FUNCTION", "WINDOW") and "function_name" in item:
            name = str(item["function_name"]).lower()
            if _denied(name):
                raise ReadOnlyError(f"function {name}", "it reaches outside the query engine")
        cte_map = item.get("cte_map")
        if isinstance(cte_map, dict):
            ctes.update(str(e.get("key", "")).lower() for e in cte_map.get("map") or [])
        stack.extend(v for v in item.values() if isinstance(v, (dict, list)))
    for table in tables:
        name = str(table.get("table_name", ""))
        qualified = table.get("schema_name") or table.get("catalog_name")
        if name in relations and not qualified:
            continue
        if name.lower() in ctes and not qualified and not _file_like(name):
            continue
        raise ReadOnlyError("table reference outside the lakehouse", name)


def _duck_error(exc: duckdb.Error) -> Error:
    if isinstance(exc, (duckdb.CatalogException, duckdb.ParserException, duckdb.BinderException)):
        return ProgrammingError(str(exc))
    if isinstance(exc, duckdb.ConversionException):
        from sqlgate.core.errors import DataError

        return DataError(str(exc))
    return OperationalError(str(exc))
