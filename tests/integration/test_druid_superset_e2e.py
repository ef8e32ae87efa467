"""Superset 6.1's web app on Druid's protocol: a database, a dataset, charts with time grains.

Superset (its own venv, SQLAlchemy 1.4) runs as a process on 127.0.0.1 and is driven through its
REST API (tests/integration/superset_app.py); it picks its own ``DruidEngineSpec`` for
``druid+sqlgate://`` and reaches the Druid SQL API test server of this pytest process. The
password reaches Superset only through its environment (``credential=env:``).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.integration.superset_app import SupersetClient, rison, start_superset
from tests.servers.base import ServerInfo
from tests.servers.druid import EVENT_ROWS

PW_ENV = "SQLGATE_E2E_DRUID_PASSWORD"
GRAINS = ["PT1H", "P1D", "P1W", "P1M"]


@pytest.fixture(scope="module")
def superset(
    tmp_path_factory: pytest.TempPathFactory, druid_server: ServerInfo
) -> Iterator[SupersetClient]:
    with start_superset(
        tmp_path_factory.mktemp("superset-druid"), {PW_ENV: druid_server.password}
    ) as client:
        yield client


def _floor(when: dt.datetime, grain: str) -> dt.datetime:
    if grain == "PT1H":
        return when.replace(minute=0, second=0)
    day = when.replace(hour=0, minute=0, second=0)
    if grain == "P1W":  # Druid's weeks start on Monday (ISO)
        return day - dt.timedelta(days=day.weekday())
    return day.replace(day=1) if grain == "P1M" else day


def _chart(client: SupersetClient, dataset: int, grain: str) -> dict[str, Any]:
    payload = {
        "datasource": {"id": dataset, "type": "table"},
        "force": True,
        "result_format": "json",
        "result_type": "full",
        "queries": [
            {
                "columns": [
                    {
                        "timeGrain": grain,
                        "columnType": "BASE_AXIS",
                        "sqlExpression": "__time",
                        "label": "__time",
                        "expressionType": "SQL",
                    }
                ],
                "metrics": [
                    {"expressionType": "SQL", "label": "total", "sqlExpression": "SUM(added)"}
                ],
                "row_limit": 10000,
                "time_range": "No filter",
                "orderby": [],
                "extras": {"having": "", "where": ""},
            }
        ],
    }
    return client.post("/api/v1/chart/data", payload)["result"][0]


def test_superset_charts_druid_with_time_grains(
    superset: SupersetClient, druid_server: ServerInfo
) -> None:
    server = druid_server.extra["server"]
    server.reset()
    url = (
        f"druid+sqlgate://{druid_server.user}@{druid_server.host}:{druid_server.port}"
        f"/druid/v2/sql?credential=env:{PW_ENV}"
    )
    body = {"database_name": f"e2e-druid-{uuid.uuid4().hex[:6]}", "sqlalchemy_uri": url}
    superset.post("/api/v1/database/test_connection/", body)
    db = superset.post(
        "/api/v1/database/",
        {**body, "expose_in_sqllab": True, "allow_dml": True, "allow_run_async": False},
        expect=201,
    )["id"]
    assert "druid" in superset.get(f"/api/v1/database/{db}/schemas/")["result"]
    tables = superset.get(
        f"/api/v1/database/{db}/tables/?q=" + rison({"schema_name": "druid", "force": True})
    )
    assert {"events", "items"} <= {t["value"] for t in tables["result"]}

    dataset = superset.post(
        "/api/v1/dataset/",
        {"database": db, "schema": "druid", "table_name": "events"},
        expect=201,
    )["id"]
    try:
        columns = superset.get(f"/api/v1/dataset/{dataset}")["result"]["columns"]
        assert {c["column_name"]: c["is_dttm"] for c in columns}["__time"] is True
        for grain in GRAINS:
            expected: Counter[str] = Counter()
            for when, _, _, added, _ in EVENT_ROWS:
                expected[_floor(dt.datetime.fromisoformat(when), grain).isoformat()] += added
            result = _chart(superset, dataset, grain)
            got = {
                dt.datetime.fromtimestamp(row["__time"] / 1000, dt.timezone.utc)
                .replace(tzinfo=None)
                .isoformat(): row["total"]
                for row in result["data"]
            }
            assert got == dict(expected), grain
            assert "TIME_FLOOR" in result["query"], result["query"]
        # every chart query reached Druid's API with typed headers and a query id
        sent = [r for r in server.requests if "TIME_FLOOR" in r["query"]]
        assert len(sent) >= len(GRAINS)
        assert all(r["context"]["sqlQueryId"].startswith("sqlgate-") for r in sent)

        sql = {
            "database_id": db,
            "schema": "druid",
            "runAsync": False,
            "queryLimit": 1000,
            "tab": "e2e",
            "sql_editor_id": "1",
        }
        got = superset.post(
            "/api/v1/sqllab/execute/",
            {**sql, "sql": "SELECT COUNT(*) AS n FROM events", "client_id": uuid.uuid4().hex[:10]},
        )
        assert got["data"][0]["n"] == len(EVENT_ROWS)
        before = len(server.requests)
        refused = superset.post(
            "/api/v1/sqllab/execute/",
            {
                **sql,
                # Superset's own parser cannot read PARTITIONED BY: a plain INSERT reaches sqlgate
                "sql": "INSERT INTO events SELECT * FROM events",
                "client_id": uuid.uuid4().hex[:10],
            },
            expect=(400, 422, 500),
        )
        assert "read-only" in str(refused), refused
        assert not any("INSERT" in r["query"].upper() for r in server.requests[before:])
    finally:
        superset.call("DELETE", f"/api/v1/dataset/{dataset}")
        server.reset()


def test_superset_picks_its_own_druid_spec(tmp_path: Path) -> None:
    """``druid`` is in SUPERSET_OWNS: sqlgate ships no spec that could shadow Superset's."""
    from importlib.metadata import entry_points

    from sqlgate.superset import SUPERSET_OWNS, expected_entry_points

    assert "druid" in SUPERSET_OWNS and "druid" not in expected_entry_points()
    names = {e.name for e in entry_points(group="superset.db_engine_specs")}
    assert "druid" not in names
