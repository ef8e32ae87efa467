"""Plain files: a root whose sub-directories (or files) are tables, hive partitions understood.

Local Parquet/CSV/JSON go to DuckDB's built-in readers (``read_parquet`` over the planned
files after partition pruning, ``read_csv_auto`` for header/delimiter/type detection,
``read_json_auto`` for nested STRUCT/LIST); ORC and all remote data are pyarrow datasets
registered in DuckDB, which pushes projection and filters into them.
"""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import unquote, urlparse

import duckdb
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.fs as pafs

from sqlgate.core.errors import NotSupportedError, OperationalError, ProgrammingError
from sqlgate.lakehouse import pushdown, storage
from sqlgate.lakehouse.base import ScanPlan, TableHandle, TableSource
from sqlgate.lakehouse.timetravel import TimeTravel

FORMATS = {
    "parquet": (".parquet", ".parq"),
    "orc": (".orc",),
    "csv": (".csv", ".tsv", ".txt"),
    "json": (".json", ".jsonl", ".ndjson"),
}


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


def parquet_sql(paths: list[str], **options: Any) -> str:
    """A DuckDB ``read_parquet([...], ...)`` call; option values are Python literals."""
    opts = "".join(f", {k}={_duck_literal(v)}" for k, v in options.items())
    return f"read_parquet([{', '.join(quote_str(p) for p in paths)}]{opts})"


def _duck_literal(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{quote_str(k)}: {quote_str(v)}" for k, v in value.items()) + "}"
    return quote_str(value) if isinstance(value, str) else str(value)


class FileSource(TableSource):
    """``root`` holds one table per sub-directory (or per file); schema ``main``."""

    def __init__(
        self,
        root: str,
        format: str = "parquet",
        storage_options: dict[str, Any] | None = None,
        filesystem: pafs.FileSystem | None = None,
        csv_options: dict[str, Any] | None = None,
    ) -> None:
        fmt = format.lower()
        if fmt not in FORMATS:
            raise NotSupportedError(
                f"file format {format!r} is not supported (use one of {sorted(FORMATS)})"
            )
        self.format = fmt
        self.csv_options = dict(csv_options or {})
        if filesystem is not None:
            self.root = storage.Location(filesystem, root, root)
        else:
            self.root = storage.resolve(root, storage_options)

    def list_schemas(self) -> list[str]:
        return [self.default_schema]

    def list_tables(self, schema: str) -> list[str]:
        self._check_schema(schema)
        infos = self.root.filesystem.get_file_info(pafs.FileSelector(self.root.path))
        out = []
        for info in infos:
            if info.base_name.startswith((".", "_")):
                continue
            if info.type == pafs.FileType.Directory:
                out.append(info.base_name)
            elif info.base_name.lower().endswith(FORMATS[self.format]):
                out.append(info.base_name.rsplit(".", 1)[0])
        return sorted(set(out))

    def _check_schema(self, schema: str) -> None:
        if schema != self.default_schema:
            raise ProgrammingError(f"file sources have a single schema {self.default_schema!r}")

    def _locate(self, table: str) -> tuple[str, bool]:
        fs = self.root.filesystem
        for name in [table, *[t for t in self.list_tables("main") if t.lower() == table.lower()]]:
            path = self.root.join(name).path
            if fs.get_file_info(path).type == pafs.FileType.Directory:
                return path, True
            for ext in FORMATS[self.format]:
                if fs.get_file_info(path + ext).type == pafs.FileType.File:
                    return path + ext, False
        raise ProgrammingError(f"table main.{table} does not exist under {self.root.uri}")

    def open(self, schema: str, table: str, timetravel: TimeTravel | None = None) -> TableHandle:
        self._check_schema(schema)
        if timetravel is not None:
            raise NotSupportedError("plain files have no versions: time travel is not available")
        path, is_dir = self._locate(table)
        return FileTable(self, path, is_dir, f"main.{table}")


class FileTable(TableHandle):
    """One table of plain files; pruning by hive partition values before any read."""

    def __init__(self, source: FileSource, path: str, is_dir: bool, name: str) -> None:
        self.source, self.path, self.is_dir, self.name = source, path, is_dir, name
        self.fs = source.root.filesystem
        self.native = source.root.is_local and source.format in ("csv", "json")
        self.dataset = None if self.native else self._dataset()
        self.schema = self._duck_schema() if self.native else self.dataset.schema
        self.partition_columns = self._partition_columns()

    def _partition_columns(self) -> list[str]:
        """Columns that really are ``name=value`` directories.

        pyarrow reports the whole file schema as the "partitioning" of a flat directory read
        with hive discovery, so the names are checked against the file paths.
        """
        part = getattr(self.dataset, "partitioning", None) if self.dataset else None
        if part is None:
            return []
        paths = [path[len(self.path):] for path in self.dataset.files]
        return [name for name in part.schema.names
                if any(f"/{name}=" in path for path in paths)]

    def _dataset(self) -> ds.FileSystemDataset:
        fmt = {"json": ds.JsonFileFormat()}.get(self.source.format, self.source.format)
        try:
            return ds.dataset(
                self.path,
                filesystem=self.fs,
                format=fmt,
                partitioning="hive" if self.is_dir else None,
                exclude_invalid_files=False,
            )
        except (pa.ArrowInvalid, OSError) as exc:
            raise OperationalError(f"cannot read {self.name}: {exc}") from exc

    def _reader_sql(self) -> str:
        pattern = os.path.join(self.path, "**", "*") if self.is_dir else self.path
        hive = ", hive_partitioning=true" if self.is_dir else ""
        if self.source.format == "csv":
            opts = "".join(f", {k}={_duck_literal(v)}" for k, v in self.source.csv_options.items())
            return f"read_csv_auto({quote_str(pattern)}{hive}, union_by_name=true{opts})"
        return f"read_json_auto({quote_str(pattern)}{hive}, union_by_name=true)"

    def _duck_schema(self) -> pa.Schema:
        try:
            with duckdb.connect() as con:
                return (
                    con.sql(f"SELECT * FROM {self._reader_sql()} LIMIT 0").to_arrow_table().schema
                )
        except duckdb.Error as exc:
            raise OperationalError(f"cannot read {self.name}: {exc}") from exc

    def scan(self, predicate: pushdown.Predicate) -> ScanPlan:
        if self.native:
            info = {"scan": f"duckdb_read_{self.source.format}", "filter": None}
            return ScanPlan(self.schema, sql=f"SELECT * FROM {self._reader_sql()}", info=info)
        expr = pushdown.to_pyarrow(predicate, self.schema)
        frags = list(
            self.dataset.get_fragments(filter=expr)
            if expr is not None
            else self.dataset.get_fragments()
        )
        info: dict[str, Any] = {
            "filter": str(expr) if expr is not None else None,
            "files_total": len(self.dataset.files),
            "files_planned": len(frags),
            "files": [f.path for f in frags],
        }
        if not frags:
            info["scan"] = "empty"
            return ScanPlan(self.schema, arrow=self.schema.empty_table(), info=info)
        if self.source.root.is_local and self.source.format == "parquet":
            info["scan"] = "duckdb_read_parquet"
            sql = parquet_sql(
                [f.path for f in frags], hive_partitioning=self.is_dir, union_by_name=True
            )
            if self.is_dir and self.partition_columns:
                sql = parquet_sql(
                    [f.path for f in frags],
                    hive_partitioning=True,
                    union_by_name=True,
                    hive_types=self._hive_types(),
                )
            return ScanPlan(self.schema, sql=f"SELECT * FROM {sql}", info=info)
        info["scan"] = "pyarrow_dataset"
        pruned = ds.FileSystemDataset(frags, self.schema, self.dataset.format, self.fs)
        return ScanPlan(self.schema, arrow=pruned, info=info)

    def _hive_types(self) -> dict[str, str]:
        return {f.name: duck_type(f.type) for f in self.dataset.partitioning.schema
                if f.name in self.partition_columns}


def duck_type(arrow_type: pa.DataType) -> str:
    """DuckDB's SQL name for an Arrow type (for ``hive_types``)."""
    with duckdb.connect() as con:
        tbl = pa.table({"c": pa.array([], arrow_type)})  # noqa: F841 - scanned by name
        return con.execute("DESCRIBE SELECT * FROM tbl").fetchall()[0][1]
