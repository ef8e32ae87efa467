"""Avro schemas (JSON) as Arrow schemas, and the merge of several files' schemas.

Kept apart from :mod:`sqlgate.lakehouse.avro` (which opens and streams files) because the
type mapping is pure: no file, filesystem or fastavro is needed to translate or merge
schemas, so it can be read and tested on its own. The type mapping is documented in
:mod:`sqlgate.lakehouse.avro`.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pyarrow as pa

from sqlgate.core.errors import NotSupportedError, OperationalError

__all__ = ["Fixer", "avro_to_arrow", "merge_schemas"]

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
