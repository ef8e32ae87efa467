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
Unknown logical types fall back to the underlying type, as the Avro spec says.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from itertools import islice
from typing import Any

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.fs as pafs

from sqlgate.core.errors import DataError, Error, NotSupportedError, OperationalError
from sqlgate.core.redact import redact

__all__ = [
    "BATCH_SIZE",
    "AvroDataset",
    "AvroScan",
    "avro_dataset_reader",
    "avro_schema",
    "avro_to_arrow",
    "hive_partitions",
]

BATCH_SIZE = 65_536
_HEADER_BUFFER = 64 * 1024
_DATA_BUFFER = 1 << 20
_HEADER_THREADS = 16
_VALUE_COLUMN = "value"  # the single column of a file whose top-level schema is not a record

Fixer = Callable[[Any], Any]

_PRIMITIVES = {
    "null": pa.null(), "boolean": pa.bool_(), "int": pa.int32(), "long": pa.int64(),
    "float": pa.float32(), "double": pa.float64(), "bytes": pa.binary(), "string": pa.string(),
}  # fmt: skip
_LOGICAL: dict[tuple[str, str | None], pa.DataType] = {
    ("int", "date"): pa.date32(),
    ("int", "time-millis"): pa.time32("ms"),
    ("long", "time-micros"): pa.time64("us"),
    ("long", "timestamp-millis"): pa.timestamp("ms", tz="UTC"),
    ("long", "timestamp-micros"): pa.timestamp("us", tz="UTC"),
    ("long", "timestamp-nanos"): pa.timestamp("ns", tz="UTC"),
    ("long", "local-timestamp-millis"): pa.timestamp("ms"),
    ("long", "local-timestamp-micros"): pa.timestamp("us"),
    ("long", "local-timestamp-nanos"): pa.timestamp("ns"),
}


def _fastavro() -> Any:
    try:
        import fastavro
    except ImportError as exc:  # pragma: no cover - depends on the installed extras
        from sqlgate.core.errors import MissingExtraError

        raise MissingExtraError("file (format=avro)", "files", "fastavro") from exc
    return fastavro


# ----------------------------------------------------------------------------- schema mapping
class _Converter:
    """Maps one Avro schema (JSON) to Arrow, resolving named types; ``where`` names the file."""

    def __init__(self, where: str) -> None:
        self.where = where
        self.named: dict[str, tuple[pa.DataType, bool, Fixer | None]] = {}
        self.pending: set[str] = set()

    def _unsupported(self, path: str, what: str) -> NotSupportedError:
        return NotSupportedError(f"Avro field {path!r} in {self.where}: {what}")

    def convert(self, schema: Any, ns: str, path: str) -> tuple[pa.DataType, bool, Fixer | None]:
        """``(arrow type, nullable, fixer)``; the fixer turns fastavro values Arrow rejects
        (``uuid.UUID``) into ones it takes, or is ``None`` when nothing needs fixing."""
        if isinstance(schema, str):
            if schema in _PRIMITIVES:
                return _PRIMITIVES[schema], schema == "null", None
            return self._reference(schema, ns, path)
        if isinstance(schema, list):
            return self._union(schema, ns, path)
        if not isinstance(schema, dict) or "type" not in schema:
            raise self._unsupported(path, f"invalid schema {schema!r}")
        kind = schema["type"]
        if isinstance(kind, (dict, list)):
            return self.convert(kind, ns, path)
        logical = schema.get("logicalType")
        if kind in ("record", "error"):
            return self._record(schema, ns, path)
        if kind == "enum":
            return self._define(schema, ns, path, (pa.string(), False, None))
        if kind == "fixed":
            return self._define(schema, ns, path, self._fixed(schema, logical))
        if kind == "array":
            item, nullable, fix = self.convert(schema.get("items"), ns, f"{path}[]")
            list_fix = None if fix is None else _each(fix)
            return pa.list_(pa.field("item", item, nullable)), False, list_fix
        if kind == "map":
            value, nullable, fix = self.convert(schema.get("values"), ns, f"{path}{{}}")
            map_fix = None if fix is None else _each_value(fix)
            return pa.map_(pa.string(), pa.field("value", value, nullable)), False, map_fix
        if kind not in _PRIMITIVES:
            return self.convert(kind, ns, path)  # {"type": "com.x.Named"}
        if logical == "decimal" and kind == "bytes":
            return _decimal_of(schema)
        if logical == "uuid" and kind == "string":
            return pa.string(), False, _uuid_str
        mapped = _LOGICAL.get((kind, logical))
        if mapped is not None:
            return mapped, False, None
        return _PRIMITIVES[kind], kind == "null", None

    def _fixed(self, schema: dict, logical: Any) -> tuple[pa.DataType, bool, Fixer | None]:
        size = int(schema["size"])
        if logical == "decimal":
            return _decimal_of(schema)
        if logical == "uuid" and size == 16:
            return pa.string(), False, _uuid_from_bytes
        return pa.binary(size), False, None

    def _union(self, branches: list, ns: str, path: str) -> tuple[pa.DataType, bool, Fixer | None]:
        values = [b for b in branches if not _is_null(b)]
        if not values:
            return pa.null(), True, None
        if len(values) > 1:
            names = [_type_name(b) for b in branches]
            raise self._unsupported(
                path, f'union {names} is not supported (only ["null", T] unions are)'
            )
        kind, _, fix = self.convert(values[0], ns, path)
        return kind, len(values) < len(branches), fix

    def _record(self, schema: dict, ns: str, path: str) -> tuple[pa.DataType, bool, Fixer | None]:
        name, inner_ns = _fullname(schema, ns)
        if name in self.named or name in self.pending:
            raise self._unsupported(path, f"type {name!r} is defined twice")
        self.pending.add(name)
        fields, fixers = [], []
        for spec in schema.get("fields", []):
            sub = f"{path}.{spec['name']}" if path else spec["name"]
            kind, nullable, fix = self.convert(spec["type"], inner_ns, sub)
            fields.append(pa.field(spec["name"], kind, nullable))
            if fix is not None:
                fixers.append((spec["name"], fix))
        self.pending.discard(name)
        result = (pa.struct(fields), False, _fix_fields(fixers) if fixers else None)
        self.named[name] = result
        return result

    def _define(
        self, schema: dict, ns: str, path: str, result: tuple[pa.DataType, bool, Fixer | None]
    ):
        name, _ = _fullname(schema, ns)
        self.named[name] = result
        return result

    def _reference(self, ref: str, ns: str, path: str) -> tuple[pa.DataType, bool, Fixer | None]:
        for name in [ref] if "." in ref else [f"{ns}.{ref}" if ns else ref, ref]:
            if name in self.pending:
                raise self._unsupported(path, f"recursive type {name!r} has no Arrow equivalent")
            if name in self.named:
                return self.named[name]
        raise self._unsupported(path, f"unknown type {ref!r}")


def _fullname(schema: dict, ns: str) -> tuple[str, str]:
    name = str(schema.get("name", ""))
    if "." in name:
        return name, name.rsplit(".", 1)[0]
    space = schema.get("namespace", ns) or ""
    return (f"{space}.{name}" if space else name), space


def _is_null(branch: Any) -> bool:
    return branch == "null" or (isinstance(branch, dict) and branch.get("type") == "null")


def _type_name(branch: Any) -> str:
    if isinstance(branch, dict):
        return str(branch.get("name") or branch.get("logicalType") or branch.get("type"))
    return str(branch)


def _decimal(schema: dict) -> pa.DataType:
    precision, scale = int(schema["precision"]), int(schema.get("scale", 0))
    return pa.decimal128(precision, scale) if precision <= 38 else pa.decimal256(precision, scale)


def _decimal_of(schema: dict) -> tuple[pa.DataType, bool, Fixer | None]:
    """decimal128 up to DuckDB's 38 digits; wider decimals become exact strings, because
    DuckDB cannot scan decimal256."""
    kind = _decimal(schema)
    if pa.types.is_decimal256(kind):
        return pa.string(), False, _decimal_str
    return kind, False, None


def _decimal_str(value: Any) -> str:
    return format(value, "f")


def _uuid_str(value: Any) -> str:
    return str(value)


def _uuid_from_bytes(value: bytes) -> str:
    return str(uuid.UUID(bytes=bytes(value)))


def _each(fix: Fixer) -> Fixer:
    return lambda items: [None if v is None else fix(v) for v in items]


def _each_value(fix: Fixer) -> Fixer:
    def run(entries: Any) -> Any:
        pairs = entries.items() if isinstance(entries, Mapping) else entries
        return [(k, None if v is None else fix(v)) for k, v in pairs]

    return run


def _fix_fields(fixers: list[tuple[str, Fixer]]) -> Fixer:
    def run(record: dict) -> dict:
        for name, fix in fixers:
            value = record.get(name)
            if value is not None:
                record[name] = fix(value)
        return record

    return run


def avro_to_arrow(schema: Any, where: str = "Avro schema") -> tuple[pa.Schema, Fixer | None]:
    """The Arrow schema of a file's records (an Avro schema as JSON text or parsed) and the
    fixer for fastavro's records. A top-level non-record schema becomes one column ``value``."""
    if isinstance(schema, (str, bytes)):
        try:
            schema = json.loads(schema)
        except ValueError:
            schema = schema.decode() if isinstance(schema, bytes) else schema  # "long" etc.
    conv = _Converter(where)
    kind, nullable, fix = conv.convert(schema, "", "")
    if pa.types.is_struct(kind) and _is_record(schema):
        return pa.schema(list(kind)), fix
    fields = [pa.field(_VALUE_COLUMN, kind, nullable)]
    if fix is None:
        return pa.schema(fields), lambda value: {_VALUE_COLUMN: value}
    return pa.schema(fields), lambda value: {_VALUE_COLUMN: None if value is None else fix(value)}


def _is_record(schema: Any) -> bool:
    if isinstance(schema, dict):
        kind = schema.get("type")
        return kind in ("record", "error") or (isinstance(kind, dict) and _is_record(kind))
    return False


# ----------------------------------------------------------------------------- evolution
_INTS = (pa.int32(), pa.int64())


def _merge_type(a: pa.DataType, b: pa.DataType, path: str) -> pa.DataType:
    if a == b:
        return a
    if pa.types.is_null(a):
        return b
    if pa.types.is_null(b):
        return a
    if pa.types.is_struct(a) and pa.types.is_struct(b):
        return pa.struct(_merge_fields(list(a), list(b), path + "."))
    if pa.types.is_list(a) and pa.types.is_list(b):
        return pa.list_(_merge_field(a.value_field, b.value_field, path + "[]"))
    if pa.types.is_map(a) and pa.types.is_map(b):
        return pa.map_(pa.string(), _merge_field(a.item_field, b.item_field, path + "{}"))
    if a in _INTS and b in _INTS:
        return pa.int64()  # Avro promotes int to long
    if _numeric(a) and _numeric(b):
        return pa.float64()  # int/long/float to double (float keeps no long exactly)
    if pa.types.is_decimal(a) and pa.types.is_decimal(b) and a.scale == b.scale:
        return _decimal({"precision": max(a.precision, b.precision), "scale": a.scale})
    if pa.types.is_timestamp(a) and pa.types.is_timestamp(b) and a.tz == b.tz:
        return a if _UNITS.index(a.unit) > _UNITS.index(b.unit) else b
    if pa.types.is_time(a) and pa.types.is_time(b):
        return a if _UNITS.index(a.unit) > _UNITS.index(b.unit) else b
    raise _Incompatible(f"{path or 'value'} is {a} in one file and {b} in another")


_UNITS = ("s", "ms", "us", "ns")


def _numeric(t: pa.DataType) -> bool:
    return pa.types.is_integer(t) or pa.types.is_floating(t)


class _Incompatible(Exception):
    pass


def _merge_field(a: pa.Field, b: pa.Field, path: str) -> pa.Field:
    return pa.field(a.name, _merge_type(a.type, b.type, path), a.nullable or b.nullable)


def _merge_fields(a: list[pa.Field], b: list[pa.Field], prefix: str) -> list[pa.Field]:
    theirs = {f.name: f for f in b}
    mine = {f.name for f in a}
    out = []
    for f in a:
        other = theirs.get(f.name)
        out.append(
            f.with_nullable(True) if other is None else _merge_field(f, other, prefix + f.name)
        )
    out.extend(f.with_nullable(True) for f in b if f.name not in mine)
    return out


def merge_schemas(schemas: Sequence[tuple[str, pa.Schema]]) -> pa.Schema:
    """The union of the files' fields by name (``(path, schema)`` pairs, in order); a field
    missing from a file is nullable; Avro promotions (int → long → double, ...) apply."""
    if not schemas:
        return pa.schema([])
    fields = list(schemas[0][1])
    for path, schema in schemas[1:]:
        try:
            fields = _merge_fields(fields, list(schema), "")
        except _Incompatible as exc:
            raise OperationalError(
                f"Avro schemas disagree: field {exc} (at {path}; files of one table must have "
                "compatible schemas)"
            ) from None
    return pa.schema(fields)


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
