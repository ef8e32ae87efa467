"""Commit Iceberg delete files (equality and position) to a table pyiceberg created.

pyiceberg writes no equality deletes and, in 0.12, rewrites files instead of writing position
deletes; Spark and Flink write both. This helper writes the Parquet files and the manifests
with pyiceberg's own writers and commits one snapshot holding any mix of new data files and
delete files, so tests (and the benchmark) build the shapes those engines leave.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from pyiceberg.io.pyarrow import schema_to_pyarrow
from pyiceberg.manifest import (
    DataFile,
    DataFileContent,
    FileFormat,
    ManifestContent,
    ManifestEntry,
    ManifestEntryStatus,
    ManifestWriterV2,
    write_manifest_list,
)
from pyiceberg.schema import Schema
from pyiceberg.table.snapshots import Operation, Snapshot, Summary
from pyiceberg.table.update import AddSnapshotUpdate, AssertRefSnapshotId, SetSnapshotRefUpdate
from pyiceberg.typedef import Record
from pyiceberg.types import PrimitiveType

#: the reserved field ids of a position delete file's columns (Iceberg spec)
FILE_PATH_ID, POS_ID = 2147483546, 2147483545


@dataclass
class Files:
    """What one commit adds: data rows, equality deletes and position deletes."""

    data: list[tuple[pa.Table, Record, int | None, tuple[str, str] | None]] = field(
        default_factory=list
    )
    equality: list[tuple[pa.Table, list[int], Record, int | None]] = field(default_factory=list)
    positions: list[tuple[str, list[int], Record, int | None]] = field(default_factory=list)

    def add_data(
        self,
        rows: pa.Table,
        partition: Sequence[Any] = (),
        spec_id: int | None = None,
        named: tuple[str, str] | None = None,
    ):
        """``named``: (the URI the manifest records, the local path the file is written to),
        for locations a writer leaves relative (``data/x.parquet``, ``file://data/x``)."""
        self.data.append((rows, Record(*partition), spec_id, named))
        return self

    def add_equality(
        self,
        rows: pa.Table,
        ids: list[int],
        partition: Sequence[Any] = (),
        spec_id: int | None = None,
    ):
        """``rows``' columns are written with the field ids of the table's columns of the
        same name; ``ids`` are the equality ids (``rows`` may hold other columns too)."""
        self.equality.append((rows, ids, Record(*partition), spec_id))
        return self

    def add_positions(
        self, data_path: str, positions: list[int], partition: Sequence[Any] = (), spec_id=None
    ):
        self.positions.append((data_path, positions, Record(*partition), spec_id))
        return self


class _DeleteManifestWriter(ManifestWriterV2):
    def content(self) -> ManifestContent:
        return ManifestContent.DELETES

    @property
    def _meta(self) -> dict[str, str]:
        return {**super()._meta, "content": "deletes"}


def _write(
    table: Any, rows: pa.Table, schema: Schema, name: str, named: tuple[str, str] | None = None
) -> tuple[str, int]:
    arrow = schema_to_pyarrow(schema)  # carries PARQUET:field_id metadata
    path = f"{table.location()}/data/{name}-{uuid.uuid4()}.parquet"
    written = path if named is None else named[1]
    with table.io.new_output(written).create() as out:
        pq.write_table(rows.cast(arrow), out)
    return (path if named is None else named[0]), len(table.io.new_input(written))


def _columns(table: Any, rows: pa.Table) -> Schema:
    current = table.schema()
    return Schema(*(current.find_field(name) for name in rows.column_names))


def _data_file(content: DataFileContent, path: str, size: int, rows: int, partition, spec_id):
    return DataFile.from_args(
        content=content,
        file_path=path,
        file_format=FileFormat.PARQUET,
        partition=partition,
        record_count=rows,
        file_size_in_bytes=size,
    )


def _bounds(rows: pa.Table, schema: Schema) -> dict[str, Any]:
    """Column statistics as a writer records them (a reader may prune with them)."""
    import pyarrow.compute as pc
    from pyiceberg.conversions import to_bytes

    lower, upper, nulls, counts = {}, {}, {}, {}
    for f in schema.fields:
        column = rows.column(f.name)
        counts[f.field_id] = len(column)
        nulls[f.field_id] = column.null_count
        if column.null_count < len(column):
            lo, hi = pc.min_max(column).values()
            kind = f.field_type
            assert isinstance(kind, PrimitiveType)
            lower[f.field_id] = to_bytes(kind, lo.as_py())
            upper[f.field_id] = to_bytes(kind, hi.as_py())
    return {
        "lower_bounds": lower,
        "upper_bounds": upper,
        "null_value_counts": nulls,
        "value_counts": counts,
    }


def commit(table: Any, files: Files) -> Snapshot:
    """Write ``files`` and commit them as one new snapshot of ``table`` (main branch)."""
    table = table.refresh()
    metadata = table.metadata
    parent = table.current_snapshot()
    snapshot_id = uuid.uuid4().int >> 65
    sequence = metadata.next_sequence_number()
    by_content: dict[tuple[bool, int], list[DataFile]] = {}
    for rows, partition, spec_id, named in files.data:
        path, size = _write(table, rows, table.schema(), "data", named)
        f = _data_file(DataFileContent.DATA, path, size, rows.num_rows, partition, spec_id)
        f.spec_id = metadata.default_spec_id if spec_id is None else spec_id
        by_content.setdefault((False, f.spec_id), []).append(f)
    for rows, ids, partition, spec_id in files.equality:
        path, size = _write(table, rows, _columns(table, rows), "eq-delete")
        f = DataFile.from_args(
            content=DataFileContent.EQUALITY_DELETES,
            file_path=path,
            file_format=FileFormat.PARQUET,
            partition=partition,
            record_count=rows.num_rows,
            file_size_in_bytes=size,
            equality_ids=ids,
            **_bounds(rows, _columns(table, rows)),
        )
        f.spec_id = metadata.default_spec_id if spec_id is None else spec_id
        by_content.setdefault((True, f.spec_id), []).append(f)
    for data_path, positions, partition, spec_id in files.positions:
        pos_schema = pa.schema(
            [
                pa.field("file_path", pa.string(), False, {"PARQUET:field_id": str(FILE_PATH_ID)}),
                pa.field("pos", pa.int64(), False, {"PARQUET:field_id": str(POS_ID)}),
            ]
        )
        rows = pa.table({"file_path": [data_path] * len(positions), "pos": positions}, pos_schema)
        path = f"{table.location()}/data/pos-delete-{uuid.uuid4()}.parquet"
        with table.io.new_output(path).create() as out:
            pq.write_table(rows, out)
        size = len(table.io.new_input(path))
        f = _data_file(
            DataFileContent.POSITION_DELETES, path, size, len(positions), partition, spec_id
        )
        f.spec_id = metadata.default_spec_id if spec_id is None else spec_id
        by_content.setdefault((True, f.spec_id), []).append(f)
    manifests = []
    for (deletes, spec_id), data_files in by_content.items():
        path = f"{table.location()}/metadata/{uuid.uuid4()}-m0.avro"
        writer_class = _DeleteManifestWriter if deletes else ManifestWriterV2
        writer = writer_class(
            metadata.specs()[spec_id],
            table.schema(),
            table.io.new_output(path),
            snapshot_id,
            "deflate",
        )
        with writer:
            for f in data_files:
                writer.add(
                    ManifestEntry.from_args(
                        status=ManifestEntryStatus.ADDED, snapshot_id=snapshot_id, data_file=f
                    )
                )
        manifests.append(writer.to_manifest_file())
    if parent is not None:
        manifests.extend(parent.manifests(table.io))
    list_path = f"{table.location()}/metadata/snap-{snapshot_id}-1-{uuid.uuid4()}.avro"
    with write_manifest_list(
        2,
        table.io.new_output(list_path),
        snapshot_id,
        parent.snapshot_id if parent else None,
        sequence,
        "deflate",
    ) as list_writer:
        list_writer.add_manifests(manifests)
    parent_id = parent.snapshot_id if parent else None
    snapshot = Snapshot.model_validate(
        {
            "snapshot-id": snapshot_id,
            "parent-snapshot-id": parent_id,
            "sequence-number": sequence,
            "manifest-list": list_path,
            "summary": Summary(Operation.OVERWRITE),
            "schema-id": table.schema().schema_id,
        }
    )
    ref = {"ref-name": "main", "type": "branch", "snapshot-id": snapshot_id}
    table.catalog.commit_table(
        table,
        (AssertRefSnapshotId.model_validate({"snapshot-id": parent_id, "ref": "main"}),),
        (AddSnapshotUpdate(snapshot=snapshot), SetSnapshotRefUpdate.model_validate(ref)),
    )
    return snapshot
