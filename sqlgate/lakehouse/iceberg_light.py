"""A cold Iceberg read without pyiceberg: the first rows of a table in an embedded catalog.

``SELECT * FROM t LIMIT 10`` on a fresh connection needs one data file. pyiceberg's catalog,
table metadata and manifest modules cost ~0.6 s of imports before the first byte is read,
~10x the query. For the embedded SQLite catalog, :class:`LightIcebergTable` answers the bare
``LIMIT`` from the files themselves, all read with the stdlib and DuckDB:

* the metadata location from ``iceberg_tables`` (sqlite3), the metadata JSON, the current
  snapshot's manifest list and its data manifests (:mod:`sqlgate.lakehouse.avro_lite`), read
  only until the leading live data files hold enough rows;
* each chosen file must be plain local Parquet inside the table's location and hold every
  column of the current schema under its field id and name, in the DuckDB type the column's
  Iceberg type reads as (DuckDB's ``parquet_schema``); only then does ``read_parquet`` give
  pyiceberg's answer.

Every file is held to the catalog's jail before it is opened, as the jailed FileIO does. Any
doubt (delete manifests, time travel, a nested or unmapped type, a relative or percent-encoded
location, a gzip metadata file, another Avro codec) hands the question to the full
:class:`~sqlgate.lakehouse.iceberg.IcebergTable`, which also answers every other question
(plans with filters, counts, reflection) and is built on first use.
"""

from __future__ import annotations

import json
import os
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import pyarrow as pa

from sqlgate.lakehouse.base import ScanPlan, TableHandle
from sqlgate.lakehouse.containment import Jail
from sqlgate.lakehouse.duckdb_files import helper_lock, parquet_sql, quote_ident

__all__ = ["LightIcebergTable", "light_location"]

#: Iceberg primitive -> (the Arrow type pyiceberg gives it, the DuckDB type a file reads as)
_TYPES: dict[str, tuple[pa.DataType, str]] = {
    "boolean": (pa.bool_(), "BOOLEAN"),
    "int": (pa.int32(), "INTEGER"),
    "long": (pa.int64(), "BIGINT"),
    "float": (pa.float32(), "FLOAT"),
    "double": (pa.float64(), "DOUBLE"),
    "date": (pa.date32(), "DATE"),
    "string": (pa.large_string(), "VARCHAR"),
    "binary": (pa.large_binary(), "BLOB"),
    "timestamp": (pa.timestamp("us"), "TIMESTAMP"),
    "timestamptz": (pa.timestamp("us", tz="UTC"), "TIMESTAMP WITH TIME ZONE"),
}
_MAX_MANIFESTS = 64  # manifests a bare LIMIT reads before it hands over to pyiceberg
#: What the light reading learnt, for every connection of the process: a metadata file's
#: JSON, and the leading files of its snapshot for a ``LIMIT n`` with their checked columns.
#: Keyed by the metadata file's identity (inode, size, mtime) and the jail: Iceberg never
#: rewrites a metadata file (a commit writes a new one and moves the catalog's pointer, which
#: every connection reads afresh), so a new commit is a new key; the chosen data files are
#: stat'ed and held to the jail again on every use.
_SEEN: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
_SEEN_KEPT = 128
_SEEN_LOCK = threading.Lock()


def _identity(path: str) -> tuple[int, int, int]:
    st = os.stat(path)
    return (st.st_ino, st.st_size, st.st_mtime_ns)


def _recall(key: tuple[Any, ...]) -> Any:
    with _SEEN_LOCK:
        found = _SEEN.get(key)
        if found is not None:
            _SEEN.move_to_end(key)
        return found


def _remember(key: tuple[Any, ...], value: Any) -> None:
    with _SEEN_LOCK:
        _SEEN[key] = value
        while len(_SEEN) > _SEEN_KEPT:
            _SEEN.popitem(last=False)


class _Unsure(Exception):
    """The light reading cannot promise pyiceberg's answer: ask the full handle."""


def light_location(uri: str | None) -> str | None:
    """The local path of ``uri`` when reading it needs no interpretation (``file:///`` or an
    absolute path, no percent sign: pyiceberg and the jail read it alike; no glob character:
    DuckDB reads that one file); else None."""
    if not uri or any(c in uri for c in "%*?[{"):  # no decoding, nothing DuckDB would glob
        return None
    if uri.startswith("file:///"):
        return uri[len("file://") :]
    return uri if uri.startswith("/") else None


def _read(path: str, jail: Jail, name: str) -> bytes:
    if not jail.allows(path):
        raise _Unsure(f"{path} is outside the lake")  # the full handle raises the error
    with open(path, "rb") as fh:
        return fh.read()


def arrow_schema(metadata: dict[str, Any]) -> pa.Schema | None:
    """The current schema as pyiceberg's ``schema_to_pyarrow`` gives it, for primitive
    columns of :data:`_TYPES`; None otherwise."""
    current = metadata.get("current-schema-id", 0)
    schemas = [s for s in metadata.get("schemas", ()) if s.get("schema-id") == current]
    if len(schemas) != 1:
        return None
    fields = []
    for f in schemas[0].get("fields", ()):
        kind = f.get("type")
        if isinstance(kind, str) and kind in _TYPES:
            arrow = _TYPES[kind][0]
        elif isinstance(kind, str) and kind.startswith("decimal("):
            precision, scale = (int(x) for x in kind[8:-1].split(","))
            arrow = pa.decimal128(precision, scale)
        else:
            return None
        doc = {b"doc": f["doc"]} if f.get("doc") else None  # as pyiceberg: comments
        fields.append(pa.field(f["name"], arrow, not f.get("required", False), metadata=doc))
    return pa.schema(fields)


def _duck_type(arrow_type: pa.DataType) -> str:
    if pa.types.is_decimal(arrow_type):
        return f"DECIMAL({arrow_type.precision},{arrow_type.scale})"
    return next(duck for arrow, duck in _TYPES.values() if arrow == arrow_type)


class LightIcebergTable(TableHandle):
    """The current snapshot of one table of an embedded catalog, planned light for a bare
    ``LIMIT``; every other attribute comes from the full handle (``full()``, built once)."""

    def __init__(
        self,
        name: str,
        metadata_path: str,
        jail: Jail,
        directories: list[str],
        full: Callable[[], TableHandle],
    ) -> None:
        self.name, self._metadata_path, self._jail = name, metadata_path, jail
        self._directories, self._full_factory = directories, full
        self._full: TableHandle | None = None
        self._metadata: dict[str, Any] | None = None
        self._seen: tuple[Any, ...] | None = None  # this metadata file's key in _SEEN
        self._first: dict[int, ScanPlan | None] = {}
        metadata = self._read_metadata()
        schema = arrow_schema(metadata) if metadata is not None else None
        try:
            parts = self._identity_columns(metadata) if metadata and schema else None
        except (_Unsure, KeyError, TypeError, StopIteration):
            parts = None
        if schema is None or parts is None:
            self._metadata = None  # never light: the full handle answers everything
            self.schema = self.full().schema
            self.partition_columns = list(self.full().partition_columns)
        else:
            self.schema, self.partition_columns = schema, parts

    def full(self) -> TableHandle:
        if self._full is None:
            self._full = self._full_factory()
        return self._full

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.full(), name)

    def scan(self, predicate: Any) -> ScanPlan:
        return self.full().scan(predicate)

    def scan_first(self, rows: int) -> ScanPlan | None:
        if rows not in self._first:
            try:
                self._first[rows] = self._recalled_first(rows) or self._light_first(rows)
            except (_Unsure, OSError, ValueError, KeyError, TypeError):
                self._first[rows] = None
            if self._first[rows] is None:
                self._first[rows] = self.full().scan_first(rows)  # type: ignore[attr-defined]
        return self._first[rows]

    # -- the light reading ---------------------------------------------------------------------
    def _read_metadata(self) -> dict[str, Any] | None:
        if not self._jail.allows(self._metadata_path):
            return None  # the full handle raises the error
        try:
            seen = ("metadata", self._metadata_path, _identity(self._metadata_path), self._jail)
            metadata = _recall(seen)
            if metadata is None:
                metadata = json.loads(_read(self._metadata_path, self._jail, self.name))
        except (_Unsure, OSError, ValueError):
            return None
        location = light_location(metadata.get("location"))
        if location is None or not self._jail.allows(location):
            return None
        if not Jail.of(location).allows(self._metadata_path):
            return None
        self._metadata, self._seen = metadata, seen
        _remember(seen, metadata)
        return metadata

    def _recalled_first(self, rows: int) -> ScanPlan | None:
        """The plan :meth:`_light_first` made for this metadata file and ``rows`` in this
        process, if its files are unchanged and still inside the lake."""
        found = _recall(("first", self._seen, rows)) if self._seen is not None else None
        if found is None:
            return None
        sql, info, files = found
        metadata = self._metadata
        assert metadata is not None
        own = Jail.of(str(light_location(metadata["location"])))
        for path, identity in files:
            if not (self._jail.allows(path) and own.allows(path)) or _identity(path) != identity:
                return None
        return ScanPlan(self.schema, sql=sql, info={**info, "files": list(info["files"])})

    def _identity_columns(self, metadata: dict[str, Any]) -> list[str]:
        default = metadata.get("default-spec-id", 0)
        names = {f["id"]: f["name"] for f in self.schema_fields(metadata)}
        for spec in metadata.get("partition-specs", ()):
            if spec.get("spec-id") == default:
                return [
                    names[f["source-id"]]
                    for f in spec.get("fields", ())
                    if f.get("transform") == "identity" and f.get("source-id") in names
                ]
        raise _Unsure("no default partition spec")

    @staticmethod
    def schema_fields(metadata: dict[str, Any]) -> list[dict[str, Any]]:
        current = metadata.get("current-schema-id", 0)
        return next(s["fields"] for s in metadata["schemas"] if s.get("schema-id") == current)

    def _light_first(self, rows: int) -> ScanPlan | None:
        from sqlgate.lakehouse.avro_lite import AvroLiteError, read_records

        metadata = self._metadata
        if metadata is None or int(metadata.get("format-version", 1)) > 2:
            return None
        snapshot_id = metadata.get("current-snapshot-id")
        snapshots = [s for s in metadata.get("snapshots", ()) if s["snapshot-id"] == snapshot_id]
        if snapshot_id in (None, -1) or len(snapshots) != 1:
            return None
        snapshot = snapshots[0]
        own = Jail.of(str(light_location(metadata["location"])))
        listing = light_location(snapshot.get("manifest-list"))
        if listing is None:
            return None
        try:
            _meta, manifests = read_records(_read(listing, self._jail, self.name))
            if any(m.get("content", 0) != 0 for m in manifests):
                return None  # delete files: pyiceberg's planner decides what applies
            chosen: list[tuple[str, int]] = []
            total = 0
            for read, manifest in enumerate(manifests):
                if read >= _MAX_MANIFESTS:
                    return None  # a bare LIMIT that needs more reads through pyiceberg
                path = light_location(manifest["manifest_path"])
                if path is None:
                    return None
                _meta, entries = read_records(_read(path, self._jail, self.name))
                for entry in entries:
                    data = entry["data_file"]
                    if entry["status"] == 2:  # DELETED
                        continue
                    if data.get("content", 0) != 0:
                        return None
                    file = light_location(data["file_path"])
                    if file is None or str(data["file_format"]).upper() != "PARQUET":
                        return None
                    if not own.allows(file):
                        return None  # the full handle names the file outside the lake
                    if total >= rows:
                        break
                    chosen.append((file, int(data["record_count"])))
                    total += int(data["record_count"])
                if total >= rows:
                    break
        except AvroLiteError:
            return None
        if total < rows:
            return None  # every file is needed: the full scan plans it
        paths = [p for p, _n in chosen]
        files = [(p, _identity(p)) for p in paths]  # before the check: a change is a miss
        if not self._columns_by_id(paths, metadata):
            return None
        cols = ", ".join(quote_ident(f.name) for f in self.schema)
        sql = f"SELECT {cols} FROM {parquet_sql(paths, hive_partitioning=False)}"
        summary = snapshot.get("summary") or {}
        info: dict[str, Any] = {
            "snapshot_id": snapshot_id,
            "filter": None,
            "first_rows": rows,
            "files_planned": len(paths),
            "files_total": int(summary["total-data-files"])
            if "total-data-files" in summary
            else None,
            "files": paths,
            "delete_files": 0,
            "planner": "light",
            "scan": "duckdb_read_parquet",
        }
        if self._seen is not None:
            _remember(("first", self._seen, rows), (sql, {**info, "files": list(paths)}, files))
        return ScanPlan(self.schema, sql=sql, info=info)

    def _columns_by_id(self, paths: list[str], metadata: dict[str, Any]) -> bool:
        """Every file holds exactly the current schema's top-level columns, in order, under
        their field ids and names, each in the DuckDB type its Iceberg type reads as."""
        from sqlgate.lakehouse import sandbox

        want = [
            (int(f["id"]), f["name"], _duck_type(self.schema.field(i).type))
            for i, f in enumerate(self.schema_fields(metadata))
        ]
        with helper_lock:
            con = sandbox.helper(self._directories)
            found = con.sql(
                "SELECT file_name, list((field_id, name, duckdb_type, num_children) "
                "ORDER BY column_id) FROM parquet_schema($1) GROUP BY file_name",
                params=[paths],
            ).fetchall()
        if len(found) != len(set(paths)):
            return False
        for _file, columns in found:
            got = [tuple(c.values()) if isinstance(c, dict) else tuple(c) for c in columns]
            top = got[1:]  # the first row is the schema's root
            if any(c[3] for c in top):
                return False  # a nested column: pyiceberg resolves its fields by id
            if [(int(c[0] if c[0] is not None else -1), c[1], c[2]) for c in top] != want:
                return False  # same columns in the same order, or pyiceberg reads it
        return True
