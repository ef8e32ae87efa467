"""Planned reads of tables whose columns differ only by case, made to keep every column.

An Arrow plan (pyarrow dataset, pyiceberg or delta-rs stream) already keeps them apart: DuckDB
scans it by position, and the statement's positional aliases name the columns. A native
``read_parquet`` plan does not: DuckDB binds ``SELECT "user_id", "uSeR_Id"`` to one column
twice, ``union_by_name`` merges them across files, and a hive directory ``USER_ID=7`` replaces
a data column ``user_id``. So its files are read by position instead: grouped by schema (and
partition values), each group's columns renamed positionally to names that cannot collide,
partition values added as typed literals, the groups unioned by those names, and the plan's
own select list (its casts) applied on top, in the table's column order.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote

import duckdb
import pyarrow as pa
import sqlglot
from sqlglot import exp

from sqlgate.core.errors import NotSupportedError, OperationalError
from sqlgate.lakehouse.base import ScanPlan
from sqlgate.lakehouse.duckdb_files import (
    duck_type,
    glob_literal,
    glob_unliteral,
    parquet_signatures,
    quote_ident,
    quote_str,
)

#: read_parquet options this rewrite does itself (the rest are passed on to every group)
_OWN_OPTIONS = frozenset({"union_by_name", "hive_partitioning", "hive_types"})
_HIVE_NULL = "__HIVE_DEFAULT_PARTITION__"


def physical(name: str) -> str:
    """A file column's name inside the rewritten read: distinct for names equal up to case."""
    return "c_" + name.encode().hex()


#: formats whose data files never change once written: their footers may be cached
_IMMUTABLE_FILES = frozenset({"iceberg", "delta", "hudi"})


def exact_plan(plan: ScanPlan, directories: list[str], table: str, fmt: str) -> ScanPlan:
    """``plan`` producing its table's columns (``plan.schema``), in order, each from its own
    column; ``fmt`` is the table's format."""
    schema = plan.schema
    if plan.sql is None:
        got = getattr(plan.arrow, "schema", None)
        if got is None or got.names != schema.names:
            raise OperationalError(
                f"table {table}: the planned read does not list its columns as the table does"
            )
        return plan
    plan.sql = exact_parquet_sql(plan.sql, schema, directories, table, fmt in _IMMUTABLE_FILES)
    plan.info["case_columns"] = "read by position"
    return plan


def exact_parquet_sql(
    sql: str, schema: pa.Schema, directories: list[str], table: str, cache: bool = False
) -> str:
    """A ``SELECT ... FROM read_parquet([...], ...)`` plan rewritten to read by position
    (``cache``: the files' schemas may be remembered, the files being immutable)."""
    select = sqlglot.parse_one(sql, read="duckdb")
    source = select.args.get("from_")
    call = source.this.this if source is not None and isinstance(source.this, exp.Table) else None
    if (
        not isinstance(select, exp.Select)
        or not isinstance(call, (exp.ReadParquet, exp.Anonymous))
        or (isinstance(call, exp.Anonymous) and call.name.lower() != "read_parquet")
        or any(select.args.get(k) for k in ("joins", "where", "group", "order", "limit"))
    ):
        raise NotSupportedError(
            f"table {table} has columns whose names differ only by case, which its reader "
            "cannot keep apart; read it through a pyarrow-backed source"
        )
    paths, options = _arguments(call)
    hive = options.get("hive_partitioning") is True
    types = options.get("hive_types") if hive else None
    parts = dict(types) if isinstance(types, dict) else {}
    passed = "".join(
        f", {k}={v}" for k, v in options.get("_sql", {}).items() if k not in _OWN_OPTIONS
    )
    try:
        signatures = parquet_signatures(paths, directories, cache=cache)
    except duckdb.Error as exc:
        raise OperationalError(f"cannot read the files of table {table}: {exc}") from None
    groups: dict[tuple, list[str]] = {}
    for path in paths:
        names = tuple(name for name, _type in signatures[path][1])
        values = tuple(_partition_value(path, p) for p in parts)
        groups.setdefault((names, values), []).append(path)
    found: set[str] = set(parts)
    reads = []
    for (names, values), files in groups.items():
        found.update(names)
        kept = [n for n in names if n not in parts]  # a hive value wins, as in DuckDB
        cols = [quote_ident(physical(n)) for n in kept]
        for (name, duck), value in zip(parts.items(), values, strict=True):
            literal = "NULL" if value is None else quote_str(value)
            cols.append(f"CAST({literal} AS {duck}) AS {quote_ident(physical(name))}")
        listed = ", ".join(quote_str(glob_literal(p)) for p in files)
        aliases = ", ".join(quote_ident(physical(n)) for n in names)
        reads.append(
            f"SELECT {', '.join(cols) or '*'} FROM read_parquet([{listed}], "
            f"hive_partitioning=false{passed}) AS f({aliases})"
        )
    body = " UNION ALL BY NAME ".join(reads)
    return f"SELECT {_projection(select, schema, found)} FROM ({body}) AS f"


def _arguments(call: exp.Expr) -> tuple[list[str], dict[str, Any]]:
    """The file list and options of a ``read_parquet`` call (values as Python, and as SQL)."""
    args = list(call.expressions) if call.expressions else [call.this]
    first = args[0]
    items = first.expressions if isinstance(first, exp.Array) else [first]
    paths = [
        glob_unliteral(str(i.this)) for i in items if isinstance(i, exp.Literal) and i.is_string
    ]
    if len(paths) != len(items):
        raise OperationalError("a planned read_parquet lists something other than files")
    options: dict[str, Any] = {"_sql": {}}
    for arg in args[1:]:
        if not isinstance(arg, (exp.EQ, exp.PropertyEQ)):
            continue
        key = arg.this.name.lower()
        value = arg.expression
        options["_sql"][key] = value.sql("duckdb")
        if isinstance(value, exp.Boolean):
            options[key] = bool(value.this)
        elif isinstance(value, exp.Struct):
            options[key] = {
                e.this.name: str(e.expression.this)
                for e in value.expressions
                if isinstance(e, exp.PropertyEQ)
            }
    return paths, options


def _partition_value(path: str, name: str) -> str | None:
    """The ``name=value`` directory of ``path`` (the last one), URL-decoded."""
    found = re.findall(rf"/{re.escape(name)}=([^/]*)/", path)
    if not found or found[-1] == _HIVE_NULL:
        return None
    return unquote(found[-1])


def _projection(select: exp.Select, schema: pa.Schema, found: set[str]) -> str:
    """The plan's select list over the physical names, in ``schema``'s order."""
    if any(isinstance(e, exp.Star) for e in select.expressions):
        return ", ".join(
            quote_ident(physical(f.name))
            if f.name in found
            else f"CAST(NULL AS {duck_type(f.type)})"
            for f in schema
        )
    out = []
    if [e.alias_or_name for e in select.expressions] != schema.names:
        raise OperationalError("a planned read does not select the table's columns in order")
    for expr in select.expressions:
        expr = expr.copy()
        for col in expr.find_all(exp.Column):
            col.set("this", exp.to_identifier(physical(col.name), quoted=True))
        if isinstance(expr, exp.Alias):
            expr.set("alias", exp.to_identifier(physical(expr.alias), quoted=True))
        out.append(expr.sql("duckdb"))
    return ", ".join(out)
