"""Local data files handed to DuckDB's own readers: paths, SQL, types and Parquet schemas.

Shared by the plain-file, Delta and Iceberg readers, which all plan a DuckDB
``read_parquet`` over local files when they can; kept apart from
:mod:`sqlgate.lakehouse.files` (the plain-file tables) so those readers do not depend on it.
Helper DuckDB connections are sandboxed (:mod:`sqlgate.lakehouse.sandbox`) and used under
:data:`helper_lock`.
"""

from __future__ import annotations

import functools
import os
import re
import threading
from collections import OrderedDict
from collections.abc import Iterable
from typing import Any
from urllib.parse import unquote, urlparse

import duckdb
import pyarrow as pa

from sqlgate.lakehouse import sandbox

__all__ = [
    "declared_columns",
    "duck_type",
    "helper_lock",
    "local_path",
    "local_paths",
    "parquet_signatures",
    "parquet_sql",
    "quote_ident",
    "quote_str",
    "uniform_parquet",
]


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def quote_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def local_path(uri: str) -> str | None:
    """The local path of ``uri`` (plain path or ``file://``), or ``None`` for remote URIs."""
    parsed = urlparse(uri)
    if parsed.scheme == "file":
        return unquote(parsed.path)
    if parsed.scheme == "" or (len(parsed.scheme) == 1 and os.name == "nt"):
        return uri
    return None


def local_paths(uris: Iterable[str]) -> list[str] | None:
    """The local paths of every URI in ``uris``, or ``None`` when any of them is remote."""
    paths = [local_path(uri) for uri in uris]
    local = [p for p in paths if p is not None]
    return local if len(local) == len(paths) else None


_GLOB_CHARS = str.maketrans({"*": "[*]", "?": "[?]", "[": "[[]"})
_ESCAPED_GLOB = re.compile(r"\[([*?\[])\]")


def glob_literal(path: str) -> str:
    """``path`` as a DuckDB glob matching only itself: DuckDB expands ``*``, ``?`` and ``[...]``
    in every path it is given, so a file named ``a*b.parquet`` would also read ``axb.parquet``."""
    return path.translate(_GLOB_CHARS)


def glob_unliteral(pattern: str) -> str:
    """The path :func:`glob_literal` made ``pattern`` from."""
    return _ESCAPED_GLOB.sub(r"\1", pattern)


def parquet_sql(paths: list[str], **options: Any) -> str:
    """A DuckDB ``read_parquet([...], ...)`` call over exactly these files; option values are
    Python literals."""
    opts = "".join(f", {k}={_duck_literal(v)}" for k, v in options.items())
    return f"read_parquet([{', '.join(quote_str(glob_literal(p)) for p in paths)}]{opts})"


def _duck_literal(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{quote_str(k)}: {quote_str(v)}" for k, v in value.items()) + "}"
    return quote_str(value) if isinstance(value, str) else str(value)


_DUCK_NAMES = {
    pa.bool_(): "BOOLEAN", pa.int8(): "TINYINT", pa.int16(): "SMALLINT", pa.int32(): "INTEGER",
    pa.int64(): "BIGINT", pa.uint8(): "UTINYINT", pa.uint16(): "USMALLINT",
    pa.uint32(): "UINTEGER", pa.uint64(): "UBIGINT", pa.float32(): "FLOAT",
    pa.float64(): "DOUBLE", pa.string(): "VARCHAR", pa.large_string(): "VARCHAR",
    pa.date32(): "DATE", pa.binary(): "BLOB", pa.large_binary(): "BLOB",
}  # fmt: skip
#: serializes the sandboxed helper connection and :func:`duck_type`
helper_lock = threading.Lock()


@functools.lru_cache(maxsize=256)
def duck_type(arrow_type: pa.DataType) -> str:
    """DuckDB's SQL name for an Arrow type (for ``hive_types``)."""
    name = _DUCK_NAMES.get(arrow_type)
    if name is not None:
        return name
    with helper_lock, duckdb.connect() as con:
        tbl = pa.table({"c": pa.array([], arrow_type)})  # noqa: F841 - scanned by name
        return con.execute("DESCRIBE SELECT * FROM tbl").fetchall()[0][1]


# -- small questions about Parquet files, asked a sandboxed DuckDB ------------------------------
_SIGNATURES: OrderedDict[str, tuple] = OrderedDict()  # immutable data file -> its columns
_SIGNATURES_CACHED = 100_000


def _directories_of(paths: list[str]) -> list[str]:
    """The real parent directories of ``paths``: all a helper needs to read them."""
    return sorted({os.path.dirname(os.path.realpath(p)).rstrip("/") + "/" for p in paths})


def _top_level(rows: list[tuple]) -> tuple[tuple[str, str], ...]:
    """(name, DuckDB type) of the top-level columns, from ``parquet_schema`` rows in order."""
    out: list[tuple[str, str]] = []
    pending = [int(rows[0][2] or 0)] if rows else []  # children left at each depth
    for name, duck, children in rows[1:]:
        if not pending:
            break
        if len(pending) == 1:
            out.append((name, duck or ""))
        pending[-1] -= 1
        if children:
            pending.append(int(children))
        while pending and pending[-1] == 0 and len(pending) > 1:
            pending.pop()
    return tuple(out)


def parquet_signatures(
    paths: list[str], directories: list[str] | None = None, cache: bool = True
) -> dict[str, tuple]:
    """Each local Parquet file's schema as DuckDB reads it: the full tree (for equality) and
    the top-level ``(name, type)`` columns. ``cache`` only for immutable files (table formats).
    DuckDB may read only ``directories`` (the lake's roots; default: the files' directories).
    """
    out: dict[str, tuple] = {}
    todo = []
    with helper_lock:
        for path in paths:
            sig = _SIGNATURES.get(path) if cache else None
            if sig is None:
                todo.append(path)
            else:
                out[path] = sig
        if todo:
            con = sandbox.helper(directories if directories else _directories_of(todo))
            rows = con.sql(
                "SELECT file_name, list((name, type, type_length, repetition_type, num_children,"
                " converted_type, scale, precision, logical_type, duckdb_type)"
                " ORDER BY column_id) FROM parquet_schema($1) GROUP BY file_name",
                params=[[glob_literal(p) for p in todo]],
            ).fetchall()
            for name, columns in rows:
                tree = tuple(
                    tuple(c.values()) if isinstance(c, dict) else tuple(c) for c in columns
                )
                top = _top_level([(c[0], c[9], c[4]) for c in tree])
                out[name] = (tree, top)
                if cache:
                    _SIGNATURES[name] = out[name]
            while len(_SIGNATURES) > _SIGNATURES_CACHED:
                _SIGNATURES.popitem(last=False)
    return out


def uniform_parquet(
    paths: list[str],
    columns: list[str] | None,
    directories: list[str] | None = None,
    cache: bool = True,
) -> bool:
    """True when all the files have one schema that has every column in ``columns``: DuckDB's
    ``read_parquet`` then needs no ``union_by_name``. Unknown (an unreadable file) is False."""
    if not paths:
        return True
    try:
        sigs = parquet_signatures(paths, directories, cache)
    except duckdb.Error:
        return False
    if len(sigs) != len(set(paths)) or len({sig[0] for sig in sigs.values()}) != 1:
        return False
    if columns is None:
        return True
    names = {name for name, _ in next(iter(sigs.values()))[1]}
    return all(c in names for c in columns)


def declared_columns(
    schema: pa.Schema,
    paths: list[str],
    directories: list[str] | None = None,
    skip: Iterable[str] = (),
) -> str:
    """The select list reading ``schema``'s columns from the files as the table declares them.

    A file may store a column in another physical type than the table declares (Spark's INT96
    timestamps for a Delta ``timestamp``, nanoseconds for microseconds): such columns are cast
    (naive values to ``TIMESTAMPTZ`` as UTC, the sandbox's zone). Columns the files already
    store as declared stay bare, so DuckDB keeps pushing filters on them into the scan.
    ``skip``: columns not read from the files (hive partition values, typed by ``hive_types``).
    """
    found: dict[str, set[str]] = {}
    try:
        for _tree, top in parquet_signatures(paths, directories).values():
            for name, duck in top:
                found.setdefault(name, set()).add(duck)
    except duckdb.Error:
        found = {}  # unreadable here: DuckDB's own scan reports it
    skipped = set(skip)
    cols = []
    for field in schema:
        col = quote_ident(field.name)
        if field.name not in skipped and not pa.types.is_nested(field.type):
            want = duck_type(field.type)
            if found.get(field.name, {want}) != {want}:
                col = f"CAST({col} AS {want}) AS {col}"
        cols.append(col)
    return ", ".join(cols)
