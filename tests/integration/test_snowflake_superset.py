"""Superset 6.1 end to end on ``snowflake+sqlgate://``, with Superset's own SnowflakeEngineSpec.

A real Superset web app (own venv, SQLAlchemy 1.4) against fakesnow, driven through its REST
API: Test Connection (Superset sets ``validate_default_parameters``), the database added with a
credential provider in its URL, schemas and tables, a dataset, a chart with the P1D, P1W, P1M
and P1Y grains (sums equal to those computed directly through sqlgate); but not SQL
Lab: Superset's spec asks for ``CURRENT_SESSION()`` before every SQL Lab statement, which
fakesnow lacks. Stop is not tested: Superset's spec stops with ``SYSTEM$CANCEL_ALL_QUERIES``,
which the gate refuses (docs/sources/snowflake.md).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from tests.integration.superset_app import SupersetClient, rison, start_superset
from tests.integration.test_superset_e2e import (
    EVENTS,
    GRAINS,
    Source,
    chart_sums,
    expected_sums,
    sql_lab,
)
from tests.servers.snowflake import DATABASE, SCHEMA, SnowflakeServerInfo, admin_execute

PW_ENV = "SQLGATE_E2E_SF_PW"


@pytest.fixture(scope="module")
def events(fakesnow_server: SnowflakeServerInfo) -> SnowflakeServerInfo:
    """The e2e suite's ``events`` table (26 dated amounts) on fakesnow."""
    values = ", ".join(
        f"('{day}'::DATE, {amount})"
        for day, amount in zip(
            EVENTS.column("day").to_pylist(), EVENTS.column("amount").to_pylist(), strict=True
        )
    )
    admin_execute(
        fakesnow_server,
        "CREATE OR REPLACE TABLE events (day DATE, amount INT)",
        f"INSERT INTO events VALUES {values}",
    )
    return fakesnow_server


@pytest.fixture(scope="module")
def superset_sf(
    tmp_path_factory: pytest.TempPathFactory, events: SnowflakeServerInfo
) -> Iterator[SupersetClient]:
    home = tmp_path_factory.mktemp("superset-sf")
    with start_superset(home, {PW_ENV: events.password}) as client:
        yield client


def direct(info: SnowflakeServerInfo) -> list[tuple[object, object]]:
    rows = admin_execute(info, "SELECT day, amount FROM events")[0]
    return [(r[0], r[1]) for r in rows]


def test_superset_end_to_end_on_snowflake(
    superset_sf: SupersetClient, events: SnowflakeServerInfo
) -> None:
    info = events
    url = (
        f"snowflake+sqlgate://{info.user}@{info.host}:{info.port}/{DATABASE}/{SCHEMA}"
        f"?account=fakesnow&protocol=http&credential=env:{PW_ENV}"
    )
    source = Source(
        "snowflake", url, info.url("snowflake+sqlgate"), "public", "events", "day", "amount"
    )
    body = {"database_name": f"e2e-snowflake-{uuid.uuid4().hex[:6]}", "sqlalchemy_uri": url}
    superset_sf.post("/api/v1/database/test_connection/", body)
    db = superset_sf.post(
        "/api/v1/database/",
        {**body, "expose_in_sqllab": True, "allow_dml": True, "allow_run_async": False},
        expect=201,
    )["id"]
    database = superset_sf.get(f"/api/v1/database/{db}")["result"]
    assert database["backend"] == "snowflake" and database["driver"] == "sqlgate"
    assert info.password not in str(database)

    assert "public" in superset_sf.get(f"/api/v1/database/{db}/schemas/")["result"]
    tables = superset_sf.get(
        f"/api/v1/database/{db}/tables/?q=" + rison({"schema_name": "public", "force": True})
    )
    assert "events" in [t["value"] for t in tables["result"]]
    dataset = superset_sf.post(
        "/api/v1/dataset/", {"database": db, "schema": "public", "table_name": "events"}, expect=201
    )["id"]
    try:
        columns = superset_sf.get(f"/api/v1/dataset/{dataset}")["result"]["columns"]
        # Superset keeps a dataset's column names as the server spells them (normalize_columns
        # off): Snowflake's upper case
        assert {c["column_name"]: c["is_dttm"] for c in columns}["DAY"] is True
        rows = direct(info)
        for grain in GRAINS:
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
                                "sqlExpression": "DAY",
                                "label": "day",
                                "expressionType": "SQL",
                            }
                        ],
                        "metrics": [
                            {
                                "expressionType": "SQL",
                                "label": "total",
                                "sqlExpression": "SUM(amount)",
                            }
                        ],
                        "filters": [{"col": "DAY", "op": "IS NOT NULL"}],
                        "row_limit": 10000,
                        "time_range": "No filter",
                        "orderby": [],
                        "extras": {"having": "", "where": ""},
                    }
                ],
            }
            result = superset_sf.post("/api/v1/chart/data", payload)["result"][0]
            assert chart_sums(result, "day") == expected_sums(rows, grain), grain

        # SQL Lab: Superset's spec first asks for CURRENT_SESSION() (its Stop id), which
        # fakesnow does not have; on Snowflake the statement follows. The refused write is
        # checked through the engine (test_snowflake_dialect.py), as SQL Lab cannot reach it here
        blocked = sql_lab(superset_sf, db, source, "DELETE FROM events", expect=(400, 422, 500))
        assert "current_session" in str(blocked).lower(), blocked
        assert len(direct(info)) == len(rows)
    finally:
        superset_sf.call("DELETE", f"/api/v1/dataset/{dataset}")
