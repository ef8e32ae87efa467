"""The type-string parser: every notation the sources print, and hostile input."""

from __future__ import annotations

import dataclasses
import random
import time

import pytest

from sqlgate.core.typeparse import MAX_DEPTH, TypeNode, TypeParseError, parse_type


def N(name: str, *params: str | int, fields: tuple = ()) -> TypeNode:
    """Build an expected node; ``fields`` items are (name, node) or bare nodes."""
    items = tuple(f if isinstance(f, tuple) else (None, f) for f in fields)
    return TypeNode(name, tuple(params), items)


def arr(element: TypeNode, *size: int) -> TypeNode:
    return N("array", *size, fields=(element,))


INT, STRING = N("int"), N("string")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # scalar types with parameters and multi-word names
        ("decimal(10,2)", N("decimal", 10, 2)),
        ("DECIMAL( 10 , 2 )", N("decimal", 10, 2)),
        ("varchar(255)", N("varchar", 255)),
        ("character varying(20)", N("character varying", 20)),
        ("timestamp(6) with time zone", N("timestamp with time zone", 6)),
        ("timestamp without time zone", N("timestamp without time zone")),
        ("double precision", N("double precision")),
        ("int unsigned", N("int unsigned")),
        ("int(11) unsigned zerofill", N("int unsigned zerofill", 11)),
        ("interval day to second(3)", N("interval day to second", 3)),
        ("varchar(max)", N("varchar", "max")),
        ("  bigint  ", N("bigint")),
        ("geometry(Point, 4326)", N("geometry", "Point", 4326)),
        ('"MyType"', N("mytype")),
        ('public."MyEnum"', N("public.myenum")),
        ("national character varying(3)", N("national character varying", 3)),
        # Hive / Spark / Databricks / Iceberg
        (
            "array<struct<a:int,b:map<string,int>>>",
            arr(N("struct", fields=(("a", INT), ("b", N("map", fields=(STRING, INT)))))),
        ),
        ("map<string,array<int>>", N("map", fields=(STRING, arr(INT)))),
        ("struct<a b:int>", N("struct", fields=(("a b", INT),))),
        ("struct<`a:b`:int,`c<d>`:string>", N("struct", fields=(("a:b", INT), ("c<d>", STRING)))),
        ("struct<`x``y`:int>", N("struct", fields=(("x`y", INT),))),
        ("struct<a:int COMMENT 'x, y>'>", N("struct", fields=(("a", INT),))),
        ("struct<>", N("struct")),
        ("fixed[16]", N("fixed", 16)),
        ("list<int>", N("list", fields=(INT,))),
        (
            "struct<1: a: optional int, 2: b: required list<string>>",
            N("struct", fields=(("a", INT), ("b", N("list", fields=(STRING,))))),
        ),
        ("struct<1:int>", N("struct", fields=(("1", INT),))),
        # DuckDB
        (
            'STRUCT(a INTEGER, "b c" VARCHAR[])',
            N("struct", fields=(("a", N("integer")), ("b c", arr(N("varchar"))))),
        ),
        ('STRUCT("x,y" INT, "q""r" INT)', N("struct", fields=(("x,y", INT), ('q"r', INT)))),
        ("INTEGER[]", arr(N("integer"))),
        ("INTEGER[][]", arr(arr(N("integer")))),
        ("INTEGER[3]", arr(N("integer"), 3)),
        ("DECIMAL(10,2)[]", arr(N("decimal", 10, 2))),
        ("STRUCT(a INTEGER)[]", arr(N("struct", fields=(("a", N("integer")),)))),
        ("MAP(VARCHAR, INTEGER)", N("map", fields=(N("varchar"), N("integer")))),
        (
            "UNION(num INTEGER, str VARCHAR)",
            N("union", fields=(("num", N("integer")), ("str", N("varchar")))),
        ),
        ("ENUM('a', 'b')", N("enum", "a", "b")),
        ("TIMESTAMP WITH TIME ZONE", N("timestamp with time zone")),
        ("INTEGER[] NOT NULL", arr(N("integer"))),
        # ClickHouse
        ("Array(Nullable(String))", arr(N("nullable", fields=(STRING,)))),
        ("Map(String, UInt64)", N("map", fields=(STRING, N("uint64")))),
        ("Tuple(a UInt8, b String)", N("tuple", fields=(("a", N("uint8")), ("b", STRING)))),
        ("Tuple(String, UInt64)", N("tuple", fields=(STRING, N("uint64")))),
        (
            "Tuple(Nullable(String), a Array(Int8))",
            N("tuple", fields=(N("nullable", fields=(STRING,)), ("a", arr(N("int8"))))),
        ),
        ("LowCardinality(String)", N("lowcardinality", fields=(STRING,))),
        ("DateTime64(3, 'Asia/Shanghai')", N("datetime64", 3, "Asia/Shanghai")),
        ("DateTime('UTC')", N("datetime", "UTC")),
        ("Decimal(38, 10)", N("decimal", 38, 10)),
        ("Enum8('a' = 1, 'b,c' = -2)", N("enum8", "a", "b,c")),
        ("Enum8('it\\'s' = 1)", N("enum8", "it's")),
        ("FixedString(16)", N("fixedstring", 16)),
        ("Object('json')", N("object", "json")),
        ("Nested(a UInt8, b String)", N("nested", fields=(("a", N("uint8")), ("b", STRING)))),
        (
            "SimpleAggregateFunction(sum, UInt64)",
            N("simpleaggregatefunction", fields=(N("sum"), N("uint64"))),
        ),
        (
            "AggregateFunction(quantiles(0.5, 0.9), UInt64)",
            N("aggregatefunction", fields=(N("quantiles", "0.5", "0.9"), N("uint64"))),
        ),
        # BigQuery / Snowflake
        ("ARRAY<STRUCT<x INT64>>", arr(N("struct", fields=(("x", N("int64")),)))),
        (
            "STRUCT<a INT64 NOT NULL, b STRING(10)>",
            N("struct", fields=(("a", N("int64")), ("b", N("string", 10)))),
        ),
        ("RANGE<DATE>", N("range", fields=(N("date"),))),
        ("NUMBER(38,0)", N("number", 38, 0)),
        (
            "OBJECT(city VARCHAR, zip NUMBER(5,0))",
            N("object", fields=(("city", N("varchar")), ("zip", N("number", 5, 0)))),
        ),
        ("VECTOR(FLOAT, 256)", N("vector", "FLOAT", 256)),
        ("VARCHAR(16777216) COLLATE 'en-ci'", N("varchar", 16777216)),
        # PostgreSQL
        ("int4[]", arr(N("int4"))),
        ("_int4", N("_int4")),  # the parser is engine-neutral; the PostgreSQL map reads it
        ("character varying(20)[]", arr(N("character varying", 20))),
        ("timestamp(3) without time zone[]", arr(N("timestamp without time zone", 3))),
        # MySQL: commas and parentheses inside quotes
        ("enum('a','b,c')", N("enum", "a", "b,c")),
        ("enum('it''s','x)y','(')", N("enum", "it's", "x)y", "(")),
        ("set('a,b','c')", N("set", "a,b", "c")),
        ("varchar(10) character set utf8mb4", N("varchar", 10)),
        ("tinyint(1)", N("tinyint", 1)),
    ],
)
def test_parses(text: str, expected: TypeNode) -> None:
    assert parse_type(text) == expected


def test_raw_keeps_the_source_text() -> None:
    node = parse_type("Array(Nullable(String))")
    assert node.raw == "Array(Nullable(String))"
    assert node.element is not None and node.element.raw == "Nullable(String)"
    assert parse_type("int4[]").element.raw == "int4"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("struct<a int>", "struct<a:int>"),
        ("int4[]", "array<int4>"),
        ("ARRAY<INT64>", "Array(Int64)"),
        ("decimal(10,2)", "DECIMAL(10, 2)"),
        ("map<string,int>", "MAP(STRING, INT)"),
    ],
)
def test_equivalent_spellings_compare_equal(left: str, right: str) -> None:
    assert parse_type(left) == parse_type(right)
    assert hash(parse_type(left)) == hash(parse_type(right))


def test_nodes_are_immutable() -> None:
    node = parse_type("decimal(10,2)")
    with pytest.raises(dataclasses.FrozenInstanceError):
        node.name = "x"  # type: ignore[misc]
    assert isinstance(node.params, tuple) and isinstance(node.fields, tuple)


def test_str_is_readable() -> None:
    assert str(parse_type("array<struct<a:int>>")) == "array(struct(a int))"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "array<int",
        "decimal(10,",
        "decimal(10",
        "decimal(,2)",
        "array<int>>",
        "struct<a int",
        "struct<a:>",
        "struct<:int>",
        "map<string,>",
        "Tuple(a UInt8,)",
        "'abc",
        "enum('a",
        '"unterminated',
        "int)",
        "<int>",
        "(int)",
        "array<>x",
        "int[x]",
        "int[",
        "int not",
        "a<b>c",
        "int,int",
        "x(a]",
    ],
)
def test_malformed_input_raises(text: str) -> None:
    with pytest.raises(TypeParseError):
        parse_type(text)


@pytest.mark.parametrize("value", [None, 3, b"int", ["int"]])
def test_non_strings_raise(value: object) -> None:
    with pytest.raises(TypeParseError):
        parse_type(value)  # type: ignore[arg-type]


def test_parse_error_is_a_value_error() -> None:
    assert issubclass(TypeParseError, ValueError)


@pytest.mark.parametrize(
    "text",
    [
        "array<" * 10_000 + "int" + ">" * 10_000,
        "Array(" * 10_000 + "Int8" + ")" * 10_000,
        "STRUCT(a " * 10_000 + "INT" + ")" * 10_000,
        "int" + "[]" * 10_000,
        "x(" * 10_000,
        "(" * 10_000,
        "struct<a:" * 10_000,
    ],
)
def test_deep_nesting_fails_cleanly_and_fast(text: str) -> None:
    start = time.perf_counter()
    with pytest.raises(TypeParseError):
        parse_type(text)
    assert time.perf_counter() - start < 2


def test_nesting_up_to_the_limit_is_accepted() -> None:
    ok = "array<" * (MAX_DEPTH - 1) + "int" + ">" * (MAX_DEPTH - 1)
    assert parse_type(ok).name == "array"
    with pytest.raises(TypeParseError, match="deeper"):
        parse_type("array<" * (MAX_DEPTH + 1) + "int" + ">" * (MAX_DEPTH + 1))


def test_long_flat_input_is_linear() -> None:
    wide = "struct<" + ",".join(f"f{i}:decimal(10,2)" for i in range(20_000)) + ">"
    start = time.perf_counter()
    assert len(parse_type(wide).fields) == 20_000
    assert time.perf_counter() - start < 5


def test_random_input_never_escapes_as_another_error() -> None:
    rng = random.Random(20240601)
    alphabet = ["int", "a", " ", ",", ":", "(", ")", "<", ">", "[", "]", "'", '"', "`", "1", "\\"]
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 25)))
        try:
            node = parse_type(text)
        except TypeParseError:
            continue
        assert isinstance(node, TypeNode)
