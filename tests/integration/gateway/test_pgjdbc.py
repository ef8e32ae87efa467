"""pgjdbc (Debian's libpostgresql-jdbc-java, the driver Metabase uses) against the gateway.

A small Java program (java/GatewayClient.java, compiled here) runs DatabaseMetaData calls, a
prepared statement, a 1,000,000-row fetch with setFetchSize and Metabase's connection and sync
queries (metabase/*.sql) and prints one line per step.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from tests.integration.gateway.conftest import MILLION, PASSWORD, GatewayInfo
from tests.servers.base import HOST, server_unavailable

HERE = Path(__file__).parent
PGJDBC = Path("/usr/share/java/postgresql.jar")
BIG_QUERY = {
    "lake": "SELECT n FROM million",
    "pg": f"SELECT n FROM generate_series(0, {MILLION - 1}) AS g(n)",
}


@pytest.fixture(scope="module")
def java_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    javac = shutil.which("javac")
    if javac is None or not PGJDBC.is_file():
        server_unavailable("pgjdbc", "needs javac and libpostgresql-jdbc-java")
    out = tmp_path_factory.mktemp("pgjdbc")
    subprocess.run(
        [javac, "-d", str(out), str(HERE / "java" / "GatewayClient.java")],
        check=True,
        timeout=120,
    )
    yield out


def _gateway_rss_kb(gateway: GatewayInfo) -> int:
    """The gateway process's peak resident memory (VmHWM), in KiB."""
    status = Path(f"/proc/{gateway.process.pid}/status").read_text()
    line = next(line for line in status.splitlines() if line.startswith("VmHWM:"))
    return int(line.split()[1])


def run_client(gateway: GatewayInfo, classes: Path, database: str) -> dict[str, str]:
    java = shutil.which("java") or "java"
    result = subprocess.run(
        [java, "-Xmx256m", "-cp", f"{classes}{os.pathsep}{PGJDBC}", "GatewayClient",
         f"jdbc:postgresql://{HOST}:{gateway.port}/{database}", "alice", PASSWORD,
         str(HERE / "metabase"), str(MILLION), BIG_QUERY[database]],
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
    assert steps["prepared"] == "3,γάμμα 中文"
    # every row arrived, in portions of setFetchSize rows (PortalSuspended in between)
    assert steps["fetch_size"] == f"{MILLION},true"
    # constant memory: a million rows held at once would cost well over 48 MiB in the gateway
    # (measured: ~20 MiB of peak growth on the first million-row fetch, none on the next)
    assert _gateway_rss_kb(gateway) - peak_before < 48 * 1024
    # Metabase's connection queries
    assert steps["metabase_connect_2"] == "read committed"  # SHOW TRANSACTION ISOLATION LEVEL
    assert steps["metabase_connect_4"] == "UTC"  # show timezone
    # sync: schemas, privileges (read-only: select only), describe-database
    assert "public,null" in steps["metabase_schemas_0"].split(";")
    assert "null,public,items,false,true,false,false" in steps["metabase_privileges_0"].split(";")
    assert "public,items,false,BASE TABLE,null,null" in steps["metabase_describe_database_0"].split(
        ";"
    )
    # a write is refused with SQLSTATE 25006
    assert steps["write"].startswith("ERROR 25006")
