"""Avro object container files as Arrow, for :class:`~sqlgate.lakehouse.files.FileSource`.

DuckDB's Avro reader is a downloadable extension, so Avro is decoded here with ``fastavro``
and handed to DuckDB as an Arrow stream. Files are opened through a pyarrow filesystem (local,
S3, Azure, ...) and read block by block: at most one batch of records (``batch_size`` rows) of
one file is held at a time, never a whole file.

* :func:`avro_schema` reads only the headers of the files and returns their merged schema
  (the union of the fields by name; a field missing from some files is nullable).
* :func:`avro_dataset_reader` streams the files (already pruned by the caller) with per-file
  hive partition values as extra columns.
* :class:`AvroDataset` lists a table directory, discovers its hive partitioning exactly as
  pyarrow does (ints are ``int32``, else strings), prunes files with a pyarrow filter
  (``get_fragments(filter=...)``, no byte read) and plans a re-scannable :class:`AvroScan`.

Type mapping: primitives as usual (``int`` → int32, ``float`` → float32); ``date``,
``time-millis``/``-micros``, ``timestamp-millis``/``-micros``/``-nanos`` (UTC),
``local-timestamp-*`` (no zone), ``decimal`` (bytes or fixed) → decimal128 (above DuckDB's
38 digits: the exact decimal as a string), ``uuid`` → string; ``["null", T]`` → nullable T
(other unions are refused); record → struct, array → list, map → map<string, V>,
enum → string, fixed → fixed_size_binary.
Unknown logical types fall back to the underlying type, as the Avro spec says. The mapping
and the merge of schemas live in :mod:`sqlgate.lakehouse.avro_types`; this module opens,
lists, prunes and streams files.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from itertools import islice
from typing import Any

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.fs as pafs

from sqlgate.core.errors import DataError, Error, OperationalError
from sqlgate.core.redact import redact
from sqlgate.lakehouse.avro_types import Fixer, avro_to_arrow, merge_schemas

__all__ = [
    "BATCH_SIZE",
    "AvroDataset",
    "AvroScan",
    "avro_dataset_reader",
    "avro_schema",
    "avro_to_arrow",
    "hive_partitions",
    "merge_schemas",
]

BATCH_SIZE = 65_536
_HEADER_BUFFER = 64 * 1024
_DATA_BUFFER = 1 << 20
_HEADER_THREADS = 16


def _fastavro() -> Any:
    try:
        import fastavro
    except ImportError as exc:  # pragma: no cover - depends on the installed extras
        from sqlgate.core.errors import MissingExtraError

        raise MissingExtraError("file (format=avro)", "files", "fastavro") from exc
    return fastavro


# ----------------------------------------------------------------------------- reading
def _open(filesystem: pafs.FileSystem, path: str, buffer: int) -> pa.NativeFile:
    return pa.BufferedInputStream(filesystem.open_input_stream(path), buffer)


def _read_error(path: str, exc: BaseException) -> OperationalError:
    return OperationalError(redact(f"cannot read Avro file {path}: {type(exc).__name__}: {exc}"))


def _header_schema(filesystem: pafs.FileSystem, path: str) -> pa.Schema:
    fastavro = _fastavro()
    try:
        with _open(filesystem, path, _HEADER_BUFFER) as stream:
            raw = fastavro.reader(stream).metadata["avro.schema"]
    except Error:
        raise
    except Exception as exc:
        raise _read_error(path, exc) from None
    return avro_to_arrow(raw, path)[0]


def avro_schema(paths: Sequence[str], filesystem: pafs.FileSystem) -> pa.Schema:
    """The merged Arrow schema of the files, reading only their headers (in parallel)."""
    paths = list(paths)
    if len(paths) <= 1:
        schemas = [_header_schema(filesystem, p) for p in paths]
    else:
        with ThreadPoolExecutor(min(_HEADER_THREADS, len(paths))) as pool:
            schemas = list(pool.map(lambda p: _header_schema(filesystem, p), paths))
    return merge_schemas(list(zip(paths, schemas, strict=True)))


def _partition_type(values: Iterable[Any]) -> pa.DataType:
    """pyarrow's hive rule for raw directory values: int32 when every value is one, else
    string; already typed values keep their inferred type."""
    present = [v for v in values if v is not None]
    if not present:
        return pa.string()
    if all(isinstance(v, str) for v in present):
        try:
            pa.array(present, pa.string()).cast(pa.int32())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            return pa.string()
        return pa.int32()
    return pa.array(present).type


def _constant(value: Any, kind: pa.DataType, size: int) -> pa.Array:
    if value is None:
        return pa.nulls(size, kind)
    if isinstance(value, str) and not pa.types.is_string(kind):
        one = pa.array([value], pa.string()).cast(kind)
    else:
        one = pa.array([value], kind)
    return pa.repeat(one[0], size)


class AvroScan:
    """A planned read of Avro files: a re-scannable Arrow stream (``__arrow_c_stream__``).

    Every consumer (each DuckDB scan, :meth:`to_reader`) gets a fresh stream, so a table
    referenced twice in a query (a CTE used twice) is read twice rather than failing; nothing
    is opened before the first batch is pulled.
    """

    def __init__(
        self,
        paths: Sequence[str],
        filesystem: pafs.FileSystem,
        schema: pa.Schema,
        partition_values: Mapping[str, Mapping[str, Any]] | None = None,
        batch_size: int = BATCH_SIZE,
    ) -> None:
        if batch_size < 1:
            raise ValueError("batch_size must be positive")
        self.paths = list(paths)
        self.filesystem = filesystem
        self.schema = schema
        self.partition_values = {k: dict(v) for k, v in (partition_values or {}).items()}
        self.batch_size = batch_size

    def to_reader(self) -> pa.RecordBatchReader:
        return pa.RecordBatchReader.from_batches(self.schema, self._batches())

    def __arrow_c_stream__(self, requested_schema: Any = None) -> Any:
        return self.to_reader().__arrow_c_stream__(requested_schema)

    def __repr__(self) -> str:
        return f"AvroScan({len(self.paths)} file(s), batch_size={self.batch_size})"

    def _batches(self) -> Iterator[pa.RecordBatch]:
        for path in self.paths:
            yield from self._file_batches(path)

    def _file_batches(self, path: str) -> Iterator[pa.RecordBatch]:
        fastavro = _fastavro()
        parts = self.partition_values.get(path, {})
        try:
            stream = _open(self.filesystem, path, _DATA_BUFFER)
        except Exception as exc:
            raise _read_error(path, exc) from None
        with stream:
            try:
                reader = fastavro.reader(stream)
                file_schema, fix = avro_to_arrow(reader.metadata["avro.schema"], path)
            except Error:
                raise
            except Exception as exc:
                raise _read_error(path, exc) from None
            # partition values fill the columns the file itself does not have
            constant = {
                n: v
                for n, v in parts.items()
                if n in self.schema.names and n not in file_schema.names
            }
            data = pa.schema([f for f in self.schema if f.name not in constant])
            filled: dict[str, pa.Array] = {}
            records = iter(reader)
            while True:
                try:
                    rows = list(islice(records, self.batch_size))
                except Exception as exc:
                    raise _read_error(path, exc) from None
                if not rows:
                    return
                yield self._batch(path, rows, fix, data, constant, filled)
                del rows

    def _batch(
        self,
        path: str,
        rows: list,
        fix: Fixer | None,
        data: pa.Schema,
        constant: dict[str, Any],
        filled: dict[str, pa.Array],
    ) -> pa.RecordBatch:
        try:
            if fix is not None:
                rows = [fix(r) for r in rows]
            batch = pa.RecordBatch.from_pylist(rows, schema=data)
        except (pa.ArrowException, TypeError, ValueError, OverflowError) as exc:
            raise DataError(
                f"Avro file {path} does not fit the table schema: {type(exc).__name__}: {exc}"
            ) from exc
        if not constant:
            return batch
        n = batch.num_rows
        columns = []
        for field in self.schema:
            if field.name in constant:
                full = filled.get(field.name)
                if full is None or len(full) < n:
                    full = filled[field.name] = _constant(
                        constant[field.name], field.type, max(n, self.batch_size)
                    )
                columns.append(full.slice(0, n))
            else:
                columns.append(batch.column(field.name))
        return pa.RecordBatch.from_arrays(columns, schema=self.schema)


def avro_dataset_reader(
    paths: Sequence[str],
    filesystem: pafs.FileSystem,
    partition_values: Mapping[str, Mapping[str, Any]] | None = None,
    *,
    schema: pa.Schema | None = None,
    batch_size: int = BATCH_SIZE,
) -> tuple[pa.Schema, pa.RecordBatchReader]:
    """Stream ``paths`` (already pruned by the caller) as one table.

    ``partition_values`` maps a path to its hive values (raw directory strings or typed
    values); their columns follow the file columns, typed by pyarrow's hive rule unless
    ``schema`` (file columns + partition columns) is given.
    """
    if schema is None:
        schema = avro_schema(paths, filesystem)
        names: dict[str, list[Any]] = {}
        for values in (partition_values or {}).values():
            for name, value in values.items():
                names.setdefault(name, []).append(value)
        extra = [pa.field(n, _partition_type(v)) for n, v in names.items() if n not in schema.names]
        schema = pa.schema([*schema, *extra])
    scan = AvroScan(paths, filesystem, schema, partition_values, batch_size)
    return schema, scan.to_reader()


def _hidden(relative: str) -> bool:
    return any(part.startswith((".", "_")) for part in relative.split("/") if part)


def _list_files(path: str, filesystem: pafs.FileSystem) -> list[str]:
    infos = filesystem.get_file_info(pafs.FileSelector(path, recursive=True))
    root = path.rstrip("/")
    return sorted(
        i.path for i in infos if i.type == pafs.FileType.File and not _hidden(i.path[len(root) :])
    )


def hive_partitions(
    paths: Sequence[str], base_dir: str, filesystem: pafs.FileSystem
) -> ds.Partitioning | None:
    """pyarrow's own hive discovery over the paths (their directory names only)."""
    return _index(list(paths), base_dir, filesystem, pa.schema([])).partitioning


def _index(
    paths: list[str], base_dir: str, filesystem: pafs.FileSystem, file_schema: pa.Schema
) -> ds.FileSystemDataset:
    # The IPC format is a placeholder: this dataset is only listed and pruned, never read.
    options = ds.FileSystemFactoryOptions(partition_base_dir=base_dir)
    options.partitioning_factory = ds.HivePartitioning.discover()
    factory = ds.FileSystemDatasetFactory(filesystem, paths, ds.IpcFileFormat(), options)
    partitions = factory.inspect(fragments=0)  # directory names only, no file is opened
    extra = [f for f in partitions if f.name not in file_schema.names]
    return factory.finish(pa.schema([*file_schema, *extra]))


class AvroDataset:
    """One table of Avro files: listing, hive partitioning and pruning without reading data.

    Looks enough like a ``pyarrow.dataset.FileSystemDataset`` for ``FileTable`` (``schema``,
    ``files``, ``partitioning``, ``get_fragments(filter=...)``); :meth:`scan` turns the
    planned fragments into an :class:`AvroScan` to register in DuckDB.
    """

    format = "avro"

    def __init__(
        self,
        path: str,
        filesystem: pafs.FileSystem,
        is_dir: bool = True,
        batch_size: int = BATCH_SIZE,
    ) -> None:
        self.path, self.filesystem, self.batch_size = path, filesystem, batch_size
        try:
            files = _list_files(path, filesystem) if is_dir else [path]
        except (OSError, pa.ArrowException) as exc:
            raise OperationalError(redact(f"cannot list Avro files under {path}: {exc}")) from None
        self.file_schema = avro_schema(files, filesystem)
        if is_dir and files:
            self._index = _index(files, path, filesystem, self.file_schema)
            self.partitioning: ds.Partitioning | None = self._index.partitioning
        else:
            self._index = ds.FileSystemDataset.from_paths(
                files,
                schema=self.file_schema,
                format=ds.IpcFileFormat(),
                filesystem=filesystem,
            )
            self.partitioning = None
        self.schema: pa.Schema = self._index.schema
        self.files: list[str] = list(self._index.files)

    def get_fragments(self, filter: ds.Expression | None = None) -> Iterator[ds.Fragment]:
        """The files whose partition values may match ``filter`` (no file is opened)."""
        if filter is None:
            return iter(self._index.get_fragments())
        return iter(self._index.get_fragments(filter=filter))

    def scan(self, fragments: Iterable[ds.Fragment] | None = None) -> AvroScan:
        """A re-scannable stream over ``fragments`` (from :meth:`get_fragments`; all files
        when ``None``) with their partition values as columns."""
        frags = list(self.get_fragments() if fragments is None else fragments)
        values = {f.path: ds.get_partition_keys(f.partition_expression) for f in frags}
        return AvroScan(
            [f.path for f in frags], self.filesystem, self.schema, values, self.batch_size
        )
