"""PEP 249 type objects and constructors."""

from __future__ import annotations

import datetime
import time

import pyarrow as pa
import pytest

from sqlgate.core import types
from sqlgate.core.types import (
    BINARY,
    DATETIME,
    NUMBER,
    ROWID,
    STRING,
    Binary,
    Date,
    DateFromTicks,
    DBAPITypeObject,
    Time,
    TimeFromTicks,
    Timestamp,
    TimestampFromTicks,
    type_object_for_arrow,
)

FAMILIES = [STRING, BINARY, NUMBER, DATETIME, ROWID]


@pytest.mark.parametrize(
    ("code", "family"),
    [
        ("varchar", STRING),
        ("VARCHAR", STRING),
        ("VarChar(255)", STRING),
        ("character varying(20)", STRING),
        ("Character  Varying", STRING),
        ("text", STRING),
        ("String", STRING),
        ("Nullable(String)", STRING),
        ("LowCardinality(Nullable(String))", STRING),
        ("FixedString(3)", STRING),
        ("enum('a','b,c')", STRING),
        ("json", STRING),
        ("uuid", STRING),
        ("array<int>", STRING),
        ("STRUCT(a INTEGER)", STRING),
        ("bytea", BINARY),
        ("BLOB", BINARY),
        ("varbinary(16)", BINARY),
        ("BYTES", BINARY),
        ("fixed[16]", BINARY),
        ("int4", NUMBER),
        ("INTEGER", NUMBER),
        ("bigint unsigned", NUMBER),
        ("int(11) unsigned", NUMBER),
        ("bigint(20) unsigned zerofill", NUMBER),
        ("interval day to second", DATETIME),
        ("decimal(10,2)", NUMBER),
        ("NUMBER(38,0)", NUMBER),
        ("double precision", NUMBER),
        ("Float64", NUMBER),
        ("UInt256", NUMBER),
        ("Nullable(Int64)", NUMBER),
        ("boolean", NUMBER),
        ("HUGEINT", NUMBER),
        ("date", DATETIME),
        ("TIMESTAMP", DATETIME),
        ("timestamp(6) with time zone", DATETIME),
        ("timestamptz", DATETIME),
        ("DateTime64(3, 'Asia/Shanghai')", DATETIME),
        ("TIMESTAMP_NTZ(9)", DATETIME),
        ("datetime(6)", DATETIME),
        ("interval", DATETIME),
        ("time", DATETIME),
        ("rowid", ROWID),
        ("OID", ROWID),
        ("ctid", ROWID),
    ],
)
def test_type_objects_equal_their_member_names(code: str, family: DBAPITypeObject) -> None:
    assert code == family
    assert family == code
    assert not family != code  # noqa: SIM202 - PEP 249 code compares with both operators
    for other in FAMILIES:
        if other is not family:
            assert code != other
            assert other != code


@pytest.mark.parametrize("code", ["frobnicator", "", "array<int", "decimal(10,", "((("])
def test_unknown_or_malformed_codes_equal_nothing(code: str) -> None:
    for family in FAMILIES:
        assert family != code


def test_comparison_with_other_objects() -> None:
    assert STRING == STRING
    assert STRING != NUMBER
    assert STRING != 3
    assert STRING != None  # noqa: E711 - exercising __eq__ with None
    assert STRING != True  # noqa: E712 - booleans are not type codes
    assert STRING != object()  # noqa: SIM300 - the type object is under test
    assert DBAPITypeObject("X", 17, "abc") == 17
    assert DBAPITypeObject("X", 17, "abc") != 18
    assert DBAPITypeObject("X", "ABC") == "abc"


def test_arrow_types_compare_by_family() -> None:
    assert NUMBER == pa.int64()  # noqa: SIM300 - the type object is under test
    assert STRING == pa.string()  # noqa: SIM300 - the type object is under test
    assert DATETIME == pa.timestamp("us")  # noqa: SIM300 - the type object is under test
    assert BINARY == pa.binary()  # noqa: SIM300 - the type object is under test
    assert NUMBER != pa.string()  # noqa: SIM300 - the type object is under test


def test_hash_repr_and_membership() -> None:
    assert len({STRING, BINARY, NUMBER, DATETIME, ROWID, STRING}) == 5
    assert repr(NUMBER) == "<DBAPITypeObject NUMBER>"
    assert "varchar" in STRING
    assert "int" not in STRING
    assert STRING.name == "STRING"


@pytest.mark.parametrize(
    ("arrow", "family"),
    [
        (pa.string(), STRING),
        (pa.large_string(), STRING),
        (pa.null(), STRING),
        (pa.list_(pa.int32()), STRING),
        (pa.struct([("a", pa.int32())]), STRING),
        (pa.map_(pa.string(), pa.int32()), STRING),
        (pa.dictionary(pa.int8(), pa.string()), STRING),
        (pa.dictionary(pa.int8(), pa.binary()), BINARY),
        (pa.binary(), BINARY),
        (pa.large_binary(), BINARY),
        (pa.binary(16), BINARY),
        (pa.bool_(), NUMBER),
        (pa.int8(), NUMBER),
        (pa.uint64(), NUMBER),
        (pa.float16(), NUMBER),
        (pa.float64(), NUMBER),
        (pa.decimal128(10, 2), NUMBER),
        (pa.decimal256(50, 2), NUMBER),
        (pa.date32(), DATETIME),
        (pa.date64(), DATETIME),
        (pa.time32("ms"), DATETIME),
        (pa.time64("ns"), DATETIME),
        (pa.timestamp("s"), DATETIME),
        (pa.timestamp("us", "UTC"), DATETIME),
        (pa.duration("us"), DATETIME),
        (pa.month_day_nano_interval(), DATETIME),
    ],
)
def test_type_object_for_arrow(arrow: pa.DataType, family: DBAPITypeObject) -> None:
    assert type_object_for_arrow(arrow) is family


def test_constructors() -> None:
    assert Date(2024, 2, 29) == datetime.date(2024, 2, 29)
    assert Time(23, 59, 1) == datetime.time(23, 59, 1)
    assert Timestamp(2024, 2, 29, 1, 2, 3) == datetime.datetime(2024, 2, 29, 1, 2, 3)
    assert Binary(b"\x00\xff") == b"\x00\xff"
    assert isinstance(Binary(bytearray(b"ab")), bytes)


@pytest.mark.parametrize("ticks", [0, 86_399.9, 1_700_000_000, 1_700_000_000.75])
def test_from_ticks_use_local_time(ticks: float) -> None:
    local = time.localtime(ticks)
    assert DateFromTicks(ticks) == datetime.date(*local[:3])
    assert TimeFromTicks(ticks) == datetime.time(*local[3:6])
    assert TimestampFromTicks(ticks) == datetime.datetime(*local[:6])


def test_module_exports_everything_pep249_names() -> None:
    names = ["STRING", "BINARY", "NUMBER", "DATETIME", "ROWID", "Date", "Time", "Timestamp"]
    names += ["DateFromTicks", "TimeFromTicks", "TimestampFromTicks", "Binary"]
    for name in names:
        assert name in types.__all__
        assert hasattr(types, name)
