"""pgjdbc (Debian's libpostgresql-jdbc-java, the driver Metabase uses) against the gateway.

A small Java program (java/GatewayClient.java, compiled once per session) runs
DatabaseMetaData calls (with the type list of Metabase's generic JDBC sync), a prepared
statement, a 1,000,000-row fetch with setFetchSize and Metabase's statements in
metabase/sync.sql, and prints one line per step. Those statements are Metabase's own texts:
``src/metabase/driver/postgres.clj`` of metabase/metabase at commit
008fd6675457cdd62da2265628bed3b725a607ea (the HoneySQL forms written as HoneySQL renders them
for PostgreSQL: quoted identifiers, values as parameters) and a capture of Metabase v0.62.1.5
syncing PostgreSQL 16 for what pgjdbc 42.7 sends on Metabase's behalf (docs/gateway.md,
"Metabase").
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import psycopg
import pytest

from tests.integration.gateway.conftest import HERE, MILLION, PASSWORD, PGJDBC, GatewayInfo
from tests.servers.base import HOST

BIG_QUERY = {
    "lake": "SELECT n FROM million",
    "pg": f"SELECT n FROM generate_series(0, {MILLION - 1}) AS g(n)",
    "ch": f"SELECT number AS n FROM system.numbers LIMIT {MILLION}",
    "druid": "SELECT id - 1 AS n FROM items",  # the Druid test server: 4 rows, n = 0..3
}


def _gateway_rss_kb(gateway: GatewayInfo) -> int:
    """The gateway process's peak resident memory (VmHWM), in KiB."""
    status = Path(f"/proc/{gateway.process.pid}/status").read_text()
    line = next(line for line in status.splitlines() if line.startswith("VmHWM:"))
    return int(line.split()[1])


def run_client(
    gateway: GatewayInfo, classes: Path, database: str, rows: int = MILLION
) -> dict[str, str]:
    """Run GatewayClient; its big fetch is ``BIG_QUERY[database]`` returning n = 0..rows-1."""
    java = shutil.which("java") or "java"
    result = subprocess.run(
        [java, "-Xmx256m", "-cp", f"{classes}{os.pathsep}{PGJDBC}", "GatewayClient",
         f"jdbc:postgresql://{HOST}:{gateway.port}/{database}", "alice", PASSWORD,
         str(HERE / "metabase"), str(rows), BIG_QUERY[database]],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    steps = dict(line.split("|", 1) for line in result.stdout.splitlines() if "|" in line)
    return steps


@pytest.mark.parametrize("database", ["lake", "pg"])
def test_pgjdbc_metadata_prepared_fetch_and_metabase(
    gateway: GatewayInfo, java_client: Path, database: str
) -> None:
    with psycopg.connect(gateway.dsn(database), autocommit=True) as conn:  # engine loaded, warm
        assert conn.execute("SELECT count(*) FROM items").fetchone() == (4,)
    peak_before = _gateway_rss_kb(gateway)
    steps = run_client(gateway, java_client, database)
    errors = {k: v for k, v in steps.items() if v.startswith("ERROR") and k != "write"}
    assert not errors
    assert steps["product"] == "PostgreSQL 15"
    assert "public" in steps["schemas"].split(";")
    assert "public,items,TABLE" in steps["tables"].split(";")
    columns = steps["columns"].split(";")
    assert columns[0] == "id,int4,1" and columns[2] == "amount,numeric,3"
    assert steps["primary_keys"] == ("id" if database == "pg" else "")
    assert "public,items,TABLE,null" in steps["mb_get_tables"].split(";")
    assert steps["mb_imported_keys"] == ""  # foreign keys are not reflected
    expected_index = "items,false,items_pkey,id" if database == "pg" else ""
    assert steps["mb_index_info"] == expected_index
    assert steps["prepared"] == "3,γάμμα 中文"
    # every row arrived, in portions of setFetchSize rows (PortalSuspended in between)
    assert steps["fetch_size"] == f"{MILLION},true"
    # constant memory: a million rows held at once would cost well over 48 MiB in the gateway
    # (measured: ~20 MiB of peak growth on the first million-row fetch, none on the next)
    assert _gateway_rss_kb(gateway) - peak_before < 48 * 1024
    # Metabase's statements (metabase/sync.sql), each answered with the right shape
    mb = {k.removeprefix("metabase_"): v for k, v in steps.items() if k.startswith("metabase_")}
    assert mb["application_name"] == "ok" and mb["read_uncommitted"] == "ok"
    assert mb["connection_test"] == "1"
    assert mb["isolation"] == "read committed"  # READ UNCOMMITTED, then READ COMMITTED again
    assert mb["current_catalog"] == database
    assert f"public,{database}" in mb["schemas"].split(";")
    assert "null,public,items,false,true,false,false" in mb["privileges"].split(";")
    for step in ("describe_database", "describe_database_m"):
        assert "public,items,TABLE,null,null" in mb[step].split(";")
    assert mb["timezone"] == "UTC"
    assert mb["enum_types"] == ""
    pk, nullable = ("true", "false") if database == "pg" else ("false", "true")
    fields = {row.split(",")[0]: row for row in mb["describe_fields"].split(";")}
    assert fields["id"] == f"id,int4,0,public,items,{pk},null,{pk},null,false,false,{nullable}"
    assert fields["amount"].startswith("amount,numeric,2,public,items,false,null,false,")
    columns = [row.split(",") for row in mb["get_columns"].split(";")]
    assert [(c[3], c[4], c[9]) for c in columns[:3]] == [
        ("id", "23", "1"),
        ("name", mb_text := columns[1][4], "2"),
        ("amount", "1700", "3"),
    ]
    assert mb_text in ("25", "1043")  # text or varchar
    assert mb["primary_keys"] == (
        f"{database},public,items,id,1,items_pkey" if database == "pg" else ""
    )
    assert mb["foreign_keys"] == ""
    assert len(mb["field_values"].split(";")) == 4
    assert len(mb["fingerprint"].split(";")) == 4
    assert mb["question"] == "4"
    # pgjdbc's nullability query for relation 16384 (the first one), attributes 1-3
    nullability = [r.split(",") for r in mb["result_nullability"].split(";")]
    assert nullability and {(r[0], r[4]) for r in nullability} == {("16384", "public")}
    assert [r[1] for r in nullability] == [str(n) for n in range(1, len(nullability) + 1)]
    # a write is refused with SQLSTATE 25006
    assert steps["write"].startswith("ERROR 25006")
