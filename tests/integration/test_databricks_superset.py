"""Superset 6.1 end to end on the Databricks source, through its REST API as a browser drives it.

A real Superset web app (own venv, SQLAlchemy 1.4) with sqlgate's Databricks spec, against
minilake: add the database (Test Connection first), list schemas and tables, create a dataset,
draw a chart with the time grains P1D, P1W, P1M and P1Y (sums equal to the aggregate computed
directly through sqlgate), SQL Lab with the schema selected, and a write with Allow DML on that
sqlgate refuses with nothing written. Stop is not tested here: minilake runs a statement to its
end before it answers (the protocol tests cancel a running statement).
"""

from __future__ import annotations

import pytest

from tests.integration.superset_app import SupersetClient, superset_on
from tests.integration.test_superset_e2e import Source, end_to_end, event_values
from tests.servers.base import ServerInfo
from tests.servers.databricks import admin_sql

TOKEN_ENV = "SQLGATE_E2E_DBX_TOKEN"


@pytest.fixture(scope="module")
def events(seeded_databricks: ServerInfo) -> ServerInfo:
    """The e2e suite's ``events`` table (26 dated amounts) on minilake."""
    admin_sql(seeded_databricks, "DROP TABLE IF EXISTS events")
    admin_sql(seeded_databricks, "CREATE TABLE events (day DATE, amount BIGINT)")
    admin_sql(seeded_databricks, f"INSERT INTO events VALUES {event_values()}")
    return seeded_databricks


superset = superset_on("events", TOKEN_ENV)


def test_superset_end_to_end_on_databricks(superset: SupersetClient, events: ServerInfo) -> None:
    info = events
    source = Source(
        "databricks",
        # what a user types: the token comes from a credential provider, not the URL
        f"databricks+sqlgate://token@{info.host}:{info.port}/{info.database}"
        f"?credential=env:{TOKEN_ENV}",
        info.url("databricks+sqlgate"),
        "main",
        "events",
        "day",
        "amount",
        write="INSERT INTO events VALUES (DATE '2025-01-01', 1)",
    )
    db = end_to_end(superset, source)  # grains, SQL Lab, the refused write
    database = superset.get(f"/api/v1/database/{db}")["result"]
    assert database["backend"] == "databricks" and database["driver"] == "sqlgate"
    assert info.password not in str(database)
