"""Plain-file tables: Hive partition values typed as DuckDB types them, and files pruned by
their Parquet footer statistics at planning.

Both matter because a ``file://`` tree is read by two engines: DuckDB's ``read_parquet`` for
local Parquet and a pyarrow dataset for everything else. Left to itself pyarrow types
``day=2024-01-31`` as text (and ``bucket=3`` as ``int32``), so ``day >= DATE '…'`` failed to
bind; the types here follow DuckDB's own hive autocast for every store, so one tree answers
alike wherever it lives.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor

import pyarrow as pa
import pyarrow.dataset as ds

from sqlgate.lakehouse import pushdown

__all__ = ["HIVE_NULL", "StatisticsPruner", "hive_schema"]

#: the directory name Hive (and pyarrow, Spark, DuckDB) give a NULL partition value
HIVE_NULL = "__HIVE_DEFAULT_PARTITION__"
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?")
_BIGINT = re.compile(r"-?(0|[1-9][0-9]*)")
_INT64 = (-(2**63), 2**63 - 1)
_READERS = 8  # footers read at once


def _kind(raw: str) -> str:
    """DuckDB's hive autocast of one raw path value: DATE, then TIMESTAMP, then BIGINT.

    Stricter than DuckDB on exotic spellings (``2024-1-5``, ``0x10``), which stay text: a
    value pyarrow could not parse the same way must never get a type."""
    if _DATE.fullmatch(raw):
        try:
            dt.date.fromisoformat(raw)
            return "date"
        except ValueError:
            return "text"
    if _TIMESTAMP.fullmatch(raw):
        try:
            dt.datetime.fromisoformat(raw)
            return "timestamp"
        except ValueError:
            return "text"
    if _BIGINT.fullmatch(raw) and _INT64[0] <= int(raw) <= _INT64[1]:
        return "bigint"
    return "text"


_ARROW = {"date": pa.date32(), "timestamp": pa.timestamp("us"), "bigint": pa.int64()}


def hive_schema(files: Iterable[str], base: str) -> pa.Schema | None:
    """The partition schema of ``files`` under ``base``: one type per ``key=value`` level, as
    DuckDB infers it (all values one kind, NULL partitions aside; else VARCHAR); ``None``
    without partition directories."""
    order: list[str] = []
    kinds: dict[str, set[str]] = {}
    prefix = base.rstrip("/") + "/"
    for path in files:
        rel = path[len(prefix) :] if path.startswith(prefix) else path
        for segment in rel.split("/")[:-1]:
            key, sep, raw = segment.partition("=")
            if not sep or not key:
                continue
            if key not in kinds:
                order.append(key)
                kinds[key] = set()
            if raw != HIVE_NULL:
                kinds[key].add(_kind(raw))
    if not order:
        return None
    fields = []
    for key in order:
        found = kinds[key]
        kind = next(iter(found)) if len(found) == 1 else "text"
        fields.append(pa.field(key, _ARROW.get(kind, pa.string())))
    return pa.schema(fields)


def _floating(schema: pa.Schema) -> set[str]:
    return {f.name for f in schema if pa.types.is_floating(f.type)}


class StatisticsPruner:
    """Which Parquet files of a table can hold rows matching a pushed predicate, from the
    row-group min/max statistics in their footers.

    Each footer is read once per table version (the handle is rebuilt when a file changes),
    on the first filtered query that reaches that file. Floating-point columns never prune:
    Parquet statistics leave NaN out, DuckDB sorts NaN above every number. Partition columns
    are not in the files (their directories pruned already).
    """

    def __init__(self, schema: pa.Schema, partition_columns: Iterable[str] = ()) -> None:
        self.schema = schema
        self._unsafe = _floating(schema) | set(partition_columns)
        self._loaded: dict[str, ds.ParquetFileFragment] = {}
        self._lock = threading.Lock()

    def expression(self, pred: pushdown.Predicate) -> ds.Expression | None:
        """The part of ``pred`` statistics may decide (top-level AND conjuncts)."""
        safe = pushdown.restrict(pred, lambda name: name not in self._unsafe)
        return pushdown.to_pyarrow(safe, self.schema)

    def prune(self, fragments: list, expr: ds.Expression | None) -> list:
        """The fragments that may match, each narrowed to its matching row groups."""
        if expr is None:
            return fragments
        with self._lock:
            todo = [f for f in fragments if f.path not in self._loaded]
        if len(todo) > 1:  # an object store answers footers in parallel, not in series
            with ThreadPoolExecutor(min(_READERS, len(todo)), "sqlgate-footers") as pool:
                list(pool.map(self._footer, todo))
        out = []
        for frag in fragments:
            loaded = self._footer(frag)
            if loaded is None:
                out.append(frag)  # unreadable here: the scan reports it, naming the file
                continue
            try:
                kept = loaded.subset(filter=expr)
            except (pa.ArrowException, ValueError):
                out.append(frag)  # statistics cannot decide: read the file
                continue
            if kept.num_row_groups:
                out.append(kept)
        return out

    def _footer(self, frag: ds.ParquetFileFragment) -> ds.ParquetFileFragment | None:
        with self._lock:
            loaded = self._loaded.get(frag.path)
        if loaded is not None:
            return loaded
        try:
            frag.ensure_complete_metadata()
        except (OSError, pa.ArrowException):
            return None
        with self._lock:
            self._loaded[frag.path] = frag
        return frag
