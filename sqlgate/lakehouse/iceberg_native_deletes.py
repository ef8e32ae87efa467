"""Iceberg data with delete files read by DuckDB's own ``read_parquet``, deletes anti-joined.

pyiceberg's reader decodes every data file to Arrow in Python threads and applies position
deletes there: a table with deletes read ~40x slower than the same files without them, most
of it that decoding. When every data file passes the native check of
:mod:`sqlgate.lakehouse.iceberg_native` (each column read under the field id and name the table
gives it, none missing, plain types) and every delete file is local Parquet, DuckDB reads the
data itself with each row's file (its index in the read) and row position:

* position deletes: each (delete file, data file) pair the planner attached to a task is
  read natively (the spec's reserved columns ``file_path``, ``pos``) and anti-joined on the
  data file and row position; a pair the planner did not attach deletes nothing;
* each row carries its file's tags (data sequence number, partition), looked up by that
  index in constant lists, for the equality-delete anti-join of
  :mod:`sqlgate.lakehouse.iceberg_deletes`, which is unchanged.

Anything else (deletion vectors, a renamed or missing column, a remote file) returns ``None``:
the pyiceberg stream reads it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pyarrow as pa

from sqlgate.lakehouse.base import relation_ref
from sqlgate.lakehouse.duckdb_files import parquet_sql, quote_ident, uniform_parquet

__all__ = ["native_deleted_data"]

#: DuckDB's virtual columns the read asks for: a table column of that name reads otherwise
_VIRTUAL = frozenset({"filename", "file_index", "file_row_number"})
#: the position-delete columns the spec reserves (Iceberg field ids 2147483546, 2147483545)
_POSITION_COLUMNS = ("file_path", "pos")


def _bigints(values: list[int]) -> str:
    return f"CAST([{', '.join(str(int(v)) for v in values)}] AS BIGINT[])"


def native_deleted_data(
    tasks: Sequence[Any],
    columns: Sequence[tuple[Any, str]],
    metadata: Any,
    io: Any,
    tag: Callable[[Any], tuple[int, int]],
) -> tuple[str, dict[str, Any]] | None:
    """``SELECT`` of the tasks' rows, position deletes applied, tagged ``__sqlgate_seq`` and
    ``__sqlgate_part`` by ``tag(task)``, with the Arrow relations it reads; or ``None``.

    ``columns``: each field to read (pyiceberg ``NestedField`` as the table declares it) and
    the name it takes in the result."""
    from pyiceberg.manifest import DataFileContent
    from pyiceberg.schema import Schema

    from sqlgate.lakehouse.iceberg_deletes import PART, SEQ
    from sqlgate.lakehouse.iceberg_native import local_file, missing_columns

    if not tasks or any(f.name.lower() in _VIRTUAL for f, _ in columns):
        return None
    wanted = Schema(*(f for f, _ in columns))
    data_paths: list[str] = []
    files: dict[str, list] = {"seq": [], "part": []}  # by position in data_paths
    pairs: dict[str, list] = {"delete_path": [], "data_uri": [], "data_index": []}
    delete_paths: dict[str, None] = {}
    for task in tasks:
        path = local_file(io, task.file)
        if path is None or missing_columns(io, task.file, wanted, metadata) != []:
            return None
        seq, part = tag(task)
        data_paths.append(path)
        files["seq"].append(seq)
        files["part"].append(part)
        for d in getattr(task, "position_deletes", task.delete_files):
            delete = local_file(io, d)
            if delete is None or d.content != DataFileContent.POSITION_DELETES:
                return None  # a deletion vector (Puffin), a remote file
            delete_paths[delete] = None
            pairs["delete_path"].append(delete)
            pairs["data_uri"].append(task.file.file_path)
            pairs["data_index"].append(len(data_paths) - 1)
    if len(set(data_paths)) != len(data_paths):
        return None
    if delete_paths and not uniform_parquet(list(delete_paths), list(_POSITION_COLUMNS)):
        return None  # no reserved columns where the spec puts them: pyiceberg decides
    options: dict[str, Any] = {"hive_partitioning": False}
    names = [f.name for f, _ in columns]
    if not uniform_parquet(data_paths, names):
        options["union_by_name"] = True
    items = [f"d.{quote_ident(f.name)} AS {quote_ident(out)}" for f, out in columns]
    index = "CAST(d.file_index AS BIGINT) + 1"  # the tags by file: a list lookup, no join
    sql = (
        f"SELECT {', '.join(items)}, {_bigints(files['seq'])}[{index}] AS {SEQ}, "
        f"{_bigints(files['part'])}[{index}] AS {PART} "
        f"FROM {parquet_sql(data_paths, **options)} d"
    )
    relations: dict[str, Any] = {}
    if delete_paths:
        relations["pairs"] = pa.table(
            {
                "delete_path": pa.array(pairs["delete_path"], pa.string()),
                "data_uri": pa.array(pairs["data_uri"], pa.string()),
                "data_index": pa.array(pairs["data_index"], pa.int64()),
            }
        )
        positions = parquet_sql(list(delete_paths), hive_partitioning=False, filename=True)
        sql += (
            " ANTI JOIN (SELECT a.data_index, p.pos FROM "
            f"(SELECT filename, file_path, pos FROM {positions}) p "
            f"JOIN {relation_ref('pairs')} a "
            "ON p.filename = a.delete_path AND p.file_path = a.data_uri) x "
            "ON d.file_index = x.data_index AND d.file_row_number = x.pos"
        )
    return sql, relations
