"""What a lakehouse statement may not do: the engine's own fail-closed SQL checks.

The core gate already admits only reads; these checks are the engine's second line, aimed at
what DuckDB itself could reach: table functions that read files or the environment, functions
that run SQL given as text, and whatever DuckDB's own parser finds in the rewritten statement.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

import duckdb
from sqlglot import exp

from sqlgate.core.errors import ReadOnlyError
from sqlgate.core.readonly_functions import (
    DUCKDB_SIDE_EFFECT_FUNCTIONS,
    DUCKDB_SIDE_EFFECT_PREFIXES,
)
from sqlgate.lakehouse.base import is_path_like

if TYPE_CHECKING:
    from sqlgate.lakehouse.compiler import CompiledStatement

CHANGES_FUNCTION = "hudi_changes"

#: Table functions that only compute rows from their arguments: no file, no setting, no catalog.
SAFE_TABLE_FUNCTIONS = frozenset(
    {"unnest", "explode", "range", "generate_series", "json_each", "json_tree"}
)
#: Functions refused wherever they appear, and name prefixes of file readers and catalog or
#: extension functions: the one DuckDB deny list of the core gate (``readonly_functions``), so
#: the engine and the gate can never disagree about what a lakehouse query may call.
DENIED_FUNCTIONS = DUCKDB_SIDE_EFFECT_FUNCTIONS
DENIED_PREFIXES = tuple(sorted(DUCKDB_SIDE_EFFECT_PREFIXES))


def is_file_like(name: str) -> bool:
    """A name DuckDB could read as a file (replacement scan) were it not a CTE in scope."""
    return is_path_like(name) or "." in name or ":" in name


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
        or name in _duckdb_denied_functions()
    ) and name not in SAFE_TABLE_FUNCTIONS


def vet_functions(tree: exp.Expr) -> None:
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
                    raise ReadOnlyError(
                        f"table function {name}",
                        "only unnest, range and generate_series may stand in for a table",
                    )
        elif isinstance(node, exp.Func):
            for name in _func_names(node):
                if name != CHANGES_FUNCTION and _denied(name):
                    raise ReadOnlyError(f"function {name}", "it reaches outside the query engine")


# ---------------------------------------------------------------------- DuckDB's own catalog
_DUCKDB_DENIED: frozenset[str] | None = None
#: a macro whose body runs a query reads the catalog (``pg_get_viewdef`` reads
#: ``duckdb_views()``, ``get_block_size`` reads ``pragma_database_size()`` ...)
_QUERYING = re.compile(r"\b(select|from)\b", re.I)


def _duckdb_denied_functions() -> frozenset[str]:
    """Names this DuckDB build makes dangerous: table functions with no scalar namesake,
    pragmas, and macros whose body is a query. Computed from the build, not hand-listed, so a
    new DuckDB cannot add a catalog-reading macro behind the guard's back."""
    global _DUCKDB_DENIED
    if _DUCKDB_DENIED is None:
        with duckdb.connect(":memory:") as con:
            rows = con.sql(
                "SELECT function_name, bool_or(function_type IN ('table', 'table_macro')), "
                "bool_and(function_type IN ('table', 'table_macro', 'pragma')), "
                "bool_or(function_type = 'macro' AND regexp_matches(coalesce(macro_definition, "
                "''), $1, 'i')) FROM duckdb_functions() GROUP BY function_name",
                params=[_QUERYING.pattern],
            ).fetchall()
        _DUCKDB_DENIED = frozenset(
            name.lower() for name, table, only, querying in rows if (table and only) or querying
        )
    return _DUCKDB_DENIED


def allowed_function_names() -> tuple[str, ...]:
    """Scalar and aggregate functions a query may call (SQL Lab's autocomplete lists them):
    this DuckDB build's functions minus everything the guard refuses."""
    with duckdb.connect(":memory:") as con:
        rows = con.sql(
            "SELECT DISTINCT function_name FROM duckdb_functions() WHERE "
            "function_type IN ('scalar', 'aggregate', 'macro')"
        ).fetchall()
    return tuple(
        sorted(
            {
                name
                for (name,) in rows
                if name.isidentifier() and not name.startswith("_") and not _denied(name.lower())
            }
        )
    )


# ---------------------------------------------------------------------- DuckDB's own parse
#: table references DuckDB may see; anything else (SHOW_REF, COLUMN_DATA, ...) is refused
_TABLE_REFS = frozenset(
    {
        "BASE_TABLE",
        "JOIN",
        "SUBQUERY",
        "TABLE_FUNCTION",
        "EXPRESSION_LIST",
        "EMPTY",
        "EMPTY_FROM",
        "PIVOT",
    }
)
_OTHER_TABLE_REFS = frozenset(
    {"SHOW_REF", "COLUMN_DATA", "DELIM_GET", "BOUND_TABLE_REF", "CTE", "INVALID"}
)


def vet_with_duckdb(con: duckdb.DuckDBPyConnection, compiled: CompiledStatement) -> None:
    """Fail closed on DuckDB's parse of the rewritten SQL: what runs is what was vetted.

    Every base-table reference must be one of the engine's relations or a CTE *in scope* where
    it stands, scoped as DuckDB binds it: a CTE sees only the CTEs before it (itself only from
    the recursive side of a ``WITH RECURSIVE`` union), so ``WITH pg_settings AS (SELECT * FROM
    pg_settings)`` is a reference to DuckDB's catalog and is refused, whatever the spelling.
    """
    try:  # a cursor of its own (~0.03 ms): no result pending on ``con`` is ever disturbed
        with con.cursor() as own:
            sql = "SELECT json_serialize_sql($1)"
            text = own.sql(sql, params=[compiled.sql]).fetchall()[0][0]
        doc = json.loads(text)
    except (duckdb.Error, ValueError, TypeError) as exc:
        raise ReadOnlyError("statement DuckDB cannot vet", str(exc)) from None
    if doc.get("error") or len(doc.get("statements") or []) != 1:
        raise ReadOnlyError("statement DuckDB cannot vet", str(doc.get("error_message", ""))[:200])
    walk = _ScopeWalk(frozenset(r.relation for r in compiled.refs))
    walk.walk(doc["statements"], frozenset())
    if walk.outside:  # after the walk: a refused function names itself first
        raise ReadOnlyError("table reference outside the lakehouse", walk.outside[0])


class _ScopeWalk:
    """Walks DuckDB's serialized parse tree carrying the CTE names visible at each node."""

    def __init__(self, relations: frozenset[str]) -> None:
        self.relations = relations
        self.budget = 1_000_000  # nodes: a bound, far above any real statement
        self.outside: list[str] = []

    def walk(self, item: Any, scope: frozenset[str]) -> None:
        self.budget -= 1
        if self.budget < 0:
            raise ReadOnlyError("statement DuckDB cannot vet", "it is too large")
        if isinstance(item, list):
            for child in item:
                self.walk(child, scope)
            return
        if not isinstance(item, dict):
            return
        cte_map = item.get("cte_map")
        if isinstance(cte_map, dict):
            visible = set(scope)
            for entry in cte_map.get("map") or []:
                body = (entry.get("value") or {}) if isinstance(entry, dict) else {}
                self.walk(body, frozenset(visible))  # a CTE sees the ones before it
                visible.add(str(entry.get("key", "")).lower())
            scope = frozenset(visible)
        self._check(item, scope)
        recursive = item.get("type") == "RECURSIVE_CTE_NODE"
        own = str(item.get("cte_name", "")).lower() if recursive else ""
        for key, value in item.items():
            if key == "cte_map" or not isinstance(value, (dict, list)):
                continue
            self.walk(value, scope | {own} if recursive and key == "right" and own else scope)

    def _check(self, item: dict, scope: frozenset[str]) -> None:
        kind = item.get("type")
        if kind == "SHOW_REF":
            raise ReadOnlyError("DESCRIBE/SUMMARIZE in FROM", "refused by the engine")
        if kind in _OTHER_TABLE_REFS and "alias" in item:
            raise ReadOnlyError(f"{str(kind).lower()} in FROM", "refused by the engine")
        if kind == "TABLE_FUNCTION":
            fn = item.get("function") or {}
            name = str(fn.get("function_name", "")).lower()
            if name not in SAFE_TABLE_FUNCTIONS or fn.get("schema") or fn.get("catalog"):
                raise ReadOnlyError(f"table function {name}", "refused by the engine")
        elif kind == "BASE_TABLE":
            self._table(item, scope)
        if item.get("class") in ("FUNCTION", "WINDOW", "AGGREGATE") and "function_name" in item:
            name = str(item["function_name"]).lower()
            if _denied(name) or item.get("schema") or item.get("catalog"):
                raise ReadOnlyError(f"function {name}", "it reaches outside the query engine")

    def _table(self, item: dict, scope: frozenset[str]) -> None:
        name = str(item.get("table_name", ""))
        path = (item.get("qualified_name") or {}).get("path") or [name]
        qualified = item.get("schema_name") or item.get("catalog_name") or len(path) > 1
        if not qualified and (
            name in self.relations or (name.lower() in scope and not is_file_like(name))
        ):
            return
        self.outside.append(name)
