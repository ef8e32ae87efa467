"""One table per source family maps engine type strings to Arrow, SQLAlchemy and PEP 249.

A :class:`TypeMap` is built from a name-keyed table: each base name (``int4``, ``varchar``,
``Nullable``...) maps to a :class:`TypeEntry` whose factories receive the parsed
:class:`~sqlgate.core.typeparse.TypeNode`, so parameters (``decimal(10,2)``,
``DateTime64(3, 'UTC')``) and nesting (``array<struct<a:int>>``) are honoured; a string value
is an alias (``"int4": "integer"``, ``"int": "number(38,0)"``). A source with quirks extends
a table (``POSTGRES_TYPES.extend({"number": "numeric"})``) instead of copying it.

Reflection must never crash on a type it does not know, so unknown or malformed types map to
``NullType`` (SQLAlchemy) or ``string`` (Arrow) with a :class:`TypeMappingWarning` naming them,
as trino-python-client does. The ready tables live in :mod:`sqlgate.core.typetables`, the
entry constructors they are written with in :mod:`sqlgate.core.typeentries`.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import sqlalchemy.types as sat
from sqlalchemy.exc import SAWarning

from sqlgate.core.sqltypes import MAP, STRUCT
from sqlgate.core.typeparse import MAX_DEPTH, TypeNode, TypeParseError, parse_type
from sqlgate.core.types import STRING, DBAPITypeObject, type_object_for_arrow

if TYPE_CHECKING:  # the ready tables are built lazily by __getattr__ below
    from sqlgate.core.typetables import (
        BIGQUERY_TYPES,
        CLICKHOUSE_TYPES,
        DUCKDB_TYPES,
        HIVE_TYPES,
        ICEBERG_TYPES,
        MYSQL_TYPES,
        POSTGRES_TYPES,
        SNOWFLAKE_TYPES,
    )

__all__ = [
    "BIGQUERY_TYPES",
    "CLICKHOUSE_TYPES",
    "DUCKDB_TYPES",
    "HIVE_TYPES",
    "ICEBERG_TYPES",
    "MYSQL_TYPES",
    "POSTGRES_TYPES",
    "SNOWFLAKE_TYPES",
    "Spelling",
    "TypeEntry",
    "TypeMap",
    "TypeMappingWarning",
    "arrow_kind",
    "arrow_to_sqlalchemy",
    "from_arrow_field",
]

_TABLES = frozenset(n for n in __all__ if n.endswith("_TYPES"))
ArrowFactory = Callable[[TypeNode, "TypeMap"], pa.DataType]
SAFactory = Callable[[TypeNode, "TypeMap"], sat.TypeEngine]
# SQLAlchemy 2 has generic Double and Uuid; on 1.4 the closest generic types stand in.
DOUBLE: type[sat.TypeEngine] = getattr(sat, "Double", sat.Float)
UUID: Callable[[], sat.TypeEngine] = getattr(sat, "Uuid", None) or (lambda: sat.String(36))


class TypeMappingWarning(SAWarning):
    """A type string was unknown or malformed and was mapped to a fallback type."""


@dataclass(frozen=True)
class TypeEntry:
    """How one base type name maps: Arrow and SQLAlchemy factories, PEP 249 family."""

    arrow: ArrowFactory
    sqlalchemy: SAFactory
    dbapi: DBAPITypeObject


def _per_unit(name: str) -> dict[str, str]:
    return dict.fromkeys(("s", "ms", "us", "ns"), name)


@dataclass(frozen=True)
class Spelling:
    """How an engine spells Arrow types, for :meth:`TypeMap.arrow_to_type_string`.

    ``names`` is keyed by :func:`arrow_kind` (``int64``, ``string``, ``date``...); templates
    use ``{p}``/``{s}`` (decimal), ``{n}`` (widths), ``{tz}``, ``{0}``/``{1}`` (members).
    A ``None`` nested template renders ``nested`` instead (``jsonb`` on PostgreSQL).
    """

    names: Mapping[str, str]
    decimal: str = "decimal({p},{s})"
    decimal256: str | None = None
    fixed_binary: str = "binary({n})"
    timestamp: Mapping[str, str] = dataclasses.field(default_factory=lambda: _per_unit("timestamp"))
    timestamptz: Mapping[str, str] = dataclasses.field(
        default_factory=lambda: _per_unit("timestamptz")
    )
    time: Mapping[str, str] = dataclasses.field(default_factory=lambda: _per_unit("time"))
    array: str | None = "{0}[]"
    fixed_array: str | None = None
    struct: str | None = None
    field: str = "{name} {type}"
    field_sep: str = ", "
    positional: bool = False  # fields named 1, 2, ... render without names (ClickHouse Tuple)
    map: str | None = None
    union: str | None = None
    nested: str = "json"
    quote: Callable[[str], str] = str


class TypeMap:
    """Maps one engine family's type strings; immutable, extended by :meth:`extend`."""

    def __init__(
        self,
        entries: Mapping[str, TypeEntry | str],
        *,
        spelling: Spelling | None = None,
        wrappers: Mapping[str, int] | None = None,
        ignore_words: frozenset[str] = frozenset(),
        prefix_fallback: frozenset[str] = frozenset(),
        underscore_arrays: bool = False,
        name: str = "",
    ) -> None:
        """``entries``: base name -> entry or alias. The options carry engine habits:
        ``wrappers`` (name -> member index) are unwrapped before lookup (ClickHouse
        ``Nullable``); ``ignore_words`` are dropped from a name that is not found (MySQL
        ``zerofill``); ``prefix_fallback`` words stand for any name they start
        (``interval day to second``); ``underscore_arrays`` reads ``_int4`` as ``int4[]``;
        ``spelling`` drives :meth:`arrow_to_type_string`.
        """
        self.entries: Mapping[str, TypeEntry | str] = MappingProxyType(
            {k.lower(): v for k, v in entries.items()}
        )
        self.spelling = spelling
        self.wrappers = MappingProxyType({k.lower(): v for k, v in (wrappers or {}).items()})
        self.ignore_words = frozenset(w.lower() for w in ignore_words)
        self.prefix_fallback = frozenset(w.lower() for w in prefix_fallback)
        self.underscore_arrays = underscore_arrays
        self.name = name

    def extend(
        self, entries: Mapping[str, TypeEntry | str] | None = None, **options: Any
    ) -> TypeMap:
        """A new map with ``entries`` added or overridden (and any constructor option)."""
        merged = {**self.entries, **{k.lower(): v for k, v in (entries or {}).items()}}
        current = {
            "spelling": self.spelling,
            "wrappers": self.wrappers,
            "ignore_words": self.ignore_words,
            "prefix_fallback": self.prefix_fallback,
            "underscore_arrays": self.underscore_arrays,
            "name": self.name,
        }
        return TypeMap(merged, **{**current, **options})  # type: ignore[arg-type]

    def __contains__(self, type_string: object) -> bool:
        try:
            self.resolve(type_string)  # type: ignore[arg-type]
        except (KeyError, TypeParseError):
            return False
        return True

    def __repr__(self) -> str:
        return f"<TypeMap {self.name or '?'}: {len(self.entries)} names>"

    # -- lookup ------------------------------------------------------------------------------
    def parse(self, type_string: str | TypeNode) -> TypeNode:
        """Parse (or pass through) a type, unwrapping ``Nullable(T)``-style wrappers."""
        node = type_string if isinstance(type_string, TypeNode) else parse_type(type_string)
        while node.name in self.wrappers and node.fields:
            node = node.fields[self.wrappers[node.name]][1]
        return node

    def resolve(self, type_string: str | TypeNode) -> tuple[TypeEntry, TypeNode]:
        """The entry for a type and the node to build from, aliases followed.

        Raises ``KeyError`` for an unknown name, :class:`TypeParseError` for bad syntax.
        """
        node = self.parse(type_string)
        for _ in range(16):  # alias chains are short; a cycle must not hang
            value = self._lookup(node.name)
            if value is None and self.underscore_arrays and node.name.startswith("_"):
                element = TypeNode(node.name[1:], node.params, node.fields, node.raw[1:])
                return self.resolve(TypeNode("array", (), ((None, element),), node.raw))
            if value is None:
                raise KeyError(node.raw or node.name)
            if isinstance(value, TypeEntry):
                return value, node
            target = self.parse(value)
            node = TypeNode(
                target.name, node.params or target.params, node.fields or target.fields, node.raw
            )
        raise KeyError(f"alias cycle at {node.name!r}")

    def _lookup(self, name: str) -> TypeEntry | str | None:
        value = self.entries.get(name)
        if value is None and self.ignore_words:
            words = [w for w in name.split() if w not in self.ignore_words]
            value = self.entries.get(" ".join(words))
        if value is None and " " in name and name.split()[0] in self.prefix_fallback:
            value = self.entries.get(name.split()[0])
        return value

    # -- public mappings ---------------------------------------------------------------------
    def to_sqlalchemy(self, type_string: str | TypeNode) -> sat.TypeEngine:
        """A SQLAlchemy type; ``NullType`` plus a warning for anything unknown or malformed."""
        try:
            return self.sa_node(self.parse(type_string))
        except (TypeParseError, RecursionError) as error:
            _warn(f"cannot parse type {type_string!r} ({error}); using NullType")
            return sat.NullType()

    def to_arrow(self, type_string: str | TypeNode) -> pa.DataType:
        """An Arrow type; ``string`` plus a warning for anything unknown or malformed."""
        try:
            return self.arrow_node(self.parse(type_string))
        except (TypeParseError, RecursionError) as error:
            _warn(f"cannot parse type {type_string!r} ({error}); using Arrow string")
            return pa.string()

    def type_object(self, type_string: str | TypeNode) -> DBAPITypeObject:
        """The PEP 249 type object (``STRING`` for anything unknown; never warns)."""
        try:
            return self.resolve(type_string)[0].dbapi
        except (KeyError, TypeParseError):
            return STRING

    def arrow_to_sqlalchemy(self, arrow_type: pa.DataType) -> sat.TypeEngine:
        """The SQLAlchemy type for an Arrow type (the same for every engine)."""
        return arrow_to_sqlalchemy(arrow_type)

    def arrow_to_type_string(self, arrow_type: pa.DataType) -> str:
        """How this engine spells an Arrow type, e.g. for ``CAST`` or DDL of a temp table."""
        if self.spelling is None:
            raise NotImplementedError(f"{self!r} has no spelling for Arrow types")
        return spell(self.spelling, arrow_type, 0)

    # -- recursion used by entry factories -----------------------------------------------------
    def sa_node(self, node: TypeNode) -> sat.TypeEngine:
        """Map one parsed node (used by nested entries for their members)."""
        try:
            entry, node = self.resolve(node)
        except KeyError:
            _warn(f"unknown type {node.raw or node.name!r}; using NullType")
            return sat.NullType()
        try:
            return entry.sqlalchemy(node, self)
        except Exception as error:  # a table bug must not break reflection of a whole schema
            _warn(f"cannot map type {node.raw or node.name!r} ({error}); using NullType")
            return sat.NullType()

    def arrow_node(self, node: TypeNode) -> pa.DataType:
        """Map one parsed node to Arrow (used by nested entries for their members)."""
        try:
            entry, node = self.resolve(node)
        except KeyError:
            _warn(f"unknown type {node.raw or node.name!r}; using Arrow string")
            return pa.string()
        try:
            return entry.arrow(node, self)
        except Exception as error:  # e.g. decimal128(5, 9): warn and carry on
            _warn(f"cannot map type {node.raw or node.name!r} ({error}); using Arrow string")
            return pa.string()


def _warn(message: str) -> None:
    warnings.warn(message, TypeMappingWarning, stacklevel=4)


# -- Arrow -> engine type strings ---------------------------------------------------------------
def _members(sp: Spelling, at: pa.DataType, depth: int) -> str:
    """The fields of a struct or union, named unless positional (``1``, ``2``, ...)."""
    fields = [at.field(i) for i in range(at.num_fields)]
    if sp.positional and [f.name for f in fields] == [str(i + 1) for i in range(len(fields))]:
        return sp.field_sep.join(spell(sp, f.type, depth + 1) for f in fields)
    return sp.field_sep.join(
        sp.field.format(name=sp.quote(f.name), type=spell(sp, f.type, depth + 1)) for f in fields
    )


def arrow_kind(arrow_type: pa.DataType) -> str:
    """The :class:`Spelling` name key of a scalar Arrow type (``int64``, ``string``...)."""
    t = pa.types
    if t.is_boolean(arrow_type):
        return "bool"
    if t.is_floating(arrow_type):
        return {16: "float16", 32: "float32"}.get(arrow_type.bit_width, "float64")
    if t.is_string(arrow_type) or t.is_large_string(arrow_type) or str(arrow_type) == "string_view":
        return "string"
    if t.is_binary(arrow_type) or t.is_large_binary(arrow_type) or str(arrow_type) == "binary_view":
        return "binary"
    if t.is_date(arrow_type):
        return "date"
    if t.is_duration(arrow_type):
        return "duration"
    if t.is_interval(arrow_type):
        return "interval"
    return str(arrow_type)  # int8 ... uint64, null


def spell(sp: Spelling, at: pa.DataType, depth: int) -> str:
    """Render an Arrow type in one engine's spelling (see :class:`Spelling`)."""
    t = pa.types
    if depth > MAX_DEPTH:
        raise ValueError("Arrow type nested too deeply")
    if t.is_dictionary(at):
        return spell(sp, at.value_type, depth + 1)
    if isinstance(at, pa.ExtensionType):
        if getattr(at, "extension_name", "") == "arrow.uuid" and "uuid" in sp.names:
            return sp.names["uuid"]
        return spell(sp, at.storage_type, depth + 1)
    if t.is_decimal(at):
        template = sp.decimal256 if at.precision > 38 and sp.decimal256 else sp.decimal
        return template.format(p=at.precision, s=at.scale)
    if t.is_fixed_size_binary(at):
        return sp.fixed_binary.format(n=at.byte_width)
    if t.is_timestamp(at):
        return (sp.timestamptz if at.tz else sp.timestamp)[at.unit].format(tz=at.tz)
    if t.is_time(at):
        return sp.time[at.unit]
    if t.is_list(at) or t.is_large_list(at) or t.is_fixed_size_list(at):
        if sp.array is None:
            return sp.nested
        item = spell(sp, at.value_type, depth + 1)
        if t.is_fixed_size_list(at) and sp.fixed_array:
            return sp.fixed_array.format(item, n=at.list_size)
        return sp.array.format(item)
    if t.is_struct(at):
        if sp.struct is None:
            return sp.nested
        return sp.struct.format(_members(sp, at, depth))
    if t.is_union(at):
        return sp.union.format(_members(sp, at, depth)) if sp.union else sp.nested
    if t.is_map(at):
        if sp.map is None:
            return sp.nested
        return sp.map.format(spell(sp, at.key_type, depth + 1), spell(sp, at.item_type, depth + 1))
    kind = arrow_kind(at)
    if kind in sp.names:
        return sp.names[kind]
    warnings.warn(
        f"no spelling for Arrow type {at}; using {sp.names['string']}",
        TypeMappingWarning,
        stacklevel=3,
    )
    return sp.names["string"]


# -- Arrow -> SQLAlchemy -------------------------------------------------------------------------
def arrow_to_sqlalchemy(arrow_type: pa.DataType, _depth: int = 0) -> sat.TypeEngine:
    """The SQLAlchemy type for an Arrow type; ``NullType`` for ``null`` and the unmappable."""
    t = pa.types
    at = arrow_type
    if _depth > MAX_DEPTH:
        return sat.NullType()
    if t.is_dictionary(at):
        return arrow_to_sqlalchemy(at.value_type, _depth + 1)
    if isinstance(at, pa.ExtensionType):
        if getattr(at, "extension_name", "") == "arrow.uuid":
            return UUID()
        return arrow_to_sqlalchemy(at.storage_type, _depth + 1)
    if t.is_boolean(at):
        return sat.Boolean()
    if t.is_integer(at):
        bits = at.bit_width + (0 if t.is_signed_integer(at) else 1)
        return (
            sat.SmallInteger() if bits <= 16 else sat.Integer() if bits <= 32 else sat.BigInteger()
        )
    if t.is_float16(at) or t.is_float32(at):
        return sat.REAL()
    if t.is_float64(at):
        return DOUBLE()
    if t.is_decimal(at):
        return sat.Numeric(at.precision, at.scale)
    if t.is_string(at) or t.is_large_string(at) or str(at) == "string_view":
        return sat.String()
    if t.is_fixed_size_binary(at):
        return sat.BINARY(at.byte_width)
    if t.is_binary(at) or t.is_large_binary(at) or str(at) == "binary_view":
        return sat.LargeBinary()
    if t.is_date(at):
        return sat.Date()
    if t.is_time(at):
        return sat.Time()
    if t.is_timestamp(at):
        return sat.DateTime(timezone=at.tz is not None)
    if t.is_duration(at) or t.is_interval(at):
        return sat.Interval()
    if t.is_list(at) or t.is_large_list(at) or t.is_fixed_size_list(at) or _is_list_view(at):
        item = arrow_to_sqlalchemy(at.value_type, _depth + 1)
        if isinstance(item, sat.ARRAY):
            return sat.ARRAY(item.item_type, dimensions=(item.dimensions or 1) + 1)
        return sat.ARRAY(item)
    if t.is_map(at):
        return MAP(
            arrow_to_sqlalchemy(at.key_type, _depth + 1),
            arrow_to_sqlalchemy(at.item_type, _depth + 1),
        )
    if t.is_struct(at) or t.is_union(at):
        return STRUCT(
            [
                (at.field(i).name, arrow_to_sqlalchemy(at.field(i).type, _depth + 1))
                for i in range(at.num_fields)
            ]
        )
    return sat.NullType()


def _is_list_view(arrow_type: pa.DataType) -> bool:
    return str(arrow_type).startswith(("list_view<", "large_list_view<"))


def from_arrow_field(field: pa.Field | pa.DataType) -> tuple[sat.TypeEngine, DBAPITypeObject]:
    """SQLAlchemy type and PEP 249 type object of a result column that arrived as Arrow."""
    arrow_type = field.type if isinstance(field, pa.Field) else field
    return arrow_to_sqlalchemy(arrow_type), type_object_for_arrow(arrow_type)


def __getattr__(name: str) -> TypeMap:
    """The ready tables, built on first use in :mod:`sqlgate.core.typetables`."""
    if name in _TABLES:
        from sqlgate.core import typetables

        return getattr(typetables, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
