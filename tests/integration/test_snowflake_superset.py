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

import pytest

from tests.integration.superset_app import (
    SupersetClient,
    add_db,
    chart_data,
    dttm_columns,
    superset_on,
    table_names,
    temporary_dataset,
)
from tests.integration.test_superset_e2e import (
    GRAINS,
    Source,
    chart_sums,
    event_values,
    expected_sums,
    sql_lab,
)
from tests.servers.snowflake import DATABASE, SCHEMA, SnowflakeServerInfo, admin_execute

PW_ENV = "SQLGATE_E2E_SF_PW"


@pytest.fixture(scope="module")
def events(fakesnow_server: SnowflakeServerInfo) -> SnowflakeServerInfo:
    """The e2e suite's ``events`` table (26 dated amounts) on fakesnow."""
    admin_execute(
        fakesnow_server,
        "CREATE OR REPLACE TABLE events (day DATE, amount INT)",
        "INSERT INTO events VALUES " + event_values("'{day}'::DATE"),
    )
    return fakesnow_server


superset = superset_on("events", PW_ENV)


def direct(info: SnowflakeServerInfo) -> list[tuple[object, object]]:
    rows = admin_execute(info, "SELECT day, amount FROM events")[0]
    return [(r[0], r[1]) for r in rows]


def test_superset_end_to_end_on_snowflake(
    superset: SupersetClient, events: SnowflakeServerInfo
) -> None:
    info = events
    url = (
        f"snowflake+sqlgate://{info.user}@{info.host}:{info.port}/{DATABASE}/{SCHEMA}"
        f"?account=fakesnow&protocol=http&credential=env:{PW_ENV}"
    )
    source = Source(
        "snowflake", url, info.url("snowflake+sqlgate"), "public", "events", "day", "amount"
    )
    db = add_db(superset, "e2e-snowflake", url)
    database = superset.get(f"/api/v1/database/{db}")["result"]
    assert database["backend"] == "snowflake" and database["driver"] == "sqlgate"
    assert info.password not in str(database)

    assert "public" in superset.get(f"/api/v1/database/{db}/schemas/")["result"]
    assert "events" in table_names(superset, db, "public")
    with temporary_dataset(superset, db, "public", "events") as dataset:
        # Superset keeps a dataset's column names as the server spells them (normalize_columns
        # off): Snowflake's upper case
        assert dttm_columns(superset, dataset)["DAY"] is True
        rows = direct(info)
        for grain in GRAINS:
            result = chart_data(superset, dataset, grain, "DAY", "SUM(amount)", label="day")
            assert chart_sums(result, "day") == expected_sums(rows, grain), grain

        # SQL Lab: Superset's spec first asks for CURRENT_SESSION() (its Stop id), which
        # fakesnow does not have; on Snowflake the statement follows. The refused write is
        # checked through the engine (test_snowflake_dialect.py), as SQL Lab cannot reach it here
        blocked = sql_lab(superset, db, source, "DELETE FROM events", expect=(400, 422, 500))
        assert "current_session" in str(blocked).lower(), blocked
        assert len(direct(info)) == len(rows)
