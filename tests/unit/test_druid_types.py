"""Druid's type headers, parameter typing and error classification, without a server."""

from __future__ import annotations

import datetime as dt
import decimal

import pyarrow as pa
import pytest
import sqlalchemy as sa

from sqlgate.core import errors
from sqlgate.core.http import Response
from sqlgate.dbapi.druid_client import QueryCancelled, QueryTimeout, classify, error_from
from sqlgate.dbapi.druid_types import (
    COMPLEX,
    DruidColumn,
    arrow_type,
    multi_value_columns,
    parameter,
    rows_to_batch,
    schema,
    sqlalchemy_type,
)


@pytest.mark.parametrize(
    ("native", "sql", "expected"),
    [
        ("LONG", "TIMESTAMP", pa.timestamp("ms", tz="Asia/Tokyo")),
        ("LONG", "BIGINT", pa.int64()),
        ("DOUBLE", "DOUBLE", pa.float64()),
        ("FLOAT", "FLOAT", pa.float32()),
        ("LONG", "BOOLEAN", pa.bool_()),
        ("LONG", "DATE", pa.date32()),
        ("STRING", "VARCHAR", pa.string()),
        ("ARRAY<STRING>", "VARCHAR ARRAY", pa.list_(pa.string())),
        ("ARRAY<LONG>", "BIGINT ARRAY", pa.list_(pa.int64())),
        ("COMPLEX<hyperUnique>", "OTHER", pa.string()),
        ("COMPLEX<json>", "COMPLEX<json>", pa.string()),
    ],
)
def test_arrow_type_comes_from_the_headers(native: str, sql: str, expected: pa.DataType) -> None:
    assert arrow_type(DruidColumn("c", native, sql), "Asia/Tokyo") == expected


def test_rows_become_typed_batches() -> None:
    columns = [
        DruidColumn("__time", "LONG", "TIMESTAMP"),
        DruidColumn("tags", "STRING", "VARCHAR"),
        DruidColumn("n", "LONG", "BIGINT"),
        DruidColumn("d", "LONG", "DATE"),
    ]
    rows = [
        ["2026-01-01T10:00:00.000Z", ["a", "b"], 1, "2026-01-01T00:00:00.000Z"],
        ["2026-01-01T02:00:00.000-08:00", "c", None, None],
        [None, None, 3, "2026-01-02T00:00:00.000+09:00"],
    ]
    multi = multi_value_columns(columns, rows)
    assert multi == {"tags"}
    batch = rows_to_batch(rows, schema(columns, "UTC", multi))
    times = batch.column(0).cast(pa.int64()).to_pylist()
    assert times[0] == times[1]  # the same instant in two offsets
    assert batch.column(1).to_pylist() == [["a", "b"], ["c"], None]
    assert batch.column(3).to_pylist() == [dt.date(2026, 1, 1), None, dt.date(2026, 1, 2)]


def test_a_value_that_does_not_fit_is_a_data_error() -> None:
    columns = [DruidColumn("n", "LONG", "BIGINT")]
    with pytest.raises(errors.DataError, match="'n'"):
        rows_to_batch([["not a number"]], schema(columns, "UTC", ()))


def test_parameters_are_typed() -> None:
    assert parameter(1) == {"type": "BIGINT", "value": 1}
    assert parameter(True) == {"type": "BOOLEAN", "value": True}
    assert parameter(1.5) == {"type": "DOUBLE", "value": 1.5}
    assert parameter(decimal.Decimal("2.5")) == {"type": "DOUBLE", "value": 2.5}
    assert parameter("x") == {"type": "VARCHAR", "value": "x"}
    assert parameter(dt.date(2026, 1, 2)) == {"type": "DATE", "value": "2026-01-02"}
    aware = dt.datetime(2026, 1, 2, 9, tzinfo=dt.timezone(dt.timedelta(hours=9)))
    midnight = 1767312000000  # 2026-01-02T00:00 as epoch milliseconds
    assert parameter(aware) == {"type": "TIMESTAMP", "value": midnight}
    assert parameter(dt.datetime(2026, 1, 2)) == {"type": "TIMESTAMP", "value": midnight}
    # the wall clock of the session's zone (Druid reads the milliseconds in sqlTimeZone)
    assert parameter(aware, "Asia/Tokyo") == {"type": "TIMESTAMP", "value": midnight + 9 * 3600000}
    assert parameter(["a", "b"]) == {"type": "ARRAY", "value": ["a", "b"]}
    with pytest.raises(errors.ProgrammingError, match="cannot bind"):
        parameter(object())


def test_reflected_types_never_fail() -> None:
    assert isinstance(sqlalchemy_type("TIMESTAMP"), sa.TIMESTAMP)
    assert sqlalchemy_type("TIMESTAMP").timezone is True
    assert isinstance(sqlalchemy_type("VARCHAR", multi_value=True), sa.ARRAY)
    # a multi-value row arrives as the JSON text of its array (a real Druid 33), or as an array
    read = sqlalchemy_type("VARCHAR", multi_value=True).result_processor(None, None)
    assert read('["a","b"]') == ["a", "b"] and read(["a", None]) == ["a", None]
    assert read("x") == ["x"] and read("[1]") == ["[1]"] and read("[oops") == ["[oops"]
    assert read(None) is None
    complex_type = sqlalchemy_type("COMPLEX<thetaSketch>")
    assert isinstance(complex_type, COMPLEX) and complex_type.name == "COMPLEX<thetaSketch>"
    assert isinstance(sqlalchemy_type("OTHER"), COMPLEX)
    assert isinstance(sqlalchemy_type("VARCHAR ARRAY"), sa.ARRAY)
    assert isinstance(sqlalchemy_type("SOMETHING_NEW"), sa.types.NullType)


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (400, {"error": "Plan validation failed", "errorMessage": "x"}, errors.ProgrammingError),
        (400, {"error": "SQL parse failed", "errorMessage": "x"}, errors.ProgrammingError),
        (400, {"errorCode": "invalidInput", "category": "INVALID_INPUT"}, errors.ProgrammingError),
        (500, {"error": "Query cancelled"}, QueryCancelled),
        (500, {"errorCode": "legacyQueryException", "category": "CANCELED"}, QueryCancelled),
        (504, {"error": "Query timeout"}, QueryTimeout),
        (504, {"category": "TIMEOUT"}, QueryTimeout),
        (500, {"error": "x", "errorClass": "java.lang.NumberFormatException"}, errors.DataError),
        (400, {"error": "Unsupported operation"}, errors.NotSupportedError),
        (429, {"error": "Query capacity exceeded"}, errors.OperationalError),
        (500, {"category": "DEFENSIVE"}, errors.InternalError),
        (403, {"category": "FORBIDDEN"}, errors.OperationalError),
    ],
)
def test_both_error_shapes_are_classified(status: int, body: dict, expected: type) -> None:
    assert classify(status, body) is expected


def test_error_message_is_redacted_and_names_the_fix() -> None:
    from sqlgate.core.redact import register_secret

    register_secret("s3cr3t-in-message")
    response = Response(
        400,
        {},
        b'{"error":"druidException","errorCode":"invalidInput","category":"INVALID_INPUT",'
        b"\"errorMessage\":\"Object 's3cr3t-in-message' not found within 'druid'\"}",
    )
    exc = error_from("POST", "http://u:pw@h:8888/druid/v2/sql?x=1", response, "q1")
    assert isinstance(exc, errors.ProgrammingError)
    text = str(exc)
    assert "s3cr3t-in-message" not in text and "pw@" not in text and "x=1" not in text
    assert "INFORMATION_SCHEMA.TABLES" in text and "q1" in text
    html = Response(401, {}, b"<html>HTTP ERROR 401 Unauthorized</html>")
    assert "credential" in str(error_from("GET", "http://h/status", html, None))
