"""Iceberg equality deletes, which pyiceberg refuses ("does not yet support equality deletes").

Spark and Flink write them routinely (merge-on-read). Planning stays pyiceberg's (snapshot,
partition and metrics pruning, position deletes and deletion vectors); the equality-delete
entries are collected instead of refused, and the spec's rules ("Scan Planning") decide which
data files each one reaches:

* it applies to data files whose data sequence number is *strictly lower* than its own;
* a delete written with an unpartitioned spec applies to every partition (global), one with a
  partitioned spec only to data files of the same spec and partition tuple;
* its key columns are its ``equality_ids`` (by field id: the file may carry other columns, or
  old names), and NULL equals NULL.

The read is then one DuckDB statement: pyiceberg's reader streams the data (position deletes
applied) tagged with each file's sequence number and partition, the delete files stream by
field id, and DuckDB anti-joins them (``ANTI JOIN ... IS NOT DISTINCT FROM``), the data on the
probe side, so rows stream out as they are read.
"""

from __future__ import annotations

import functools
from collections import defaultdict, deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
from pyiceberg.expressions import AlwaysTrue
from pyiceberg.io.pyarrow import ArrowScan, schema_to_pyarrow
from pyiceberg.manifest import DataFileContent
from pyiceberg.schema import Schema
from pyiceberg.table import FileScanTask
from pyiceberg.transforms import VoidTransform
from pyiceberg.types import NestedField

from sqlgate.core.errors import NotSupportedError
from sqlgate.lakehouse.base import ScanPlan, relation_ref
from sqlgate.lakehouse.duckdb_files import quote_ident
from sqlgate.lakehouse.iceberg_io import relative_part
from sqlgate.lakehouse.iceberg_native_deletes import native_deleted_data

__all__ = [
    "EqualityDelete",
    "SequencedTask",
    "equality_delete_plan",
    "local_planner",
    "own_plan",
    "plan_files",
]

#: hidden columns of the tagged streams (names no Iceberg writer uses)
SEQ, PART = "__sqlgate_seq", "__sqlgate_part"
#: the tag of data files no equality delete reaches: no sequence number is above it
_UNREACHED = 2**62
#: groups of data files read at the same time (each holds its batches until DuckDB takes them)
_READ_AHEAD = 4


@dataclass(frozen=True)
class EqualityDelete:
    """One equality delete file as its manifest entry describes it."""

    file: Any  # pyiceberg DataFile
    sequence_number: int
    spec_id: int
    partition: tuple[Any, ...]
    is_global: bool

    @property
    def ids(self) -> tuple[int, ...]:
        return tuple(self.file.equality_ids or ())


class SequencedTask(FileScanTask):
    """A data file's task that knows its data sequence number and the equality deletes that
    reach it. ``delete_files`` lists them too (so they are counted and jail-checked, and no
    native read is planned); ``position_deletes`` is what pyiceberg's reader applies."""

    def __init__(self, task: FileScanTask, sequence_number: int, equality: tuple) -> None:
        super().__init__(
            task.file, set(task.delete_files) | {e.file for e in equality}, task.residual
        )
        self.position_deletes = set(task.delete_files)
        self.sequence_number = sequence_number
        self.equality: tuple[EqualityDelete, ...] = equality


def has_equality_deletes(tasks: Iterable[Any]) -> bool:
    return any(getattr(t, "equality", ()) for t in tasks)


def own_plan(
    schema: pa.Schema, scan: Any, tasks: list[Any], info: dict, native: str | None
) -> ScanPlan | None:
    """The plan when pyiceberg's planner and DuckDB's ``read_parquet`` are not enough: equality
    deletes to apply, or data files named by relative locations (``native`` would hand DuckDB
    paths it resolves against the working directory, not the catalog's home). ``None``: the
    table's own plan stands."""
    if has_equality_deletes(tasks):
        return equality_delete_plan(schema, scan, tasks, info)
    if native is None and any(t.delete_files for t in tasks):
        plan = position_delete_plan(schema, scan, tasks, info)
        if plan is not None:
            return plan
    if native is not None and any(relative_part(t.file.file_path) for t in tasks):
        info["scan"] = "pyiceberg_arrow_stream"
        batches = _scanner(scan, scan.projection(), scan.row_filter).to_record_batches(tasks)
        reader = pa.RecordBatchReader.from_batches(schema, (b.cast(schema) for b in batches))
        return ScanPlan(schema, arrow=reader, info=info)
    return None


# -- planning ------------------------------------------------------------------------------------
@functools.cache
def _planner_class() -> type | None:
    """pyiceberg's manifest planner, never pruning an equality delete by the statistics of
    its columns: those beyond its equality ids say nothing about the rows it deletes.
    ``None`` before pyiceberg 0.10 (no such planner: its own plan, refusing such deletes)."""
    try:
        from pyiceberg.table import ManifestGroupPlanner
    except ImportError:
        return None

    class Planner(ManifestGroupPlanner):
        def _build_metrics_evaluator(self) -> Any:
            keep = super()._build_metrics_evaluator()
            return lambda f: f.content == DataFileContent.EQUALITY_DELETES or keep(f)

    return Planner


def local_planner(scan: Any) -> Any:
    """sqlgate's manifest planner for ``scan``, or None where pyiceberg plans otherwise (an
    older pyiceberg, a REST catalog that plans on the server)."""
    planner_class = _planner_class()
    if planner_class is None or getattr(scan, "_should_use_server_side_planning", bool)():
        return None
    return planner_class(
        table_metadata=scan.table_metadata,
        io=scan.io,
        row_filter=scan.row_filter,
        case_sensitive=scan.case_sensitive,
        options=scan.options,
    )


def plan_files(scan: Any) -> list[Any]:
    """pyiceberg's plan of ``scan`` with equality deletes attached instead of refused."""
    snapshot = scan.snapshot()
    if snapshot is None:
        return []
    planner = local_planner(scan)
    if planner is None:
        return list(scan.plan_files())  # an older pyiceberg, or a REST catalog's own plan

    sequence: dict[str, int] = {}
    deletes: list[Any] = []

    def collect(entry: Any) -> bool:
        content = entry.data_file.content
        if content == DataFileContent.EQUALITY_DELETES:
            deletes.append(entry)
            return False
        if content == DataFileContent.DATA:
            sequence[entry.data_file.file_path] = entry.sequence_number or 0
        return True

    tasks = list(planner.plan_files(snapshot.manifests(scan.io), manifest_entry_filter=collect))
    if not deletes:
        return tasks
    specs = scan.table_metadata.specs()
    found = [
        EqualityDelete(
            e.data_file,
            e.sequence_number or 0,
            e.data_file.spec_id,
            _values(e.data_file.partition),
            _unpartitioned(specs[e.data_file.spec_id]),
        )
        for e in deletes
    ]
    return _attach(tasks, sequence, found)


def _values(record: Any) -> tuple[Any, ...]:
    return tuple(record[i] for i in range(len(record))) if record is not None else ()


def _unpartitioned(spec: Any) -> bool:
    """No field, or only ``void`` ones: such a spec puts every row in one partition."""
    return all(isinstance(f.transform, VoidTransform) for f in spec.fields)


def _attach(tasks: list[Any], sequence: dict[str, int], found: list[EqualityDelete]) -> list:
    """Each data task with the equality deletes that reach it (spec rules above)."""
    global_deletes = [d for d in found if d.is_global]
    by_partition: dict[tuple, list[EqualityDelete]] = defaultdict(list)
    for d in found:
        if not d.is_global:
            by_partition[(d.spec_id, d.partition)].append(d)
    out = []
    for task in tasks:
        seq = sequence.get(task.file.file_path, 0)
        key = (task.file.spec_id, _values(task.file.partition))
        reach = tuple(
            d for d in [*global_deletes, *by_partition.get(key, ())] if d.sequence_number > seq
        )
        out.append(SequencedTask(task, seq, reach) if reach else task)
    return out


# -- reading -------------------------------------------------------------------------------------
@dataclass
class _DeleteRelation:
    """The delete files sharing one key (equality ids) and one scope, read as one stream."""

    name: str
    ids: tuple[int, ...]
    is_global: bool
    files: list[EqualityDelete]


def equality_delete_plan(schema: pa.Schema, scan: Any, tasks: list[Any], info: dict) -> ScanPlan:
    """The read of ``tasks`` (``schema``: the table's Arrow schema) with their deletes applied."""
    metadata = scan.table_metadata
    projection = scan.projection()
    keys = sorted({i for t in tasks for d in getattr(t, "equality", ()) for i in d.ids})
    fields = {f.field_id: f for f in projection.fields}
    extra = [_hidden(_key_field(metadata, i)) for i in keys if i not in fields]
    read_schema = Schema(*projection.fields, *extra)
    names = {f.field_id: f.name for f in read_schema.fields}
    types = _arrow_types(read_schema)

    partitions: dict[tuple, int] = {}
    groups: dict[tuple[int, int], list[Any]] = defaultdict(list)
    tags: dict[int, tuple[int, int]] = {}
    for task in tasks:
        if getattr(task, "equality", ()):
            part = partitions.setdefault(
                (task.file.spec_id, _values(task.file.partition)), len(partitions)
            )
            tags[id(task)] = (task.sequence_number, part)
        else:
            tags[id(task)] = (_UNREACHED, -1)
        groups[tags[id(task)]].append(task)

    relations: dict[tuple, _DeleteRelation] = {}
    for d in dict.fromkeys(d for t in tasks for d in getattr(t, "equality", ())):
        rel = relations.setdefault(
            (d.ids, d.is_global), _DeleteRelation(f"eq{len(relations)}", d.ids, d.is_global, [])
        )
        rel.files.append(d)

    columns = [(f, f.name) for f in projection.fields]
    columns += [(_key_field(metadata, i), f"__sqlgate_key_{i}") for i in keys if i not in fields]
    native = native_deleted_data(tasks, columns, metadata, scan.io, lambda t: tags[id(t)])
    if native is not None:  # DuckDB reads the data, position deletes anti-joined
        data, objects = f"({native[0]})", dict(native[1])
        info["data_read"] = "duckdb_read_parquet"
    else:
        data_schema = pa.schema([*(pa.field(n, types[i]) for i, n in names.items()), *_tags()])
        data, objects = relation_ref("data"), {}
        objects["data"] = pa.RecordBatchReader.from_batches(
            data_schema, _data_batches(scan, read_schema, data_schema, groups)
        )
        info["data_read"] = "pyiceberg_arrow_stream"
    sql = f"SELECT {', '.join(quote_ident(f.name) for f in schema)} FROM {data} d"
    for alias, rel in enumerate(relations.values()):
        rel_schema = pa.schema(
            [*(pa.field(f"k{i}", types[i]) for i in rel.ids), *_tags(rel.is_global)]
        )
        objects[rel.name] = pa.RecordBatchReader.from_batches(
            rel_schema, _delete_batches(scan, rel, read_schema, rel_schema, partitions)
        )
        on = [f'e{alias}."k{i}" IS NOT DISTINCT FROM d.{quote_ident(names[i])}' for i in rel.ids]
        on.append(f"e{alias}.{SEQ} > d.{SEQ}")
        if not rel.is_global:
            on.append(f"e{alias}.{PART} = d.{PART}")
        sql += f" ANTI JOIN {relation_ref(rel.name)} e{alias} ON {' AND '.join(on)}"

    info["scan"] = "iceberg_equality_deletes"
    info["equality_delete_files"] = sum(len(r.files) for r in relations.values())
    info["position_delete_files"] = len(
        {d.file_path for t in tasks for d in getattr(t, "position_deletes", t.delete_files)}
    )
    return ScanPlan(schema, sql=sql, info=info, relations=objects)


def position_delete_plan(
    schema: pa.Schema, scan: Any, tasks: list[Any], info: dict
) -> ScanPlan | None:
    """Position deletes only: DuckDB reads the data and anti-joins them
    (:mod:`sqlgate.lakehouse.iceberg_native_deletes`); None where pyiceberg must read."""
    columns = [(f, f.name) for f in scan.projection().fields]
    native = native_deleted_data(
        tasks, columns, scan.table_metadata, scan.io, lambda _t: (_UNREACHED, -1)
    )
    if native is None:
        return None
    info["scan"] = "iceberg_position_deletes"
    info["data_read"] = "duckdb_read_parquet"
    info["position_delete_files"] = len({d.file_path for t in tasks for d in t.delete_files})
    cols = ", ".join(quote_ident(f.name) for f in schema)
    return ScanPlan(
        schema, sql=f"SELECT {cols} FROM ({native[0]}) d", info=info, relations=native[1]
    )


def _tags(is_global: bool = False) -> list[pa.Field]:
    return [pa.field(SEQ, pa.int64())] + ([] if is_global else [pa.field(PART, pa.int64())])


def _key_field(metadata: Any, field_id: int) -> Any:
    """The top-level field ``field_id`` names in the newest schema that has it."""
    for schema in [metadata.schema(), *reversed(metadata.schemas)]:
        for f in schema.fields:
            if f.field_id == field_id:
                return f
    raise NotSupportedError(
        f"an Iceberg equality delete keys on field id {field_id}, which is not a top-level "
        "column of the table; sqlgate applies equality deletes on top-level columns only"
    )


def _hidden(f: Any) -> Any:
    """A key column the query's schema lacks (dropped later): read under a private name."""
    return NestedField(f.field_id, f"__sqlgate_key_{f.field_id}", f.field_type, required=False)


def _arrow_types(schema: Any) -> dict[int, pa.DataType]:
    arrow = schema_to_pyarrow(schema, include_field_ids=False)
    return {f.field_id: arrow.field(i).type for i, f in enumerate(schema.fields)}


def _scanner(scan: Any, schema: Any, row_filter: Any) -> Any:
    return ArrowScan(scan.table_metadata, scan.io, schema, row_filter, scan.case_sensitive)


def _tagged(batch: pa.RecordBatch, schema: pa.Schema, seq: int, part: int | None) -> pa.RecordBatch:
    n = batch.num_rows
    tags = [pa.repeat(pa.scalar(seq, pa.int64()), n)]
    if part is not None:
        tags.append(pa.repeat(pa.scalar(part, pa.int64()), n))
    width = len(schema) - len(tags)
    base = batch.cast(pa.schema(list(schema)[:width]))
    return pa.RecordBatch.from_arrays([*base.columns, *tags], schema=schema)


def _data_batches(
    scan: Any, read_schema: Any, schema: pa.Schema, groups: dict[tuple[int, int], list[Any]]
) -> Iterator[pa.RecordBatch]:
    """The data, position deletes applied by pyiceberg, each row tagged with its file's data
    sequence number and partition: one pyiceberg reader per (sequence, partition) group, a
    few groups read ahead at once (files of one commit each are groups of one file)."""

    def read(key: tuple[int, int]) -> list[pa.RecordBatch]:
        seq, part = key
        plain = [
            FileScanTask(t.file, getattr(t, "position_deletes", t.delete_files), t.residual)
            for t in groups[key]
        ]
        batches = _scanner(scan, read_schema, scan.row_filter).to_record_batches(plain)
        return [_tagged(b, schema, seq, part) for b in batches]

    keys = list(groups)
    pool = ThreadPoolExecutor(min(_READ_AHEAD, len(keys)) or 1, "sqlgate-iceberg-groups")
    pending: deque[Future[list[pa.RecordBatch]]] = deque()
    try:
        for first in keys[:_READ_AHEAD]:
            pending.append(pool.submit(read, first))
        upcoming = iter(keys[_READ_AHEAD:])
        while pending:
            batches = pending.popleft().result()
            following = next(upcoming, None)
            if following is not None:
                pending.append(pool.submit(read, following))
            yield from batches
    finally:  # stopped or done: nothing more is read
        for future in pending:
            future.cancel()
        pool.shutdown(wait=False)


def _delete_batches(
    scan: Any, rel: _DeleteRelation, read_schema: Any, schema: pa.Schema, parts: dict
) -> Iterator[pa.RecordBatch]:
    """The key columns of each delete file, read by field id (extra columns and old names
    ignored), tagged with its sequence number and, unless global, its partition."""
    by_id = {f.field_id: f for f in read_schema.fields}
    key_schema = Schema(*(by_id[i] for i in rel.ids))
    names = [f"k{i}" for i in rel.ids]
    reader = _scanner(scan, key_schema, AlwaysTrue())
    for d in rel.files:
        part = None if rel.is_global else parts.get((d.spec_id, d.partition), -2)
        for batch in reader.to_record_batches([FileScanTask(d.file)]):
            renamed = pa.RecordBatch.from_arrays(batch.columns, names=names)
            yield _tagged(renamed, schema, d.sequence_number, part)
