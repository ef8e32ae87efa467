"""Avro object container files decoded with the stdlib: Iceberg manifest lists and manifests.

A cold ``SELECT * ... LIMIT 10`` on an Iceberg table needs a few manifest entries; pyiceberg's
Avro reader comes with its manifest and table modules (~400 ms of imports) and fastavro costs
~100 ms. Manifests are small records of longs, strings, maps and arrays, so this reader decodes
the container format (``null`` or ``deflate`` blocks) by its writer's schema, in pure Python.
Anything it does not know (another codec, a malformed file) raises :class:`AvroLiteError`;
callers then take pyiceberg's path.
"""

from __future__ import annotations

import json
import struct
import zlib
from collections.abc import Iterator
from typing import Any

__all__ = ["AvroLiteError", "read_records"]

_MAGIC = b"Obj\x01"
_MAX_BYTES = 256 * 1024 * 1024  # a manifest is a few MB at most
_FLOAT, _DOUBLE = struct.Struct("<f"), struct.Struct("<d")


class AvroLiteError(Exception):
    """The file is not an Avro container this reader decodes."""


class _Decoder:
    def __init__(self, data: bytes, names: dict[str, Any]) -> None:
        self.data, self.pos, self.names = data, 0, names

    def long(self) -> int:
        data, pos, shift, value = self.data, self.pos, 0, 0
        while True:
            if pos >= len(data) or shift > 63:
                raise AvroLiteError("truncated or malformed varint")
            byte = data[pos]
            pos += 1
            value |= (byte & 0x7F) << shift
            if byte < 0x80:
                break
            shift += 7
        self.pos = pos
        return (value >> 1) ^ -(value & 1)

    def raw(self, size: int) -> bytes:
        if size < 0 or self.pos + size > len(self.data):
            raise AvroLiteError("truncated data")
        out = self.data[self.pos : self.pos + size]
        self.pos += size
        return out

    def read(self, schema: Any) -> Any:
        if isinstance(schema, list):  # a union: the branch index, then the value
            index = self.long()
            if not 0 <= index < len(schema):
                raise AvroLiteError("union branch out of range")
            return self.read(schema[index])
        if isinstance(schema, str):
            return self._primitive(schema)
        kind = schema.get("type")
        if kind == "record":
            return {f["name"]: self.read(f["type"]) for f in schema["fields"]}
        if kind == "array":
            return [self.read(schema["items"]) for _ in self._blocks()]
        if kind == "map":
            return {
                self.raw(self.long()).decode(): self.read(schema["values"]) for _ in self._blocks()
            }
        if kind == "fixed":
            return self.raw(int(schema["size"]))
        if kind == "enum":
            return schema["symbols"][self.long()]
        return self.read(kind)  # {"type": "long", "logicalType": ...}

    def _primitive(self, name: str) -> Any:
        if name == "null":
            return None
        if name in ("int", "long"):
            return self.long()
        if name == "string":
            return self.raw(self.long()).decode()
        if name == "bytes":
            return self.raw(self.long())
        if name == "boolean":
            return self.raw(1) != b"\x00"
        if name == "float":
            return _FLOAT.unpack(self.raw(4))[0]
        if name == "double":
            return _DOUBLE.unpack(self.raw(8))[0]
        if name in self.names:
            return self.read(self.names[name])
        raise AvroLiteError(f"unknown Avro type {name!r}")

    def _blocks(self) -> Iterator[None]:
        """Array and map items, block by block (a negative count carries a byte size)."""
        while True:
            count = self.long()
            if count == 0:
                return
            if count < 0:
                count = -count
                self.long()
            for _ in range(count):
                yield None


def _named(schema: Any, names: dict[str, Any]) -> None:
    """Register the named types (records, fixed, enums) a schema defines, for references."""
    if isinstance(schema, list):
        for branch in schema:
            _named(branch, names)
    elif isinstance(schema, dict):
        if schema.get("type") in ("record", "fixed", "enum") and "name" in schema:
            names[schema["name"]] = schema
            if "namespace" in schema:
                names[f"{schema['namespace']}.{schema['name']}"] = schema
        for f in schema.get("fields", ()):
            _named(f["type"], names)
        for key in ("items", "values"):
            if key in schema:
                _named(schema[key], names)


def read_records(data: bytes) -> tuple[dict[str, bytes], list[dict[str, Any]]]:
    """The container's metadata (``avro.schema``, writer's keys) and its records."""
    if len(data) > _MAX_BYTES or not data.startswith(_MAGIC):
        raise AvroLiteError("not an Avro object container file")
    head = _Decoder(data, {})
    head.pos = len(_MAGIC)
    meta = {head.raw(head.long()).decode(): head.raw(head.long()) for _ in head._blocks()}
    sync = head.raw(16)
    codec = meta.get("avro.codec", b"null").decode()
    if codec not in ("null", "deflate"):
        raise AvroLiteError(f"Avro codec {codec!r}")
    try:
        schema = json.loads(meta["avro.schema"])
    except (KeyError, ValueError) as exc:
        raise AvroLiteError("no readable writer's schema") from exc
    names: dict[str, Any] = {}
    _named(schema, names)
    records: list[dict[str, Any]] = []
    while head.pos < len(data):
        count = head.long()
        block = head.raw(head.long())
        if head.raw(16) != sync:
            raise AvroLiteError("sync marker mismatch")
        if codec == "deflate":
            try:
                block = zlib.decompress(block, -15)
            except zlib.error as exc:
                raise AvroLiteError("corrupt deflate block") from exc
        decoder = _Decoder(block, names)
        records.extend(decoder.read(schema) for _ in range(count))
    return meta, records
