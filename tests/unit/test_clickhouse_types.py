"""ClickHouse's type table and the dateTrunc spelling for older servers (no server needed)."""

from __future__ import annotations

import warnings

import pyarrow as pa
import pytest
import sqlalchemy as sa

from sqlgate.core.typemap import TypeMappingWarning
from sqlgate.core.types import DATETIME, NUMBER, STRING
from sqlgate.dbapi.clickhouse_compat import without_date_trunc
from sqlgate.dbapi.clickhouse_types import CLICKHOUSE_TYPES as T


@pytest.mark.parametrize(
    ("text", "arrow"),
    [
        ("Nullable(Int64)", pa.int64()),
        ("LowCardinality(Nullable(String))", pa.string()),
        ("Array(Array(Nullable(Int32)))", pa.list_(pa.list_(pa.int32()))),
        ("Tuple(a Int32, b String)", pa.struct([("a", pa.int32()), ("b", pa.string())])),
        ("Tuple(UInt8, String)", pa.struct([("1", pa.uint8()), ("2", pa.string())])),
        ("Map(String, UInt64)", pa.map_(pa.string(), pa.uint64())),
        ("Decimal(76, 10)", pa.decimal256(76, 10)),
        ("Decimal(9, 2)", pa.decimal128(9, 2)),
        ("Decimal64(4)", pa.decimal128(18, 4)),
        ("Decimal256(20)", pa.decimal256(76, 20)),
        ("DateTime64(3, 'Europe/Berlin')", pa.timestamp("ms", tz="Europe/Berlin")),
        ("DateTime64(9)", pa.timestamp("ns")),
        ("DateTime('UTC')", pa.timestamp("s", tz="UTC")),
        ("Date32", pa.date32()),
        ("Enum8('a' = 1, 'b' = 2)", pa.string()),
        ("UUID", pa.string()),
        ("IPv4", pa.string()),
        ("IPv6", pa.string()),
        ("Nested(k Int32, v String)", pa.list_(pa.struct([("k", pa.int32()), ("v", pa.string())]))),
        ("UInt128", pa.decimal256(39, 0)),
        ("Int256", pa.string()),
        ("SimpleAggregateFunction(sum, UInt64)", pa.uint64()),
        ("Nullable(Nothing)", pa.null()),
    ],
)
def test_arrow_types(text: str, arrow: pa.DataType) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", TypeMappingWarning)
        assert T.to_arrow(text) == arrow


def test_sqlalchemy_types_and_type_objects() -> None:
    assert isinstance(T.to_sqlalchemy("Nullable(Int32)"), sa.Integer)
    enum = T.to_sqlalchemy("Enum8('red' = 1, 'blue' = 2)")
    assert isinstance(enum, sa.Enum) and enum.enums == ["red", "blue"]
    array = T.to_sqlalchemy("Array(Array(Float64))")
    assert isinstance(array, sa.ARRAY) and array.dimensions == 2
    assert T.to_sqlalchemy("DateTime64(3, 'UTC')").timezone is True
    assert NUMBER == "Nullable(Decimal(10, 2))" and STRING == "LowCardinality(String)"
    assert DATETIME == "DateTime64(6, 'Asia/Tokyo')"


@pytest.mark.parametrize("text", ["IntervalSecond", "Time64(3)", "Weird(1, 2", "Object(1"])
def test_unknown_or_malformed_types_degrade_with_a_warning(text: str) -> None:
    with pytest.warns(TypeMappingWarning):
        assert T.to_arrow(text) == pa.string()
    with pytest.warns(TypeMappingWarning):
        assert isinstance(T.to_sqlalchemy(text), sa.types.NullType)


def test_date_trunc_becomes_to_start_of_for_old_servers() -> None:
    superset = (
        "SELECT dateTrunc('WEEK', toDateTime(day)) AS day, SUM(amount) AS total FROM events "
        "GROUP BY dateTrunc('WEEK', toDateTime(day)) LIMIT 100"
    )
    rewritten = without_date_trunc(superset)
    assert "dateTrunc" not in rewritten
    assert "toMonday(toDateTime(day)) AS day" in rewritten
    assert 'GROUP BY "day"' in rewritten  # old servers resolve the alias inside the expression
    untouched = "SELECT 'dateTrunc(''DAY'', x)' AS s, dateTrunc('MILLISECOND', t) FROM x"
    assert without_date_trunc(untouched) == untouched
    assert without_date_trunc("SELEC dateTrunc(") == "SELEC dateTrunc("
