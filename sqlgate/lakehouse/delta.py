"""Delta Lake tables through delta-rs (``deltalake``): versions, time travel, file pruning.

delta-rs resolves the version and prunes files from partition values and per-file min/max
statistics (``file_uris(file_pruning_predicate=...)``). Plain local files with no deletion
vectors or column mapping go to DuckDB's ``read_parquet``; tables with deletion vectors or
column mapping stream through delta-rs' own DataFusion reader (``QueryBuilder``), which
applies them (``to_pyarrow_dataset`` refuses such tables); the rest is a pyarrow dataset.
"""

from __future__ import annotations

import os
import re
import threading
from collections import OrderedDict
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlparse

import pyarrow as pa

from sqlgate.core.errors import Error, OperationalError, ProgrammingError
from sqlgate.lakehouse import pushdown
from sqlgate.lakehouse.base import ScanPlan, TableDirectorySource, TableHandle
from sqlgate.lakehouse.duckdb_files import (
    declared_columns,
    duck_type,
    local_paths,
    parquet_sql,
    quote_ident,
    uniform_parquet,
)
from sqlgate.lakehouse.failures import plain
from sqlgate.lakehouse.timetravel import TimeTravel, to_millis

if TYPE_CHECKING:
    from sqlgate.lakehouse.livefs import LiveOptions

_SIMPLE = re.compile(r"^[A-Za-z0-9_.\-]+$")
_VERSIONS_CACHED = 64
#: Local tables' latest versions, shared by the process's connections (a NullPool skips the
#: log replay, ~5 ms): reused while no newer commit is listed and the commit file read is the
#: same file (a table written again at the same path restarts its versions), for sources with
#: the same jail and no storage options; each connection still checks the tree (_shared_latest)
_SHARED: OrderedDict[tuple[str, str, Any], DeltaTableHandle] = OrderedDict()
_SHARED_KEPT = 64
_SHARED_LOCK = threading.Lock()


class DeltaRootSource(TableDirectorySource):
    """A directory whose sub-directories holding a ``_delta_log`` are tables (schema ``main``)."""

    format = "delta"
    marker = "_delta_log"

    def __init__(
        self, root: str, storage_options: dict[str, Any] | LiveOptions | None = None
    ) -> None:
        super().__init__(root, storage_options)
        # the latest version of each table, kept while no other version was committed, and
        # versions read by time travel (immutable)
        self._uris: dict[tuple[str, str], str] = {}
        self._latest: dict[str, DeltaTableHandle] = {}
        self._versions: OrderedDict[tuple[str, int], DeltaTableHandle] = OrderedDict()

    def _uri(self, schema: str, table: str) -> str:
        return self.table_uri(schema, table)

    def open(
        self, schema: str, table: str, timetravel: TimeTravel | None = None
    ) -> DeltaTableHandle:
        name = f"{schema}.{table}"
        uri = self._uris.get((schema, table))
        if timetravel is None:
            handle = self._latest.get(uri) if uri is not None else None
            if handle is not None and handle.options is self.storage_options and handle.fresh():
                return handle  # nothing committed since: same files, same plans
            uri = self._uri(schema, table)
            handle = self._shared_latest(uri, name) or DeltaTableHandle(self, uri, name, None)
            self._uris[(schema, table)] = uri
            self._latest[uri] = handle
            return handle
        if timetravel.kind == "version" and uri is not None:
            try:
                cached = self._versions.get((uri, int(timetravel.value)))
            except (TypeError, ValueError):
                cached = None
            if cached is not None and cached.options is self.storage_options:
                self._versions.move_to_end((uri, cached.version))
                return cached
        uri = self._uri(schema, table)
        handle = DeltaTableHandle(self, uri, name, timetravel)
        self._uris[(schema, table)] = uri
        if timetravel.kind == "version":
            self._versions[(uri, handle.version)] = handle
            while len(self._versions) > _VERSIONS_CACHED:
                self._versions.popitem(last=False)
        return handle

    def _shared_latest(self, uri: str, name: str) -> DeltaTableHandle | None:
        """The process's handle of a local table's latest version, fresh and contained."""
        if self.storage_options or not self.root.is_local:
            return None
        key = (uri, name, self.jail())
        with _SHARED_LOCK:
            handle = _SHARED.get(key)
        if handle is not None and not handle.options and handle.fresh():
            self.contain(uri, name)  # as a new handle would: nothing links out of the lake
            with _SHARED_LOCK:
                if key in _SHARED:
                    _SHARED.move_to_end(key)
            return handle
        handle = DeltaTableHandle(self, uri, name, None)
        if not handle.seen:  # no commit file to know it by (a checkpoint only): not shared
            return handle
        with _SHARED_LOCK:
            _SHARED[key] = handle
            while len(_SHARED) > _SHARED_KEPT:
                _SHARED.popitem(last=False)
        return handle

    def table_properties(self, schema: str, table: str) -> dict[str, str]:
        handle = self.open(schema, table)
        meta = handle.table.metadata()
        props = dict(meta.configuration)
        if meta.name:
            props["name"] = str(meta.name)
        if meta.description:
            props["description"] = str(meta.description)
            props.setdefault("comment", str(meta.description))
        props.update({"version": str(handle.table.version()), "location": handle.uri})
        return props


def _commit_identity(uri: str, version: int) -> tuple:
    """The inode, size and mtime of a local table's commit file for ``version``; () if none."""
    from sqlgate.lakehouse.duckdb_files import local_path

    path = local_path(uri)
    if path is None:
        return ()
    try:
        st = os.stat(os.path.join(path, "_delta_log", f"{version:020d}.json"))
    except OSError:
        return ()
    return (st.st_ino, st.st_size, st.st_mtime_ns)


class DeltaTableHandle(TableHandle):
    """One Delta table loaded at one version."""

    def __init__(self, source: DeltaRootSource, uri: str, name: str, tt: TimeTravel | None) -> None:
        from deltalake import DeltaTable

        self.source, self.uri, self.name = source, uri, name
        # the options current now: a cached handle built with an older credential is dropped
        self.options = source.storage_options
        opts = self.options or None
        source.contain(uri, name)  # before delta-rs reads a byte of the log
        try:
            self.table = DeltaTable(uri, storage_options=opts)
            if tt is not None:
                self._travel(tt)
        except Error:
            raise
        except Exception as exc:  # a damaged log: only this table fails, in plain words
            raise OperationalError(plain(f"cannot load Delta table {name}: {exc}")) from None
        self.schema = pa.schema(self.table.schema().to_arrow())
        self.partition_columns = list(self.table.metadata().partition_columns)
        self.version: int = self.table.version()
        self.seen = _commit_identity(uri, self.version) if tt is None else ()
        self._files: dict[str | None, list[str]] = {}
        self._reader_features: set[str] | None = None
        self._hive_all: bool | None = None
        self._uniform_by_filter: dict[str | None, bool] = {}
        self._add_actions: pa.Table | None = None

    def fresh(self) -> bool:
        """No newer commit is listed and this version's commit file is the one read."""
        return self.latest_version() == self.version and (
            _commit_identity(self.uri, self.version) == self.seen
        )

    def latest_version(self) -> int | None:
        """The newest committed version (a listing of the log, no replay); None if unknown."""
        try:
            return int(self.table._table.get_latest_version())
        except Exception:
            return None

    def _file_uris(self, sql_filter: str | None) -> list[str]:
        files = self._files.get(sql_filter)
        if files is None:
            if sql_filter:
                files = self.table.file_uris(file_pruning_predicate=sql_filter)
            else:
                files = self.table.file_uris()
                self._contain_deletion_vectors()
            files = self._on_disk(files)
            # a log may name any absolute path or URI: every data file must be in the lake
            self.source.jail().check_all(files, self.name)
            if len(self._files) >= _VERSIONS_CACHED:
                self._files.clear()
            self._files[sql_filter] = files
        return files

    def _on_disk(self, files: list[str]) -> list[str]:
        """delta-rs joins each file's (decoded) log path to the table's URI, whose own path
        stays percent-encoded: ``/lake/%E6%95%B0/k=a%20b/…`` for ``/lake/数/k=a%20b/…``
        on disk (the partition directory holds a literal ``%20``). Local paths get the
        table's real directory back; only that prefix is decoded."""
        parsed = urlparse(self.table.table_uri)
        if parsed.scheme not in ("", "file"):
            return files
        encoded = parsed.path.rstrip("/") + "/"
        real = unquote(encoded)
        if real == encoded:
            return files
        return [real + f[len(encoded) :] if f.startswith(encoded) else f for f in files]

    def _contain_deletion_vectors(self) -> None:
        """Deletion vectors stored by absolute path (``storageType`` ``p``) must be in the lake."""
        if "deletionVectors" not in self._features():
            return
        actions = _actions_table(self.table.get_add_actions(flatten=True))
        names = set(actions.column_names)
        kind, where = "deletionVector.storageType", "deletionVector.pathOrInlineDv"
        if kind not in names or where not in names:
            return
        for storage, path in zip(
            actions.column(kind).to_pylist(), actions.column(where).to_pylist(), strict=True
        ):
            if storage == "p" and path:
                self.source.jail().check(str(path), self.name)

    def _travel(self, tt: TimeTravel) -> None:
        history = self.table.history()
        versions = sorted(h["version"] for h in history if "version" in h)
        if tt.kind == "version":
            try:
                version = int(tt.value)
            except (TypeError, ValueError):
                raise ProgrammingError(f"Delta versions are integers, not {tt.value!r}") from None
            if version not in versions:
                raise ProgrammingError(
                    f"Delta table {self.name} has no version {version} "
                    f"(available: {versions[0]}..{versions[-1]})"
                )
            self.table.load_as_version(version)
            return
        first = min(h["timestamp"] for h in history)
        if to_millis(tt.value) < first:
            raise ProgrammingError(
                f"Delta table {self.name} has no version at or before {tt.value.isoformat()} "
                "(before the first commit)"
            )
        self.table.load_as_version(tt.value)

    def _features(self) -> set[str]:
        if self._reader_features is None:
            proto = self.table.protocol()
            features = set(proto.reader_features or [])
            mode = self.table.metadata().configuration.get("delta.columnMapping.mode", "none")
            if mode != "none":
                features.add("columnMapping")
            self._reader_features = features
        return self._reader_features

    def scan(self, predicate: pushdown.Predicate) -> ScanPlan:
        sql_filter = pushdown.to_sql(predicate)
        info: dict[str, Any] = {"version": self.version, "filter": sql_filter}
        all_files = self._file_uris(None)
        files = self._file_uris(sql_filter) if sql_filter else all_files
        info.update(files_total=len(all_files), files_planned=len(files), files=list(files))
        features = self._features() & {"deletionVectors", "columnMapping"}
        if features:
            return self._query_builder(sql_filter, info, features)
        if not files:
            info["scan"] = "empty"
            return ScanPlan(self.schema, arrow=self.schema.empty_table(), info=info)
        plan = self._native(files, all_files, sql_filter, info)
        if plan is not None:
            return plan
        info["scan"] = "pyarrow_dataset"
        dataset = self.table.to_pyarrow_dataset(file_pruning_predicate=sql_filter)
        return ScanPlan(self.schema, arrow=dataset, info=info)

    def _native(
        self, files: list[str], all_files: list[str], key: str | None, info: dict[str, Any]
    ) -> ScanPlan | None:
        """DuckDB's ``read_parquet`` over ``files`` (all local, partition values readable
        from their paths), or None. ``key`` names the file set for the cached checks."""
        paths = local_paths(files)
        hive = True
        if self.partition_columns:
            if self._hive_all is None:
                self._hive_all = self._hive_ok(all_files) if all_files else False
            hive = self._hive_all or self._hive_ok(files)
        if paths is None or not hive:
            return None
        info["scan"] = "duckdb_read_parquet"
        opts: dict[str, Any] = {}
        if not self._uniform(key, paths):
            opts["union_by_name"] = True
        if self.partition_columns:
            opts["hive_partitioning"] = True
            opts["hive_types"] = {
                c: duck_type(self.schema.field(c).type) for c in self.partition_columns
            }
        cols = declared_columns(
            self.schema, paths, self.source.jail().duckdb_directories(), self.partition_columns
        )
        return ScanPlan(
            self.schema, sql=f"SELECT {cols} FROM {parquet_sql(paths, **opts)}", info=info
        )

    def scan_first(self, rows: int) -> ScanPlan | None:
        """The plan of the leading files whose ``numRecords`` reach ``rows`` (a bare
        ``LIMIT``); None when deletion vectors or column mapping apply, a count is missing,
        or every file is needed anyway."""
        from sqlgate.lakehouse.metadata_count import leading

        if self._features() & {"deletionVectors", "columnMapping"}:
            return None
        all_files = self._file_uris(None)
        actions = self._actions()
        if "num_records" not in actions.column_names or actions.num_rows != len(all_files):
            return None
        counted = list(zip(all_files, actions.column("path").to_pylist(), strict=True))
        if any(not uri.endswith("/" + str(path)) for uri, path in counted):
            return None  # not the same order: never guess which count is whose
        numbers = dict(zip(all_files, actions.column("num_records").to_pylist(), strict=True))
        chosen = leading(all_files, rows, numbers.get)
        if chosen is None or len(chosen) >= len(all_files):
            return None
        info: dict[str, Any] = {"version": self.version, "filter": None, "first_rows": rows}
        info.update(files_total=len(all_files), files_planned=len(chosen), files=list(chosen))
        return self._native(chosen, all_files, f"first {len(chosen)}", info)

    def exact_count(self, predicate: pushdown.Predicate) -> tuple[int, dict[str, Any]] | None:
        """``count(*)`` of the rows matching ``predicate`` from the ``add`` actions'
        ``numRecords`` (with what the plan says), or None when the log cannot say exactly
        (deletion vectors, column mapping, a file without statistics, a non-partition
        column)."""
        from sqlgate.lakehouse.metadata_count import Undecided, count_files

        if self._features() & {"deletionVectors", "columnMapping"}:
            return None
        self._file_uris(None)  # the files a scan would read are held to the lake all the same
        actions = self._actions()
        if "num_records" not in actions.column_names:
            return None
        counts = actions.column("num_records").to_pylist()
        parts = {
            c: actions.column(f"partition.{c}").to_pylist()
            for c in self.partition_columns
            if f"partition.{c}" in actions.column_names
        }
        files = [(n, {c: v[i] for c, v in parts.items()}) for i, n in enumerate(counts)]
        try:
            count = count_files(files, predicate)
        except Undecided:
            return None
        return count, {"version": self.version, "files_total": len(files)}

    def _actions(self) -> pa.Table:
        """The version's ``add`` actions (flattened), read once per handle."""
        if self._add_actions is None:
            self._add_actions = _actions_table(self.table.get_add_actions(flatten=True))
        return self._add_actions

    def _uniform(self, key: str | None, paths: list[str]) -> bool:
        """Whether the files share one schema with every data column (no ``union_by_name``)."""
        uniform = self._uniform_by_filter.get(key)
        if uniform is None:
            parts = set(self.partition_columns)
            columns = [f.name for f in self.schema if f.name not in parts]
            uniform = uniform_parquet(paths, columns, self.source.jail().duckdb_directories())
            if len(self._uniform_by_filter) >= _VERSIONS_CACHED:
                self._uniform_by_filter.clear()
            self._uniform_by_filter[key] = uniform
        return uniform

    def _hive_ok(self, files: list[str]) -> bool:
        """DuckDB can take partition values from the paths only when they are plain text."""
        actions = self._actions()
        for col in self.partition_columns:
            values = actions.column(f"partition.{col}").to_pylist()
            if any(v is None or not _SIMPLE.match(str(v)) for v in values):
                return False
        return all(f"/{self.partition_columns[0]}=" in f for f in files)

    def _query_builder(self, sql_filter: str | None, info: dict, features: set) -> ScanPlan:
        from deltalake import QueryBuilder

        info["scan"] = "deltalake_querybuilder_stream"
        info["reader_features"] = sorted(features)
        cols = ", ".join(quote_ident(f.name) for f in self.schema)
        where = f" WHERE {sql_filter}" if sql_filter else ""
        try:
            stream = (
                QueryBuilder().register("t", self.table).execute(f"SELECT {cols} FROM t{where}")
            )
        except Exception:
            stream = QueryBuilder().register("t", self.table).execute(f"SELECT {cols} FROM t")
            info["pushdown_error"] = "DataFusion rejected the filter"
        reader = pa.RecordBatchReader.from_stream(stream)
        return ScanPlan(self.schema, arrow=reader.cast(self.schema), info=info)


def _actions_table(actions: Any) -> pa.Table:
    """deltalake's add actions as a pyarrow table, through the Arrow stream interface:
    ``pa.table()`` first asks whether it is a pandas DataFrame, importing pandas (~200 ms of
    a cold connection)."""
    return pa.RecordBatchReader.from_stream(actions).read_all()
