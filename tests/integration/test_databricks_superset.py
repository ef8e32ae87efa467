"""Superset 6.1 end to end on the Databricks source, through its REST API as a browser drives it.

A real Superset web app (own venv, SQLAlchemy 1.4) with sqlgate's Databricks spec, against
minilake: add the database (Test Connection first), list schemas and tables, create a dataset,
draw a chart with the time grains P1D, P1W, P1M and P1Y (sums equal to the aggregate computed
directly through sqlgate), SQL Lab with the schema selected, and a write with Allow DML on that
sqlgate refuses with nothing written. Stop is not tested here: minilake runs a statement to its
end before it answers (the protocol tests cancel a running statement).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.integration.superset_app import SupersetClient, rison, start_superset
from tests.integration.test_superset_e2e import EVENTS, Source, add_database, check_dataset
from tests.servers.base import ServerInfo
from tests.servers.databricks import admin_sql

TOKEN_ENV = "SQLGATE_E2E_DBX_TOKEN"


@pytest.fixture(scope="module")
def events(seeded_databricks: ServerInfo) -> ServerInfo:
    """The e2e suite's ``events`` table (26 dated amounts) on minilake."""
    admin_sql(seeded_databricks, "DROP TABLE IF EXISTS events")
    admin_sql(seeded_databricks, "CREATE TABLE events (day DATE, amount BIGINT)")
    values = ", ".join(
        f"(DATE '{day}', {amount})"
        for day, amount in zip(
            EVENTS.column("day").to_pylist(), EVENTS.column("amount").to_pylist(), strict=True
        )
    )
    admin_sql(seeded_databricks, f"INSERT INTO events VALUES {values}")
    return seeded_databricks


@pytest.fixture(scope="module")
def superset_dbx(
    tmp_path_factory: pytest.TempPathFactory, events: ServerInfo
) -> Iterator[SupersetClient]:
    home = tmp_path_factory.mktemp("superset-dbx")
    with start_superset(home, {TOKEN_ENV: events.password}) as client:
        yield client


def test_superset_end_to_end_on_databricks(
    superset_dbx: SupersetClient, events: ServerInfo
) -> None:
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
    db = add_database(superset_dbx, source)
    database = superset_dbx.get(f"/api/v1/database/{db}")["result"]
    assert database["backend"] == "databricks" and database["driver"] == "sqlgate"
    assert info.password not in str(database)
    assert source.schema in superset_dbx.get(f"/api/v1/database/{db}/schemas/")["result"]
    tables = superset_dbx.get(
        f"/api/v1/database/{db}/tables/?q=" + rison({"schema_name": source.schema, "force": True})
    )
    assert source.table in [t["value"] for t in tables["result"]]
    dataset = superset_dbx.post(
        "/api/v1/dataset/",
        {"database": db, "schema": source.schema, "table_name": source.table},
        expect=201,
    )["id"]
    try:
        check_dataset(superset_dbx, db, dataset, source)  # grains, SQL Lab, the refused write
    finally:
        superset_dbx.call("DELETE", f"/api/v1/dataset/{dataset}")
