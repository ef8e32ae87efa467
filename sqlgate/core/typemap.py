"""One type table per engine family sqlgate speaks: type text to Arrow, SQLAlchemy, PEP 249.

The wire families turn a column's type name into Arrow (``fetch_arrow_table()``) with
:data:`POSTGRES_TYPES` and :data:`MYSQL_TYPES`; the lakehouse names Arrow result types the
way DuckDB does with :data:`DUCKDB_TYPES` and reflects Arrow schemas with
:func:`arrow_to_sqlalchemy`. Type text is parsed by sqlglot in the engine's dialect
(:mod:`sqlgate.core.types_parse`), so a table only says what each of sqlglot's type names
means (``kinds``, keyed ``int``, ``decimal``, ``timestamptz``...) plus the engine spellings
sqlglot does not know or reads differently (``names``: ``citext``, ``tsvector``, ``oid``,
aliases such as ``"serial8": "bigint"``). A source with its own names extends a table:
``POSTGRES_TYPES.extend({"number": "numeric", "super": "jsonb"})``.

Reflection must never fail on a type it does not know, so unknown or malformed types map to
``NullType`` (SQLAlchemy) or ``string`` (Arrow) with a :class:`TypeMappingWarning` naming them.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

import pyarrow as pa
import sqlalchemy.types as sat
from sqlglot import exp

from sqlgate.core.types import DATETIME, ROWID, STRING, DBAPITypeObject
from sqlgate.core.types_arrow import arrow_to_sqlalchemy, duckdb_type_string, from_arrow_field
from sqlgate.core.types_entries import (
    ARRAY_OF,
    BLOB,
    BOOL,
    CHAR,
    DATE,
    ENUM,
    F32,
    F64,
    I8,
    I16,
    I32,
    I64,
    I128,
    INTERVAL,
    JSON,
    MAP_OF,
    NULL,
    STR,
    STRUCT_OF,
    TEXT,
    TIME,
    TS,
    TSTZ,
    U8,
    U16,
    U32,
    U64,
    UUIDS,
    VARBINARY,
    VARCHAR,
    TypeEntry,
    decimal,
    fixed_binary,
    mysql_bit,
    mysql_tinyint,
    simple,
    struct,
    time_,
    timestamp,
)
from sqlgate.core.types_parse import (
    MAX_DEPTH,
    DType,
    TypeMappingWarning,
    TypeParseError,
    array_of,
    parse_error,
    parse_type,
    type_key,
    user_type,
)

__all__ = [
    "DUCKDB_TYPES",
    "MYSQL_TYPES",
    "POSTGRES_TYPES",
    "TypeEntry",
    "TypeMap",
    "TypeMappingWarning",
    "TypeParseError",
    "arrow_to_sqlalchemy",
    "from_arrow_field",
    "simple",
]

Entries = Mapping[str, "TypeEntry | str"]
#: the boolean, integer and float kinds engines spell alike; a table spreads them
#: (``kinds={**STANDARD_NUMBERS, ...}``) and overrides what its engine means otherwise
STANDARD_NUMBERS: Mapping[str, TypeEntry] = MappingProxyType(
    {"boolean": BOOL, "tinyint": I8, "smallint": I16, "int": I32, "bigint": I64}
    | {"float": F32, "double": F64}
)
_MAX_ALIASES = 16  # alias chains are short; a cycle must not hang
# a name sqlglot does not know, as written: ``tsvector``, ``public."MyEnum"``, ``bit varying``
_WORD = r'(?:"[^"]*"|[A-Za-z_][\w$]*)'
_USER = re.compile(rf"\s*(?P<name>{_WORD}(?:\s*\.\s*{_WORD}|\s+{_WORD})*)(?P<rest>.*)", re.S)
# what may follow it: ``(5)``, ``('a', 3)``, ``[]``, ``(5)[][]``
_REST = re.compile(r"\s*(?:\((?P<args>[^()]*)\))?(?P<dims>(?:\s*\[\s*\d*\s*\])*)\s*", re.S)
_LITERAL = re.compile(r"\s*(?:(?P<int>-?\d{1,18})|'(?P<text>[^']*)')\s*")
_UNDERSCORE_ARRAY = re.compile(r"\s*_(?P<element>[A-Za-z]\w*)\s*")


def _key(name: str) -> str:
    return " ".join(name.replace('"', "").lower().split())


def _user_node(name: str, rest: str) -> exp.DataType | None:
    """A user-defined node for ``name`` and what follows it, or ``None`` if that is not
    plain arguments and array suffixes."""
    match = _REST.fullmatch(rest)
    if match is None or match["dims"].count("[") > MAX_DEPTH:
        return None
    args: list[int | str] = []
    for arg in match["args"].split(",") if match["args"] is not None else ():
        literal = _LITERAL.fullmatch(arg)
        if literal is None:  # a type, not a literal: MAP(VARCHAR, foo) is not a plain name
            return None
        args.append(int(literal["int"]) if literal["int"] else literal["text"])
    return array_of(user_type(_key(name), tuple(args)), match["dims"].count("["))


class TypeMap:
    """Maps one engine family's type strings; immutable, extended by :meth:`extend`."""

    def __init__(
        self,
        names: Entries | None = None,
        *,
        kinds: Entries | None = None,
        dialect: str | None = None,
        spelling: Callable[[pa.DataType], str] | None = None,
        ignore_words: frozenset[str] = frozenset(),
        underscore_arrays: bool = False,
        name: str = "",
    ) -> None:
        """``kinds``: sqlglot type name (lower-case) -> entry. ``names``: engine spelling ->
        entry or alias, matched before sqlglot parses (on the leading name) and for names
        sqlglot keeps as user-defined. ``ignore_words`` are dropped before parsing (MySQL
        ``zerofill``); ``underscore_arrays`` reads ``_int4`` as ``int4[]``; ``spelling``
        names Arrow types for :meth:`arrow_to_type_string`.
        """
        self.entries: Mapping[str, TypeEntry | str] = MappingProxyType(
            {_key(k): v for k, v in (names or {}).items()}
        )
        self.kinds: Mapping[str, TypeEntry | str] = MappingProxyType(
            {k.lower(): v for k, v in (kinds or {}).items()}
        )
        self.dialect = dialect
        self.spelling = spelling
        self.ignore_words = frozenset(w.lower() for w in ignore_words)
        self.underscore_arrays = underscore_arrays
        self.name = name
        words = sorted(self.entries, key=len, reverse=True)  # longest first: "bit varying"
        pattern = "|".join(r"\s+".join(map(re.escape, w.split())) for w in words)
        self._head = re.compile(rf"\s*({pattern})(?![\w$])", re.I) if words else None
        self._ignored = (
            re.compile(rf"\s+(?:{'|'.join(map(re.escape, self.ignore_words))})\b", re.I)
            if self.ignore_words
            else None
        )

    def extend(self, entries: Entries | None = None, **options: Any) -> TypeMap:
        """A new map with ``entries`` added to the names (and any constructor option)."""
        current: dict[str, Any] = {
            "kinds": self.kinds,
            "dialect": self.dialect,
            "spelling": self.spelling,
            "ignore_words": self.ignore_words,
            "underscore_arrays": self.underscore_arrays,
            "name": self.name,
        }
        return TypeMap({**self.entries, **(entries or {})}, **{**current, **options})

    def __contains__(self, type_string: object) -> bool:
        if not isinstance(type_string, (str, exp.DataType)):
            return False  # what parse() would refuse
        try:
            return self._entry(self.parse(type_string)) is not None
        except TypeParseError:
            return False

    def __repr__(self) -> str:
        return f"<TypeMap {self.name or '?'}: {len(self.kinds)} kinds, {len(self.entries)} names>"

    # -- parsing -------------------------------------------------------------------------------
    def parse(self, type_string: str | exp.DataType) -> exp.DataType:
        """The sqlglot node of a type string, engine names and aliases applied first.

        Raises :class:`TypeParseError` for text that is not a type.
        """
        if isinstance(type_string, exp.DataType):
            return type_string
        if not isinstance(type_string, str):
            raise parse_error(
                type_string, f"a type must be a string, not {type(type_string).__name__}"
            )
        text = self._ignored.sub("", type_string) if self._ignored else type_string
        for _ in range(_MAX_ALIASES):
            head = self._head.match(text) if self._head else None
            if head is None:
                underscore = self.underscore_arrays and _UNDERSCORE_ARRAY.fullmatch(text)
                if not underscore:
                    return self._parse_text(text)
                text = f"{underscore['element']}[]"
                continue
            value, rest = self.entries[_key(head[1])], text[head.end() :]
            if isinstance(value, str):  # an alias; the text's own arguments win over its
                text = (re.split(r"[(\[]", value)[0] if rest.lstrip()[:1] == "(" else value) + rest
                continue
            node = _user_node(head[1], rest)
            if node is not None:
                return node
            return self._parse_text(text)  # "timestamp with time zone" after a "timestamp" name
        raise parse_error(type_string, "its aliases form a cycle")

    def _parse_text(self, text: str) -> exp.DataType:
        try:
            return parse_type(text, self.dialect)
        except TypeParseError:
            user = _USER.fullmatch(text)  # a name sqlglot does not know: unknown, not malformed
            node = _user_node(user["name"], user["rest"]) if user else None
            if node is None:
                raise
            return node

    def _entry(self, node: exp.DataType) -> TypeEntry | None:
        key = type_key(node)
        value = None if node.this == DType.USERDEFINED else self.kinds.get(key)
        if value is None:
            value = self.entries.get(key)
        if isinstance(value, str):
            try:
                return self._entry(self.parse(value))
            except (TypeParseError, RecursionError):
                return None
        return value

    # -- public mappings ---------------------------------------------------------------------
    def to_sqlalchemy(self, type_string: str | exp.DataType) -> sat.TypeEngine:
        """A SQLAlchemy type; ``NullType`` plus a warning for anything unknown or malformed."""
        try:
            node = self.parse(type_string)
        except TypeParseError as error:
            _warn(f"{error}; using NullType")
            return sat.NullType()
        return self.sa_node(node)

    def to_arrow(self, type_string: str | exp.DataType) -> pa.DataType:
        """An Arrow type; ``string`` plus a warning for anything unknown or malformed."""
        try:
            node = self.parse(type_string)
        except TypeParseError as error:
            _warn(f"{error}; using Arrow string")
            return pa.string()
        return self.arrow_node(node)

    def type_object(self, type_string: str | exp.DataType) -> DBAPITypeObject:
        """The PEP 249 type object (``STRING`` for anything unknown; never warns)."""
        try:
            entry = self._entry(self.parse(type_string))
        except TypeParseError:
            return STRING
        return entry.dbapi if entry is not None else STRING

    def arrow_to_sqlalchemy(self, arrow_type: pa.DataType) -> sat.TypeEngine:
        """The SQLAlchemy type for an Arrow type (the same for every engine)."""
        return arrow_to_sqlalchemy(arrow_type)

    def arrow_to_type_string(self, arrow_type: pa.DataType) -> str:
        """How this engine spells an Arrow type (``cursor.description`` of Arrow results)."""
        if self.spelling is None:
            raise NotImplementedError(f"{self!r} has no spelling for Arrow types")
        return self.spelling(arrow_type)

    # -- members of nested types ---------------------------------------------------------------
    def sa_node(self, node: exp.DataType) -> sat.TypeEngine:
        """Map one parsed node (nested entries call this for their members)."""
        entry = self._entry(node)
        if entry is None:
            _warn(f"unknown type {_show(node)}; using NullType")
            return sat.NullType()
        try:
            return entry.sqlalchemy(node, self)
        except Exception as error:  # a table bug must not break reflection of a whole schema
            _warn(f"cannot map type {_show(node)} ({error}); using NullType")
            return sat.NullType()

    def arrow_node(self, node: exp.DataType) -> pa.DataType:
        """Map one parsed node to Arrow (nested entries call this for their members)."""
        entry = self._entry(node)
        if entry is None:
            _warn(f"unknown type {_show(node)}; using Arrow string")
            return pa.string()
        try:
            return entry.arrow(node, self)
        except Exception as error:  # e.g. decimal128(0, 0): warn and carry on
            _warn(f"cannot map type {_show(node)} ({error}); using Arrow string")
            return pa.string()


def _show(value: object) -> str:
    """A type for a warning: its text as written, or as sqlglot prints it."""
    if isinstance(value, exp.DataType):
        value = value.sql()
    text = repr(value)
    return text if len(text) <= 120 else text[:117] + "..."


def _warn(message: str) -> None:
    warnings.warn(message, TypeMappingWarning, stacklevel=4)


def _names(words: str, target: TypeEntry | str) -> dict[str, TypeEntry | str]:
    """Several space-separated names mapping to one entry or alias."""
    return dict.fromkeys(words.split(), target)


# -- the tables: keys of ``kinds`` are sqlglot's type names, lower-cased -------------------------
POSTGRES_TYPES = TypeMap(
    {
        **{"citext": TEXT, "oid": simple(pa.uint32(), sat.BigInteger, ROWID), "xid": "oid"},
        **{"cid": "oid", "tid": simple(pa.string(), sat.String, ROWID), "ctid": "tid"},
        **{"bit varying": "varbit", "unknown": STR},
        **{"serial2": "smallint", "serial4": "integer", "serial8": "bigint"},
        **_names(
            "cidr macaddr macaddr8 tsvector tsquery varbit line lseg box path polygon circle"
            " txid_snapshot pg_lsn regclass regtype regproc regnamespace regrole int2vector"
            " oidvector aclitem pg_node_tree pg_ndistinct pg_dependencies",
            STR,
        ),
    },
    kinds={
        **{"boolean": BOOL, "smallint": I16, "int": I32, "bigint": I64, "float": F32},
        **{"smallserial": I16, "serial": I32, "bigserial": I64, "double": F64},
        **{"decimal": decimal(), "money": decimal(19, 2), "array": ARRAY_OF},
        **{"text": TEXT, "varchar": VARCHAR, "char": CHAR, "bpchar": CHAR, "name": STR},
        **{"varbinary": BLOB, "date": DATE, "time": TIME, "timetz": time_(timezone=True)},
        **{"timestamp": TS, "timestamptz": TSTZ, "interval": INTERVAL, "uuid": UUIDS},
        **{"json": JSON, "jsonb": JSON, "unknown": STR},
        **_names(
            "inet xml bit point int4range int8range numrange tsrange tstzrange daterange", STR
        ),
    },
    dialect="postgres",
    underscore_arrays=True,  # _int4 is int4[]
    name="postgresql",
)

MYSQL_TYPES = TypeMap(
    _names(
        "point linestring polygon multipoint multilinestring multipolygon geometrycollection"
        " geomcollection",
        BLOB,
    ),
    kinds={
        **{"tinyint": mysql_tinyint(False), "utinyint": mysql_tinyint(True)},
        **{"smallint": I16, "usmallint": U16, "mediumint": I32, "umediumint": U32, "int": I32},
        **{"uint": U32, "bigint": I64, "ubigint": U64, "bit": mysql_bit(), "boolean": BOOL},
        **{"decimal": decimal(10, 0), "udecimal": decimal(10, 0), "float": F32, "ufloat": F32},
        **{"double": F64, "udouble": F64, "year": I16, "char": CHAR, "varchar": VARCHAR},
        **{"json": JSON, "null": NULL, "binary": fixed_binary(), "varbinary": VARBINARY},
        **{"enum": ENUM, "set": STR, "date": DATE, "datetime": TS, "geometry": BLOB},
        # the driver hands back naive datetimes in the session zone (sqlglot says TIMESTAMPTZ)
        **{"timestamp": TS, "timestamptz": TS},
        # TIME is a signed duration up to 838:59:59; drivers return timedelta
        "time": TypeEntry(lambda n, m: pa.duration("us"), lambda n, m: sat.Time(), DATETIME),
        **_names("text tinytext mediumtext longtext", TEXT),
        **_names("blob tinyblob mediumblob longblob", BLOB),
    },
    dialect="mysql",
    ignore_words=frozenset({"zerofill"}),
    name="mysql",
)

DUCKDB_TYPES = TypeMap(
    {"varint": STR},
    kinds={
        **{"boolean": BOOL, "tinyint": I8, "smallint": I16, "int": I32, "bigint": I64},
        **{"int128": I128, "uint128": I128, "utinyint": U8, "usmallint": U16, "uint": U32},
        **{"ubigint": U64, "float": F32, "double": F64, "decimal": decimal(18, 3)},
        **{"text": VARCHAR, "varchar": VARCHAR, "char": VARCHAR, "varbinary": BLOB},
        **{"blob": BLOB, "date": DATE, "time": TIME, "time_ns": time_("ns"), "uuid": UUIDS},
        **{"timetz": time_(timezone=True), "timestamp": TS, "timestampntz": TS},
        **{"timestamptz": TSTZ, "timestamp_ns": timestamp(None, "ns", fixed=True)},
        **{"timestamp_ms": timestamp(None, "ms", fixed=True), "interval": INTERVAL},
        **{"timestamp_s": timestamp(None, "s", fixed=True), "json": JSON, "enum": ENUM},
        **{"null": NULL, "array": ARRAY_OF, "list": ARRAY_OF, "struct": STRUCT_OF},
        **{"map": MAP_OF, "union": struct(union=True), "bit": STR, "bignum": STR},
        "geometry": BLOB,
    },
    dialect="duckdb",
    spelling=duckdb_type_string,
    name="duckdb",
)
