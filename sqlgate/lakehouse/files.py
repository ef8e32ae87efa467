"""Plain files: a root whose sub-directories (or files) are tables, hive partitions understood.

Local Parquet/CSV/JSON go to DuckDB's built-in readers (``read_parquet`` over the planned
files after partition pruning, ``read_csv_auto`` for header/delimiter/type detection,
``read_json_auto`` for nested STRUCT/LIST); ORC and all remote data are pyarrow datasets
registered in DuckDB, which pushes projection and filters into them.
"""

from __future__ import annotations

import itertools
import os
from collections import OrderedDict
from typing import TYPE_CHECKING, Any

import duckdb
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.fs as pafs

from sqlgate.core.errors import NotSupportedError, OperationalError, ProgrammingError
from sqlgate.lakehouse import files_cache, pushdown, sandbox, storage
from sqlgate.lakehouse.base import ScanPlan, TableHandle, TableSource, check_table_name, jail_of
from sqlgate.lakehouse.containment import Jail
from sqlgate.lakehouse.duckdb_files import (
    duck_type,
    glob_literal,
    helper_lock,
    local_path,
    local_paths,
    parquet_signatures,
    parquet_sql,
    quote_ident,
    quote_str,
    uniform_parquet,
)
from sqlgate.lakehouse.failures import plain
from sqlgate.lakehouse.file_pruning import HIVE_NULL, StatisticsPruner, hive_schema
from sqlgate.lakehouse.pyfs_scan import fragments_dataset
from sqlgate.lakehouse.reader_options import parse_options, render
from sqlgate.lakehouse.timetravel import TimeTravel

if TYPE_CHECKING:
    from sqlgate.lakehouse.livefs import LiveOptions

# the DuckDB helpers moved to duckdb_files; re-exported for existing callers
__all__ = [
    "FORMATS",
    "FileSource",
    "FileTable",
    "duck_type",
    "local_path",
    "local_paths",
    "parquet_signatures",
    "parquet_sql",
    "quote_ident",
    "quote_str",
    "uniform_parquet",
]

FORMATS = {
    "parquet": (".parquet", ".parq"),
    "orc": (".orc",),
    "csv": (".csv", ".tsv", ".txt"),
    "json": (".json", ".jsonl", ".ndjson"),
    "avro": (".avro",),  # read with fastavro: DuckDB's Avro reader is a download
}


_HANDLES_CACHED = 64


class FileSource(TableSource):
    """``root`` holds one table per sub-directory (or per file); schema ``main``."""

    def __init__(
        self,
        root: str,
        format: str = "parquet",
        storage_options: dict[str, Any] | LiveOptions | None = None,
        filesystem: pafs.FileSystem | None = None,
        csv_options: dict[str, Any] | None = None,
        json_options: dict[str, Any] | None = None,
    ) -> None:
        fmt = format.lower()
        if fmt not in FORMATS:
            raise NotSupportedError(
                f"file format {format!r} is not supported (use one of {sorted(FORMATS)})"
            )
        self.format = fmt
        self.reader_options = {
            "csv": parse_options("csv", csv_options or {}),
            "json": parse_options("json", json_options or {}),
        }
        if filesystem is not None:
            self.root = storage.Location(filesystem, root, root)
        else:
            self.root = storage.resolve(root, storage_options)
        self._jail = jail_of(self.root)
        # opened tables, reused while a listing of their files is unchanged
        self._handles: OrderedDict[str, tuple[tuple, FileTable]] = OrderedDict()

    def list_schemas(self) -> list[str]:
        return [self.default_schema]

    def close(self) -> None:
        """A shared table keeps its first source: that source then pins no other table."""
        self._handles.clear()

    def jail(self) -> Jail:
        return self._jail

    def list_tables(self, schema: str) -> list[str]:
        self._check_schema(schema)
        infos = self.root.filesystem.get_file_info(pafs.FileSelector(self.root.path))
        out = []
        for info in infos:
            if info.base_name.startswith((".", "_")):
                continue
            if self.root.is_local and not self._jail.allows(info.path):
                continue  # a symlink out of the root is no table of this lake
            if info.type == pafs.FileType.Directory:
                out.append(info.base_name)
            elif info.base_name.lower().endswith(FORMATS[self.format]):
                out.append(info.base_name.rsplit(".", 1)[0])
        return sorted(set(out))

    def _check_schema(self, schema: str) -> None:
        if schema != self.default_schema:
            raise ProgrammingError(f"file sources have a single schema {self.default_schema!r}")

    def _locate(self, table: str) -> tuple[str, bool]:
        check_table_name(table)
        fs = self.root.filesystem
        # the name as given first; the root is listed only for another spelling of it
        for name in itertools.chain(
            [table], (t for t in self.list_tables("main") if t.lower() == table.lower())
        ):
            path = self.root.join(name).path
            if fs.get_file_info(path).type == pafs.FileType.Directory:
                return self._contain(path, table), True
            for ext in FORMATS[self.format]:
                if fs.get_file_info(path + ext).type == pafs.FileType.File:
                    return self._contain(path + ext, table), False
        raise ProgrammingError(f"table main.{table} does not exist under {self.root.uri}")

    def _contain(self, path: str, table: str) -> str:
        """Refuse a table file or directory that is, or holds, a link out of the root."""
        if self.root.is_local:
            self._jail.check_tree(path, f"main.{table}")
        return path

    def open(self, schema: str, table: str, timetravel: TimeTravel | None = None) -> TableHandle:
        self._check_schema(schema)
        if timetravel is not None:
            raise NotSupportedError("plain files have no versions: time travel is not available")
        cached = self._handles.get(table)
        if cached is not None:
            seen, handle = cached
            if files_cache.fingerprint(self.root.filesystem, handle.path, handle.is_dir) == seen:
                self._handles.move_to_end(table)
                return handle
            self._handles.pop(table, None)
        path, is_dir = self._locate(table)  # contained by this source's jail, every time
        now = files_cache.fingerprint(self.root.filesystem, path, is_dir)
        key = (self.format, repr(self.reader_options), path, is_dir, table, self._jail)
        opened = files_cache.SHARED.get(key, now) if self.root.is_local else None
        if opened is None:  # a remote listing's clock is not ours: its tables stay unshared
            opened = FileTable(self, path, is_dir, f"main.{table}")
            if self.root.is_local:
                files_cache.SHARED.put(key, now, opened)
        if now is not None:
            self._handles[table] = (now, opened)
            while len(self._handles) > _HANDLES_CACHED:
                self._handles.popitem(last=False)
        return opened


class FileTable(TableHandle):
    """One table of plain files; pruning by hive partition values before any read."""

    def __init__(self, source: FileSource, path: str, is_dir: bool, name: str) -> None:
        self.source, self.path, self.is_dir, self.name = source, path, is_dir, name
        self.fs = source.root.filesystem
        self.native = source.root.is_local and source.format in ("csv", "json")
        self.hive: pa.Schema | None = None  # the typed ``name=value`` directory levels
        self.dataset = None if self.native else self._dataset()
        self.schema = self._duck_schema() if self.dataset is None else self.dataset.schema
        self.partition_columns = self.hive.names if self.hive is not None else []
        self._fragments: dict[str, tuple[list, int]] = {}  # planned fragments per filter
        self._trees: dict[str, tuple] | None = None  # each file's Parquet schema tree
        self._counts: dict[str, int] = {}  # Parquet footer row counts by file
        self._statistics = StatisticsPruner(self.schema, self.partition_columns)

    def _pyarrow(self) -> ds.FileSystemDataset:
        """The dataset of a table read through pyarrow (only native CSV/JSON have none)."""
        assert self.dataset is not None, "a table DuckDB reads natively has no pyarrow dataset"
        return self.dataset

    def _dataset(self) -> ds.FileSystemDataset:
        if self.source.format == "avro":
            from sqlgate.lakehouse.avro import AvroDataset

            avro = AvroDataset(self.path, self.fs, self.is_dir)
            # its partition values keep avro.py's own typing; the names are the directories'
            self.hive = hive_schema(avro.files, self.path) if self.is_dir else None
            return avro
        fmt = {"json": ds.JsonFileFormat()}.get(self.source.format, self.source.format)
        try:
            dataset = ds.dataset(
                self.path,
                filesystem=self.fs,
                format=fmt,
                partitioning="hive" if self.is_dir else None,
                exclude_invalid_files=False,
            )
            self.hive = hive_schema(dataset.files, self.path) if self.is_dir else None
            if self.hive is None:
                return dataset
            # the same files, their partition values typed as DuckDB types them
            typed = dict(zip(self.hive.names, self.hive.types, strict=True))
            schema = pa.schema(
                [pa.field(f.name, typed[f.name]) if f.name in typed else f for f in dataset.schema]
            )
            return ds.dataset(
                dataset.files,
                schema=schema,
                filesystem=self.fs,
                format=fmt,
                partitioning=ds.HivePartitioning(self.hive, null_fallback=HIVE_NULL),
                partition_base_dir=self.path,
                exclude_invalid_files=False,
            )
        except (pa.ArrowInvalid, OSError) as exc:
            raise OperationalError(
                plain(f"cannot read table {self.name} under {self.source.root.uri}: {exc}")
            ) from None

    def _reader_sql(self) -> str:
        path = glob_literal(self.path)  # a directory named ``x[1]`` is not a pattern
        pattern = os.path.join(path, "**", "*") if self.is_dir else path
        hive = ", hive_partitioning=true" if self.is_dir else ""
        kind = self.source.format
        opts = render(kind, self.source.reader_options[kind])
        return f"read_{kind}_auto({quote_str(pattern)}{hive}, union_by_name=true{opts})"

    def _duck_schema(self) -> pa.Schema:
        try:
            with helper_lock:
                con = sandbox.helper(self.source.jail().duckdb_directories())
                return (
                    con.sql(f"SELECT * FROM {self._reader_sql()} LIMIT 0").to_arrow_table().schema
                )
        except duckdb.Error as exc:
            raise OperationalError(
                plain(f"cannot read table {self.name} under {self.source.root.uri}: {exc}")
            ) from None

    def scan(self, predicate: pushdown.Predicate) -> ScanPlan:
        if self.native:
            native: dict[str, Any] = {"scan": f"duckdb_read_{self.source.format}", "filter": None}
            return ScanPlan(self.schema, sql=f"SELECT * FROM {self._reader_sql()}", info=native)
        frags, by_partition, expr = self._planned(predicate)
        info: dict[str, Any] = {
            "filter": str(expr) if expr is not None else None,
            "files_total": len(self._pyarrow().files),
            "files_planned": len(frags),
            "files_after_partition_pruning": by_partition,
            "files": [f.path for f in frags],
        }
        return self._plan_fragments(frags, info)

    def _planned(self, predicate: pushdown.Predicate) -> tuple[list, int, Any]:
        """The fragments ``predicate`` leaves (partition values, then footer statistics),
        kept per filter; with how many the partition values alone left, and the filter."""
        dataset = self._pyarrow()
        expr = pushdown.to_pyarrow(predicate, self.schema)
        stats = self._statistics.expression(predicate) if self._has_footers else None
        key = f"{expr}|{stats}"
        planned = self._fragments.get(key)
        if planned is None:
            frags = list(
                dataset.get_fragments(filter=expr) if expr is not None else dataset.get_fragments()
            )
            by_partition = len(frags)
            frags = self._statistics.prune(frags, stats)
            if len(self._fragments) >= _HANDLES_CACHED:
                self._fragments.clear()
            planned = self._fragments[key] = (frags, by_partition)
        frags, by_partition = planned
        return frags, by_partition, expr

    def _plan_fragments(self, frags: list, info: dict[str, Any]) -> ScanPlan:
        """How DuckDB reads the planned fragments: ``read_parquet`` for local Parquet, else
        the pruned pyarrow dataset (Avro: its own stream)."""
        dataset = self._pyarrow()
        if not frags:
            info["scan"] = "empty"
            return ScanPlan(self.schema, arrow=self.schema.empty_table(), info=info)
        if self.source.format == "avro":
            info["scan"] = "avro_stream"
            return ScanPlan(self.schema, arrow=dataset.scan(frags), info=info)
        paths = [f.path for f in frags]
        # DuckDB's hive parser drops a partition whose value holds a "?": pyarrow reads those
        hive_safe = not (self.is_dir and any("?" in p for p in paths))
        if self.source.root.is_local and self.source.format == "parquet" and hive_safe:
            info["scan"] = "duckdb_read_parquet"
            opts: dict[str, Any] = {"hive_partitioning": self.is_dir}
            if not self._uniform(paths):
                opts["union_by_name"] = True
            columns = "*"
            if self.is_dir and self.partition_columns:
                opts["hive_types"] = self._hive_types()
                # DuckDB appends partition columns in its own order: the table's order instead
                parts = ", ".join(quote_ident(c) for c in self.partition_columns)
                columns = f"* EXCLUDE ({parts}), {parts}"
            return ScanPlan(
                self.schema, sql=f"SELECT {columns} FROM {parquet_sql(paths, **opts)}", info=info
            )
        info["scan"] = "pyarrow_dataset"
        pruned = fragments_dataset(frags, self.schema, dataset.format, self.fs)
        return ScanPlan(self.schema, arrow=pruned, info=info)

    # -- answers from the Parquet footers ------------------------------------------------------
    def _row_counts(self, frags: list) -> tuple[list[int], int]:
        """Each fragment's rows, from its Parquet footer (and how many footers were read now);
        kept with the handle, which a changed file replaces (:meth:`FileSource._fingerprint`)."""
        counts, read = [], 0
        for frag in frags:
            n = self._counts.get(frag.path)
            if n is None:
                frag.ensure_complete_metadata()  # reads the footer only
                n = self._counts[frag.path] = int(frag.metadata.num_rows)
                read += 1
            counts.append(n)
        return counts, read

    def exact_count(self, predicate: pushdown.Predicate) -> tuple[int, dict[str, Any]] | None:
        """``count(*)`` of the rows matching ``predicate`` from the Parquet footers' row
        counts, or None when that is not exact: another format, or a conjunct on anything
        but a partition directory (:func:`~sqlgate.lakehouse.metadata_count.matches`
        decides; a file whose directory gives no value for a column is undecided). Only the
        footers of the files whose partition values match are read."""
        from sqlgate.lakehouse.metadata_count import Undecided, matches

        if self.source.format != "parquet":
            return None
        frags, _by_partition, _expr = self._planned(None)
        try:
            chosen = [
                f
                for f in frags
                if predicate is None or matches(predicate, self._partition_values(f)) is True
            ]
        except Undecided:
            return None
        counts, read = self._row_counts(chosen)
        return sum(counts), {
            "files_total": len(frags),
            "files_planned": len(chosen),
            "footers_read": read,
        }

    def _partition_values(self, frag: Any) -> dict[str, Any]:
        return ds.get_partition_keys(frag.partition_expression) if self.is_dir else {}

    def scan_first(self, rows: int) -> ScanPlan | None:
        """The plan of the leading files whose footers hold ``rows`` rows (a bare ``LIMIT``):
        DuckDB opens one file and stops after its first row group, not every file's footer.
        None for other formats or when every file is needed anyway."""
        from sqlgate.lakehouse.metadata_count import leading

        if not (self.source.root.is_local and self.source.format == "parquet"):
            return None
        frags, _by_partition, _expr = self._planned(None)
        counts = dict(zip((f.path for f in frags), self._row_counts(frags)[0], strict=True))
        chosen = leading(frags, rows, lambda f: counts[f.path])
        if chosen is None or len(chosen) >= len(frags):
            return None
        info: dict[str, Any] = {"filter": None, "first_rows": rows, "files_total": len(frags)}
        info.update(files_planned=len(chosen), files=[f.path for f in chosen])
        return self._plan_fragments(chosen, info)

    def _uniform(self, paths: list[str]) -> bool:
        """Whether the files share one schema (then DuckDB needs no ``union_by_name``, which
        reads every footer at every bind); known per table version, as the handle is."""
        if self._trees is None:  # one question for every file; subsets answered from it
            self._trees = files_cache.file_schemas(self._pyarrow().files, self._dirs)
        return files_cache.same_schema(self._trees, paths)

    @property
    def _dirs(self) -> list[str]:
        return self.source.jail().duckdb_directories()

    @property
    def _has_footers(self) -> bool:
        return self.source.format == "parquet"

    def _hive_types(self) -> dict[str, str]:
        assert self.hive is not None
        return {f.name: duck_type(f.type) for f in self.hive}
