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

The DuckDB itself is sandboxed (:mod:`sqlgate.lakehouse.sandbox`): no file outside the source's
local roots, no ``ATTACH``/``COPY``/extension, configuration locked; the table formats hold
what they open to the lake (:mod:`sqlgate.lakehouse.containment`).
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

import duckdb
import pyarrow as pa

from sqlgate.core.errors import (
    Error,
    OperationalError,
    ProgrammingError,
)
from sqlgate.lakehouse import columns, pushdown, sandbox
from sqlgate.lakehouse.base import ScanPlan, SourceMetadata, TableHandle, TableSource
from sqlgate.lakehouse.columns_plan import exact_plan
from sqlgate.lakehouse.columns_sql import exact_statement
from sqlgate.lakehouse.compiler import (
    CompiledStatement,
    TableRef,
    compile_statement,
    predicate_for_table,
)
from sqlgate.lakehouse.duckdb_files import helper_lock
from sqlgate.lakehouse.failures import plain, planning_error, table_error
from sqlgate.lakehouse.guard import CHANGES_FUNCTION, vet_with_duckdb
from sqlgate.lakehouse.statement import (
    CANCELLED,
    Statement,
    duck_error,
    redacted,
    stoppable,
    stream,
)
from sqlgate.lakehouse.timetravel import (
    literal_value,
    resolve_time_travel,
)

_COMPILED_CACHE_SIZE = 256
#: (default schema, SQL text) -> the statement compiled and vetted by DuckDB's parser: shared
#: by the engines of the process, so a fresh connection per request (a NullPool) does not
#: parse and vet the same dashboard statement again. Compiling reads only the text and the
#: default schema; the vetting only DuckDB's parse, the same for every connection.
_COMPILED: OrderedDict[tuple[str, str], CompiledStatement] = OrderedDict()
_COMPILED_LOCK = threading.Lock()


class LakehouseEngine(SourceMetadata):
    """One DuckDB connection (to the process's shared sandboxed database for the source's
    roots, :func:`sandbox.lend`) over one :class:`TableSource`; one per DB-API connection."""

    def __init__(
        self,
        source: TableSource,
        rows_per_batch: int = 65536,
        statement_timeout: float | None = None,
    ) -> None:
        self.source = source
        self.rows_per_batch = rows_per_batch
        self.statement_timeout = statement_timeout
        self.plan_info: list[dict[str, Any]] = []
        directories = source.jail().duckdb_directories()
        try:  # a connection of its own to the process's sandboxed database for these roots
            con, self._give_back = sandbox.lend(directories)
        except duckdb.Error as exc:
            raise OperationalError(f"cannot start the embedded DuckDB: {exc}") from None
        sandbox.adopt(directories, con)  # the footer questions' helper
        self._con: duckdb.DuckDBPyConnection | None = con
        self._open: weakref.WeakSet[Statement] = weakref.WeakSet()

    def cancel(self) -> None:
        """Stop every statement of this engine that is planning, running or streaming."""
        for statement in list(self._open):
            statement.stop(CANCELLED)

    def close(self) -> None:
        if self._con is not None:
            for statement in list(self._open):
                statement.close()
            self._open.clear()
            with helper_lock:  # no footer question is using a cursor of it
                sandbox.release(self._con)
            self._con.close()
            self._con = None
            self._give_back()
            self.source.close()

    # ------------------------------------------------------------------ execution
    def execute(self, sql: str, parameters: Sequence[Any] | None = None) -> pa.RecordBatchReader:
        """Plan every table reference and stream DuckDB's result of the rewritten SQL."""
        con = self._connection()
        # registered before planning: a Stop while tables are opened is not lost
        statement = Statement(None)
        self._open.add(statement)
        statement.arm(self.statement_timeout)
        try:
            compiled, opened, values, params = self._open_tables(sql, parameters)
            counted = self._metadata_count(compiled, opened, values)
            if counted is not None:
                statement.close()
                self._open.discard(statement)
                return counted
            # tables with columns equal up to case: their own names for them (columns.py)
            layouts = [columns.layout(h.schema if h else None) for _r, h, _m in opened]
            compiled = exact_statement(compiled, layouts, lambda c: vet_with_duckdb(con, c))
            statement.renames = compiled.renames or {}
            statement.cursor = con.cursor()
            statement.check()
        except BaseException:
            statement.close()
            self._open.discard(statement)
            raise
        failure: duckdb.Error | None = None
        try:
            inline: dict[int, str] = {}
            infos = []
            for i, (ref, handle, meta) in enumerate(opened):
                plan = self._scan(ref, handle, meta, values, params, compiled.first_rows)
                if layouts[i] is not None:
                    dirs = self.source.jail().duckdb_directories()
                    plan = exact_plan(plan, dirs, meta["table"], self.source.format)
                statement.reads(ref.relation, plan.info)
                if plan.sql is not None and compiled.pieces is not None:
                    inline[i] = f"({self._expose(statement, ref, plan, inline=True)})"
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
            statement.check()
        except duckdb.Error as exc:
            statement.close()
            failure = exc
        except BaseException:
            statement.close()
            raise
        if failure is not None:  # raised out here: no unredacted exception as its context
            self._open.discard(statement)
            error, cause = duck_error(failure, statement), redacted(failure)
            failure = None  # no cycle frame -> exception -> traceback -> frame
            raise error from cause
        statement.reader = reader
        self.plan_info = infos
        if compiled.renames:
            schema = columns.restore(reader.schema, compiled.renames)
            return pa.RecordBatchReader.from_batches(
                schema, columns.renamed(stream(statement), schema)
            )
        return pa.RecordBatchReader.from_batches(reader.schema, stream(statement))

    def _open_tables(
        self, sql: str, parameters: Sequence[Any] | None
    ) -> tuple[
        CompiledStatement,
        list[tuple[TableRef, TableHandle | None, dict[str, Any]]],
        list[Any],
        list[Any],
    ]:
        """Compile ``sql`` and open every table it reads (snapshot, time travel)."""
        params = list(parameters or [])
        compiled = self._compile(sql)
        if len(params) < compiled.n_params:
            raise ProgrammingError(f"missing value for parameter {len(params) + 1}")
        if len(params) > compiled.n_params:
            raise ProgrammingError(
                f"the statement takes {compiled.n_params} parameter(s) but {len(params)} were given"
            )
        values = [params[i] for i in compiled.param_order]
        opened: list[tuple[TableRef, TableHandle | None, dict[str, Any]]] = []
        for ref in compiled.refs:
            if ref.changes is not None:
                opened.append((ref, None, {}))
                continue
            travel = resolve_time_travel(ref.version, params) if ref.version is not None else None
            try:
                handle = self.source.open(ref.schema, ref.table, travel)
            except Exception as exc:  # a damaged table names itself, in plain text
                raise table_error(exc, f"{ref.schema}.{ref.table}") from None
            meta: dict[str, Any] = {
                "table": f"{ref.schema}.{ref.table}",
                "format": self.source.format,
            }
            if travel is not None:
                meta["time_travel"] = travel.describe()
            opened.append((ref, handle, meta))
        return compiled, opened, values, params

    def _metadata_count(
        self,
        compiled: CompiledStatement,
        opened: list[tuple[TableRef, TableHandle | None, dict[str, Any]]],
        values: list[Any],
    ) -> pa.RecordBatchReader | None:
        """A bare ``count(*)`` answered from the table's metadata (no file opened), when
        every WHERE conjunct translates whole and the format says the count exactly
        (:mod:`sqlgate.lakehouse.metadata_count`); None: plan and scan as usual."""
        if compiled.count_column is None or len(opened) != 1:
            return None
        ref, handle, meta = opened[0]
        exact_count = getattr(handle, "exact_count", None)
        if handle is None or exact_count is None:
            return None
        preds = []
        for conj, names, size in ref.conjuncts:
            pred = predicate_for_table(
                conj, ref.alias.lower(), handle, names, size, values, exact=True
            )
            if pred is None:
                return None
            preds.append(pred)
        predicate = pushdown.conjoin(preds)
        try:
            counted = exact_count(predicate)
        except Error:
            raise
        except Exception:  # the scan reports what is wrong with the table, in its words
            return None
        if counted is None:
            return None
        count, info = counted
        info.update(meta, scan="metadata_count", filter=str(predicate), rows=count, files_read=0)
        self.plan_info = [info]
        result = pa.table({compiled.count_column: pa.array([count], pa.int64())})
        return pa.RecordBatchReader.from_batches(result.schema, result.to_batches())

    def _connection(self) -> duckdb.DuckDBPyConnection:
        if self._con is None:
            raise ProgrammingError("the lakehouse engine is closed")
        return self._con

    def _scan(
        self,
        ref: TableRef,
        handle: TableHandle | None,
        meta: dict,
        values: list,
        params: list,
        first_rows: int | None = None,
    ) -> ScanPlan:
        if handle is None:
            return self._changes(ref, params)
        scan_first = getattr(handle, "scan_first", None)
        if first_rows is not None and scan_first is not None:
            try:  # a bare LIMIT: the leading files hold enough rows
                plan = scan_first(first_rows)
            except Exception:  # the full plan reports what is wrong, in its words
                plan = None
            if plan is not None:
                plan.info.update(meta)
                return plan
        preds = []
        for conj, names, size in ref.conjuncts:
            pred = predicate_for_table(conj, ref.alias.lower(), handle, names, size, values)
            if pred is not None:
                preds.append(pred)
        plan = self._plan(handle, pushdown.conjoin(preds))
        plan.info.update(meta)
        return plan

    def _plan(self, handle: TableHandle, pred: pushdown.Predicate) -> ScanPlan:
        try:
            return handle.scan(pred)
        except Exception as exc:
            if pred is None or isinstance(exc, Error):
                raise planning_error(exc, handle) from None
            error = plain(str(exc))
        try:
            plan = handle.scan(None)  # a filter the planner rejects must never fail a query
        except Exception as exc:
            raise planning_error(exc, handle) from None
        plan.info["pushdown_error"] = error
        return plan

    def _changes(self, ref: TableRef, params: list[Any]) -> ScanPlan:
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

    def _expose(
        self, statement: Statement, ref: TableRef, plan: ScanPlan, inline: bool = False
    ) -> str | None:
        """Register the plan's own relations on the statement's cursor, then the plan: its
        SQL returned (``inline``) or as a temp view, or its Arrow object. Streams stop with
        the statement."""
        cursor = statement.cursor
        assert cursor is not None
        for name, obj in plan.named_relations(ref.relation).items():
            if isinstance(obj, pa.RecordBatchReader):
                obj = stoppable(obj, statement)
            cursor.register(name, obj)
        plan.info["relation"] = ref.relation
        sql = plan.sql_for(ref.relation)
        if sql is not None and inline:
            return sql
        if sql is not None:
            cursor.execute(f'CREATE TEMP VIEW "{ref.relation}" AS {sql}')
        elif isinstance(plan.arrow, pa.RecordBatchReader):
            cursor.register(ref.relation, stoppable(plan.arrow, statement))
        else:
            cursor.register(ref.relation, plan.arrow)
        return None

    # ------------------------------------------------------------------ compilation
    def _compile(self, sql: str) -> CompiledStatement:
        key = (self.source.default_schema, sql)
        with _COMPILED_LOCK:
            compiled = _COMPILED.get(key)
            if compiled is not None:
                _COMPILED.move_to_end(key)
                return compiled
        compiled = compile_statement(sql, self.source.default_schema)
        vet_with_duckdb(self._connection(), compiled)
        with _COMPILED_LOCK:
            _COMPILED[key] = compiled
            while len(_COMPILED) > _COMPILED_CACHE_SIZE:
                _COMPILED.popitem(last=False)
        return compiled

    def __enter__(self) -> LakehouseEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
