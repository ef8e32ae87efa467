"""The ready type tables, one per engine family, and how each spells Arrow types.

Import them from :mod:`sqlgate.core.typemap` (``from sqlgate.core.typemap import
POSTGRES_TYPES``). A source with its own names extends one:
``POSTGRES_TYPES.extend({"number": "numeric", "super": "json"})``. Names are matched
lower-cased, so ``UInt64`` finds ``uint64``; a string value is an alias.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pyarrow as pa
import sqlalchemy.types as sat

from sqlgate.core.typeentries import (
    ARRAY_OF,
    BLOB,
    BOOL,
    CHAR,
    DATE,
    F32,
    F64,
    I8,
    I16,
    I32,
    I64,
    I128,
    I256,
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
    as_struct,
    decimal,
    enum,
    fixed_binary,
    mysql_bit,
    mysql_tinyint,
    range_fields,
    scaled_decimal,
    simple,
    snowflake_number,
    snowflake_vector,
    struct,
    time_,
    timestamp,
)
from sqlgate.core.typemap import Spelling, TypeEntry, TypeMap
from sqlgate.core.types import DATETIME, ROWID

__all__ = [
    "BIGQUERY_TYPES",
    "CLICKHOUSE_TYPES",
    "DUCKDB_TYPES",
    "HIVE_TYPES",
    "ICEBERG_TYPES",
    "MYSQL_TYPES",
    "POSTGRES_TYPES",
    "SNOWFLAKE_TYPES",
]


def _names(words: str, target: TypeEntry | str) -> dict[str, TypeEntry | str]:
    """Several space-separated names mapping to one entry or alias."""
    return dict.fromkeys(words.split(), target)


# -- how each engine spells Arrow types ------------------------------------------------------------
_PREC = {"s": 0, "ms": 3, "us": 6, "ns": 9}


def _units(template: str, default: str | None = None, plain: str = "") -> dict[str, str]:
    """Unit -> spelling from a ``{p}`` template; the ``default`` unit is spelled ``plain``."""
    out = {u: template.format(p=p, tz="{tz}") for u, p in _PREC.items()}
    if default is not None:
        out[default] = plain
    return out


def _ints(words: str) -> dict[str, str]:
    """Spellings of int8 ... int64, uint8 ... uint64, in that order, ``|``-separated."""
    kinds = ("int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64")
    return dict(zip(kinds, words.split("|"), strict=True))


def _quote_with(mark: str) -> Callable[[str], str]:
    def quote(name: str) -> str:
        if name.isidentifier() and name.isascii():
            return name
        return mark + name.replace(mark, mark * 2) + mark

    return quote


POSTGRES_SPELLING = Spelling(
    names={
        **_ints("smallint|smallint|integer|bigint|smallint|integer|bigint|numeric(20,0)"),
        **{"bool": "boolean", "float16": "real", "float32": "real", "float64": "double precision"},
        **{"string": "text", "binary": "bytea", "date": "date", "null": "text", "uuid": "uuid"},
        **{"interval": "interval", "duration": "interval"},
    },
    decimal="numeric({p},{s})",
    fixed_binary="bytea",
    timestamp=_units("timestamp({p})", "us", "timestamp"),
    timestamptz=_units("timestamptz({p})", "us", "timestamptz"),
    time=_units("time({p})", "us", "time"),
    nested="jsonb",
)
MYSQL_SPELLING = Spelling(
    names={
        **_ints(
            "tinyint|smallint|int|bigint|tinyint unsigned|smallint unsigned|int unsigned|"
            "bigint unsigned"
        ),
        **{"bool": "tinyint(1)", "float16": "float", "float32": "float", "float64": "double"},
        **{"string": "longtext", "binary": "longblob", "date": "date", "null": "text"},
        **{"uuid": "char(36)", "duration": "time(6)"},
    },
    timestamp=_units("datetime({p})"),
    timestamptz=_units("datetime({p})"),
    time=_units("time({p})"),
    array=None,
)
DUCKDB_SPELLING = Spelling(
    names={
        **_ints("TINYINT|SMALLINT|INTEGER|BIGINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT"),
        **{"bool": "BOOLEAN", "float16": "FLOAT", "float32": "FLOAT", "float64": "DOUBLE"},
        **{"string": "VARCHAR", "binary": "BLOB", "date": "DATE", "null": "VARCHAR"},
        **{"uuid": "UUID", "interval": "INTERVAL", "duration": "INTERVAL"},
    },
    decimal="DECIMAL({p},{s})",
    decimal256="DOUBLE",  # DuckDB decimals stop at 38 digits
    fixed_binary="BLOB",
    timestamp={"s": "TIMESTAMP_S", "ms": "TIMESTAMP_MS", "us": "TIMESTAMP", "ns": "TIMESTAMP_NS"},
    timestamptz=dict.fromkeys(_PREC, "TIMESTAMP WITH TIME ZONE"),
    time=dict.fromkeys(_PREC, "TIME"),
    fixed_array="{0}[{n}]",
    struct="STRUCT({0})",
    map="MAP({0}, {1})",
    union="UNION({0})",
    quote=_quote_with('"'),
)
HIVE_SPELLING = Spelling(
    names={
        **_ints("tinyint|smallint|int|bigint|smallint|int|bigint|decimal(20,0)"),
        **{"bool": "boolean", "float16": "float", "float32": "float", "float64": "double"},
        **{"string": "string", "binary": "binary", "date": "date", "null": "void"},
        **{"uuid": "string", "duration": "interval day to second"},
        **{"interval": "interval year to month"},
    },
    fixed_binary="binary",
    timestamp=dict.fromkeys(_PREC, "timestamp_ntz"),
    timestamptz=dict.fromkeys(_PREC, "timestamp"),
    time=dict.fromkeys(_PREC, "string"),  # Spark has no TIME type
    array="array<{0}>",
    struct="struct<{0}>",
    field="{name}:{type}",
    field_sep=",",
    map="map<{0},{1}>",
    quote=_quote_with("`"),
)
ICEBERG_SPELLING = replace(
    HIVE_SPELLING,
    names={**HIVE_SPELLING.names, "int64": "long", "uint32": "long", "uuid": "uuid"},
    fixed_binary="fixed[{n}]",
    timestamp=_units("timestamp", "ns", "timestamp_ns"),
    timestamptz=_units("timestamptz", "ns", "timestamptz_ns"),
    time=dict.fromkeys(_PREC, "time"),
    array="list<{0}>",
)
CLICKHOUSE_SPELLING = Spelling(
    names={
        **_ints("Int8|Int16|Int32|Int64|UInt8|UInt16|UInt32|UInt64"),
        **{"bool": "Bool", "float16": "Float32", "float32": "Float32", "float64": "Float64"},
        **{"string": "String", "binary": "String", "date": "Date32", "null": "Nullable(Nothing)"},
        **{"uuid": "UUID", "duration": "Int64"},
    },
    decimal="Decimal({p}, {s})",
    fixed_binary="FixedString({n})",
    timestamp=_units("DateTime64({p})", "s", "DateTime"),
    timestamptz=_units("DateTime64({p}, '{tz}')", "s", "DateTime('{tz}')"),
    time=dict.fromkeys(_PREC, "String"),
    array="Array({0})",
    struct="Tuple({0})",
    positional=True,
    map="Map({0}, {1})",
    quote=_quote_with("`"),
)
SNOWFLAKE_SPELLING = Spelling(
    names={
        **_ints("|".join(["NUMBER(38,0)"] * 8)),
        **{"bool": "BOOLEAN", "float16": "FLOAT", "float32": "FLOAT", "float64": "FLOAT"},
        **{"string": "VARCHAR", "binary": "BINARY", "date": "DATE", "null": "VARIANT"},
        **{"uuid": "VARCHAR(36)"},
    },
    decimal="NUMBER({p},{s})",
    decimal256="FLOAT",  # Snowflake numbers stop at 38 digits
    fixed_binary="BINARY({n})",
    timestamp=_units("TIMESTAMP_NTZ({p})"),
    timestamptz=_units("TIMESTAMP_TZ({p})"),
    time=_units("TIME({p})"),
    array="ARRAY",  # semi-structured: element types are not declared
    struct="OBJECT",
    map="OBJECT",
    nested="VARIANT",
)
BIGQUERY_SPELLING = Spelling(
    names={
        **_ints("|".join(["INT64"] * 7 + ["NUMERIC"])),
        **{"bool": "BOOL", "float16": "FLOAT64", "float32": "FLOAT64", "float64": "FLOAT64"},
        **{"string": "STRING", "binary": "BYTES", "date": "DATE", "null": "STRING"},
        **{"uuid": "STRING", "interval": "INTERVAL", "duration": "INTERVAL"},
    },
    decimal="NUMERIC({p}, {s})",
    decimal256="BIGNUMERIC({p}, {s})",
    fixed_binary="BYTES({n})",
    timestamp=dict.fromkeys(_PREC, "DATETIME"),
    timestamptz=dict.fromkeys(_PREC, "TIMESTAMP"),
    time=dict.fromkeys(_PREC, "TIME"),
    array="ARRAY<{0}>",
    struct="STRUCT<{0}>",
    nested="JSON",
    quote=_quote_with("`"),
)

# -- the tables ------------------------------------------------------------------------------------
POSTGRES_TYPES = TypeMap(
    {
        **{"bool": BOOL, "int2": I16, "int4": I32, "int8": I64, "float4": F32, "float8": F64},
        **{"numeric": decimal(), "money": decimal(19, 2), "array": ARRAY_OF},
        **{"text": TEXT, "varchar": VARCHAR, "bpchar": CHAR, "name": STR, "citext": TEXT},
        **{"bytea": BLOB, "date": DATE, "time": TIME, "timetz": time_(timezone=True)},
        **{"timestamp": TS, "timestamptz": TSTZ, "interval": INTERVAL, "uuid": UUIDS},
        **{"json": JSON, "jsonb": JSON, "oid": simple(pa.uint32(), sat.BigInteger, ROWID)},
        **{"tid": simple(pa.string(), sat.String, ROWID)},
        **_names(
            "inet cidr macaddr macaddr8 xml tsvector tsquery bit varbit unknown point line lseg"
            " box path polygon circle int4range int8range numrange tsrange tstzrange daterange"
            " txid_snapshot pg_lsn regclass regtype regproc regnamespace regrole int2vector"
            " oidvector aclitem pg_node_tree pg_ndistinct pg_dependencies",
            STR,
        ),
        **_names("boolean", "bool"),
        **_names("smallint smallserial serial2", "int2"),
        **_names("integer int serial serial4", "int4"),
        **_names("bigint bigserial serial8", "int8"),
        **_names("xid cid", "oid"),
        **{"decimal": "numeric", "real": "float4", "double precision": "float8", "float": "float8"},
        **{"character varying": "varchar", "character": "bpchar", "char": "bpchar"},
        **{"bit varying": "varbit", "timestamp without time zone": "timestamp", "ctid": "tid"},
        **{"timestamp with time zone": "timestamptz", "time without time zone": "time"},
        **{"time with time zone": "timetz"},
    },
    spelling=POSTGRES_SPELLING,
    prefix_fallback=frozenset({"interval"}),  # interval day to second, interval year ...
    underscore_arrays=True,  # _int4 is int4[]
    name="postgresql",
)

MYSQL_TYPES = TypeMap(
    {
        **{"tinyint": mysql_tinyint(False), "tinyint unsigned": mysql_tinyint(True)},
        **{"smallint": I16, "smallint unsigned": U16, "mediumint": I32, "int": I32},
        **{"mediumint unsigned": U32, "int unsigned": U32, "bigint": I64, "bigint unsigned": U64},
        **{"bit": mysql_bit(), "bool": BOOL, "decimal": decimal(10, 0), "float": F32},
        **{"double": F64, "year": I16, "char": CHAR, "varchar": VARCHAR, "text": TEXT},
        **{"json": JSON, "null": NULL, "binary": fixed_binary(), "varbinary": VARBINARY},
        **{"blob": BLOB, "enum": enum(), "set": STR, "date": DATE, "datetime": TS},
        **{"timestamp": TS},  # the driver hands back naive datetimes in the session zone
        # TIME is a signed duration up to 838:59:59; drivers return timedelta
        **{"time": TypeEntry(lambda n, m: pa.duration("us"), lambda n, m: sat.Time(), DATETIME)},
        **_names("tinytext mediumtext longtext", "text"),
        **_names("tinyblob mediumblob longblob", "blob"),
        **_names(
            "geometry point linestring polygon multipoint multilinestring multipolygon"
            " geometrycollection geomcollection",
            "blob",
        ),
        **{"boolean": "bool", "integer": "int", "integer unsigned": "int unsigned"},
        **{"dec": "decimal", "numeric": "decimal", "fixed": "decimal", "real": "double"},
        **{"double precision": "double", "decimal unsigned": "decimal"},
        **{"float unsigned": "float", "double unsigned": "double"},
    },
    spelling=MYSQL_SPELLING,
    ignore_words=frozenset({"zerofill", "signed"}),
    name="mysql",
)

DUCKDB_TYPES = TypeMap(
    {
        **{"boolean": BOOL, "tinyint": I8, "smallint": I16, "integer": I32, "bigint": I64},
        **{"hugeint": I128, "uhugeint": I128, "utinyint": U8, "usmallint": U16},
        **{"uinteger": U32, "ubigint": U64, "float": F32, "double": F64, "decimal": decimal(18, 3)},
        **{"varchar": VARCHAR, "blob": BLOB, "date": DATE, "time": TIME, "interval": INTERVAL},
        **{"timetz": time_(timezone=True), "timestamp": TS, "timestamptz": TSTZ},
        **{"timestamp_ns": timestamp(None, "ns", fixed=True), "uuid": UUIDS, "json": JSON},
        **{"timestamp_ms": timestamp(None, "ms", fixed=True), "enum": enum(), "null": NULL},
        **{"timestamp_s": timestamp(None, "s", fixed=True), "list": ARRAY_OF, "array": ARRAY_OF},
        **{"struct": STRUCT_OF, "map": MAP_OF, "union": struct(union=True), "bit": STR},
        **{"varint": STR},
        **_names("bool logical", "boolean"),
        **_names("int1", "tinyint"),
        **_names("int2 short", "smallint"),
        **_names("int4 int signed", "integer"),
        **_names("int8 long", "bigint"),
        **_names("float4 real", "float"),
        **_names("float8", "double"),
        **_names("char bpchar text string", "varchar"),
        **_names("bytea binary varbinary geometry", "blob"),
        **_names("datetime timestamp_us", "timestamp"),
        **{"int128": "hugeint", "numeric": "decimal", "bitstring": "bit", "bignum": "varint"},
        **{"timestamp with time zone": "timestamptz", "timestamp without time zone": "timestamp"},
        **{"time with time zone": "timetz", "time without time zone": "time"},
        **{"double precision": "double", "character varying": "varchar"},
    },
    spelling=DUCKDB_SPELLING,
    name="duckdb",
)

HIVE_TYPES = TypeMap(
    {
        **{"string": STR, "varchar": VARCHAR, "char": CHAR, "bigint": I64, "int": I32},
        **{"smallint": I16, "tinyint": I8, "float": F32, "double": F64, "boolean": BOOL},
        # Spark's (and Delta's, Databricks') timestamp is an instant; timestamp_ntz is not
        **{"binary": BLOB, "date": DATE, "timestamp": TSTZ, "timestamp_ntz": TS},
        **{"decimal": decimal(10, 0), "fixed": fixed_binary(), "uuid": UUIDS, "time": TIME},
        **{"array": ARRAY_OF, "struct": STRUCT_OF, "map": MAP_OF, "void": NULL, "variant": JSON},
        **{"interval": simple(pa.duration("us"), sat.Interval, DATETIME), "json": JSON},
        **{"timestamp_ns": timestamp(None, "ns", fixed=True)},
        **{"timestamptz_ns": timestamp("UTC", "ns", fixed=True)},
        **_names("long", "bigint"),
        **_names("integer", "int"),
        **_names("short", "smallint"),
        **_names("byte", "tinyint"),
        **_names("real", "float"),
        **_names("bool", "boolean"),
        **_names("timestamptz timestamp_ltz", "timestamp"),
        **_names("list", "array"),
        **_names("dec numeric", "decimal"),
        **{"double precision": "double", "interval year to month": INTERVAL},
        **{"interval year": INTERVAL, "interval month": INTERVAL},
    },
    spelling=HIVE_SPELLING,
    prefix_fallback=frozenset({"interval"}),
    name="hive",
)
# Iceberg's ``timestamp`` has no zone (Spark's does): the one place the two disagree.
ICEBERG_TYPES = HIVE_TYPES.extend(
    {"timestamp": TS, "timestamptz": TSTZ},
    spelling=ICEBERG_SPELLING,
    name="iceberg",
)

CLICKHOUSE_TYPES = TypeMap(
    {
        **{"int8": I8, "int16": I16, "int32": I32, "int64": I64, "int128": I128, "int256": I256},
        **{"uint8": U8, "uint16": U16, "uint32": U32, "uint64": U64, "uint128": I128},
        **{"uint256": I256, "float32": F32, "float64": F64, "bool": BOOL, "decimal": decimal(10)},
        **{"decimal32": scaled_decimal(9), "decimal64": scaled_decimal(18)},
        **{"decimal128": scaled_decimal(38), "decimal256": scaled_decimal(76)},
        **{"string": STR, "fixedstring": fixed_binary(), "date": DATE, "uuid": UUIDS},
        **{"datetime": timestamp(None, "s", fixed=True, tz_param=True)},
        **{"datetime64": timestamp(None, "ms", tz_param=True), "ipv4": STR, "ipv6": STR},
        **{"enum8": enum(), "enum16": enum(), "array": ARRAY_OF, "tuple": STRUCT_OF},
        **{"map": MAP_OF, "json": JSON, "object": JSON, "nothing": NULL},
        **{"aggregatefunction": BLOB, "nested": as_struct(lambda n: n.fields, listed=True)},
        **{"date32": "date", "enum": "enum8", "bfloat16": "float32", "boolean": "bool"},
    },
    spelling=CLICKHOUSE_SPELLING,
    wrappers={"nullable": 0, "lowcardinality": 0, "simpleaggregatefunction": -1},
    name="clickhouse",
)

SNOWFLAKE_TYPES = TypeMap(
    {
        **{"number": snowflake_number(), "float": F64, "varchar": VARCHAR, "binary": VARBINARY},
        **{"boolean": BOOL, "date": DATE, "time": time_("ns")},
        **{"timestamp_ntz": timestamp(None, "ns"), "timestamp_tz": timestamp("UTC", "ns")},
        **{"timestamp_ltz": timestamp("UTC", "ns"), "variant": JSON, "object": STRUCT_OF},
        **{"array": ARRAY_OF, "map": MAP_OF, "geography": STR, "geometry": STR},
        **{"vector": snowflake_vector()},
        **_names("decimal numeric dec", "number"),
        **_names("int integer bigint smallint tinyint byteint", "number(38,0)"),
        **_names("float4 float8 double real", "float"),
        **_names("char character string text nchar nvarchar nvarchar2", "varchar"),
        **{"double precision": "float", "char varying": "varchar", "nchar varying": "varchar"},
        **{"varbinary": "binary", "datetime": "timestamp_ntz", "timestamp": "timestamp_ntz"},
    },
    spelling=SNOWFLAKE_SPELLING,
    name="snowflake",
)

BIGQUERY_TYPES = TypeMap(
    {
        **{"int64": I64, "float64": F64, "numeric": decimal(38, 9), "bignumeric": decimal(76, 38)},
        **{"bool": BOOL, "string": VARCHAR, "bytes": VARBINARY, "date": DATE, "time": TIME},
        **{"datetime": TS, "timestamp": TSTZ, "interval": INTERVAL, "json": JSON},
        **{
            "geography": STR,
            "array": ARRAY_OF,
            "struct": STRUCT_OF,
            "range": as_struct(range_fields),
        },
        **_names("int integer smallint bigint tinyint byteint", "int64"),
        **{"float": "float64", "decimal": "numeric", "bigdecimal": "bignumeric"},
        **{"boolean": "bool", "record": "struct"},
    },
    spelling=BIGQUERY_SPELLING,
    name="bigquery",
)
