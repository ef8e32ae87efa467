from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pyarrow.compute as pc
import pytest
import sqlglot
from sqlglot import exp

from sqlgate.core.errors import ProgrammingError
from sqlgate.lakehouse import pushdown
from sqlgate.lakehouse.timetravel import normalise, pop_time_travel


def _where(sql: str, params=()):
    tree = sqlglot.parse_one(normalise(sql), read="duckdb")
    return pushdown.translate(tree.args["where"].this, lambda c: c.name, list(params))


def test_normalise_is_token_safe():
    sql = "select '?', ? from t FOR SYSTEM_TIME AS OF ? -- ?\n where y = 'SYSTEM_VERSION'"
    assert normalise(sql) == (
        "select '?', $1 from t FOR TIMESTAMP AS OF $2 -- ?\n where y = 'SYSTEM_VERSION'"
    )


def test_pop_time_travel_version_and_timestamp():
    tree = sqlglot.parse_one(
        normalise("select * from a.t for version as of 12 x join b for timestamp as of ? on 1=1"),
        read="duckdb",
    )
    t1, t2 = list(tree.find_all(exp.Table))
    assert pop_time_travel(t1, []).value == 12
    tt = pop_time_travel(t2, ["2026-01-01 00:00:00"])
    assert tt.value == dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    assert "AS OF" not in tree.sql("duckdb")
    with pytest.raises(ProgrammingError):
        pop_time_travel(
            sqlglot.parse_one("select * from t for timestamp as of 'nope'", read="duckdb").find(
                exp.Table
            ),
            [],
        )


def test_translate_shapes():
    pred = _where(
        "select 1 from t where a = ? and b in (1, 2) and not c is null"
        " and d between 1 and 3 and f(x) > 1",
        [5],
    )
    assert pred[0] == "and"
    assert ("cmp", "a", "=", 5) in pred[1]
    assert ("in", "b", [1, 2]) in pred[1]
    assert len(pred[1]) == 4  # the function call stays for DuckDB only
    assert _where("select 1 from t where 3 < a") == ("cmp", "a", ">", 3)


def test_or_with_untranslatable_side_is_not_pushed():
    with pytest.raises(pushdown._Skip):
        _where("select 1 from t where a = 1 or f(b) = 2")


def test_targets():
    schema = pa.schema([("a", pa.int64()), ("s", pa.string()), ("d", pa.date32())])
    pred = _where("select 1 from t where (a > 1 or s = 'x') and d >= DATE '2024-01-02'")
    expr = pushdown.to_pyarrow(pred, schema)
    table = pa.table(
        {"a": [0, 2, 0], "s": ["x", "y", "z"], "d": [dt.date(2024, 1, 3)] * 3}, schema=schema
    )
    assert table.filter(expr).num_rows == 2
    assert pushdown.to_sql(pred) == (
        '((("a" > 1) OR ("s" = \'x\')) AND ("d" >= DATE \'2024-01-02\'))'
    )
    assert "GreaterThan" in repr(pushdown.to_iceberg(pred))
    assert pushdown.to_hudi(
        ("and", [("cmp", "region", "=", "eu"), ("cmp", "x", ">", 1)]), {"region"}
    ) == [("region", "=", "eu")]


def test_type_mismatch_is_not_pushed():
    schema = pa.schema([("s", pa.string())])
    assert pushdown.to_pyarrow(("cmp", "s", "=", 5), schema) is None
    assert isinstance(pushdown.to_pyarrow(("cmp", "s", "=", "5"), schema), pc.Expression)
