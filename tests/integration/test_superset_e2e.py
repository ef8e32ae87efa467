"""Superset 6.1 end to end, through its REST API exactly as a user's browser drives it.

One real Superset web app (own venv, SQLAlchemy 1.4) serves the whole module; every source is
a parameter: add the database, Test Connection, list schemas and tables, create a dataset with
a date column, draw a chart with each of the time grains P1D, P1W, P1M and P1Y (sums equal to
the same aggregate computed directly through sqlgate), SQL Lab with a schema selected, time
travel, a write with Allow DML on (refused by sqlgate, nothing written), and Stop.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
import uuid
import zipfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pyarrow as pa
import pytest

import sqlgate
from tests.integration.superset_app import (
    SupersetClient,
    add_db,
    chart_data,
    dttm_columns,
    rison,
    run_sql,
    shared_superset,
    table_names,
    temporary_dataset,
)
from tests.servers.base import ServerInfo
from tests.shared_data import shared_fixtures

GRAINS = ("P1D", "P1W", "P1M", "P1Y")
PW_ENV = {"postgresql": "SQLGATE_E2E_PG_PW", "mysql": "SQLGATE_E2E_MYSQL_PW"}
DAYS = [dt.date(2024, 12, 20) + dt.timedelta(days=3 * i) for i in range(26)]  # to 2025-03
EVENTS = pa.table(
    {
        "day": pa.array(DAYS, pa.date32()),
        "amount": pa.array([10 * i + 7 for i in range(26)], pa.int64()),
    }
)


def event_values(day_sql: str = "DATE '{day}'") -> str:
    """:data:`EVENTS` as a ``VALUES`` list, each day written as ``day_sql`` says (the
    engine's date literal)."""
    amounts = EVENTS["amount"].to_pylist()
    return ", ".join(
        f"({day_sql.format(day=day)}, {amount})" for day, amount in zip(DAYS, amounts, strict=True)
    )


HUDI_FIXTURE = shared_fixtures() / "hudi" / "cow_v9_txns_simple_meta.zip"
SLOW_LAKE = "SELECT count(*) AS n FROM {table}, range(100000) a, range(100000) b"
SLOW_WIRE = {  # minutes of work unless stopped
    "postgresql": (
        "SELECT count(*) AS n FROM items, "
        "generate_series(1, 100000) a, generate_series(1, 100000) b"
    ),
    "mysql": "SELECT count(*) AS n FROM items, seq_1_to_1000000000 a, seq_1_to_1000 b",
}


@dataclass
class Source:
    """One database as a Superset user adds it, plus what the test checks it against."""

    name: str
    url: str  # what is typed into Superset (wire passwords come from PW_ENV)
    direct_url: str  # the same source for the test process (expected values)
    schema: str
    table: str
    date_col: str
    amount_col: str
    time_travel: tuple[str, int] | None = None  # SQL Lab statement and its expected count
    write: str = ""
    slow: str = ""  # a statement that runs for minutes unless stopped ("" : Stop not tested)


# -------------------------------------------------------------------------- the app
@pytest.fixture(scope="module")
def superset(
    request: pytest.FixtureRequest, seeded_postgres: ServerInfo, seeded_mariadb: ServerInfo
) -> SupersetClient:
    client = shared_superset(request)
    # the URLs name credential providers; the passwords are in Superset's environment only
    client.set_env(
        {PW_ENV["postgresql"]: seeded_postgres.password, PW_ENV["mysql"]: seeded_mariadb.password}
    )
    return client


# -------------------------------------------------------------------------- sources
def _write_lake(kind: str, base: Path) -> tuple[str, tuple[str, int] | None]:
    """``events`` in two commits (first half, then the rest): URL and a time travel query."""
    first, rest = EVENTS.slice(0, 13), EVENTS.slice(13)
    if kind == "delta":
        from deltalake import write_deltalake

        write_deltalake(str(base / "events"), first)
        write_deltalake(str(base / "events"), rest, mode="append")
        return f"delta://{base}", ("SELECT count(*) AS n FROM events FOR VERSION AS OF 0", 13)
    if kind == "iceberg":
        from pyiceberg.catalog.sql import SqlCatalog

        catalog = SqlCatalog(
            "default", uri=f"sqlite:///{base}/catalog.db", warehouse=f"file://{base}/warehouse"
        )
        catalog.create_namespace("sales")
        table = catalog.create_table("sales.events", schema=EVENTS.schema)
        table.append(first)
        snapshot = table.current_snapshot().snapshot_id
        table.append(rest)
        catalog.engine.dispose()
        return (
            f"iceberg://{base}/catalog.db",
            (f"SELECT count(*) AS n FROM events FOR VERSION AS OF {snapshot}", 13),
        )
    import pyarrow.parquet as pq

    (base / "events").mkdir()
    pq.write_table(EVENTS, base / "events" / "part-0.parquet")
    return f"file://{base}", None


def _hudi(base: Path) -> tuple[str, tuple[str, int]]:
    if not HUDI_FIXTURE.exists():
        pytest.fail(f"Hudi fixture {HUDI_FIXTURE} missing (shared/fixtures/hudi)")
    with zipfile.ZipFile(HUDI_FIXTURE) as archive:
        archive.extractall(base / "unzipped")
    top = next(p for p in (base / "unzipped").iterdir() if p.name != "__MACOSX")
    (base / "lake").mkdir()
    top.rename(base / "lake" / "txns")
    with sqlgate.connect(f"hudi://{base}/lake") as conn:
        cur = conn.cursor()
        first = cur.execute("SELECT min(_hoodie_commit_time) FROM txns").fetchall()[0][0]
        travel = f"SELECT count(*) AS n FROM txns FOR VERSION AS OF '{first}'"
        count = cur.execute(travel).fetchall()[0][0]  # the same statement, computed directly
        assert count != len(cur.execute("SELECT * FROM txns").fetchall())
    return f"hudi://{base}/lake", (travel, count)


def _s3(moto: ServerInfo) -> str:
    import boto3
    import pyarrow.fs as pafs
    import pyarrow.parquet as pq

    boto3.client(
        "s3",
        endpoint_url=moto.extra["endpoint_url"],
        region_name="us-east-1",
        aws_access_key_id=moto.user,
        aws_secret_access_key=moto.password,
    ).create_bucket(Bucket="e2e")
    fs = pafs.S3FileSystem(
        endpoint_override=f"{moto.host}:{moto.port}",
        scheme="http",
        access_key=moto.user,
        secret_key=moto.password,
        region="us-east-1",
    )
    pq.write_table(EVENTS, "e2e/lake/events/part-0.parquet", filesystem=fs)
    query = urlencode({"endpoint": moto.extra["endpoint_url"], "region": "us-east-1"})
    return f"s3://{moto.user}:{moto.password}@e2e/lake?{query}"


def make_source(name: str, request: pytest.FixtureRequest, base: Path) -> Source:
    if name in ("postgresql", "mysql"):
        server: ServerInfo = request.getfixturevalue(
            "seeded_postgres" if name == "postgresql" else "seeded_mariadb"
        )
        where = f"{server.user}@{server.host}:{server.port}/{server.database}"
        return Source(
            name,
            f"{name}+sqlgate://{where}?credential=env:{PW_ENV[name]}",
            f"{name}+sqlgate://{server.user}:{server.password}@"
            f"{server.host}:{server.port}/{server.database}",
            "public" if name == "postgresql" else server.database,
            "items",
            "created",
            "amount",
            write="INSERT INTO items VALUES (99, 'written', 1.00, NULL)",
            slow=SLOW_WIRE[name],
        )
    if name == "hudi":
        url, travel = _hudi(base)
        return Source(
            name,
            url,
            url,
            "main",
            "txns",
            "txn_date",
            "amount",
            travel,
            write="INSERT INTO txns (txn_id) VALUES ('written')",
            slow=SLOW_LAKE.format(table="txns"),
        )
    if name == "s3":
        url = _s3(request.getfixturevalue("moto_clean"))
        return Source(
            name,
            url,
            url,
            "main",
            "events",
            "day",
            "amount",
            write="INSERT INTO events VALUES (DATE '2025-01-01', 1)",
            slow=SLOW_LAKE.format(table="events"),
        )
    url, travel = _write_lake(name, base)
    return Source(
        name,
        url,
        url,
        "sales" if name == "iceberg" else "main",
        "events",
        "day",
        "amount",
        travel,
        write="INSERT INTO events VALUES (DATE '2025-01-01', 1)",
        slow=SLOW_LAKE.format(table="events"),
    )


def direct_rows(source: Source) -> list[tuple[Any, Any]]:
    """(date, amount) of every row with a date, read by sqlgate in this process."""
    table = f"{source.schema}.{source.table}" if source.name == "iceberg" else source.table
    with sqlgate.connect(source.direct_url) as conn:
        cur = conn.cursor()
        cur.execute(
            f"SELECT {source.date_col}, {source.amount_col} FROM {table} "
            f"WHERE {source.date_col} IS NOT NULL"
        )
        return [tuple(r) for r in cur.fetchall()]


def truncate(day: dt.date, grain: str, sunday_weeks: bool = False) -> dt.date:
    if grain == "P1W":  # Superset's MySQL spec starts P1W weeks on Sunday, the others Monday
        return day - dt.timedelta(days=(day.weekday() + 1) % 7 if sunday_weeks else day.weekday())
    if grain == "P1M":
        return day.replace(day=1)
    if grain == "P1Y":
        return day.replace(month=1, day=1)
    return day


def expected_sums(
    rows: list[tuple[Any, Any]], grain: str, sunday_weeks: bool = False
) -> dict[str, float]:
    sums: dict[str, float] = defaultdict(float)
    for when, amount in rows:
        day = when.date() if isinstance(when, dt.datetime) else when
        sums[truncate(day, grain, sunday_weeks).isoformat()] += float(amount)
    return {k: round(v, 2) for k, v in sums.items()}


def chart_sums(result: dict[str, Any], date_col: str) -> dict[str, float]:
    out = {}
    for row in result["data"]:
        when = row[date_col]
        day = (
            dt.datetime.fromtimestamp(when / 1000, dt.timezone.utc).date()
            if isinstance(when, (int, float))
            else dt.date.fromisoformat(str(when)[:10])
        )
        out[day.isoformat()] = round(float(row["total"]), 2)
    return out


# -------------------------------------------------------------------------- steps
def add_database(client: SupersetClient, source: Source) -> int:
    return add_db(client, f"e2e-{source.name}", source.url)


def sql_lab(
    client: SupersetClient,
    db: int,
    source: Source,
    sql: str,
    *,
    expect: int | tuple = 200,
    client_id: str | None = None,
    timeout: float = 120,
) -> dict[str, Any]:
    return run_sql(
        client, db, source.schema, sql, expect=expect, client_id=client_id, timeout=timeout
    )


SOURCES = ["postgresql", "mysql", "iceberg", "delta", "hudi", "file", "s3"]


@pytest.mark.parametrize("name", SOURCES)
def test_superset_end_to_end(
    name: str, superset: SupersetClient, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    end_to_end(superset, make_source(name, request, tmp_path))


def end_to_end(superset: SupersetClient, source: Source) -> int:
    """Add the database, find its schema and table listed, and check a dataset on the table
    (:func:`check_dataset`); the database's id."""
    db = add_database(superset, source)
    assert source.schema in superset.get(f"/api/v1/database/{db}/schemas/")["result"]
    assert source.table in table_names(superset, db, source.schema)
    with temporary_dataset(superset, db, source.schema, source.table) as dataset:
        check_dataset(superset, db, dataset, source)
    return db


def check_dataset(superset: SupersetClient, db: int, dataset: int, source: Source) -> None:
    assert dttm_columns(superset, dataset)[source.date_col] is True

    rows = direct_rows(source)
    for grain in GRAINS:
        metric = f"SUM({source.amount_col})"
        result = chart_data(superset, dataset, grain, source.date_col, metric)
        expected = expected_sums(rows, grain, sunday_weeks=source.name == "mysql")
        assert chart_sums(result, source.date_col) == expected, grain

    # SQL Lab with the schema selected: the unqualified name resolves in that schema
    got = sql_lab(superset, db, source, f"SELECT count(*) AS n FROM {source.table}")
    assert got["data"][0]["n"] == len(direct_rows_all(source))

    if source.time_travel:
        sql, count = source.time_travel
        assert sql_lab(superset, db, source, sql)["data"][0]["n"] == count

    # Allow DML is on: Superset sends the write; sqlgate refuses it and nothing changes
    before = len(direct_rows_all(source))
    refused = sql_lab(superset, db, source, source.write, expect=(400, 422, 500))
    assert "read-only" in str(refused), refused
    assert len(direct_rows_all(source)) == before


def direct_rows_all(source: Source) -> list[tuple[Any, ...]]:
    table = f"{source.schema}.{source.table}" if source.name == "iceberg" else source.table
    with sqlgate.connect(source.direct_url) as conn:
        return [tuple(r) for r in conn.cursor().execute(f"SELECT * FROM {table}").fetchall()]


STOP_SOURCES = ["postgresql", "mysql", "iceberg", "delta", "hudi", "file", "s3"]


@pytest.mark.parametrize("name", STOP_SOURCES)
def test_superset_stop_stops_a_running_query(
    name: str, superset: SupersetClient, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    source = make_source(name, request, tmp_path)
    db = add_database(superset, source)
    client_id = uuid.uuid4().hex[:10]
    outcome: dict[str, Any] = {}

    def run() -> None:
        outcome["response"] = sql_lab(
            superset,
            db,
            source,
            source.slow,
            client_id=client_id,
            expect=(200, 400, 422, 500),
            timeout=300,
        )
        outcome["ended"] = time.monotonic()

    worker = threading.Thread(target=run)
    worker.start()
    time.sleep(4)  # the statement is running in DuckDB by now
    assert worker.is_alive(), outcome
    stopped_at = time.monotonic()
    superset.post("/api/v1/query/stop", {"client_id": client_id})
    worker.join(timeout=30)
    assert not worker.is_alive(), "the query was still running 30 s after Stop"
    assert outcome["ended"] - stopped_at < 2.0, outcome
    assert "data" not in outcome["response"] or not outcome["response"].get("data")
    queries = superset.get("/api/v1/query/?q=" + rison({"page_size": 100}))["result"]
    status = {q.get("client_id"): q.get("status") for q in queries}
    assert status.get(client_id, "stopped") in ("stopped", "failed"), status
