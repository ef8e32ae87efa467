"""PEP 249 type objects and constructors shared by every sqlgate source.

A cursor's ``description`` carries a ``type_code`` per column; PEP 249 promises that
``type_code == STRING`` (or ``NUMBER``, ...) tells its family. sqlgate sources report the
engine's type name as the code (``varchar(255)``, ``Nullable(Int64)``, ``int4``), so each
type object compares equal to the base names of its family, case-insensitively, and to an
Arrow type of that family.
"""

from __future__ import annotations

import datetime
import re
import time
from typing import Any

import pyarrow as pa

__all__ = [
    "BINARY",
    "DATETIME",
    "MAX_DEPTH",
    "NUMBER",
    "ROWID",
    "STRING",
    "Binary",
    "DBAPITypeObject",
    "Date",
    "DateFromTicks",
    "Time",
    "TimeFromTicks",
    "Timestamp",
    "TimestampFromTicks",
    "type_object_for_arrow",
]

MAX_DEPTH = 64
"""Deepest type nesting (and most ``[]`` suffixes) accepted; real schemas stay far below it."""


class DBAPITypeObject:
    """A PEP 249 type object: equal to each of its member type names or codes.

    Strings compare case-insensitively: as given, then by their parsed base name, then by
    its first word, so ``NUMBER == "DECIMAL(10,2)"``, ``STRING == "character varying(20)"``
    and ``NUMBER == "bigint(20) unsigned zerofill"`` hold.
    """

    def __init__(self, name: str, *members: str | int) -> None:
        self.name = name
        self.values = frozenset(m.lower() if isinstance(m, str) else m for m in members)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, DBAPITypeObject):
            return self is other
        if isinstance(other, str):
            key = " ".join(other.lower().split())
            if key in self.values:
                return True
            base = _base_name(key)  # "int(10) unsigned zerofill" -> "int unsigned zerofill"
            return base in self.values or base.split(" ", 1)[0] in self.values
        if isinstance(other, pa.DataType):
            return type_object_for_arrow(other) is self
        if isinstance(other, int) and not isinstance(other, bool):
            return other in self.values
        return NotImplemented

    def __ne__(self, other: object) -> bool:
        result = self.__eq__(other)
        return result if result is NotImplemented else not result

    def __hash__(self) -> int:
        return hash(("DBAPITypeObject", self.name))

    def __contains__(self, other: object) -> bool:
        return self == other

    def __repr__(self) -> str:
        return f"<DBAPITypeObject {self.name}>"


def _base_name(type_string: str) -> str:
    """``decimal(10,2)`` -> ``decimal``; ``Nullable(Int64)`` -> ``int64``; never raises.

    A name, not a type: arguments, ``<...>`` members and ``[]`` are dropped and ``Nullable(...)`` /
    ``LowCardinality(...)`` wrappers opened, which plain text handling does without a parser.
    """
    text = type_string[:_MAX_NAME_CHARS]
    for _ in range(4):
        wrapped = _WRAPPER.fullmatch(text)
        if wrapped is None:
            break
        text = wrapped[1]
    for _ in range(8):  # innermost first: "map(varchar(3), int)" -> "map(varchar, int)" -> "map"
        text, found = _ARGUMENTS.subn("", text)
        if not found:
            break
    return " ".join(text.split())


_MAX_NAME_CHARS = 200
_WRAPPER = re.compile(r"\s*(?:nullable|lowcardinality)\s*\((.*)\)\s*", re.S | re.I)
_ARGUMENTS = re.compile(r"\([^()]*\)|<[^<>]*>|\[[^\[\]]*\]")
_INTS = [f"{s}int{n}" for s in ("", "u") for n in (8, 16, 32, 64, 128, 256)]

STRING = DBAPITypeObject(
    "STRING",
    *("char", "character", "varchar", "character varying", "nchar", "nvarchar", "varchar2"),
    *("nvarchar2", "text", "tinytext", "mediumtext", "longtext", "string", "bpchar", "name"),
    *("citext", "clob", "nclob", "enum", "set", "json", "jsonb", "xml", "uuid", "inet"),
    *("cidr", "macaddr", "macaddr8", "tsvector", "tsquery", "fixedstring", "enum8", "enum16"),
    *("ipv4", "ipv6", "variant", "object", "super", "array", "struct", "map", "list"),
    *(
        "geography",
        "unknown",
        "bit varying",
        "varbit",
        "national character",
        "national character varying",
    ),
)
BINARY = DBAPITypeObject(
    "BINARY",
    *("binary", "varbinary", "blob", "tinyblob", "mediumblob", "longblob", "bytea", "bytes"),
    *("raw", "long raw", "image", "fixed", "geometry", "point", "linestring", "polygon"),
    *("multipoint", "multilinestring", "multipolygon", "geometrycollection", "wkb"),
)
NUMBER = DBAPITypeObject(
    "NUMBER",
    *("tinyint", "smallint", "mediumint", "int", "integer", "bigint", "hugeint", "uhugeint"),
    *("utinyint", "usmallint", "uinteger", "ubigint", "int1", "int2", "int4", "int8", "long"),
    *("short", "byte", "byteint", "serial", "smallserial", "bigserial", "serial2", "serial4"),
    *("serial8", "decimal", "numeric", "number", "dec", "bignumeric", "bigdecimal", "money"),
    *("float", "float4", "float8", "float32", "float64", "bfloat16", "double", "real"),
    *("double precision", "bool", "boolean", "bit", "year", "decimal32", "decimal64"),
    *("decimal128", "decimal256", "largeint", "int unsigned", "bigint unsigned", *_INTS),
    *("tinyint unsigned", "smallint unsigned", "mediumint unsigned", "integer unsigned"),
)
DATETIME = DBAPITypeObject(
    "DATETIME",
    *("date", "date32", "time", "timetz", "time with time zone", "time without time zone"),
    *("timestamp", "timestamptz", "timestamp with time zone", "timestamp without time zone"),
    *("timestamp with local time zone", "timestamp_ntz", "timestamp_ltz", "timestamp_tz"),
    *("timestamp_ns", "timestamp_ms", "timestamp_s", "timestamptz_ns", "datetime"),
    *("datetime64", "datetime2", "smalldatetime", "datetimeoffset", "interval", "abstime"),
)
ROWID = DBAPITypeObject("ROWID", "rowid", "urowid", "oid", "ctid", "tid", "_rowid")

Date = datetime.date
Time = datetime.time
Timestamp = datetime.datetime
Binary = bytes


def DateFromTicks(ticks: float) -> datetime.date:
    """The local date of a POSIX timestamp, as PEP 249 specifies."""
    return Date(*time.localtime(ticks)[:3])


def TimeFromTicks(ticks: float) -> datetime.time:
    """The local time of day of a POSIX timestamp, as PEP 249 specifies."""
    return Time(*time.localtime(ticks)[3:6])


def TimestampFromTicks(ticks: float) -> datetime.datetime:
    """The local date and time of a POSIX timestamp, as PEP 249 specifies."""
    return Timestamp(*time.localtime(ticks)[:6])


def type_object_for_arrow(arrow_type: Any) -> DBAPITypeObject:
    """The PEP 249 family of an Arrow type, for cursors whose results arrive as Arrow.

    Booleans count as NUMBER (as most drivers report them); nested, null and unknown
    types as STRING, since that is how a client would have to display them.
    """
    t = pa.types
    if t.is_dictionary(arrow_type):
        return type_object_for_arrow(arrow_type.value_type)
    if isinstance(arrow_type, pa.BaseExtensionType):
        return type_object_for_arrow(arrow_type.storage_type)
    if (
        t.is_integer(arrow_type)
        or t.is_floating(arrow_type)
        or t.is_decimal(arrow_type)
        or t.is_boolean(arrow_type)
    ):
        return NUMBER
    if t.is_temporal(arrow_type) or t.is_interval(arrow_type):
        return DATETIME
    if t.is_binary(arrow_type) or t.is_large_binary(arrow_type):
        return BINARY
    if t.is_fixed_size_binary(arrow_type) or _is_binary_view(arrow_type):
        return BINARY
    return STRING


def _is_binary_view(arrow_type: Any) -> bool:
    check = getattr(pa.types, "is_binary_view", None)  # pyarrow >= 16
    return bool(check and check(arrow_type))
