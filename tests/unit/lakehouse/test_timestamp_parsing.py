"""``FOR TIMESTAMP AS OF '...'`` text is parsed strictly: ISO-8601 with a date part, or a Hudi
instant (14/17 digits, read as UTC outside Hudi); anything else is refused, never guessed."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest
import sqlglot

from sqlgate.core.errors import ProgrammingError
from sqlgate.lakehouse import pushdown
from sqlgate.lakehouse.pushdown import to_pyarrow, translate
from sqlgate.lakehouse.timetravel import hudi_instant, normalise, pop_time_travel, to_datetime

UTC = dt.timezone.utc


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("2025-12-20", dt.datetime(2025, 12, 20, tzinfo=UTC)),
        ("2025-12-20 21:01", dt.datetime(2025, 12, 20, 21, 1, tzinfo=UTC)),
        ("2025-12-20T21:01:23", dt.datetime(2025, 12, 20, 21, 1, 23, tzinfo=UTC)),
        ("2025-12-20 21:01:23.7", dt.datetime(2025, 12, 20, 21, 1, 23, 700000, tzinfo=UTC)),
        ("2025-12-20 21:01:23.123456", dt.datetime(2025, 12, 20, 21, 1, 23, 123456, tzinfo=UTC)),
        ("2025-12-20T21:01:23Z", dt.datetime(2025, 12, 20, 21, 1, 23, tzinfo=UTC)),
        ("2025-12-20 22:01:23+01:00", dt.datetime(2025, 12, 20, 21, 1, 23, tzinfo=UTC)),
        ("2025-12-20 16:31-04:30", dt.datetime(2025, 12, 20, 21, 1, tzinfo=UTC)),
        ("  2025-12-20 21:01\n", dt.datetime(2025, 12, 20, 21, 1, tzinfo=UTC)),
        ("2024-02-29", dt.datetime(2024, 2, 29, tzinfo=UTC)),
        # Hudi instants (Hudi's Spark SQL time travel); UTC outside Hudi
        ("20251220210123755", dt.datetime(2025, 12, 20, 21, 1, 23, 755000, tzinfo=UTC)),
        ("20251220210123", dt.datetime(2025, 12, 20, 21, 1, 23, tzinfo=UTC)),
    ],
)
def test_accepted_forms(text, want):
    got = to_datetime(text)
    assert got == want
    assert got.utcoffset() is not None


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("2025", "accepted forms"),
        ("20251220", "YYYY-MM-DD"),  # 8 digits: refused, a date is written with dashes
        ("2025-13-01", "accepted forms"),
        ("2025-02-30", "accepted forms"),
        ("2025-12-20 25:00", "accepted forms"),
        ("2025-12-20 21:60", "accepted forms"),
        ("2025-12-20 21:01:23+25:00", "accepted forms"),
        ("1734728483", "as a number"),  # epoch seconds in a string
        ("1734728483000", "as a number"),
        ("now", "accepted forms"),
        ("yesterday", "accepted forms"),
        ("", "accepted forms"),
        ("   ", "accepted forms"),
        ("2025-12-20  21:01", "accepted forms"),
        ("2025-12-20 21", "accepted forms"),
        ("2025-12-20T21:01:23.1234567", "accepted forms"),
        ("2025-12-20+01:00", "accepted forms"),
        ("2025-W51-6", "accepted forms"),
        ("2025-12-20 21:01:23,5", "accepted forms"),
        ("202512202101237", "accepted forms"),  # 15 digits
        ("202512202101237555", "accepted forms"),  # 18 digits
        ("20251320210123755", "accepted forms"),  # month 13 in an instant
        ("12/20/2025", "accepted forms"),
    ],
)
def test_refused_forms(text, hint):
    with pytest.raises(ProgrammingError, match="cannot parse") as info:
        to_datetime(text)
    assert hint in str(info.value)


def test_non_text_values():
    aware = dt.datetime(2025, 1, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    assert to_datetime(aware) == aware
    assert to_datetime(dt.date(2025, 1, 2)) == dt.datetime(2025, 1, 2, tzinfo=UTC)
    assert to_datetime(1734728483) == dt.datetime(2024, 12, 20, 21, 1, 23, tzinfo=UTC)
    assert to_datetime(1734728483755) == dt.datetime(2024, 12, 20, 21, 1, 23, 755000, tzinfo=UTC)
    with pytest.raises(ProgrammingError, match="unsupported"):
        to_datetime(True)


def test_hudi_instant_kept_for_hudi():
    assert hudi_instant("20251220210123755") == "20251220210123755"
    assert hudi_instant(" 20251220210123 ") == "20251220210123000"
    assert hudi_instant("2025-12-20") is None
    table = sqlglot.parse_one(
        normalise("SELECT * FROM t FOR TIMESTAMP AS OF '20251220210123755'"), read="duckdb"
    ).find(sqlglot.exp.Table)
    travel = pop_time_travel(table, [])
    assert travel is not None and travel.instant == "20251220210123755"
    assert travel.value == dt.datetime(2025, 12, 20, 21, 1, 23, 755000, tzinfo=UTC)
    table = sqlglot.parse_one(
        normalise("SELECT * FROM t FOR TIMESTAMP AS OF ?"), read="duckdb"
    ).find(sqlglot.exp.Table)
    travel = pop_time_travel(table, ["2025-12-20 21:01:23"])
    assert travel is not None and travel.instant is None


def test_pushdown_reads_literals_strictly():
    date = sqlglot.parse_one("SELECT 1 FROM t WHERE d = DATE '2025-12-20'", read="duckdb")
    assert translate(date.args["where"].this, lambda c: c.name, []) == (
        "cmp",
        "d",
        "=",
        dt.date(2025, 12, 20),
    )
    bad = sqlglot.parse_one("SELECT 1 FROM t WHERE d = DATE '20251220'", read="duckdb")
    with pytest.raises(pushdown._Skip):  # not pushed down as a guessed value
        translate(bad.args["where"].this, lambda c: c.name, [])
    schema = pa.schema([("ts", pa.timestamp("us", tz="UTC"))])
    good = to_pyarrow(("cmp", "ts", ">=", "2025-12-20 21:01:23"), schema)
    assert good is not None and "2025-12-20 21:01:23" in str(good)
    assert to_pyarrow(("cmp", "ts", ">=", "20251220210123755"), schema) is None
