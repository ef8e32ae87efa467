"""sqlgate's ``druid://`` source on a real Apache Druid 33.0.0 (tests/servers/druid_real.py).

What :mod:`tests.servers.druid` assumes from Druid's documentation is checked here against
Druid's own planner, engine and HTTP resources; each test compares sqlgate's answer with the
rows the server was built from, or with Druid's raw HTTP answer read without sqlgate.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from typing import Any

import pyarrow as pa
import pytest
import sqlalchemy as sa

import sqlgate.dbapi.druid as druid_dbapi
from sqlgate.core import errors
from sqlgate.dbapi.druid_client import QueryCancelled
from sqlgate.dbapi.druid_types import COMPLEX
from tests.integration.test_druid_sqlalchemy import superset_probe
from tests.servers.base import ServerInfo
from tests.servers.druid_real import EVENTS, NUMBER_ROWS, VERSION, sql

UTC = dt.timezone.utc
#: a query that runs for seconds on this stack: a cross join of ``numbers`` with itself
SLOW = (
    "SELECT COUNT(*) FROM (SELECT n FROM numbers) a "
    "CROSS JOIN (SELECT n AS m FROM numbers) b WHERE a.n + b.m > 5"
)
#: Superset 6.1's ``DruidEngineSpec`` time grain expressions ({col} is the time column)
GRAINS = {
    "PT1H": "TIME_FLOOR(CAST({col} AS TIMESTAMP), 'PT1H')",
    "P1D": "TIME_FLOOR(CAST({col} AS TIMESTAMP), 'P1D')",
    "P1W": "TIME_FLOOR(CAST({col} AS TIMESTAMP), 'P1W')",
    "P1M": "TIME_FLOOR(CAST({col} AS TIMESTAMP), 'P1M')",
    "week_ending_saturday": (
        "TIME_SHIFT(TIME_FLOOR(TIME_SHIFT(CAST({col} AS TIMESTAMP), 'P1D', 1), 'P1W'), 'P1D', 5)"
    ),
}


def _url(info: ServerInfo, **options: str) -> str:
    query = "&".join(f"{k}={v}" for k, v in options.items())
    return str(info.extra["url"]) + (f"?{query}" if query else "")


def _time(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_status_names_the_real_druid(druid_real: ServerInfo) -> None:
    with druid_dbapi.connect(_url(druid_real)) as conn:
        assert conn.session.server_version == (33, 0, 0)
        assert conn.session.banner == f"Apache Druid {VERSION}"
    assert druid_real.extra["version"] == VERSION


def test_rows_are_typed_from_druids_headers(druid_real: ServerInfo) -> None:
    with druid_dbapi.connect(_url(druid_real)) as conn:
        cur = conn.cursor()
        cur.execute("SELECT __time, channel, page, city, added, delta FROM events ORDER BY __time")
        assert [d[1] for d in cur.description] == [
            "TIMESTAMP", "VARCHAR", "VARCHAR", "VARCHAR", "BIGINT", "DOUBLE",
        ]  # fmt: skip
        assert cur.rowcount == len(EVENTS)
        table = cur.fetch_arrow_table()
    assert table.schema.types == [
        pa.timestamp("ms", tz="UTC"), pa.string(), pa.string(), pa.string(), pa.int64(),
        pa.float64(),
    ]  # fmt: skip
    names = ("channel", "page", "city", "added", "delta")
    expected = [{"__time": _time(e["__time"]), **{k: e[k] for k in names}} for e in EVENTS]
    assert table.to_pylist() == expected


def test_empty_result_keeps_its_types(druid_real: ServerInfo) -> None:
    with druid_dbapi.connect(_url(druid_real)) as conn:
        cur = conn.cursor()
        cur.execute("SELECT __time, added, delta, page FROM events WHERE added > 1000")
        assert cur.rowcount == 0
        assert cur.fetch_arrow_table().schema.types == [
            pa.timestamp("ms", tz="UTC"), pa.int64(), pa.float64(), pa.string(),
        ]  # fmt: skip


def test_parameters_are_bound_by_druid(druid_real: ServerInfo) -> None:
    with druid_dbapi.connect(_url(druid_real)) as conn:
        cur = conn.cursor()
        since = dt.datetime(2024, 1, 1, 1, 0, tzinfo=UTC)
        cur.execute(
            "SELECT page, added FROM events WHERE channel = ? AND __time >= ? AND added > ? "
            "ORDER BY __time",
            ("#zh", since, 6),
        )
        assert cur.fetchall() == [("北京", 20), ("上海", 7)]
        cur.execute("SELECT ? + 1, ? * 2.0, ?, ? IS TRUE", (41, 1.25, "文字", True))
        assert cur.fetchall() == [(42, 2.5, "文字", True)]
        cur.execute("SELECT COUNT(*) FROM events WHERE page = ?", ("'; DROP TABLE events --",))
        assert cur.fetchone() == (0,)
        cur.execute(
            "SELECT CAST(__time AS DATE) AS d, COUNT(*) FROM events WHERE __time >= ? "
            "GROUP BY 1 ORDER BY 1",
            (dt.date(2024, 1, 2),),
        )
        assert cur.description[0][1] == "DATE"
        assert cur.fetchall() == [(dt.date(2024, 1, 2), 1), (dt.date(2024, 1, 8), 1),
                                  (dt.date(2024, 2, 1), 1)]  # fmt: skip
        cur.execute("SELECT ? IS NULL, ARRAY_LENGTH(?)", (None, ["a", "b"]))
        assert cur.fetchall() == [(True, 2)]


def test_time_zone_is_druids_sql_time_zone(druid_real: ServerInfo) -> None:
    sql_text = "SELECT __time, TIME_FLOOR(__time, 'P1D') AS d FROM events ORDER BY __time LIMIT 2"
    with druid_dbapi.connect(_url(druid_real, time_zone="Asia/Shanghai")) as conn:
        table = conn.cursor().execute(sql_text).fetch_arrow_table()
    assert table.schema.field("__time").type == pa.timestamp("ms", tz="Asia/Shanghai")
    assert table.column("__time").to_pylist()[0] == _time(EVENTS[0]["__time"])
    # Druid floors to days of the session's zone: 2024-01-01T00:15Z is 08:15 in Shanghai
    assert [d.isoformat() for d in table.column("d").to_pylist()] == [
        "2024-01-01T00:00:00+08:00",
        "2024-01-01T00:00:00+08:00",
    ]


def test_superset_time_grains(druid_real: ServerInfo) -> None:
    got: dict[str, list[tuple[str, int]]] = {}
    with druid_dbapi.connect(_url(druid_real)) as conn:
        cur = conn.cursor()
        for grain, expression in GRAINS.items():
            column = expression.format(col="__time")
            cur.execute(
                f"SELECT {column} AS t, COUNT(*) AS n FROM events GROUP BY {column} ORDER BY 1"
            )
            assert cur.description[0][1] == "TIMESTAMP"
            got[grain] = [(t.isoformat(), n) for t, n in cur.fetchall()]
    assert got["P1D"] == [
        ("2024-01-01T00:00:00+00:00", 2),
        ("2024-01-02T00:00:00+00:00", 1),
        ("2024-01-08T00:00:00+00:00", 1),
        ("2024-02-01T00:00:00+00:00", 1),
    ]
    assert got["P1W"] == [  # ISO weeks start on Monday
        ("2024-01-01T00:00:00+00:00", 3),
        ("2024-01-08T00:00:00+00:00", 1),
        ("2024-01-29T00:00:00+00:00", 1),
    ]
    assert got["P1M"] == [("2024-01-01T00:00:00+00:00", 4), ("2024-02-01T00:00:00+00:00", 1)]
    assert got["week_ending_saturday"] == [
        ("2024-01-06T00:00:00+00:00", 3),
        ("2024-01-13T00:00:00+00:00", 1),
        ("2024-02-03T00:00:00+00:00", 1),
    ]
    assert len(got["PT1H"]) == 5


def test_superset_druid_spec_on_sqlalchemy_14(druid_real: ServerInfo, tmp_path: Any) -> None:
    """Superset 6.1's own ``DruidEngineSpec`` (its grains, its ``convert_dttm``) through the
    dialect on SQLAlchemy 1.4, in Superset's venv, against the real Druid."""
    probe = superset_probe(_url(druid_real), tmp_path, since="2024-01-01T01:00:00")
    grains = probe["grains"]
    assert grains["P1D"] == [
        ["2024-01-01 00:00:00+00:00", 20],  # only 01:30 is since TIME_PARSE(01:00)
        ["2024-01-02 00:00:00+00:00", None],  # SUM over NULLs only is NULL
        ["2024-01-08 00:00:00+00:00", 5],
        ["2024-02-01 00:00:00+00:00", 7],
    ]
    # every grain Superset offers for Druid runs and covers the four rows since 01:00
    assert all(sum(n or 0 for _, n in rows) == 32 for rows in grains.values()), grains


def test_multi_value_dimension(druid_real: ServerInfo) -> None:
    expected = [e["tags"] for e in EVENTS]
    with druid_dbapi.connect(_url(druid_real, multi_value="tags")) as conn:
        cur = conn.cursor()
        cur.execute("SELECT tags FROM events ORDER BY __time")
        assert cur.description[0][1] == "VARCHAR ARRAY"
        table = cur.fetch_arrow_table()
    assert table.schema.field("tags").type == pa.list_(pa.string())
    assert table.column("tags").to_pylist() == expected
    # what Druid sends: VARCHAR in every header, several values as the JSON text of an array
    status, body = sql(
        str(druid_real.extra["uri"]),
        "SELECT tags FROM events ORDER BY __time",
        header=True,
        sqlTypesHeader=True,
        context={"sqlStringifyArrays": False},
    )
    lines = [json.loads(line) for line in body.splitlines() if line]
    assert status == 200 and lines[1] == ["VARCHAR"]
    assert [row[0] for row in lines[2:5]] == ['["a","b"]', "b", None]
    with druid_dbapi.connect(_url(druid_real)) as conn:  # not named: the text as Druid sent it
        table = conn.cursor().execute("SELECT tags FROM events ORDER BY __time").fetch_arrow_table()
    assert table.schema.field("tags").type == pa.string()
    assert table.column("tags").to_pylist()[:2] == ['["a","b"]', "b"]


def test_arrays_and_complex_columns(druid_real: ServerInfo) -> None:
    with druid_dbapi.connect(_url(druid_real)) as conn:
        cur = conn.cursor()
        cur.execute(
            "SELECT MV_TO_ARRAY(tags) AS t, ARRAY[added, 1] AS a, uniq_users FROM events "
            "ORDER BY __time"
        )
        # Druid's sqlTypesHeader says ARRAY; the element type comes from its typesHeader
        assert [d[1] for d in cur.description] == [
            "VARCHAR ARRAY", "BIGINT ARRAY", "COMPLEX<hyperUnique>",
        ]  # fmt: skip
        table = cur.fetch_arrow_table()
    assert table.schema.field("t").type == pa.list_(pa.string())
    assert table.column("t").to_pylist() == [e["tags"] for e in EVENTS]
    assert table.schema.field("a").type == pa.list_(pa.int64())
    assert table.column("a").to_pylist()[:3] == [[10, 1], [20, 1], [None, 1]]
    sketches = table.column("uniq_users").to_pylist()
    assert all(isinstance(s, str) and s.startswith('"AQAA') for s in sketches)


def test_reflection_through_information_schema(druid_real: ServerInfo) -> None:
    engine = sa.create_engine(_url(druid_real))
    try:
        inspector = sa.inspect(engine)
        assert "druid" in inspector.get_schema_names()
        assert inspector.get_table_names() == ["events", "numbers"]
        assert inspector.has_table("events") and not inspector.has_table("nope")
        columns = {c["name"]: c for c in inspector.get_columns("events")}
        assert list(columns) == [
            "__time", "channel", "page", "tags", "city", "added", "delta", "user", "uniq_users",
        ]  # fmt: skip
        assert isinstance(columns["__time"]["type"], sa.TIMESTAMP)
        assert columns["__time"]["type"].timezone and columns["__time"]["nullable"] is False
        assert isinstance(columns["tags"]["type"], sa.ARRAY)  # segmentMetadata: multi-value
        assert isinstance(columns["page"]["type"], sa.String)
        assert isinstance(columns["added"]["type"], sa.BigInteger)
        assert isinstance(columns["delta"]["type"], sa.Float)
        assert isinstance(columns["uniq_users"]["type"], COMPLEX)
        assert columns["uniq_users"]["type"].name == "COMPLEX<hyperUnique>"
        events = sa.Table("events", sa.MetaData(), autoload_with=engine)
        with engine.connect() as conn:  # the reflected multi-value column reads as lists
            tags = conn.execute(sa.select(events.c.tags).order_by(events.c["__time"])).scalars()
            assert list(tags) == [e["tags"] for e in EVENTS]
        day = sa.func.TIME_FLOOR(events.c["__time"], "P1D").label("day")
        query = (
            sa.select(day, sa.func.SUM(events.c.added).label("total"))
            .where(events.c.channel == "#zh")
            .group_by(day)
            .order_by(day)
        )
        with engine.connect() as conn:
            rows = [(d.date().isoformat(), total) for d, total in conn.execute(query)]
        assert rows == [("2024-01-01", 20), ("2024-02-01", 7)]
    finally:
        engine.dispose()


def test_druid_errors_map_to_pep249(druid_real: ServerInfo) -> None:
    with druid_dbapi.connect(_url(druid_real)) as conn:
        cur = conn.cursor()
        with pytest.raises(errors.ProgrammingError) as info:
            cur.execute("SELECT * FROM no_such_datasource")
        assert "INFORMATION_SCHEMA.TABLES" in str(info.value)
        assert "Object 'no_such_datasource' not found" in str(info.value.__cause__)
        with pytest.raises(errors.ProgrammingError, match="invalidInput") as info:
            cur.execute("SELECT nosuch FROM events")
        assert "Column 'nosuch' not found" in str(info.value)
        with pytest.raises(errors.ProgrammingError, match="Invalid period"):
            cur.execute("SELECT TIME_FLOOR(__time, 'P1X') FROM events")
        with pytest.raises(errors.DataError) as info:  # a row's ArithmeticException
            cur.execute("SELECT added / 0 FROM events")
        assert "/ by zero" in str(info.value)
        assert cur.execute("SELECT COUNT(*) FROM events").fetchone() == (len(EVENTS),)


def test_gate_refuses_ingestion_before_druid_sees_it(druid_real: ServerInfo) -> None:
    extern = (
        'INSERT INTO stolen SELECT * FROM TABLE(EXTERN(\'{"type":"http","uris":'
        '["http://127.0.0.1:1/x"]}\', \'{"type":"json"}\', \'[{"name":"x","type":'
        '"string"}]\')) PARTITIONED BY DAY'
    )
    statements = [
        extern,
        "REPLACE INTO events OVERWRITE ALL SELECT * FROM events PARTITIONED BY DAY",
    ]
    with druid_dbapi.connect(_url(druid_real)) as conn:
        cur = conn.cursor()
        for statement in statements:
            with pytest.raises(errors.ProgrammingError) as info:
                cur.execute(statement)
            assert info.value.__cause__ is None  # the gate's refusal, not Druid's answer
            assert "read-only" in str(info.value).lower()
    # what Druid itself would have answered: its SQL endpoint refuses them too, by name
    status, body = sql(str(druid_real.extra["uri"]), statements[1])
    assert status == 400 and b"not supported" in body


def _run_in_thread(cur: Any, statement: str) -> tuple[threading.Thread, list[BaseException]]:
    failures: list[BaseException] = []

    def run() -> None:
        try:
            cur.execute(statement)
            cur.fetchall()
        except BaseException as exc:
            failures.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, failures


def test_cancel_reaches_druid_by_sqlgates_query_id(druid_real: ServerInfo) -> None:
    """Druid registers the query under the ``sqlQueryId`` sqlgate set and accepts the
    ``DELETE`` (202); this stack has no Historical to interrupt, so the work runs to its end
    and the waiting call then raises QueryCancelled."""
    with druid_dbapi.connect(_url(druid_real)) as conn:
        cur = conn.cursor()
        thread, failures = _run_in_thread(cur, SLOW)
        accepted = False
        deadline = time.monotonic() + 10
        while not accepted and time.monotonic() < deadline:
            time.sleep(0.02)
            accepted = conn.session.client.cancel(conn.session.query_id)  # 404 until registered
        cur.cancel()
        thread.join(timeout=60)
        assert accepted and not thread.is_alive()
        assert failures and isinstance(failures[0], QueryCancelled)
        assert cur.execute("SELECT COUNT(*) FROM numbers").fetchone() == (NUMBER_ROWS,)
