"""Iceberg tables through pyiceberg: catalogs (SQL/SQLite by default, REST, Glue ...).

pyiceberg resolves the snapshot (time travel), prunes manifests/files with the pushed
``row_filter`` and accounts for delete files and schema evolution (field ids). A plan of
plain local Parquet files and no deletes, whose files hold each projected column under its field
id, name and type (nested ones included) or lack it (then a typed constant: the manifest's
partition value, the initial default), is handed to DuckDB's native ``read_parquet``
(:mod:`sqlgate.lakehouse.iceberg_native`); anything else streams through pyiceberg's reader.

A table of the embedded SQLite catalog is first opened light
(:mod:`sqlgate.lakehouse.iceberg_light`: a bare ``LIMIT`` planned from the metadata JSON and
the manifests without pyiceberg); pyiceberg loads the catalog and the table on the first
statement that needs more.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from sqlgate.core.errors import OperationalError, ProgrammingError
from sqlgate.core.redact import redact
from sqlgate.lakehouse import pushdown, storage
from sqlgate.lakehouse.base import ScanPlan, TableHandle, TableSource
from sqlgate.lakehouse.containment import Jail, OutsideLakeError, outside
from sqlgate.lakehouse.iceberg_catalog import iceberg_jail, metadata_probe, snapshot_id
from sqlgate.lakehouse.iceberg_catalog_file import CatalogFile
from sqlgate.lakehouse.iceberg_filters import prunable
from sqlgate.lakehouse.timetravel import TimeTravel

#: pyiceberg's FileIO held to the source's jail (:mod:`sqlgate.lakehouse.iceberg_io`, whose
#: ``JAIL_PROPERTY`` is ``sqlgate.jail``): named here so a cold connection needs no pyiceberg
_IO_IMPL = "sqlgate.lakehouse.iceberg_io.ContainedFileIO"


class IcebergCatalogSource(TableSource):
    """A pyiceberg catalog; namespaces are schemas (``a.b`` for nested namespaces)."""

    format = "iceberg"

    def __init__(self, name: str = "default", **properties: Any) -> None:
        from sqlgate.lakehouse.iceberg_catalog_file import CATALOG_IMPL, PATH_PROPERTY

        self._jail = iceberg_jail(properties)
        # every file pyiceberg opens goes through a FileIO held to the jail
        properties = {**properties, "py-io-impl": _IO_IMPL, "sqlgate.jail": self._jail.to_json()}
        self.name, self.properties = name, properties
        self._catalog: Any = None
        self._file: CatalogFile | None = None
        self._light: dict[tuple[str, str], tuple[str, TableHandle]] = {}
        try:
            if properties.get("py-catalog-impl") == CATALOG_IMPL:
                # the embedded catalog: checked now, pyiceberg's catalog built on first use
                self._file = CatalogFile(str(properties[PATH_PROPERTY]), name)
            else:
                self._catalog = self._load_catalog()
        except Exception as exc:
            raise OperationalError(redact(f"cannot open Iceberg catalog {name!r}: {exc}")) from None
        self.default_schema = str(properties.get("default_namespace", "default"))
        # loaded tables by (namespace, name): reused while the catalog points at the same
        # metadata file, i.e. until another writer commits (a commit writes a new one)
        self._tables: OrderedDict[tuple[str, str], _Loaded] = OrderedDict()
        self._probe_fn: Callable[[str, str], str | None] | None = None

    def _load_catalog(self) -> Any:
        from pyiceberg.catalog import load_catalog

        return load_catalog(self.name, **self.properties)

    @property
    def catalog(self) -> Any:
        """pyiceberg's catalog, loaded on first use (a cold ``LIMIT`` may never need it)."""
        if self._catalog is None:
            try:
                self._catalog = self._load_catalog()
            except Exception as exc:
                raise OperationalError(
                    redact(f"cannot open Iceberg catalog {self.name!r}: {exc}")
                ) from None
        return self._catalog

    @property
    def _probe(self) -> Callable[[str, str], str | None] | None:
        if self._file is not None:
            return self._file.metadata_location
        if self._probe_fn is None:
            self._probe_fn = metadata_probe(self.catalog)
        return self._probe_fn

    def jail(self) -> Jail:
        return self._jail

    def list_schemas(self) -> list[str]:
        out: list[str] = []
        todo = list(self.catalog.list_namespaces())
        while todo:
            ns = todo.pop(0)
            out.append(".".join(ns))
            try:
                todo.extend(n for n in self.catalog.list_namespaces(ns) if n != ns)
            except Exception:
                continue
        return sorted(set(out))

    def list_tables(self, schema: str) -> list[str]:
        from pyiceberg.exceptions import ForbiddenError, NoSuchNamespaceError, UnauthorizedError

        try:
            return sorted(ident[-1] for ident in self.catalog.list_tables(tuple(schema.split("."))))
        except NoSuchNamespaceError as exc:
            raise ProgrammingError(redact(f"unknown Iceberg namespace {schema!r}: {exc}")) from None
        except (ForbiddenError, UnauthorizedError, PermissionError) as exc:
            # a refusal is not a missing namespace: say what to fix
            raise storage.store_error(
                PermissionError(str(exc)), repr(schema), "Iceberg namespace"
            ) from None
        except Exception as exc:
            raise storage.store_error(exc, repr(schema), "Iceberg namespace") from None

    def _load(self, schema: str, table: str):
        from pyiceberg.exceptions import NoSuchNamespaceError, NoSuchTableError

        try:
            tbl = self.catalog.load_table((*schema.split("."), table))
        except OutsideLakeError as exc:
            raise outside(f"{schema}.{table}", exc.uri) from None
        except (NoSuchTableError, NoSuchNamespaceError):
            raise ProgrammingError(f"Iceberg table {schema}.{table} does not exist") from None
        name = f"{schema}.{table}"
        from sqlgate.lakehouse.iceberg_io import contained_io, located

        tbl.io = contained_io(tbl, self.properties)  # never a FileIO the table's writer chose
        # relative locations resolve against the catalog home
        location = located(tbl.io, tbl.location())
        self._jail.check(location, name)
        Jail.of(location).check(located(tbl.io, tbl.metadata_location), name)
        return tbl

    def _current(self, schema: str, table: str) -> _Loaded:
        """The table as the catalog has it now; its metadata is parsed again only after a
        commit. SQL catalogs are asked for the metadata location alone (one indexed row);
        other catalogs load the table and the location decides whether plans are kept."""
        key = (schema, table)
        cached = self._tables.get(key)
        if cached is not None and self._probe is not None:
            try:
                location = self._probe(schema, table)
            except Exception:
                location = None
            if location is not None and location == cached.location:
                self._tables.move_to_end(key)
                return cached
        tbl = self._load(schema, table)
        location = tbl.metadata_location
        if cached is None or cached.location != location:
            cached = _Loaded(location, tbl)
        self._tables[key] = cached
        self._tables.move_to_end(key)
        while len(self._tables) > _TABLES_CACHED:
            self._tables.popitem(last=False)
        return cached

    def open(self, schema: str, table: str, timetravel: TimeTravel | None = None) -> TableHandle:
        if timetravel is None and self._file is not None:
            light = self._open_light(schema, table)
            if light is not None:
                return light
        return self._open_full(schema, table, timetravel)

    def _open_light(self, schema: str, table: str) -> TableHandle | None:
        """The current snapshot of a table of the embedded catalog before pyiceberg loads it
        (:mod:`sqlgate.lakehouse.iceberg_light`); None once pyiceberg has it, or when its
        metadata location needs pyiceberg's reading."""
        from sqlgate.lakehouse.iceberg_light import LightIcebergTable, light_location

        key = (schema, table)
        assert self._file is not None
        location = self._file.metadata_location(schema, table)
        cached = self._tables.get(key)
        if cached is not None and cached.location == location:
            return None  # pyiceberg already holds this version, plans and all
        path = light_location(location)
        if location is None or path is None or not path.endswith(".metadata.json"):
            return None
        kept = self._light.get(key)
        if kept is not None and kept[0] == location:
            return kept[1]
        handle = LightIcebergTable(
            f"{schema}.{table}",
            path,
            self._jail,
            self._jail.duckdb_directories(),
            lambda: self._open_full(schema, table, None),
        )
        if len(self._light) >= _TABLES_CACHED:
            self._light.clear()
        self._light[key] = (location, handle)
        return handle

    def _open_full(self, schema: str, table: str, timetravel: TimeTravel | None) -> TableHandle:
        loaded = self._current(schema, table)
        key = None if timetravel is None else (timetravel.kind, repr(timetravel.value))
        handle = loaded.handles.get(key)
        if handle is None:
            handle = IcebergTable(loaded.table, f"{schema}.{table}", timetravel)
            if len(loaded.handles) >= _TABLES_CACHED:
                loaded.handles.clear()
            loaded.handles[key] = handle
        return handle

    def table_properties(self, schema: str, table: str) -> dict[str, str]:
        tbl = self._current(schema, table).table
        props = dict(tbl.properties)
        props.update({"location": tbl.location(), "format-version": str(tbl.format_version)})
        if tbl.current_snapshot() is not None:
            props["current-snapshot-id"] = str(tbl.current_snapshot().snapshot_id)
        return props


_TABLES_CACHED = 64
_ALL = "AlwaysTrue()"  # the unfiltered plan's key
#: a plan: its tasks, what it says about them, the native ``read_parquet`` SQL (or None)
_Planned = tuple[list, dict[str, Any], "str | None"]


@dataclass
class _Loaded:
    location: str
    table: Any
    handles: dict[Any, IcebergTable] = field(default_factory=dict)


class IcebergTable(TableHandle):
    """One Iceberg table pinned to one snapshot (``None`` for a table with no commit yet)."""

    def __init__(self, table, name: str, timetravel: TimeTravel | None) -> None:
        from pyiceberg.io.pyarrow import schema_to_pyarrow

        self.table, self.name = table, name
        self.snapshot_id = snapshot_id(table, name, timetravel)
        # the current schema for current reads (renames need no new snapshot); the
        # snapshot's own schema only when travelling back in time
        self._pin = self.snapshot_id if timetravel is not None else None
        scan = table.scan(snapshot_id=self._pin)
        self.iceberg_schema = scan.projection()
        self.schema: pa.Schema = schema_to_pyarrow(self.iceberg_schema, include_field_ids=False)
        spec = table.spec()
        self.partition_columns = [
            table.schema().find_column_name(f.source_id)
            for f in spec.fields
            if str(f.transform) == "identity"
        ]
        self._plans: dict[str, _Planned] = {}

    def scan(self, predicate: pushdown.Predicate) -> ScanPlan:
        # only what pyiceberg prunes right (never UUID or defaulted columns): DuckDB filters
        row_filter = pushdown.to_iceberg(prunable(predicate, self.iceberg_schema))
        info: dict[str, Any] = {"snapshot_id": self.snapshot_id, "filter": str(row_filter)}
        if self.snapshot_id is None:
            info.update(files_planned=0, files=[], scan="empty")
            return ScanPlan(self.schema, arrow=self.schema.empty_table(), info=info)
        scan, planned = self._planned(row_filter)
        return self._plan_of(scan, planned, info)

    def scan_first(self, rows: int) -> ScanPlan | None:
        """The plan of the leading data files whose record counts reach ``rows`` (a bare
        ``LIMIT``); None when deletes apply or every file is needed anyway."""
        from sqlgate.lakehouse.metadata_count import leading

        if self.snapshot_id is None:
            return None
        scan, (tasks, _info, _sql) = self._planned(pushdown.to_iceberg(None))
        if any(t.delete_files for t in tasks):
            return None
        chosen = leading(tasks, rows, lambda t: t.file.record_count)
        if chosen is None or len(chosen) >= len(tasks):
            return None
        key = f"first {len(chosen)}"
        planned = self._plans.get(key)
        if planned is None:
            planned = self._remember(key, self._plan_files(scan, chosen))
        info: dict[str, Any] = {"snapshot_id": self.snapshot_id, "filter": None, "first_rows": rows}
        return self._plan_of(scan, planned, info)

    def _plan_of(self, scan: Any, planned: _Planned, info: dict[str, Any]) -> ScanPlan:
        """The scan plan of planned tasks: native ``read_parquet``, deletes, or a stream."""
        tasks, planned_info, sql = planned
        info.update(planned_info)
        info["files"] = list(planned_info["files"])
        from sqlgate.lakehouse.iceberg_deletes import own_plan

        plan = own_plan(self.schema, scan, tasks, info, sql)  # equality deletes, relative files
        if plan is not None:
            return plan
        if sql is not None:
            info["scan"] = "duckdb_read_parquet"
            return ScanPlan(self.schema, sql=sql, info=info)
        if not tasks:
            info["scan"] = "empty"
            return ScanPlan(self.schema, arrow=self.schema.empty_table(), info=info)
        info["scan"] = "pyiceberg_arrow_stream"
        return ScanPlan(self.schema, arrow=self._reader(scan, tasks), info=info)

    def _planned(self, row_filter) -> tuple[Any, _Planned]:
        """The scan for ``row_filter`` and its plan, kept per filter. The manifests are read
        once per snapshot (the unfiltered plan); another filter prunes that plan in Python
        (:mod:`sqlgate.lakehouse.iceberg_prune`), so a new literal costs no manifest read."""
        from sqlgate.lakehouse.iceberg_prune import prune_tasks

        scan = self.table.scan(row_filter=row_filter, snapshot_id=self._pin)
        key = str(row_filter)
        cached = self._plans.get(key)
        if cached is None:
            tasks = None
            if key != _ALL:
                _all, (every, _info, _sql) = self._planned(pushdown.to_iceberg(None))
                tasks = prune_tasks(scan, every)
            cached = self._remember(key, self._plan_files(scan, tasks))
        return scan, cached

    def _remember(self, key: str, planned: _Planned) -> _Planned:
        """Keep a plan; when full, forget all but the unfiltered one (the others derive
        from it in Python)."""
        if len(self._plans) >= _TABLES_CACHED:
            everything = self._plans.get(_ALL)
            self._plans.clear()
            if everything is not None:
                self._plans[_ALL] = everything
        self._plans[key] = planned
        return planned

    def exact_count(self, predicate: pushdown.Predicate) -> tuple[int, dict[str, Any]] | None:
        """``count(*)`` of the rows matching ``predicate`` from the manifests' record counts
        (with what the plan says), or None when the metadata cannot say exactly (deletes,
        a non-partition column)."""
        from sqlgate.lakehouse.iceberg_prune import partition_values
        from sqlgate.lakehouse.metadata_count import Undecided, count_files

        if self.snapshot_id is None:
            return None
        _scan, (tasks, _info, _sql) = self._planned(pushdown.to_iceberg(None))
        if any(t.delete_files for t in tasks):
            return None
        specs = self.table.metadata.specs()
        files = [
            (t.file.record_count, partition_values(t.file, specs, self.iceberg_schema))
            for t in tasks
        ]
        try:
            count = count_files(files, predicate)
        except Undecided:
            return None
        return count, {"snapshot_id": self.snapshot_id, "files_total": len(files)}

    def _plan_files(self, scan, tasks: list | None = None) -> _Planned:
        """Manifests read once per snapshot and filter: the tasks, what the plan says about
        them, and the native ``read_parquet`` SQL when DuckDB can read the files itself.
        Every data and delete file must lie under the table's location (a manifest may name
        any URI)."""
        from sqlgate.lakehouse.iceberg_deletes import plan_files
        from sqlgate.lakehouse.iceberg_io import located

        try:
            if tasks is None:
                tasks = plan_files(scan)  # pyiceberg's, with equality deletes attached
        except OutsideLakeError as exc:
            raise outside(self.name, exc.uri) from None
        own = Jail.of(located(self.table.io, self.table.location()))
        for task in tasks:
            for path in [task.file.file_path, *(d.file_path for d in task.delete_files)]:
                if not own.allows(located(self.table.io, path)):
                    raise outside(self.name, path)
        snapshot = self.table.metadata.snapshot_by_id(self.snapshot_id)
        total = (snapshot.summary or {}).get("total-data-files") if snapshot else None
        info: dict[str, Any] = {
            "files_planned": len(tasks),
            "files_total": int(total) if total is not None else None,
            "files": [t.file.file_path for t in tasks],
            "delete_files": sum(len(t.delete_files) for t in tasks),
        }
        from sqlgate.lakehouse.iceberg_native import native_sql

        sql = native_sql(tasks, self.iceberg_schema, self.table.metadata, self.table.io)
        return tasks, info, sql

    def _reader(self, scan, tasks) -> pa.RecordBatchReader:
        from pyiceberg.io.pyarrow import ArrowScan

        batches = ArrowScan(
            scan.table_metadata, scan.io, scan.projection(), scan.row_filter, scan.case_sensitive
        ).to_record_batches(tasks)
        return pa.RecordBatchReader.from_batches(
            self.schema, (b.cast(self.schema) for b in batches)
        )
