"""When DuckDB's own ``read_parquet`` gives exactly pyiceberg's answer for an Iceberg plan.

DuckDB reads Parquet columns by *name* and, unless told otherwise, takes ``key=value``
directories for Hive partitions. Iceberg resolves columns by *field id* (through the table's
name mapping for files written without ids) and fills a column a file lacks from the manifest
(the file's identity-partition value) or the field's ``initial-default``. So a plan goes to
DuckDB only when, for every data file, the two readings cannot differ: each projected column
the file has is there under the field id and name the table now gives it, nested fields
included, with the same type in a plain Arrow encoding; each one it lacks is a primitive that
becomes a typed constant; and DuckDB is told the paths hold no Hive partitions. Anything else
(a renamed or added nested field, a promoted type, nanosecond timestamps, delete files)
streams through pyiceberg's reader.
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from sqlgate.lakehouse.duckdb_files import (
    duck_type,
    parquet_sql,
    quote_ident,
    quote_str,
    uniform_parquet,
)

__all__ = ["MAX_BRANCHES", "local_file", "missing_columns", "native_sql", "sql_constant"]

#: files needing different constants (partition values) are read by separate
#: ``read_parquet`` calls under one ``UNION ALL``; beyond this many, pyiceberg reads the plan
MAX_BRANCHES = 256

#: immutable data file (path, size) -> its Parquet footer's Arrow schema, serialized too
_FOOTERS: OrderedDict[tuple[str, int], tuple[pa.Schema, bytes]] = OrderedDict()
_FOOTERS_CACHED = 20_000
_footers_lock = threading.Lock()


def native_sql(tasks: Sequence[Any], projected: Any, metadata: Any, io: Any) -> str | None:
    """The DuckDB ``SELECT`` reading ``tasks`` (pyiceberg ``FileScanTask``s without delete
    files) as pyiceberg would read them with the ``projected`` schema, or ``None`` when only
    pyiceberg's reader gives that answer. ``io`` is the table's (jailed) FileIO.

    A column a file lacks reads as pyiceberg reads it: the file's identity-partition value
    from the manifest, else the field's ``initial-default``, else NULL, each typed as the
    table declares it; files needing the same constants share one ``read_parquet``."""
    if not tasks or any(t.delete_files for t in tasks):
        return None
    from sqlgate.lakehouse.iceberg_io import located

    mapping = metadata.name_mapping()
    groups: dict[tuple[tuple[str, str], ...], list[str]] = {}
    verdicts: dict[bytes, list[Any] | None] = {}  # a table's files share a few footers
    for task in tasks:
        path = _local_path(located(io, task.file.file_path))  # relative: the catalog's home
        if path is None or not str(task.file.file_format).upper().endswith("PARQUET"):
            return None
        try:
            physical, key = _footer(io, task.file.file_path, int(task.file.file_size_in_bytes))
        except Exception:
            return None  # unreadable here: pyiceberg's reader reports it
        if key not in verdicts:
            verdicts[key] = _missing_columns(physical, projected, mapping, metadata.format_version)
        missing = verdicts[key]
        if missing is None:
            return None
        constants = _constants(missing, task.file, metadata)
        if constants is None:
            return None
        groups.setdefault(constants, []).append(path)
    if len(groups) > MAX_BRANCHES:
        return None
    return " UNION ALL ".join(
        _select(projected, dict(constants), paths) for constants, paths in groups.items()
    )


def local_file(io: Any, data_file: Any) -> str | None:
    """The local path DuckDB reads a manifest's Parquet file at (relative: against the
    catalog's home), or ``None`` for a remote file or another format."""
    from sqlgate.lakehouse.iceberg_io import located

    if not str(data_file.file_format).upper().endswith("PARQUET"):
        return None
    return _local_path(located(io, data_file.file_path))


def missing_columns(io: Any, data_file: Any, projected: Any, metadata: Any) -> list[Any] | None:
    """The ``projected`` fields a data file lacks when DuckDB reads the others by name as
    pyiceberg reads them by field id; ``None`` when the two readings may differ."""
    try:
        physical, _key = _footer(io, data_file.file_path, int(data_file.file_size_in_bytes))
    except Exception:
        return None  # unreadable here: pyiceberg's reader reports it
    return _missing_columns(physical, projected, metadata.name_mapping(), metadata.format_version)


def _select(projected: Any, constants: dict[str, str], paths: list[str]) -> str:
    """One ``read_parquet`` over files that need the same constant columns."""
    items, read = [], []
    for field in projected.fields:
        if field.name in constants:
            items.append(f"{constants[field.name]} AS {quote_ident(field.name)}")
        else:
            items.append(quote_ident(field.name))
            read.append(field.name)
    options: dict[str, Any] = {"hive_partitioning": False}
    if not uniform_parquet(paths, read):
        options["union_by_name"] = True
    return f"SELECT {', '.join(items)} FROM {parquet_sql(paths, **options)}"


def _constants(
    missing: list[Any], data_file: Any, metadata: Any
) -> tuple[tuple[str, str], ...] | None:
    """The typed SQL constant of each projected field a file lacks, as pyiceberg fills it
    (``_get_column_projection_values``); ``None`` when one cannot be written as a constant."""
    from pyiceberg.transforms import IdentityTransform

    if not missing:
        return ()
    spec = metadata.specs().get(data_file.spec_id)
    out = []
    for field in missing:
        if field.required and field.initial_default is None:
            return None  # pyiceberg's reader refuses the file: let it say so
        value = None
        for pos, part in enumerate(spec.fields if spec is not None else ()):
            if part.source_id == field.field_id and isinstance(part.transform, IdentityTransform):
                value = data_file.partition[pos]
        if value is None:
            value = field.initial_default
        literal = sql_constant(field.field_type, value)
        if literal is None:
            return None
        out.append((field.name, literal))
    return tuple(out)


def _local_path(uri: str) -> str | None:
    """The local file pyiceberg opens for ``uri`` (it does not percent-decode: a Hive
    directory ``t=01%3A00`` is named so on disk), or ``None`` for a remote one."""
    from pyiceberg.io.pyarrow import PyArrowFileIO

    scheme, _, path = PyArrowFileIO.parse_location(uri)
    return path if scheme == "file" else None


def _footer(io: Any, uri: str, size: int) -> tuple[pa.Schema, bytes]:
    """The file's Arrow schema (field ids in its metadata) and its exact serialized form."""
    key = (uri, size)
    with _footers_lock:
        found = _FOOTERS.get(key)
        if found is not None:
            _FOOTERS.move_to_end(key)
            return found
    with io.new_input(uri).open() as stream:
        schema = pq.read_schema(stream)
    found = (schema, schema.serialize().to_pybytes())
    with _footers_lock:
        _FOOTERS[key] = found
        while len(_FOOTERS) > _FOOTERS_CACHED:
            _FOOTERS.popitem(last=False)
    return found


def _missing_columns(
    physical: pa.Schema, projected: Any, mapping: Any, version: Any
) -> list[Any] | None:
    """The projected top-level fields a file with this footer lacks, when reading the others
    by name gives what pyiceberg's field-id resolution gives; else ``None``."""
    from pyiceberg.io.pyarrow import pyarrow_to_schema

    try:
        in_file = pyarrow_to_schema(
            physical, mapping, downcast_ns_timestamp_to_us=False, format_version=version
        )
    except Exception:  # no ids and no mapping, nanoseconds in v2, an unknown type ...
        return None
    top = {f.field_id: f for f in in_file.fields}
    missing = []
    for want in projected.fields:
        have = top.get(want.field_id)
        if have is None:  # added later, a partition value in the manifest: not read by name
            missing.append(want)
            continue
        if have.name != want.name or not _same_type(have.field_type, want.field_type):
            return None  # renamed, a nested field renamed/added/dropped, a promoted type
        index = physical.get_field_index(have.name)
        if index < 0 or not _plain(physical.field(index).type):
            return None
    return missing


def _same_type(have: Any, want: Any) -> bool:
    """Same Iceberg type with the same field ids and names at every level, in order."""
    from pyiceberg.types import ListType, MapType, StructType

    if isinstance(want, StructType):
        return (
            isinstance(have, StructType)
            and len(have.fields) == len(want.fields)
            and all(
                h.field_id == w.field_id
                and h.name == w.name
                and _same_type(h.field_type, w.field_type)
                for h, w in zip(have.fields, want.fields, strict=True)
            )
        )
    if isinstance(want, ListType):
        return (
            isinstance(have, ListType)
            and have.element_id == want.element_id
            and _same_type(have.element_type, want.element_type)
        )
    if isinstance(want, MapType):
        return (
            isinstance(have, MapType)
            and (have.key_id, have.value_id) == (want.key_id, want.value_id)
            and _same_type(have.key_type, want.key_type)
            and _same_type(have.value_type, want.value_type)
        )
    return bool(have == want)


def _plain(t: pa.DataType) -> bool:
    """An Arrow type DuckDB reads as the type pyiceberg returns (no unsigned or half-width
    numbers, dictionaries, or time units other than microseconds)."""
    if pa.types.is_struct(t):
        return all(_plain(t.field(i).type) for i in range(t.num_fields))
    if pa.types.is_map(t):
        return _plain(t.key_type) and _plain(t.item_type)
    if pa.types.is_list(t) or pa.types.is_large_list(t):
        return _plain(t.value_type)
    if pa.types.is_timestamp(t) or pa.types.is_time(t):
        return bool(t.unit == "us")
    return not (
        pa.types.is_unsigned_integer(t)
        or pa.types.is_float16(t)
        or pa.types.is_dictionary(t)
        or pa.types.is_date64(t)
        or pa.types.is_fixed_size_list(t)
    )


def sql_constant(iceberg_type: Any, value: Any) -> str | None:
    """A DuckDB constant of ``value`` (pyiceberg's partition/default representation: days,
    microseconds, bytes ...) typed as pyiceberg returns the field; ``None`` for nested types."""
    from pyiceberg.io.pyarrow import schema_to_pyarrow

    if not iceberg_type.is_primitive:
        return None
    try:
        arrow_type = schema_to_pyarrow(iceberg_type, include_field_ids=False)
        if (pa.types.is_timestamp(arrow_type) or pa.types.is_time(arrow_type)) and (
            arrow_type.unit != "us"
        ):
            return None  # nanoseconds do not survive Python's datetime
        duck = duck_type(arrow_type)
        if value is None:
            return f"CAST(NULL AS {duck})"
        py = pa.scalar(value, type=arrow_type).as_py()  # as pyiceberg's reader builds it
    except (pa.ArrowException, ValueError, TypeError, OverflowError, duckdb.Error):
        return None  # a type or value (a year beyond 9999 ...) left to pyiceberg's reader
    if isinstance(py, (bytes, bytearray)):
        return f"CAST(from_hex({quote_str(bytes(py).hex())}) AS {duck})"
    if isinstance(py, bool):
        text = "true" if py else "false"
    elif isinstance(py, float):
        text = "nan" if math.isnan(py) else repr(py).replace("inf", "infinity")
    elif isinstance(py, (dt.datetime, dt.time)):
        text = py.isoformat()
    elif isinstance(py, decimal.Decimal):
        text = format(py, "f")
    else:
        text = str(py)  # int, date, UUID, str
    return f"CAST({quote_str(text)} AS {duck})"
