"""The type parser: sqlglot, strict, per dialect; garbage gives a PEP 249 error, never a crash."""

from __future__ import annotations

import random
import time

import pytest
from sqlglot import exp

import sqlgate
from sqlgate.core.types_parse import (
    MAX_DEPTH,
    TypeParseError,
    array_size,
    members,
    params,
    parse_type,
    type_key,
)


@pytest.mark.parametrize(
    ("dialect", "text", "key", "args"),
    [
        ("postgres", "numeric(10,2)", "decimal", (10, 2)),
        ("postgres", "DECIMAL( 10 , 2 )", "decimal", (10, 2)),
        ("postgres", "character varying(20)", "varchar", (20,)),
        ("postgres", "timestamp(6) with time zone", "timestamptz", (6,)),
        ("postgres", "double precision", "double", ()),
        ("postgres", "interval day to second", "interval", ()),
        ("postgres", "oid", "oid", ()),
        ("postgres", "varchar(max)", "varchar", ("MAX",)),
        ("mysql", "int unsigned", "uint", ()),
        ("mysql", "tinyint(1)", "tinyint", (1,)),
        ("mysql", "enum('a','b,c')", "enum", ("a", "b,c")),
        ("mysql", "enum('it''s','x)y','(')", "enum", ("it's", "x)y", "(")),
        ("duckdb", "HUGEINT", "int128", ()),
        ("duckdb", "TIMESTAMP_NS", "timestamp_ns", ()),
    ],
)
def test_scalars(dialect: str, text: str, key: str, args: tuple) -> None:
    node = parse_type(text, dialect)
    assert (type_key(node), params(node)) == (key, args)


def test_nested_members() -> None:
    node = parse_type('STRUCT(a INTEGER, "b c" VARCHAR[3], m MAP(VARCHAR, INT))', "duckdb")
    assert type_key(node) == "struct"
    fields = members(node)
    assert [name for name, _ in fields] == ["a", "b c", "m"]
    assert type_key(fields[1][1]) == "array" and array_size(fields[1][1]) == 3
    assert [type_key(t) for _, t in members(fields[2][1])] == ["text", "int"]
    element = members(parse_type("timestamp(3) with time zone[]", "postgres"))[0][1]
    assert (type_key(element), params(element)) == ("timestamptz", (3,))


def test_trees_are_cached() -> None:
    assert parse_type("int4[]", "postgres") is parse_type("int4[]", "postgres")


MALFORMED = [
    "",
    "   ",
    "array<int",
    "decimal(10,",
    "decimal(10",
    "array<int>>",
    "INTEGER[",
    "int)",
    "(int)",
    "<int>",
    "int,int",
    "int; drop table t",
    "select 1",
    "'abc",
    "enum('a",
    '"unterminated',
    "int[x]",
    "x(a]",
    "1",
]


@pytest.mark.parametrize("dialect", ["postgres", "mysql", "duckdb", None])
@pytest.mark.parametrize("text", MALFORMED)
def test_malformed_input_is_a_pep249_error_naming_it(dialect: str | None, text: str) -> None:
    with pytest.raises(TypeParseError, match="cannot parse type") as caught:
        parse_type(text, dialect)
    assert isinstance(caught.value, sqlgate.DataError)  # PEP 249, and still a ValueError
    assert isinstance(caught.value, ValueError)
    assert repr(text[:20])[:-1] in str(caught.value)


@pytest.mark.parametrize("value", [None, 3, b"int", ["int"]])
def test_non_strings_raise(value: object) -> None:
    with pytest.raises(TypeParseError, match="must be a string"):
        parse_type(value)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("dialect", "text"),
    [
        ("postgres", "array<" * 10_000 + "int" + ">" * 10_000),
        ("duckdb", "INTEGER" + "[]" * 10_000),
        ("duckdb", "STRUCT(a " * 10_000 + "INT" + ")" * 10_000),
        ("duckdb", "MAP(INT, " * 10_000 + "INT" + ")" * 10_000),
        ("duckdb", "(" * 10_000),
        ("postgres", "x(" * 10_000),
        ("postgres", "'" * 10_001),
        ("postgres", "a" * 2_000_000),
    ],
)
def test_deep_or_huge_input_fails_cleanly_and_fast(dialect: str, text: str) -> None:
    start = time.perf_counter()
    with pytest.raises(TypeParseError):
        parse_type(text, dialect)
    assert time.perf_counter() - start < 2


def test_nesting_up_to_the_limit_is_accepted() -> None:
    ok = "array<" * (MAX_DEPTH - 1) + "int" + ">" * (MAX_DEPTH - 1)
    assert type_key(parse_type(ok, "postgres")) == "array"
    assert type_key(parse_type("INTEGER" + "[]" * MAX_DEPTH, "duckdb")) == "array"
    with pytest.raises(TypeParseError, match="deeper"):
        parse_type("array<" * (MAX_DEPTH + 1) + "int" + ">" * (MAX_DEPTH + 1), "postgres")


def test_brackets_inside_quotes_are_text() -> None:
    node = parse_type("enum('>>>', '[[', '((')", "mysql")
    assert params(node) == (">>>", "[[", "((")


def test_long_flat_input_is_linear() -> None:
    wide = "STRUCT(" + ", ".join(f"f{i} DECIMAL(10,2)" for i in range(5_000)) + ")"
    start = time.perf_counter()
    assert len(members(parse_type(wide, "duckdb"))) == 5_000
    assert time.perf_counter() - start < 10


def test_random_input_gives_a_tree_or_a_parse_error() -> None:
    rng = random.Random(20240601)
    alphabet = ["int", "a", " ", ",", ":", "(", ")", "<", ">", "[", "]", "'", '"', "`", "1"]
    alphabet += ["\\", "STRUCT", "MAP", "ARRAY", "--", "/*", ";", "\x00", "é", "VARCHAR"]
    for _ in range(1500):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 25)))
        for dialect in ("postgres", "mysql", "duckdb"):
            try:
                node = parse_type(text, dialect)
            except TypeParseError:
                continue
            assert isinstance(node, exp.DataType)
