"""Superset 6.1's web app on Druid's protocol: a database, a dataset, charts with time grains.

Superset (its own venv, SQLAlchemy 1.4) runs as a process on 127.0.0.1 and is driven through its
REST API (tests/integration/superset_app.py); it picks its own ``DruidEngineSpec`` for
``druid+sqlgate://`` and reaches the Druid SQL API test server of this pytest process. The
password reaches Superset only through its environment (``credential=env:``).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

from tests.integration.superset_app import (
    SupersetClient,
    add_db,
    chart_data,
    dttm_columns,
    run_sql,
    superset_on,
    table_names,
    temporary_dataset,
)
from tests.servers.base import ServerInfo
from tests.servers.druid import EVENT_ROWS

PW_ENV = "SQLGATE_E2E_DRUID_PASSWORD"
GRAINS = ["PT1H", "P1D", "P1W", "P1M"]


superset = superset_on("druid_server", PW_ENV)


def _floor(when: dt.datetime, grain: str) -> dt.datetime:
    if grain == "PT1H":
        return when.replace(minute=0, second=0)
    day = when.replace(hour=0, minute=0, second=0)
    if grain == "P1W":  # Druid's weeks start on Monday (ISO)
        return day - dt.timedelta(days=day.weekday())
    return day.replace(day=1) if grain == "P1M" else day


def test_superset_charts_druid_with_time_grains(
    superset: SupersetClient, druid: ServerInfo
) -> None:
    server = druid.extra["server"]  # its request log is emptied before and after (``druid``)
    url = (
        f"druid+sqlgate://{druid.user}@{druid.host}:{druid.port}"
        f"/druid/v2/sql?credential=env:{PW_ENV}"
    )
    db = add_db(superset, "e2e-druid", url)
    assert "druid" in superset.get(f"/api/v1/database/{db}/schemas/")["result"]
    assert {"events", "items"} <= set(table_names(superset, db, "druid"))

    with temporary_dataset(superset, db, "druid", "events") as dataset:
        assert dttm_columns(superset, dataset)["__time"] is True
        for grain in GRAINS:
            expected: Counter[str] = Counter()
            for when, _, _, added, _ in EVENT_ROWS:
                expected[_floor(dt.datetime.fromisoformat(when), grain).isoformat()] += added
            result = chart_data(superset, dataset, grain, "__time", "SUM(added)", not_null=False)
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

        got = run_sql(superset, db, "druid", "SELECT COUNT(*) AS n FROM events")
        assert got["data"][0]["n"] == len(EVENT_ROWS)
        before = len(server.requests)
        # Superset's own parser cannot read PARTITIONED BY: a plain INSERT reaches sqlgate
        insert = "INSERT INTO events SELECT * FROM events"
        refused = run_sql(superset, db, "druid", insert, expect=(400, 422, 500))
        assert "read-only" in str(refused), refused
        assert not any("INSERT" in r["query"].upper() for r in server.requests[before:])


def test_superset_picks_its_own_druid_spec(tmp_path: Path) -> None:
    """``druid`` is in SUPERSET_OWNS: sqlgate ships no spec that could shadow Superset's."""
    from importlib.metadata import entry_points

    from sqlgate.superset import SUPERSET_OWNS, expected_entry_points

    assert "druid" in SUPERSET_OWNS and "druid" not in expected_entry_points()
    names = {e.name for e in entry_points(group="superset.db_engine_specs")}
    assert "druid" not in names
