"""What a lakehouse statement may not do: the engine's own fail-closed SQL checks.

The core gate already admits only reads; these checks are the engine's second line, aimed at
what DuckDB itself could reach: table functions that read files or the environment, functions
that run SQL given as text, and whatever DuckDB's own parser finds in the rewritten statement.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import duckdb
from sqlglot import exp

from sqlgate.core.errors import ReadOnlyError
from sqlgate.lakehouse.base import is_path_like

if TYPE_CHECKING:
    from sqlgate.lakehouse.compiler import CompiledStatement

CHANGES_FUNCTION = "hudi_changes"

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
        or name in _duckdb_table_only_functions()
    ) and name not in SAFE_TABLE_FUNCTIONS


def vet_functions(tree: exp.Expression) -> None:
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


def vet_with_duckdb(con: duckdb.DuckDBPyConnection, compiled: CompiledStatement) -> None:
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
        if name.lower() in ctes and not qualified and not is_file_like(name):
            continue
        raise ReadOnlyError("table reference outside the lakehouse", name)


