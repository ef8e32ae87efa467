"""Superset 6.1 on ClickHouse through sqlgate, driven through its REST API.

Superset ships ``ClickHouseEngineSpec`` for the backend ``clickhouse`` (``SUPERSET_OWNS``): its
time grains (``toStartOfDay(toDateTime(col))`` ...) must run through sqlgate's dialect on a real
ClickHouse 18.16 server. Charts with the P1D/P1W/P1M/P1Y grains are compared with the sums
computed directly; SQL Lab runs with the schema selected; a write with Allow DML on is refused
and nothing changes (the shared steps of ``test_superset_e2e``). Which spec Superset picks
for ``clickhouse+sqlgate`` is asserted in ``test_superset_specs``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.superset_app import SupersetClient, superset_on
from tests.integration.test_superset_e2e import DAYS, EVENTS, Source, end_to_end
from tests.servers import clickhouse
from tests.servers.base import ServerInfo

PW_ENV = "SQLGATE_E2E_CH_PW"


@pytest.fixture(scope="module")
def events(clickhouse_server: ServerInfo) -> ServerInfo:
    client = clickhouse.admin_client(clickhouse_server)
    try:
        client.execute("DROP TABLE IF EXISTS events")
        client.execute(
            "CREATE TABLE events (day Date, amount Int64) ENGINE = MergeTree ORDER BY day"
        )
        client.execute(
            "INSERT INTO events VALUES", list(zip(DAYS, EVENTS["amount"].to_pylist(), strict=True))
        )
    finally:
        client.disconnect()
    return clickhouse_server


superset = superset_on("events", PW_ENV)


def test_chart_with_time_grains_sql_lab_and_refused_write(
    superset: SupersetClient, events: ServerInfo, tmp_path: Path
) -> None:
    where = f"{events.user}@{events.host}:{events.port}/{events.database}"
    source = Source(
        "clickhouse",
        f"clickhouse+sqlgate://{where}?credential=env:{PW_ENV}",
        events.url("clickhouse+sqlgate"),
        "default",
        "events",
        "day",
        "amount",
        write="INSERT INTO events VALUES ('2025-01-01', 1)",
    )
    end_to_end(superset, source)  # grains, SQL Lab, the refused write
