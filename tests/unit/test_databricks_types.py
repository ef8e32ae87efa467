"""Databricks types, parameters, time-travel spelling and URL options (no server)."""

from __future__ import annotations

import datetime
import decimal

import pyarrow as pa
import pytest
import sqlalchemy as sa

import sqlgate.dbapi.databricks as dbx
from sqlgate.core import errors
from sqlgate.core.sqltypes import MAP, STRUCT
from sqlgate.dbapi.databricks_session import warehouse_id
from sqlgate.dbapi.databricks_timetravel import databricks_sql
from sqlgate.dbapi.databricks_types import (
    DATABRICKS_TYPES,
    conform,
    parameter,
    parse_interval,
    rows_to_batch,
    sqlalchemy_type,
    type_code,
)


@pytest.mark.parametrize(
    ("text", "arrow"),
    [
        ("INT", pa.int32()),
        ("BIGINT", pa.int64()),
        ("TINYINT", pa.int8()),
        ("DECIMAL(38,6)", pa.decimal128(38, 6)),
        ("DECIMAL", pa.decimal128(10, 0)),
        ("TIMESTAMP", pa.timestamp("us", "UTC")),
        ("TIMESTAMP_NTZ", pa.timestamp("us")),
        ("DATE", pa.date32()),
        ("STRING", pa.string()),
        ("BINARY", pa.binary()),
        ("VARIANT", pa.string()),
        ("INTERVAL DAY TO SECOND", pa.month_day_nano_interval()),
        ("ARRAY<MAP<STRING, INT>>", pa.list_(pa.map_(pa.string(), pa.int32()))),
        (
            "STRUCT<a: INT, `b c`: ARRAY<TIMESTAMP_NTZ> NOT NULL COMMENT 'x'>",
            pa.struct([("a", pa.int32()), ("b c", pa.list_(pa.timestamp("us")))]),
        ),
        ("INTEGER[]", pa.list_(pa.int32())),  # minilake reports DuckDB's spelling
    ],
)
def test_arrow_types(text: str, arrow: pa.DataType) -> None:
    assert DATABRICKS_TYPES.to_arrow(text) == arrow


def test_sqlalchemy_types_and_codes() -> None:
    assert isinstance(sqlalchemy_type("BIGINT"), sa.BigInteger)
    struct = sqlalchemy_type("STRUCT<a: INT, b: MAP<STRING, DOUBLE>>")
    assert isinstance(struct, STRUCT)
    assert isinstance(dict(struct.fields)["b"], MAP)
    assert isinstance(sqlalchemy_type("ARRAY<STRING>"), sa.ARRAY)
    assert isinstance(sqlalchemy_type("VARIANT"), sa.JSON)
    assert isinstance(sqlalchemy_type("INTERVAL YEAR TO MONTH"), sa.Interval)
    assert type_code("INTEGER") == "INT" and type_code("VARCHAR") == "STRING"
    assert type_code("DECIMAL(10,2)") == dbx.NUMBER and dbx.DATETIME == "TIMESTAMP_NTZ"
    assert type_code("STRUCT<a: INT>") == dbx.STRING


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1-2", (14, 0, 0)),
        ("-0-3", (-3, 0, 0)),
        ("3 04:05:06.5", (0, 3, (4 * 3600 + 5 * 60 + 6) * 10**9 + 5 * 10**8)),
        ("-1 00:00:01", (0, -1, -(10**9))),
        ("INTERVAL '2' DAY", (0, 2, 0)),
        ("INTERVAL '1-6' YEAR TO MONTH", (18, 0, 0)),
        ("INTERVAL '90' SECOND", (0, 0, 90 * 10**9)),
    ],
)
def test_intervals(text: str, value: tuple[int, int, int]) -> None:
    parsed = parse_interval(text)
    assert (parsed.months, parsed.days, parsed.nanoseconds) == value


def test_json_rows_and_text_columns_conform_to_the_manifest() -> None:
    schema = pa.schema(
        [
            ("d", pa.decimal128(5, 2)),
            ("t", pa.timestamp("us", "UTC")),
            ("b", pa.bool_()),
            ("a", pa.list_(pa.int64())),
        ]
    )
    rows = [["1.50", "2026-01-01T00:00:00Z", "true", "[1,2]"], [None, None, None, None]]
    batch = rows_to_batch(rows, schema)
    assert batch.schema == schema
    assert batch.column(0).to_pylist() == [decimal.Decimal("1.50"), None]
    assert batch.column(2).to_pylist() == [True, None]
    text = pa.RecordBatch.from_pylist(
        [{"d": "1.50", "t": "2026-01-01 00:00:00", "b": "false", "a": "[3]"}]
    )
    conformed = conform(text, schema)
    assert conformed.column(1).to_pylist() == [
        datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
    ]
    assert conformed.column(3).to_pylist() == [[3]]
    with pytest.raises(errors.DataError, match="CAST"):
        rows_to_batch([["not a number", None, None, None]], schema)


def test_parameters_are_typed() -> None:
    assert parameter("p", 2**40) == {"name": "p", "value": str(2**40), "type": "BIGINT"}
    assert parameter("p", 1.5)["type"] == "DOUBLE"
    aware = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
    assert parameter("p", aware)["type"] == "TIMESTAMP"
    with pytest.raises(errors.ProgrammingError, match="bytes"):
        parameter("p", b"x")


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("SELECT * FROM t FOR VERSION AS OF 3", "SELECT * FROM t VERSION AS OF 3"),
        (
            "SELECT * FROM t FOR SYSTEM_TIME AS OF '2026-01-01'",
            "SELECT * FROM t TIMESTAMP AS OF '2026-01-01'",
        ),
        (
            "SELECT * FROM t TIMESTAMP AS OF '2026-01-01'",
            "SELECT * FROM t TIMESTAMP AS OF '2026-01-01'",
        ),
        (
            "SELECT 'FOR VERSION AS OF 1' -- FOR VERSION AS OF 2",
            "SELECT 'FOR VERSION AS OF 1' -- FOR VERSION AS OF 2",
        ),
    ],
)
def test_time_travel_spelling(sql: str, expected: str) -> None:
    assert databricks_sql(sql) == expected


def test_url_options_are_checked_before_any_request() -> None:
    assert warehouse_id("/sql/1.0/warehouses/abc123") == "abc123"
    with pytest.raises(errors.InterfaceError, match="warehouse"):  # a cluster: no statement API
        warehouse_id("sql/protocolv1/o/123/0123-abc")
    with pytest.raises(errors.InterfaceError, match="http_path"):
        dbx.connect("databricks+sqlgate://token:x@example.invalid/?http_path=/nope")
    with pytest.raises(errors.InterfaceError, match="unknown Databricks option"):
        dbx.connect("databricks+sqlgate://token:x@h/sql/1.0/warehouses/a?warehouse=1")
    with pytest.raises(errors.InterfaceError, match="wait_timeout"):
        dbx.connect("databricks+sqlgate://token:x@h/sql/1.0/warehouses/a?wait_timeout=3")
    with pytest.raises(errors.InterfaceError, match="token"):
        dbx.connect("databricks+sqlgate://h/sql/1.0/warehouses/a")


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM delta.`/tmp/t`",
        "SELECT * FROM parquet.`s3://bucket/x` AS p",
        "SELECT a.* FROM t JOIN json.`/Volumes/main/x.json` a ON true",
    ],
)
def test_path_reads_are_refused_while_read_only(sql: str) -> None:
    from sqlgate.dbapi.databricks_timetravel import refuse_path_reads

    with pytest.raises(errors.ReadOnlyError, match="path-based read"):
        refuse_path_reads(sql)


def test_names_and_literals_that_only_look_like_paths_pass() -> None:
    from sqlgate.dbapi.databricks_timetravel import refuse_path_reads

    for sql in ("SELECT * FROM main.`my table`", "SELECT 'delta.`/x`'", "SELECT `delta`.x FROM t"):
        refuse_path_reads(sql)  # no exception


@pytest.mark.parametrize(
    ("code", "state", "message", "expected"),
    [
        ("BAD_REQUEST", None, "[DIVIDE_BY_ZERO] Division by zero", errors.DataError),
        (None, "22018", "[CAST_INVALID_INPUT] ...", errors.DataError),
        ("BAD_REQUEST", "42P01", "[TABLE_OR_VIEW_NOT_FOUND] t", errors.ProgrammingError),
        ("INVALID_REQUEST", None, "Catalog Error: Table x does not exist", errors.ProgrammingError),
        ("PERMISSION_DENIED", None, "no access", errors.OperationalError),
        ("SOMETHING_NEW", None, "?", errors.DatabaseError),
    ],
)
def test_failed_statements_are_classified(
    code: str | None, state: str | None, message: str, expected: type
) -> None:
    from sqlgate.dbapi.databricks_client import classify

    assert classify(code, state, message) is expected


def test_native_arrow_columns_are_cast_to_the_manifest() -> None:
    """ARROW_STREAM from the service: a struct with non-null members, a timestamp zoned
    ``Etc/UTC``: values kept, types made exactly the manifest's."""
    from sqlgate.dbapi.databricks_types import manifest_schema

    schema = manifest_schema(
        [
            {"name": "s", "type_text": "STRUCT<a: INT, b: STRING>"},
            {"name": "t", "type_text": "TIMESTAMP"},
        ]
    )
    member = pa.struct([pa.field("a", pa.int32(), nullable=False), pa.field("b", pa.string())])
    batch = pa.RecordBatch.from_arrays(
        [
            pa.array([{"a": 1, "b": "x"}], member),
            pa.array([datetime.datetime(2026, 1, 1)], pa.timestamp("us", "Etc/UTC")),
        ],
        names=["s", "t"],
    )
    conformed = conform(batch, schema)
    assert conformed.schema == schema
    assert conformed.column(0).to_pylist() == [{"a": 1, "b": "x"}]
    assert conformed.column(1).to_pylist()[0].isoformat() == "2026-01-01T00:00:00+00:00"
