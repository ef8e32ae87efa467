"""Type strings -> SQLAlchemy / Arrow / PEP 249 for every table, on SQLAlchemy 1.4 and 2.x."""

from __future__ import annotations

import random
import warnings
from typing import Any

import pyarrow as pa
import pytest
import sqlalchemy as sa
import sqlalchemy.types as sat
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SAWarning
from sqlalchemy.schema import CreateTable

from sqlgate.core.sqltypes import MAP, STRUCT
from sqlgate.core.typeentries import simple
from sqlgate.core.typemap import (
    BIGQUERY_TYPES,
    CLICKHOUSE_TYPES,
    DUCKDB_TYPES,
    HIVE_TYPES,
    ICEBERG_TYPES,
    MYSQL_TYPES,
    POSTGRES_TYPES,
    SNOWFLAKE_TYPES,
    TypeMap,
    TypeMappingWarning,
    arrow_to_sqlalchemy,
    from_arrow_field,
)
from sqlgate.core.types import BINARY, DATETIME, NUMBER, ROWID, STRING

ALL_MAPS = [
    POSTGRES_TYPES,
    MYSQL_TYPES,
    DUCKDB_TYPES,
    HIVE_TYPES,
    ICEBERG_TYPES,
    CLICKHOUSE_TYPES,
    SNOWFLAKE_TYPES,
    BIGQUERY_TYPES,
]
PG, MY, DUCK, HIVE, ICE, CH, SF, BQ = ALL_MAPS
UTC = "UTC"


def quiet(fn: Any, *args: Any) -> Any:
    """Call ``fn`` and fail if it warns: known types must map silently."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", TypeMappingWarning)
        return fn(*args)


# (map, type string, SQLAlchemy class, attributes to check, Arrow type, PEP 249 object)
SCALARS = [
    # PostgreSQL
    (PG, "int2", sat.SmallInteger, {}, pa.int16(), NUMBER),
    (PG, "int4", sat.Integer, {}, pa.int32(), NUMBER),
    (PG, "integer", sat.Integer, {}, pa.int32(), NUMBER),
    (PG, "serial", sat.Integer, {}, pa.int32(), NUMBER),
    (PG, "bigserial", sat.BigInteger, {}, pa.int64(), NUMBER),
    (PG, "int8", sat.BigInteger, {}, pa.int64(), NUMBER),
    (PG, "numeric(10,2)", sat.Numeric, {"precision": 10, "scale": 2}, pa.decimal128(10, 2), NUMBER),
    (PG, "numeric(50,5)", sat.Numeric, {"precision": 50}, pa.decimal256(50, 5), NUMBER),
    (PG, "numeric(12)", sat.Numeric, {"precision": 12, "scale": 0}, pa.decimal128(12, 0), NUMBER),
    (PG, "numeric", sat.Numeric, {"precision": None}, pa.string(), NUMBER),
    (PG, "float4", sat.Float, {}, pa.float32(), NUMBER),
    (PG, "double precision", sat.Float, {}, pa.float64(), NUMBER),
    (PG, "text", sat.Text, {}, pa.string(), STRING),
    (PG, "varchar(255)", sat.String, {"length": 255}, pa.string(), STRING),
    (PG, "character varying(20)", sat.String, {"length": 20}, pa.string(), STRING),
    (PG, "character varying", sat.String, {"length": None}, pa.string(), STRING),
    (PG, "char(3)", sat.CHAR, {"length": 3}, pa.string(), STRING),
    (PG, "bpchar", sat.CHAR, {}, pa.string(), STRING),
    (PG, "name", sat.String, {}, pa.string(), STRING),
    (PG, "citext", sat.Text, {}, pa.string(), STRING),
    (PG, "bytea", sat.LargeBinary, {}, pa.binary(), BINARY),
    (PG, "bool", sat.Boolean, {}, pa.bool_(), NUMBER),
    (PG, "boolean", sat.Boolean, {}, pa.bool_(), NUMBER),
    (PG, "date", sat.Date, {}, pa.date32(), DATETIME),
    (PG, "time", sat.Time, {"timezone": False}, pa.time64("us"), DATETIME),
    (PG, "time(3)", sat.Time, {}, pa.time32("ms"), DATETIME),
    (PG, "timetz", sat.Time, {"timezone": True}, pa.time64("us"), DATETIME),
    (PG, "time with time zone", sat.Time, {"timezone": True}, pa.time64("us"), DATETIME),
    (PG, "timestamp", sat.DateTime, {"timezone": False}, pa.timestamp("us"), DATETIME),
    (PG, "timestamp(0)", sat.DateTime, {}, pa.timestamp("s"), DATETIME),
    (PG, "timestamptz", sat.DateTime, {"timezone": True}, pa.timestamp("us", UTC), DATETIME),
    (
        PG,
        "timestamp(3) with time zone",
        sat.DateTime,
        {"timezone": True},
        pa.timestamp("ms", UTC),
        DATETIME,
    ),
    (PG, "timestamp without time zone", sat.DateTime, {}, pa.timestamp("us"), DATETIME),
    (PG, "interval", sat.Interval, {}, pa.month_day_nano_interval(), DATETIME),
    (PG, "interval day to second", sat.Interval, {}, pa.month_day_nano_interval(), DATETIME),
    (PG, "uuid", sat.TypeEngine, {}, pa.string(), STRING),
    (PG, "json", sat.JSON, {}, pa.string(), STRING),
    (PG, "jsonb", sat.JSON, {}, pa.string(), STRING),
    (PG, "inet", sat.String, {}, pa.string(), STRING),
    (PG, "cidr", sat.String, {}, pa.string(), STRING),
    (PG, "macaddr", sat.String, {}, pa.string(), STRING),
    (PG, "money", sat.Numeric, {"precision": 19, "scale": 2}, pa.decimal128(19, 2), NUMBER),
    (PG, "xml", sat.String, {}, pa.string(), STRING),
    (PG, "oid", sat.BigInteger, {}, pa.uint32(), ROWID),
    (PG, "tsvector", sat.String, {}, pa.string(), STRING),
    (PG, "unknown", sat.String, {}, pa.string(), STRING),
    # MySQL
    (MY, "tinyint", sat.SmallInteger, {}, pa.int8(), NUMBER),
    (MY, "tinyint(1)", sat.Boolean, {}, pa.bool_(), NUMBER),
    (MY, "tinyint(4)", sat.SmallInteger, {}, pa.int8(), NUMBER),
    (MY, "tinyint unsigned", sat.SmallInteger, {}, pa.uint8(), NUMBER),
    (MY, "tinyint(1) unsigned", sat.SmallInteger, {}, pa.uint8(), NUMBER),
    (MY, "smallint unsigned", sat.Integer, {}, pa.uint16(), NUMBER),
    (MY, "mediumint", sat.Integer, {}, pa.int32(), NUMBER),
    (MY, "int(11)", sat.Integer, {}, pa.int32(), NUMBER),
    (MY, "int unsigned", sat.BigInteger, {}, pa.uint32(), NUMBER),
    (MY, "int(10) unsigned zerofill", sat.BigInteger, {}, pa.uint32(), NUMBER),
    (MY, "bigint", sat.BigInteger, {}, pa.int64(), NUMBER),
    (MY, "bigint(20) unsigned", sat.BigInteger, {}, pa.uint64(), NUMBER),
    (MY, "bit(1)", sat.Boolean, {}, pa.bool_(), NUMBER),
    (MY, "bit(8)", sat.BigInteger, {}, pa.uint64(), NUMBER),
    (MY, "decimal(10,2)", sat.Numeric, {"precision": 10, "scale": 2}, pa.decimal128(10, 2), NUMBER),
    (MY, "decimal(65,30)", sat.Numeric, {"precision": 65}, pa.decimal256(65, 30), NUMBER),
    (MY, "decimal", sat.Numeric, {"precision": 10, "scale": 0}, pa.decimal128(10, 0), NUMBER),
    (MY, "decimal(10,2) unsigned", sat.Numeric, {"scale": 2}, pa.decimal128(10, 2), NUMBER),
    (MY, "float", sat.Float, {}, pa.float32(), NUMBER),
    (MY, "double", sat.Float, {}, pa.float64(), NUMBER),
    (MY, "char(10)", sat.CHAR, {"length": 10}, pa.string(), STRING),
    (MY, "varchar(255)", sat.String, {"length": 255}, pa.string(), STRING),
    (MY, "text", sat.Text, {}, pa.string(), STRING),
    (MY, "longtext", sat.Text, {}, pa.string(), STRING),
    (MY, "binary(16)", sat.BINARY, {"length": 16}, pa.binary(16), BINARY),
    (MY, "varbinary(255)", sat.VARBINARY, {"length": 255}, pa.binary(), BINARY),
    (MY, "blob", sat.LargeBinary, {}, pa.binary(), BINARY),
    (MY, "mediumblob", sat.LargeBinary, {}, pa.binary(), BINARY),
    (MY, "enum('a','b,c')", sat.Enum, {"enums": ["a", "b,c"]}, pa.string(), STRING),
    (MY, "set('x','y')", sat.String, {}, pa.string(), STRING),
    (MY, "json", sat.JSON, {}, pa.string(), STRING),
    (MY, "date", sat.Date, {}, pa.date32(), DATETIME),
    (MY, "time", sat.Time, {}, pa.duration("us"), DATETIME),
    (MY, "datetime(6)", sat.DateTime, {"timezone": False}, pa.timestamp("us"), DATETIME),
    (MY, "datetime(3)", sat.DateTime, {}, pa.timestamp("ms"), DATETIME),
    (MY, "timestamp", sat.DateTime, {}, pa.timestamp("us"), DATETIME),
    (MY, "year", sat.SmallInteger, {}, pa.int16(), NUMBER),
    (MY, "geometry", sat.LargeBinary, {}, pa.binary(), BINARY),
    (MY, "point", sat.LargeBinary, {}, pa.binary(), BINARY),
    # DuckDB
    (DUCK, "HUGEINT", sat.BigInteger, {}, pa.decimal128(38, 0), NUMBER),
    (DUCK, "UBIGINT", sat.BigInteger, {}, pa.uint64(), NUMBER),
    (DUCK, "UTINYINT", sat.SmallInteger, {}, pa.uint8(), NUMBER),
    (DUCK, "INTEGER", sat.Integer, {}, pa.int32(), NUMBER),
    (DUCK, "DOUBLE", sat.Float, {}, pa.float64(), NUMBER),
    (DUCK, "DECIMAL(18,3)", sat.Numeric, {"precision": 18}, pa.decimal128(18, 3), NUMBER),
    (DUCK, "VARCHAR", sat.String, {}, pa.string(), STRING),
    (DUCK, "BLOB", sat.LargeBinary, {}, pa.binary(), BINARY),
    (DUCK, "UUID", sat.TypeEngine, {}, pa.string(), STRING),
    (DUCK, "DATE", sat.Date, {}, pa.date32(), DATETIME),
    (DUCK, "TIMESTAMP", sat.DateTime, {"timezone": False}, pa.timestamp("us"), DATETIME),
    (DUCK, "TIMESTAMPTZ", sat.DateTime, {"timezone": True}, pa.timestamp("us", UTC), DATETIME),
    (DUCK, "TIMESTAMP WITH TIME ZONE", sat.DateTime, {}, pa.timestamp("us", UTC), DATETIME),
    (DUCK, "TIMESTAMP_NS", sat.DateTime, {}, pa.timestamp("ns"), DATETIME),
    (DUCK, "TIMESTAMP_MS", sat.DateTime, {}, pa.timestamp("ms"), DATETIME),
    (DUCK, "TIMESTAMP_S", sat.DateTime, {}, pa.timestamp("s"), DATETIME),
    (DUCK, "INTERVAL", sat.Interval, {}, pa.month_day_nano_interval(), DATETIME),
    (DUCK, "ENUM('x', 'y')", sat.Enum, {"enums": ["x", "y"]}, pa.string(), STRING),
    (DUCK, "JSON", sat.JSON, {}, pa.string(), STRING),
    # Hive / Spark / Databricks / Iceberg / Delta / Hudi
    (HIVE, "string", sat.String, {}, pa.string(), STRING),
    (HIVE, "long", sat.BigInteger, {}, pa.int64(), NUMBER),
    (HIVE, "int", sat.Integer, {}, pa.int32(), NUMBER),
    (HIVE, "short", sat.SmallInteger, {}, pa.int16(), NUMBER),
    (HIVE, "byte", sat.SmallInteger, {}, pa.int8(), NUMBER),
    (HIVE, "float", sat.Float, {}, pa.float32(), NUMBER),
    (HIVE, "double", sat.Float, {}, pa.float64(), NUMBER),
    (HIVE, "boolean", sat.Boolean, {}, pa.bool_(), NUMBER),
    (HIVE, "binary", sat.LargeBinary, {}, pa.binary(), BINARY),
    (HIVE, "date", sat.Date, {}, pa.date32(), DATETIME),
    (HIVE, "timestamp", sat.DateTime, {"timezone": True}, pa.timestamp("us", UTC), DATETIME),
    (HIVE, "timestamp_ntz", sat.DateTime, {"timezone": False}, pa.timestamp("us"), DATETIME),
    (HIVE, "timestamptz", sat.DateTime, {"timezone": True}, pa.timestamp("us", UTC), DATETIME),
    (HIVE, "decimal(38,10)", sat.Numeric, {"scale": 10}, pa.decimal128(38, 10), NUMBER),
    (HIVE, "decimal", sat.Numeric, {"precision": 10}, pa.decimal128(10, 0), NUMBER),
    (HIVE, "fixed[16]", sat.BINARY, {"length": 16}, pa.binary(16), BINARY),
    (HIVE, "uuid", sat.TypeEngine, {}, pa.string(), STRING),
    (HIVE, "time", sat.Time, {}, pa.time64("us"), DATETIME),
    (HIVE, "varchar(10)", sat.String, {"length": 10}, pa.string(), STRING),
    (HIVE, "interval day to second", sat.Interval, {}, pa.duration("us"), DATETIME),
    (HIVE, "interval year to month", sat.Interval, {}, pa.month_day_nano_interval(), DATETIME),
    (HIVE, "void", sat.NullType, {}, pa.null(), STRING),
    (ICE, "timestamp", sat.DateTime, {"timezone": False}, pa.timestamp("us"), DATETIME),
    (ICE, "timestamptz", sat.DateTime, {"timezone": True}, pa.timestamp("us", UTC), DATETIME),
    (ICE, "timestamp_ns", sat.DateTime, {}, pa.timestamp("ns"), DATETIME),
    # ClickHouse
    (CH, "Int8", sat.SmallInteger, {}, pa.int8(), NUMBER),
    (CH, "UInt64", sat.BigInteger, {}, pa.uint64(), NUMBER),
    (CH, "Int128", sat.BigInteger, {}, pa.decimal128(38, 0), NUMBER),
    (CH, "UInt256", sat.BigInteger, {}, pa.decimal256(76, 0), NUMBER),
    (CH, "Float32", sat.Float, {}, pa.float32(), NUMBER),
    (CH, "Float64", sat.Float, {}, pa.float64(), NUMBER),
    (CH, "Bool", sat.Boolean, {}, pa.bool_(), NUMBER),
    (CH, "Decimal(38, 10)", sat.Numeric, {"scale": 10}, pa.decimal128(38, 10), NUMBER),
    (CH, "Decimal(76, 20)", sat.Numeric, {"precision": 76}, pa.decimal256(76, 20), NUMBER),
    (CH, "Decimal32(4)", sat.Numeric, {"precision": 9, "scale": 4}, pa.decimal128(9, 4), NUMBER),
    (CH, "Decimal64(4)", sat.Numeric, {"precision": 18}, pa.decimal128(18, 4), NUMBER),
    (CH, "Decimal256(10)", sat.Numeric, {"precision": 76}, pa.decimal256(76, 10), NUMBER),
    (CH, "String", sat.String, {}, pa.string(), STRING),
    (CH, "Nullable(String)", sat.String, {}, pa.string(), STRING),
    (CH, "LowCardinality(String)", sat.String, {}, pa.string(), STRING),
    (CH, "LowCardinality(Nullable(String))", sat.String, {}, pa.string(), STRING),
    (CH, "FixedString(16)", sat.BINARY, {"length": 16}, pa.binary(16), BINARY),
    (CH, "Date", sat.Date, {}, pa.date32(), DATETIME),
    (CH, "Date32", sat.Date, {}, pa.date32(), DATETIME),
    (CH, "DateTime", sat.DateTime, {"timezone": False}, pa.timestamp("s"), DATETIME),
    (CH, "DateTime('UTC')", sat.DateTime, {"timezone": True}, pa.timestamp("s", UTC), DATETIME),
    (CH, "DateTime64(3)", sat.DateTime, {"timezone": False}, pa.timestamp("ms"), DATETIME),
    (
        CH,
        "DateTime64(3, 'Asia/Shanghai')",
        sat.DateTime,
        {"timezone": True},
        pa.timestamp("ms", "Asia/Shanghai"),
        DATETIME,
    ),
    (CH, "DateTime64(9)", sat.DateTime, {}, pa.timestamp("ns"), DATETIME),
    (CH, "UUID", sat.TypeEngine, {}, pa.string(), STRING),
    (CH, "IPv4", sat.String, {}, pa.string(), STRING),
    (CH, "IPv6", sat.String, {}, pa.string(), STRING),
    (CH, "Enum8('a' = 1, 'b' = 2)", sat.Enum, {"enums": ["a", "b"]}, pa.string(), STRING),
    (CH, "Enum16('x' = 1)", sat.Enum, {"enums": ["x"]}, pa.string(), STRING),
    (CH, "SimpleAggregateFunction(sum, UInt64)", sat.BigInteger, {}, pa.uint64(), NUMBER),
    (CH, "AggregateFunction(uniq, UInt64)", sat.LargeBinary, {}, pa.binary(), BINARY),
    (CH, "Nothing", sat.NullType, {}, pa.null(), STRING),
    # Snowflake
    (SF, "NUMBER(38,0)", sat.BigInteger, {}, pa.decimal128(38, 0), NUMBER),
    (SF, "NUMBER(10,0)", sat.BigInteger, {}, pa.int64(), NUMBER),
    (SF, "NUMBER(10,2)", sat.Numeric, {"precision": 10, "scale": 2}, pa.decimal128(10, 2), NUMBER),
    (SF, "INT", sat.BigInteger, {}, pa.decimal128(38, 0), NUMBER),
    (SF, "DECIMAL(12,3)", sat.Numeric, {"scale": 3}, pa.decimal128(12, 3), NUMBER),
    (SF, "FLOAT", sat.Float, {}, pa.float64(), NUMBER),
    (SF, "DOUBLE PRECISION", sat.Float, {}, pa.float64(), NUMBER),
    (SF, "VARCHAR(16777216)", sat.String, {"length": 16777216}, pa.string(), STRING),
    (SF, "TEXT", sat.String, {}, pa.string(), STRING),
    (SF, "BINARY(8388608)", sat.VARBINARY, {"length": 8388608}, pa.binary(), BINARY),
    (SF, "BOOLEAN", sat.Boolean, {}, pa.bool_(), NUMBER),
    (SF, "TIME(9)", sat.Time, {}, pa.time64("ns"), DATETIME),
    (SF, "TIMESTAMP_NTZ(9)", sat.DateTime, {"timezone": False}, pa.timestamp("ns"), DATETIME),
    (SF, "TIMESTAMP_LTZ(9)", sat.DateTime, {"timezone": True}, pa.timestamp("ns", UTC), DATETIME),
    (SF, "TIMESTAMP_TZ(3)", sat.DateTime, {"timezone": True}, pa.timestamp("ms", UTC), DATETIME),
    (SF, "VARIANT", sat.JSON, {}, pa.string(), STRING),
    (SF, "OBJECT", sat.JSON, {}, pa.string(), STRING),
    (SF, "ARRAY", sat.JSON, {}, pa.string(), STRING),
    (SF, "GEOGRAPHY", sat.String, {}, pa.string(), STRING),
    # BigQuery
    (BQ, "INT64", sat.BigInteger, {}, pa.int64(), NUMBER),
    (BQ, "FLOAT64", sat.Float, {}, pa.float64(), NUMBER),
    (BQ, "NUMERIC", sat.Numeric, {"precision": 38, "scale": 9}, pa.decimal128(38, 9), NUMBER),
    (BQ, "NUMERIC(10,2)", sat.Numeric, {"scale": 2}, pa.decimal128(10, 2), NUMBER),
    (BQ, "BIGNUMERIC", sat.Numeric, {"precision": 76}, pa.decimal256(76, 38), NUMBER),
    (BQ, "BOOL", sat.Boolean, {}, pa.bool_(), NUMBER),
    (BQ, "STRING", sat.String, {}, pa.string(), STRING),
    (BQ, "STRING(10)", sat.String, {"length": 10}, pa.string(), STRING),
    (BQ, "BYTES", sat.VARBINARY, {}, pa.binary(), BINARY),
    (BQ, "DATE", sat.Date, {}, pa.date32(), DATETIME),
    (BQ, "DATETIME", sat.DateTime, {"timezone": False}, pa.timestamp("us"), DATETIME),
    (BQ, "TIMESTAMP", sat.DateTime, {"timezone": True}, pa.timestamp("us", UTC), DATETIME),
    (BQ, "TIME", sat.Time, {}, pa.time64("us"), DATETIME),
    (BQ, "INTERVAL", sat.Interval, {}, pa.month_day_nano_interval(), DATETIME),
    (BQ, "JSON", sat.JSON, {}, pa.string(), STRING),
    (BQ, "GEOGRAPHY", sat.String, {}, pa.string(), STRING),
]


@pytest.mark.parametrize(
    ("types", "text", "sa_class", "attrs", "arrow", "dbapi"),
    SCALARS,
    ids=[f"{row[0].name}:{row[1]}" for row in SCALARS],
)
def test_scalar_types(
    types: TypeMap,
    text: str,
    sa_class: type,
    attrs: dict[str, Any],
    arrow: pa.DataType,
    dbapi: Any,
) -> None:
    sa_type = quiet(types.to_sqlalchemy, text)
    assert isinstance(sa_type, sa_class), sa_type
    for name, value in attrs.items():
        assert getattr(sa_type, name) == value, (name, sa_type)
    assert quiet(types.to_arrow, text) == arrow
    assert types.type_object(text) is dbapi


def test_uuid_uses_the_generic_type_where_sqlalchemy_has_one() -> None:
    uuid = PG.to_sqlalchemy("uuid")
    if hasattr(sat, "Uuid"):  # SQLAlchemy 2
        assert isinstance(uuid, sat.Uuid)
    else:
        assert isinstance(uuid, sat.String) and uuid.length == 36


# -- nested types --------------------------------------------------------------------------------
def test_hive_nested() -> None:
    text = "array<struct<a:int,b:map<string,int>>>"
    sa_type = quiet(HIVE.to_sqlalchemy, text)
    assert isinstance(sa_type, sat.ARRAY)
    inner = sa_type.item_type
    assert isinstance(inner, STRUCT)
    assert [n for n, _ in inner.fields] == ["a", "b"]
    assert isinstance(inner.field_type("a"), sat.Integer)
    assert isinstance(inner.field_type("b"), MAP)
    assert isinstance(inner.field_type("b").key_type, sat.String)
    assert isinstance(inner.field_type("missing"), sat.NullType)
    assert quiet(HIVE.to_arrow, text) == pa.list_(
        pa.struct([("a", pa.int32()), ("b", pa.map_(pa.string(), pa.int32()))])
    )


@pytest.mark.parametrize(
    ("types", "text", "arrow"),
    [
        (PG, "int4[]", pa.list_(pa.int32())),
        (PG, "_int4", pa.list_(pa.int32())),
        (PG, "_text", pa.list_(pa.string())),
        (PG, "numeric(10,2)[]", pa.list_(pa.decimal128(10, 2))),
        (PG, "timestamp(3) with time zone[]", pa.list_(pa.timestamp("ms", UTC))),
        (PG, "text[][]", pa.list_(pa.list_(pa.string()))),
        (DUCK, "INTEGER[]", pa.list_(pa.int32())),
        (DUCK, "INTEGER[3]", pa.list_(pa.int32(), 3)),
        (DUCK, "DECIMAL(10,2)[]", pa.list_(pa.decimal128(10, 2))),
        (
            DUCK,
            'STRUCT(a INTEGER, "b c" VARCHAR[])',
            pa.struct([("a", pa.int32()), ("b c", pa.list_(pa.string()))]),
        ),
        (DUCK, "MAP(VARCHAR, INTEGER)", pa.map_(pa.string(), pa.int32())),
        (
            DUCK,
            "UNION(num INTEGER, str VARCHAR)",
            pa.sparse_union([pa.field("num", pa.int32()), pa.field("str", pa.string())], [0, 1]),
        ),
        (DUCK, "STRUCT(ts TIMESTAMP_NS)[]", pa.list_(pa.struct([("ts", pa.timestamp("ns"))]))),
        (CH, "Array(Nullable(String))", pa.list_(pa.string())),
        (CH, "Map(String, UInt64)", pa.map_(pa.string(), pa.uint64())),
        (CH, "Tuple(a UInt8, b String)", pa.struct([("a", pa.uint8()), ("b", pa.string())])),
        (CH, "Tuple(String, UInt64)", pa.struct([("1", pa.string()), ("2", pa.uint64())])),
        (CH, "Array(Decimal(38, 10))", pa.list_(pa.decimal128(38, 10))),
        (CH, "Array(DateTime64(6, 'UTC'))", pa.list_(pa.timestamp("us", UTC))),
        (
            CH,
            "Nested(a UInt8, b String)",
            pa.list_(pa.struct([("a", pa.uint8()), ("b", pa.string())])),
        ),
        (BQ, "ARRAY<STRUCT<x INT64>>", pa.list_(pa.struct([("x", pa.int64())]))),
        (
            BQ,
            "STRUCT<a NUMERIC(10,2), b ARRAY<TIMESTAMP>>",
            pa.struct([("a", pa.decimal128(10, 2)), ("b", pa.list_(pa.timestamp("us", UTC)))]),
        ),
        (BQ, "RANGE<DATE>", pa.struct([("start", pa.date32()), ("end", pa.date32())])),
        (SF, "ARRAY(NUMBER(10,0))", pa.list_(pa.int64())),
        (
            SF,
            "OBJECT(a VARCHAR, b NUMBER(10,2))",
            pa.struct([("a", pa.string()), ("b", pa.decimal128(10, 2))]),
        ),
        (SF, "MAP(VARCHAR, NUMBER(38,2))", pa.map_(pa.string(), pa.decimal128(38, 2))),
        (SF, "VECTOR(FLOAT, 256)", pa.list_(pa.float32(), 256)),
        (HIVE, "struct<a int>", pa.struct([("a", pa.int32())])),
        (
            HIVE,
            "struct<a:decimal(10,2),t:timestamp_ntz>",
            pa.struct([("a", pa.decimal128(10, 2)), ("t", pa.timestamp("us"))]),
        ),
        (
            ICE,
            "struct<1: a: optional int, 2: b: required list<string>>",
            pa.struct([("a", pa.int32()), ("b", pa.list_(pa.string()))]),
        ),
        (ICE, "map<string, fixed[4]>", pa.map_(pa.string(), pa.binary(4))),
    ],
)
def test_nested_arrow(types: TypeMap, text: str, arrow: pa.DataType) -> None:
    assert quiet(types.to_arrow, text) == arrow
    assert types.type_object(text) is STRING or not pa.types.is_nested(arrow)


@pytest.mark.parametrize(
    ("types", "text", "check"),
    [
        (PG, "int4[]", lambda t: isinstance(t, sat.ARRAY) and isinstance(t.item_type, sat.Integer)),
        (
            PG,
            "_int8",
            lambda t: isinstance(t, sat.ARRAY) and isinstance(t.item_type, sat.BigInteger),
        ),
        (PG, "text[][]", lambda t: isinstance(t, sat.ARRAY) and t.dimensions == 2),
        (
            DUCK,
            "INTEGER[][][]",
            lambda t: t.dimensions == 3 and isinstance(t.item_type, sat.Integer),
        ),
        (
            DUCK,
            "MAP(VARCHAR, INTEGER)",
            lambda t: isinstance(t, MAP) and isinstance(t.value_type, sat.Integer),
        ),
        (
            DUCK,
            'STRUCT(a INTEGER, "b c" VARCHAR[])',
            lambda t: isinstance(t, STRUCT) and isinstance(t.field_type("b c"), sat.ARRAY),
        ),
        (DUCK, "UNION(num INTEGER, str VARCHAR)", lambda t: isinstance(t, STRUCT)),
        (CH, "Array(Nullable(String))", lambda t: isinstance(t.item_type, sat.String)),
        (CH, "Tuple(String, UInt64)", lambda t: [n for n, _ in t.fields] == ["1", "2"]),
        (
            CH,
            "Map(String, Array(Decimal(10, 2)))",
            lambda t: isinstance(t, MAP) and t.value_type.item_type.scale == 2,
        ),
        (BQ, "ARRAY<STRUCT<x INT64>>", lambda t: isinstance(t.item_type, STRUCT)),
        (SF, "OBJECT(a VARCHAR)", lambda t: isinstance(t, STRUCT)),
        (SF, "ARRAY(VARCHAR)", lambda t: isinstance(t, sat.ARRAY)),
        (
            HIVE,
            "map<string,array<decimal(10,2)>>",
            lambda t: t.value_type.item_type.precision == 10,
        ),
    ],
)
def test_nested_sqlalchemy(types: TypeMap, text: str, check: Any) -> None:
    assert check(quiet(types.to_sqlalchemy, text))


# -- round trips: type string -> Arrow -> the engine's spelling -----------------------------------
@pytest.mark.parametrize(
    ("types", "text"),
    [
        (PG, "integer"),
        (PG, "bigint"),
        (PG, "numeric(10,2)"),
        (PG, "timestamp"),
        (PG, "timestamptz"),
        (PG, "timestamp(3)"),
        (PG, "integer[]"),
        (PG, "text"),
        (PG, "bytea"),
        (PG, "boolean"),
        (PG, "double precision"),
        (PG, "date"),
        (PG, "interval"),
        (MY, "tinyint(1)"),
        (MY, "int unsigned"),
        (MY, "bigint unsigned"),
        (MY, "decimal(10,2)"),
        (MY, "datetime(6)"),
        (MY, "datetime(3)"),
        (MY, "double"),
        (MY, "binary(16)"),
        (MY, "time(6)"),
        (DUCK, "INTEGER"),
        (DUCK, "UBIGINT"),
        (DUCK, "DECIMAL(18,3)"),
        (DUCK, "TIMESTAMP_NS"),
        (DUCK, "TIMESTAMP WITH TIME ZONE"),
        (DUCK, "INTEGER[]"),
        (DUCK, "INTEGER[3]"),
        (DUCK, 'STRUCT(a INTEGER, "b c" VARCHAR[])'),
        (DUCK, "MAP(VARCHAR, INTEGER)"),
        (DUCK, "UNION(num INTEGER, str VARCHAR)"),
        (DUCK, "INTERVAL"),
        (HIVE, "array<struct<a:int,b:map<string,int>>>"),
        (HIVE, "decimal(38,10)"),
        (HIVE, "timestamp"),
        (HIVE, "timestamp_ntz"),
        (HIVE, "struct<`a b`:bigint>"),
        (ICE, "fixed[16]"),
        (ICE, "timestamp"),
        (ICE, "timestamptz"),
        (ICE, "timestamp_ns"),
        (ICE, "list<long>"),
        (CH, "Array(String)"),
        (CH, "Map(String, UInt64)"),
        (CH, "Tuple(a UInt8, b String)"),
        (CH, "Tuple(String, UInt64)"),
        (CH, "DateTime64(3, 'Asia/Shanghai')"),
        (CH, "DateTime('UTC')"),
        (CH, "DateTime"),
        (CH, "Decimal(38, 10)"),
        (CH, "FixedString(16)"),
        (CH, "Int8"),
        (SF, "NUMBER(10,2)"),
        (SF, "TIMESTAMP_NTZ(9)"),
        (SF, "TIMESTAMP_TZ(3)"),
        (SF, "TIME(9)"),
        (BQ, "ARRAY<STRUCT<x INT64>>"),
        (BQ, "NUMERIC(38, 9)"),
        (BQ, "BIGNUMERIC(76, 38)"),
        (BQ, "TIMESTAMP"),
        (BQ, "DATETIME"),
    ],
)
def test_round_trip_through_arrow(types: TypeMap, text: str) -> None:
    arrow = quiet(types.to_arrow, text)
    spelled = quiet(types.arrow_to_type_string, arrow)
    assert spelled == text
    assert quiet(types.to_arrow, spelled) == arrow


@pytest.mark.parametrize(
    ("types", "arrow", "text"),
    [
        (PG, pa.struct([("a", pa.int32())]), "jsonb"),
        (PG, pa.uint64(), "numeric(20,0)"),
        (PG, pa.large_string(), "text"),
        (PG, pa.dictionary(pa.int32(), pa.string()), "text"),
        (MY, pa.list_(pa.int32()), "json"),
        (MY, pa.uint16(), "smallint unsigned"),
        (DUCK, pa.decimal256(50, 2), "DOUBLE"),
        (DUCK, pa.timestamp("ns", "UTC"), "TIMESTAMP WITH TIME ZONE"),
        (HIVE, pa.map_(pa.string(), pa.list_(pa.float64())), "map<string,array<double>>"),
        (CH, pa.timestamp("us"), "DateTime64(6)"),
        (CH, pa.null(), "Nullable(Nothing)"),
        (SF, pa.list_(pa.int64()), "ARRAY"),
        (SF, pa.struct([("a", pa.int64())]), "OBJECT"),
        (BQ, pa.map_(pa.string(), pa.int64()), "JSON"),
        (BQ, pa.decimal256(60, 10), "BIGNUMERIC(60, 10)"),
    ],
)
def test_arrow_to_type_string(types: TypeMap, arrow: pa.DataType, text: str) -> None:
    assert quiet(types.arrow_to_type_string, arrow) == text


def test_arrow_to_type_string_warns_for_unspellable() -> None:
    with pytest.warns(TypeMappingWarning, match="month_day_nano_interval"):
        assert CH.arrow_to_type_string(pa.month_day_nano_interval()) == "String"


# -- unknown and malformed input ---------------------------------------------------------------
MALFORMED = [
    "array<int",
    "decimal(10,",
    "struct<a:int",
    "Array(Nullable(String)",
    "enum('a",
    "",
    "   ",
    None,
    42,
    "array<" * 10_000 + "int" + ">" * 10_000,
    "int" + "[]" * 10_000,
]


@pytest.mark.parametrize("types", ALL_MAPS, ids=lambda m: m.name)
@pytest.mark.parametrize("text", MALFORMED, ids=range(len(MALFORMED)))
def test_malformed_input_gives_fallbacks_and_warnings(types: TypeMap, text: Any) -> None:
    with pytest.warns(TypeMappingWarning, match="cannot parse type"):
        assert isinstance(types.to_sqlalchemy(text), sat.NullType)
    with pytest.warns(TypeMappingWarning, match="cannot parse type"):
        assert types.to_arrow(text) == pa.string()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert types.type_object(text) is STRING
    assert text not in types


@pytest.mark.parametrize("types", ALL_MAPS, ids=lambda m: m.name)
def test_unknown_types_are_named_in_the_warning(types: TypeMap) -> None:
    with pytest.warns(TypeMappingWarning, match="frobnicator"):
        assert isinstance(types.to_sqlalchemy("frobnicator(3)"), sat.NullType)
    with pytest.warns(TypeMappingWarning, match="frobnicator"):
        assert types.to_arrow("frobnicator") == pa.string()


def test_unknown_member_keeps_the_container() -> None:
    with pytest.warns(TypeMappingWarning, match="'foo'"):
        sa_type = HIVE.to_sqlalchemy("array<foo>")
    assert isinstance(sa_type, sat.ARRAY) and isinstance(sa_type.item_type, sat.NullType)
    with pytest.warns(TypeMappingWarning):
        assert HIVE.to_arrow("map<string,foo>") == pa.map_(pa.string(), pa.string())


def test_impossible_parameters_warn_instead_of_raising() -> None:
    with pytest.warns(TypeMappingWarning, match=r"numeric\(0,0\)"):
        assert PG.to_arrow("numeric(0,0)") == pa.string()


def test_warning_class_is_a_sqlalchemy_warning() -> None:
    assert issubclass(TypeMappingWarning, SAWarning)


def test_random_input_never_raises() -> None:
    rng = random.Random(7)
    alphabet = ["int", "Array", "struct", "map", "(", ")", "<", ">", "[", "]", ",", ":", "'", " "]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TypeMappingWarning)
        for _ in range(500):
            text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
            for types in ALL_MAPS:
                assert isinstance(types.to_sqlalchemy(text), sat.TypeEngine)
                arrow = types.to_arrow(text)
                assert isinstance(arrow, pa.DataType)
                assert isinstance(types.arrow_to_type_string(arrow), str)


# -- extending a table ---------------------------------------------------------------------------
def test_extend_returns_a_new_map_and_leaves_the_original_alone() -> None:
    oracle_ish = PG.extend(
        {"number": "numeric", "varchar2": "varchar", "int": "numeric(38,0)", "super": "jsonb"},
        name="oracle-ish",
    )
    assert oracle_ish is not PG and oracle_ish.name == "oracle-ish"
    assert quiet(oracle_ish.to_arrow, "NUMBER(10,2)") == pa.decimal128(10, 2)
    assert quiet(oracle_ish.to_sqlalchemy, "varchar2(30)").length == 30
    assert quiet(oracle_ish.to_arrow, "int") == pa.decimal128(38, 0)  # alias carries params
    assert quiet(oracle_ish.to_arrow, "int(5)") == pa.decimal128(5, 0)  # own params win
    assert isinstance(quiet(oracle_ish.to_sqlalchemy, "super"), sat.JSON)
    assert quiet(oracle_ish.to_arrow, "_int4") == pa.list_(pa.int32())  # options carried over
    assert "number" not in PG and quiet(PG.to_arrow, "int") == pa.int32()
    with pytest.raises(TypeError):
        PG.entries["number"] = "numeric"  # type: ignore[index]


def test_extend_with_an_entry_and_options() -> None:
    geo = simple(pa.binary(), sat.LargeBinary, BINARY)
    redshift = PG.extend({"geometry": geo, "hllsketch": "text"}, underscore_arrays=False)
    assert redshift.to_arrow("GEOMETRY") == pa.binary()
    assert redshift.type_object("geometry") is BINARY
    with pytest.warns(TypeMappingWarning):
        redshift.to_arrow("_int4")


def test_alias_cycles_do_not_hang() -> None:
    loop = TypeMap({"a": "b", "b": "a"})
    with pytest.warns(TypeMappingWarning):
        assert isinstance(loop.to_sqlalchemy("a"), sat.NullType)


# -- Arrow -> SQLAlchemy ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("arrow", "check"),
    [
        (pa.bool_(), lambda t: isinstance(t, sat.Boolean)),
        (pa.int8(), lambda t: isinstance(t, sat.SmallInteger)),
        (pa.uint16(), lambda t: isinstance(t, sat.Integer) and not isinstance(t, sat.BigInteger)),
        (pa.int32(), lambda t: type(t) is sat.Integer),
        (pa.uint32(), lambda t: isinstance(t, sat.BigInteger)),
        (pa.int64(), lambda t: isinstance(t, sat.BigInteger)),
        (pa.float32(), lambda t: isinstance(t, sat.REAL)),
        (pa.float64(), lambda t: isinstance(t, sat.Float)),
        (pa.decimal128(10, 2), lambda t: (t.precision, t.scale) == (10, 2)),
        (pa.decimal256(60, 5), lambda t: (t.precision, t.scale) == (60, 5)),
        (pa.string(), lambda t: isinstance(t, sat.String)),
        (pa.large_string(), lambda t: isinstance(t, sat.String)),
        (pa.binary(), lambda t: isinstance(t, sat.LargeBinary)),
        (pa.binary(16), lambda t: isinstance(t, sat.BINARY) and t.length == 16),
        (pa.date32(), lambda t: isinstance(t, sat.Date)),
        (pa.time64("us"), lambda t: isinstance(t, sat.Time)),
        (pa.timestamp("ms"), lambda t: isinstance(t, sat.DateTime) and not t.timezone),
        (pa.timestamp("us", "UTC"), lambda t: isinstance(t, sat.DateTime) and t.timezone),
        (pa.duration("us"), lambda t: isinstance(t, sat.Interval)),
        (pa.month_day_nano_interval(), lambda t: isinstance(t, sat.Interval)),
        (pa.null(), lambda t: isinstance(t, sat.NullType)),
        (pa.dictionary(pa.int8(), pa.string()), lambda t: isinstance(t, sat.String)),
        (pa.list_(pa.int32()), lambda t: isinstance(t.item_type, sat.Integer)),
        (pa.list_(pa.list_(pa.int32())), lambda t: t.dimensions == 2),
        (pa.large_list(pa.string()), lambda t: isinstance(t, sat.ARRAY)),
        (pa.list_(pa.string(), 3), lambda t: isinstance(t, sat.ARRAY)),
        (pa.map_(pa.string(), pa.int64()), lambda t: isinstance(t, MAP)),
        (pa.struct([("a", pa.int32())]), lambda t: isinstance(t, STRUCT) and t.fields[0][0] == "a"),
    ],
)
def test_arrow_to_sqlalchemy(arrow: pa.DataType, check: Any) -> None:
    assert check(arrow_to_sqlalchemy(arrow))
    assert check(PG.arrow_to_sqlalchemy(arrow))


def test_from_arrow_field() -> None:
    sa_type, type_object = from_arrow_field(pa.field("x", pa.decimal128(10, 2)))
    assert isinstance(sa_type, sat.Numeric) and type_object is NUMBER
    sa_type, type_object = from_arrow_field(pa.timestamp("us", "UTC"))
    assert isinstance(sa_type, sat.DateTime) and type_object is DATETIME


# -- SQLAlchemy compilation of the nested types ----------------------------------------------------
def test_struct_map_array_compile() -> None:
    struct = STRUCT(
        [("a", sa.Integer()), ("b c", sat.ARRAY(sa.String(10))), ("m", MAP(sa.String(5), sa.Float))]
    )
    expected = 'STRUCT(a INTEGER, "b c" VARCHAR(10)[], m MAP(VARCHAR(5), FLOAT))'
    assert str(struct.compile()) == expected
    assert str(struct.compile(dialect=postgresql.dialect())) == expected
    assert str(struct.compile(dialect=sqlite.dialect())) == expected
    assert str(MAP(sa.String, sat.ARRAY(sa.Integer, dimensions=2)).compile()) == (
        "MAP(VARCHAR, INTEGER[][])"
    )
    assert str(sat.ARRAY(sa.Integer).compile(dialect=postgresql.dialect())) == "INTEGER[]"


def test_nested_types_in_ddl_and_queries() -> None:
    table = sa.Table(
        "t",
        sa.MetaData(),
        sa.Column("s", quiet(DUCK.to_sqlalchemy, "STRUCT(a INTEGER, b MAP(VARCHAR, DOUBLE))")),
        sa.Column("l", quiet(DUCK.to_sqlalchemy, "BIGINT[]")),
    )
    ddl = str(CreateTable(table).compile(dialect=postgresql.dialect()))
    assert "s STRUCT(a INTEGER, b MAP(VARCHAR," in ddl and "l BIGINT[]" in ddl
    query = str(sa.select(table.c.s).where(table.c.l.isnot(None)).compile())
    assert "SELECT t.s" in query


def test_nested_types_repr_python_type_and_cache_key() -> None:
    struct = STRUCT({"a": sa.Integer, "b": MAP(sa.String, sa.Integer)})
    assert repr(struct) == "STRUCT([('a', Integer()), ('b', MAP(String(), Integer()))])"
    assert repr(MAP(sa.String, sa.Integer)) == "MAP(String(), Integer())"
    assert struct.python_type is dict and MAP().python_type is dict
    assert struct.cache_ok and MAP.cache_ok
    # a column of each type works in a statement's cache key without warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        column = sa.column("x", struct)
        assert sa.select(column)._generate_cache_key() is not None
