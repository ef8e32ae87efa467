"""BigQuery pieces that need no server: parameters, time travel, types, errors, SQL compiled."""

from __future__ import annotations

import datetime as dt
import decimal

import pyarrow as pa
import pytest
import sqlalchemy as sa

pytest.importorskip("google.cloud.bigquery")

from google.api_core import exceptions as gexc
from google.cloud.bigquery import SchemaField

import sqlgate.dbapi.bigquery  # noqa: F401 - registers the google-api-core classifier
from sqlgate.core import errors
from sqlgate.core.sqltypes import STRUCT
from sqlgate.core.translate import sqlgate_error_for
from sqlgate.dbapi.bigquery_session import bind
from sqlgate.dbapi.bigquery_sql import time_travel
from sqlgate.dbapi.bigquery_types import BIGQUERY_TYPES, arrow_schema, type_string
from sqlgate.dialects.bigquery import BigQueryDialect


def test_pyformat_binds_as_server_side_parameters() -> None:
    text, params = bind("SELECT %s, %s, '%%'", (1, "a"))
    assert text == "SELECT ?, ?, '%'"
    assert [(p.name, p.type_, p.value) for p in params] == [
        (None, "INT64", 1),
        (None, "STRING", "a"),
    ]
    text, params = bind("SELECT %(when)s, %(n)s", {"when": dt.date(2026, 1, 2), "n": None})
    assert text == "SELECT @when, @n"
    assert [(p.name, p.type_) for p in params] == [("when", "DATE"), ("n", "STRING")]
    _, params = bind(
        "SELECT %s, %s, %s, %s",
        (decimal.Decimal("1.5"), dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc), b"x", [1, 2]),
    )
    assert [p.to_api_repr()["parameterType"]["type"] for p in params] == [
        "NUMERIC", "TIMESTAMP", "BYTES", "ARRAY",
    ]  # fmt: skip
    assert bind("SELECT 1", None) == ("SELECT 1", [])


@pytest.mark.parametrize(
    ("sql", "values"),
    [
        ("SELECT %s, %s", (1,)),
        ("SELECT %s", (1, 2)),
        ("SELECT %(a)s", {"b": 1}),
        ("SELECT %(a)s", (1,)),
        ("SELECT %s", {"a": 1}),
    ],
)
def test_parameter_mismatches_are_programming_errors(sql: str, values: object) -> None:
    with pytest.raises(errors.ProgrammingError):
        bind(sql, values)  # type: ignore[arg-type]


def test_time_travel_spelling_is_rewritten_on_tokens_only() -> None:
    sql = "SELECT 'FOR TIMESTAMP AS OF' FROM t FOR TIMESTAMP AS OF x -- FOR TIMESTAMP AS OF"
    assert time_travel(sql) == (
        "SELECT 'FOR TIMESTAMP AS OF' FROM t FOR SYSTEM_TIME AS OF x -- FOR TIMESTAMP AS OF"
    )
    native = "SELECT * FROM t FOR SYSTEM_TIME AS OF TIMESTAMP '2026-01-01'"
    assert time_travel(native) == native
    assert time_travel("SELECT CAST(x AS TIMESTAMP) FROM t") == "SELECT CAST(x AS TIMESTAMP) FROM t"


def test_types_from_schema_fields() -> None:
    fields = [
        SchemaField("s", "RECORD", fields=[SchemaField("a", "INTEGER"),
                                           SchemaField("b", "STRING", mode="REPEATED")]),
        SchemaField("n", "NUMERIC", precision=10, scale=2),
        SchemaField("bn", "BIGNUMERIC"),
        SchemaField("r", "RANGE", range_element_type="TIMESTAMP"),
        SchemaField("g", "GEOGRAPHY"),
        SchemaField("iv", "INTERVAL"),
        SchemaField("j", "JSON"),
        SchemaField("f", "FLOAT"),
        SchemaField("dt", "DATETIME"),
        SchemaField("ts", "TIMESTAMP"),
    ]  # fmt: skip
    assert type_string(fields[0]) == "STRUCT<`a` INT64, `b` ARRAY<STRING>>"
    assert type_string(fields[1]) == "NUMERIC(10, 2)"
    assert type_string(fields[3]) == "RANGE<TIMESTAMP>"
    schema = arrow_schema(fields)
    assert schema.field("s").type == pa.struct([("a", pa.int64()), ("b", pa.list_(pa.string()))])
    assert schema.field("n").type == pa.decimal128(10, 2)
    assert schema.field("bn").type == pa.decimal256(76, 38)
    tz = pa.timestamp("us", tz="UTC")
    assert schema.field("r").type == pa.struct([("start", tz), ("end", tz)])
    assert schema.field("g").type == pa.string() and schema.field("j").type == pa.string()
    assert schema.field("iv").type == pa.month_day_nano_interval()
    assert schema.field("f").type == pa.float64()
    assert schema.field("dt").type == pa.timestamp("us") and schema.field("ts").type == tz
    struct = BIGQUERY_TYPES.to_sqlalchemy(type_string(fields[0]))
    assert isinstance(struct, STRUCT) and isinstance(struct.field_type("b"), sa.ARRAY)
    assert isinstance(BIGQUERY_TYPES.to_sqlalchemy("INTERVAL"), sa.Interval)
    assert isinstance(BIGQUERY_TYPES.to_sqlalchemy("JSON"), sa.JSON)


def test_api_errors_map_to_pep249_classes() -> None:
    cases = [
        (gexc.BadRequest("Syntax error: Unexpected keyword"), errors.ProgrammingError),
        (gexc.BadRequest("Bad double value: x"), errors.DataError),
        (gexc.NotFound("Not found: Table p:d.t"), errors.ProgrammingError),
        (gexc.Unauthorized("Request had invalid authentication credentials"),
         errors.OperationalError),
        (gexc.Forbidden("Quota exceeded", errors=[{"reason": "quotaExceeded"}]),
         errors.OperationalError),
        (gexc.RetryError("Timeout of 2.0s exceeded", cause=None), errors.OperationalError),
    ]  # fmt: skip
    for exc, expected in cases:
        error = sqlgate_error_for(exc)
        assert type(error) is expected, (exc, error)
    assert "quota" in str(sqlgate_error_for(cases[4][0]))
    assert "request_timeout" in str(sqlgate_error_for(cases[5][0]))


def test_dialect_compiles_googlesql() -> None:
    dialect = BigQueryDialect()
    items = sa.table("my items", sa.column("id"), sa.column("name"), schema="ds")
    query = (
        sa.select(items.c.id, sa.cast(items.c.name, sa.String), sa.cast(items.c.id, sa.Float))
        .where(items.c.id > 1)
        .limit(5)
        .offset(2)
    )
    text = str(query.compile(dialect=dialect))
    assert "FROM ds.`my items`" in text
    assert "CAST(ds.`my items`.name AS STRING)" in text and "AS FLOAT64" in text
    assert "LIMIT 5" in text and "OFFSET 2" in text
    assert "%(id_1)s" in text  # pyformat: bound on the server as @id_1


def test_dialect_hands_superset_the_service_account_key(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Superset's BigQueryEngineSpec builds its own client from ``credentials_info``."""
    import json

    key = tmp_path / "sa.json"
    key.write_text(json.dumps({"type": "service_account", "client_email": "r@p.iam"}))
    dialect = BigQueryDialect()
    _, kwargs = dialect.create_connect_args(
        sa.engine.make_url(f"bigquery+sqlgate://p/d?credential=gcp:{key}")
    )
    assert kwargs["credential"] == f"gcp:{key}" and kwargs["host"] == "p"
    assert dialect.credentials_info == {"type": "service_account", "client_email": "r@p.iam"}
    dialect.create_connect_args(sa.engine.make_url("bigquery+sqlgate://p/d?credential=gcp"))
    assert dialect.credentials_info is None
