"""Iceberg table shapes for the reference suite, and two pyiceberg 0.12 reads but does not write.

* :func:`add_migrated_file`: a Parquet file without the partition column (and without field
  ids) whose identity-partition value lives in the manifest only, as Spark's ``add_files`` /
  ``migrate`` procedures record a Hive table's partitions.
* :func:`as_format_v3`: a table's metadata as format v3 (pyiceberg 0.12 reads v3 but refuses
  to write it), so ``initial-default`` is read where the spec defines it.
* :func:`with_deletion_vector`: a format-v3 copy of a table whose new snapshot deletes rows
  with a Puffin deletion vector (pyiceberg 0.12 reads v3 and deletion vectors but writes
  neither v3 metadata nor Puffin files). Every byte follows the Iceberg and Puffin specs.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import os
import random
import time
import uuid
import zlib
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from pyiceberg import types as it
from pyiceberg.schema import Schema
from pyiceberg.types import NestedField

__all__ = [
    "HIVE_NULL",
    "IDENTITY_TYPES",
    "NESTED_SCHEMA",
    "TRANSFORM_SCHEMA",
    "add_migrated_file",
    "append_rows",
    "as_format_v3",
    "nested_rows",
    "transform_rows",
    "with_deletion_vector",
]

PUFFIN_MAGIC = b"PFA1"
DV_MAGIC = bytes([0xD1, 0xD3, 0x39, 0x64])
ROW_POSITION_FIELD_ID = 2147483545  # _pos
FILE_PATH_FIELD_ID = 2147483546  # file_path, whose bounds name the data file


# -- the shapes: identity partition types, transforms, nested schemas ---------------------------
IDENTITY_TYPES: dict[str, tuple[it.PrimitiveType, list[Any], list[str]]] = {
    "boolean": (it.BooleanType(), [True, False], ["true", "false"]),
    "int": (it.IntegerType(), [7, -3], ["7", "-3"]),
    "long": (it.LongType(), [2**40, 5], [str(2**40), "5"]),
    "float": (it.FloatType(), [1.5, -0.25], ["1.5", "-0.25"]),
    "double": (it.DoubleType(), [2.125, 1e300], ["2.125", "1e300"]),
    "decimal": (
        it.DecimalType(9, 2),
        [decimal.Decimal("12.34"), decimal.Decimal("-0.50")],
        ["12.34", "-0.50"],
    ),
    "date": (
        it.DateType(),
        [dt.date(2024, 2, 29), dt.date(1969, 12, 31)],
        ["2024-02-29", "1969-12-31"],
    ),
    "time": (
        it.TimeType(),
        [dt.time(1, 2, 3, 4), dt.time(23, 59)],
        ["01%3A02%3A03.000004", "23%3A59"],
    ),
    "timestamp": (
        it.TimestampType(),
        [dt.datetime(2024, 1, 2, 3, 4, 5, 6), dt.datetime(1999, 12, 31, 23, 0)],
        ["2024-01-02 03%3A04%3A05.000006", "1999-12-31 23%3A00%3A00"],
    ),
    "timestamptz": (
        it.TimestamptzType(),
        [
            dt.datetime(2024, 1, 2, 3, 4, 5, 6, tzinfo=dt.timezone.utc),
            dt.datetime(2000, 6, 1, tzinfo=dt.timezone.utc),
        ],
        ["2024-01-02 03%3A04%3A05.000006+00%3A00", "2000-06-01 00%3A00%3A00+00%3A00"],
    ),
    "string": (it.StringType(), ["eu", "a b"], ["eu", "a%20b"]),
    "uuid": (
        it.UUIDType(),
        [uuid.UUID(int=1), uuid.UUID("12345678-1234-5678-1234-567812345678")],
        ["00000000-0000-0000-0000-000000000001", "12345678-1234-5678-1234-567812345678"],
    ),
    "fixed": (it.FixedType(3), [b"abc", b"\x00\x01\x02"], ["YWJj", "AAEC"]),
    "binary": (it.BinaryType(), [b"\x00\xff", b"hi"], ["AP8=", "aGk="]),
}
HIVE_NULL = "__HIVE_DEFAULT_PARTITION__"


TRANSFORM_SCHEMA = Schema(
    NestedField(1, "id", it.LongType(), required=False),
    NestedField(2, "cat", it.StringType(), required=False),
    NestedField(3, "s", it.StringType(), required=False),
    NestedField(4, "n", it.IntegerType(), required=False),
    NestedField(5, "d", it.DateType(), required=False),
    NestedField(6, "ts", it.TimestampType(), required=False),
    NestedField(7, "tstz", it.TimestamptzType(), required=False),
    NestedField(8, "flag", it.BooleanType(), required=False),
)


def transform_rows(start: int) -> list[dict[str, Any]]:
    base = dt.datetime(2023, 12, 31, 22, 30)
    rows = []
    for i in range(start, start + 6):
        rows.append(
            {
                "id": i,
                "cat": ["eu", "us", None][i % 3],
                "s": [f"ab{i}", f"cd{i}", None][i % 3],
                "n": None if i % 4 == 0 else i * 10,
                "d": None if i % 5 == 0 else (base + dt.timedelta(days=40 * i)).date(),
                "ts": base + dt.timedelta(hours=7 * i),
                "tstz": (base + dt.timedelta(hours=13 * i)).replace(tzinfo=dt.timezone.utc),
                "flag": [True, False, None][i % 3],
            }
        )
    return rows


def append_rows(table: Any, rows: list[dict[str, Any]]) -> None:
    table.append(pa.Table.from_pylist(rows, schema=table.schema().as_arrow()))


NESTED_SCHEMA = Schema(
    NestedField(1, "id", it.LongType(), required=False),
    NestedField(
        2,
        "info",
        it.StructType(
            NestedField(3, "a", it.IntegerType(), required=False),
            NestedField(
                4,
                "b",
                it.StructType(NestedField(5, "c", it.StringType(), required=False)),
                required=False,
            ),
        ),
        required=False,
    ),
    NestedField(
        6,
        "items",
        it.ListType(7, it.StructType(NestedField(8, "x", it.IntegerType(), required=False)), False),
        required=False,
    ),
    NestedField(
        9,
        "m",
        it.MapType(
            10,
            it.StringType(),
            11,
            it.StructType(NestedField(12, "v", it.DoubleType(), required=False)),
            False,
        ),
        required=False,
    ),
)


def nested_rows(start: int, names: dict[str, str]) -> list[dict[str, Any]]:
    a, c, x, v = (names.get(k, k) for k in ("a", "c", "x", "v"))
    return [
        {
            "id": i,
            "info": None if i % 4 == 3 else {a: i, "b": {c: f"c{i}"}},
            "items": [{x: i}, {x: i + 1}] if i % 3 else [],
            "m": [("k", {v: i / 2})] if i % 2 else None,
        }
        for i in range(start, start + 4)
    ]


# -- what pyiceberg does not write -----------------------------------------------------------
def add_migrated_file(table: Any, directory: str, ids: list[int], value: Any) -> None:
    """Commit one Parquet file holding only ``id`` under ``data/<directory>`` with partition
    value ``value`` (``None``: the null partition) recorded in the manifest."""
    from pyiceberg.io.pyarrow import (
        compute_statistics_plan,
        data_file_statistics_from_parquet_metadata,
        parquet_path_to_id_mapping,
    )
    from pyiceberg.manifest import DataFile, DataFileContent, FileFormat
    from pyiceberg.partitioning import partition_record_value
    from pyiceberg.typedef import Record

    path = f"{table.location()}/data/{directory}/{uuid.uuid4().hex}.parquet"
    local = path.removeprefix("file://")
    os.makedirs(os.path.dirname(local), exist_ok=True)
    pq.write_table(pa.table({"id": pa.array(ids, pa.int64())}), local)
    schema, spec = table.schema(), table.spec()
    stats = data_file_statistics_from_parquet_metadata(
        parquet_metadata=pq.read_metadata(local),
        stats_columns=compute_statistics_plan(schema, table.properties),
        parquet_column_mapping=parquet_path_to_id_mapping(schema),
    )
    partition = Record(
        *(None if value is None else partition_record_value(f, value, schema) for f in spec.fields)
    )
    data_file = DataFile.from_args(
        content=DataFileContent.DATA,
        file_path=path,
        file_format=FileFormat.PARQUET,
        partition=partition,
        file_size_in_bytes=os.path.getsize(local),
        sort_order_id=None,
        spec_id=spec.spec_id,
        equality_ids=None,
        key_metadata=None,
        **stats.to_serialized_dict(),
    )
    with table.transaction() as tx:
        if tx.table_metadata.name_mapping() is None:
            tx.set_properties(
                **{"schema.name-mapping.default": schema.name_mapping.model_dump_json()}
            )
        with tx.update_snapshot().fast_append() as append:
            append.append_data_file(data_file)


def _puffin_with_vector(
    data_path: str, positions: list[int], snapshot_id: int, sequence: int
) -> tuple[bytes, int, int]:
    """A Puffin file with one ``deletion-vector-v1`` blob; its bytes, blob offset and length."""
    from pyroaring import BitMap

    if any(p >= 2**32 for p in positions):
        raise ValueError("positions beyond 2**32 need more than one bitmap")
    vector = (1).to_bytes(8, "little") + (0).to_bytes(4, "little") + BitMap(positions).serialize()
    body = DV_MAGIC + vector
    blob = len(body).to_bytes(4, "big") + body + zlib.crc32(body).to_bytes(4, "big")
    footer = {
        "blobs": [
            {
                "type": "deletion-vector-v1",
                "fields": [ROW_POSITION_FIELD_ID],
                "snapshot-id": snapshot_id,
                "sequence-number": sequence,
                "offset": len(PUFFIN_MAGIC),
                "length": len(blob),
                "properties": {
                    "referenced-data-file": data_path,
                    "cardinality": str(len(positions)),
                },
            }
        ],
        "properties": {"created-by": "sqlgate tests"},
    }
    payload = json.dumps(footer).encode()
    puffin = (
        PUFFIN_MAGIC
        + blob
        + PUFFIN_MAGIC
        + payload
        + len(payload).to_bytes(4, "little")
        + bytes(4)  # flags: footer not compressed
        + PUFFIN_MAGIC
    )
    return puffin, len(PUFFIN_MAGIC), len(blob)


def with_deletion_vector(
    catalog: Any, source: tuple[str, ...], target: tuple[str, ...], positions: list[int]
) -> Any:
    """Register ``target``: ``source``'s history upgraded to format v3 plus one snapshot whose
    deletion vector deletes ``positions`` of ``source``'s first data file."""
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
    from pyiceberg.typedef import Record

    class DeleteManifestWriter(ManifestWriterV2):
        """pyiceberg's v2 manifest writer, for a manifest of delete files."""

        def content(self) -> ManifestContent:
            return ManifestContent.DELETES

        @property
        def _meta(self) -> dict[str, str]:
            return {**super()._meta, "content": "deletes"}

    table = catalog.load_table(source)
    parent = table.current_snapshot()
    manifests = parent.manifests(table.io)
    data_path = next(iter(table.scan().plan_files())).file.file_path
    snapshot_id = random.randrange(1, 2**62)
    sequence = table.metadata.last_sequence_number + 1
    base = f"{table.location()}/metadata/{uuid.uuid4().hex}"
    puffin, offset, length = _puffin_with_vector(data_path, positions, snapshot_id, sequence)
    with table.io.new_output(f"{base}-dv.puffin").create() as out:
        out.write(puffin)
    delete_file = DataFile.from_args(
        content=DataFileContent.POSITION_DELETES,
        file_path=f"{base}-dv.puffin",
        file_format=FileFormat.PUFFIN,
        partition=Record(),
        record_count=len(positions),
        file_size_in_bytes=len(puffin),
        lower_bounds={FILE_PATH_FIELD_ID: data_path.encode()},
        upper_bounds={FILE_PATH_FIELD_ID: data_path.encode()},
        referenced_data_file=data_path,
        content_offset=offset,
        content_size_in_bytes=length,
        spec_id=table.spec().spec_id,
    )
    writer = DeleteManifestWriter(
        table.spec(), table.schema(), table.io.new_output(f"{base}-m0.avro"), snapshot_id, "null"
    )
    with writer:
        writer.add_entry(
            ManifestEntry.from_args(
                status=ManifestEntryStatus.ADDED, snapshot_id=snapshot_id, data_file=delete_file
            )
        )
    manifest_list = f"{base}-snap.avro"
    with write_manifest_list(
        2, table.io.new_output(manifest_list), snapshot_id, parent.snapshot_id, sequence, "null"
    ) as lister:
        lister.add_manifests([*manifests, writer.to_manifest_file()])
    metadata = json.loads(table.io.new_input(table.metadata_location).open().read())
    now = int(time.time() * 1000)
    metadata["snapshots"].append(
        {
            "snapshot-id": snapshot_id,
            "parent-snapshot-id": parent.snapshot_id,
            "sequence-number": sequence,
            "timestamp-ms": now,
            "manifest-list": manifest_list,
            "summary": {"operation": "delete", "added-position-deletes": str(len(positions))},
            "schema-id": metadata["current-schema-id"],
        }
    )
    metadata["snapshot-log"].append({"snapshot-id": snapshot_id, "timestamp-ms": now})
    metadata["refs"]["main"] = {"snapshot-id": snapshot_id, "type": "branch"}
    metadata.update(
        {
            "current-snapshot-id": snapshot_id,
            "last-sequence-number": sequence,
            "last-updated-ms": now,
        }
    )
    return _register_v3(catalog, table, metadata, target)


def as_format_v3(catalog: Any, source: tuple[str, ...], target: tuple[str, ...]) -> Any:
    """Register ``target``: ``source``'s metadata as format v3 (same snapshots and files)."""
    table = catalog.load_table(source)
    metadata = json.loads(table.io.new_input(table.metadata_location).open().read())
    return _register_v3(catalog, table, metadata, target)


def _register_v3(
    catalog: Any, table: Any, metadata: dict[str, Any], target: tuple[str, ...]
) -> Any:
    """Write ``metadata`` upgraded to v3 (no row lineage assigned yet: ``next-row-id`` 0)."""
    metadata.update({"format-version": 3, "next-row-id": 0})
    location = f"{table.location()}/metadata/{uuid.uuid4().hex}-v3.metadata.json"
    with table.io.new_output(location).create() as out:
        out.write(json.dumps(metadata).encode())
    return catalog.register_table(target, location)
