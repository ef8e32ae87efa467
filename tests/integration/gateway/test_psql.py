"""Debian's psql against the gateway: catalog commands, a query and a Ctrl-C cancel."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time

import pytest

from tests.integration.gateway.conftest import PASSWORD, GatewayInfo
from tests.servers.base import HOST

PSQL = shutil.which("psql")
pytestmark = pytest.mark.skipif(PSQL is None, reason="psql (Debian postgresql-client) missing")


def psql(gateway: GatewayInfo, database: str, command: str, timeout: float = 30) -> str:
    """Run one psql command; return stdout (raises with stderr when psql fails)."""
    assert PSQL is not None
    result = subprocess.run(
        [PSQL, "-X", "-h", HOST, "-p", str(gateway.port), "-U", "alice", "-d", database,
         "-v", "ON_ERROR_STOP=1", "-c", command],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "PGPASSWORD": PASSWORD, "PGCONNECT_TIMEOUT": "10"},
        check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize("database", ["lake", "pg"])
def test_list_databases(gateway: GatewayInfo, database: str) -> None:
    out = psql(gateway, database, r"\l")
    names = {line.split("|")[0].strip() for line in out.splitlines() if "|" in line}
    assert {"lake", "pg", "maria"} <= names


def test_dt_on_lakehouse(gateway: GatewayInfo) -> None:
    out = psql(gateway, "lake", r"\dt")
    rows = {tuple(c.strip() for c in line.split("|")) for line in out.splitlines() if "|" in line}
    assert ("public", "items", "table", "sqlgate") in rows
    assert ("public", "big", "table", "sqlgate") in rows


@pytest.mark.parametrize("database", ["pg", "maria"])
def test_dt_on_servers(gateway: GatewayInfo, database: str) -> None:
    out = psql(gateway, database, r"\dt")
    rows = {tuple(c.strip() for c in line.split("|")) for line in out.splitlines() if "|" in line}
    assert ("public", "items", "table", "sqlgate") in rows


@pytest.mark.parametrize("database", ["lake", "pg", "maria"])
def test_describe_table(gateway: GatewayInfo, database: str) -> None:
    out = psql(gateway, database, r"\d items")
    assert 'Table "public.items"' in out
    columns = {
        cells[0]: cells[1]
        for cells in (
            [c.strip() for c in line.split("|")] for line in out.splitlines() if "|" in line
        )
    }
    assert columns["id"] == "integer"
    assert columns["amount"] == "numeric(10,2)"
    assert columns["created"] == "timestamp without time zone"
    assert columns["name"] in ("text", "character varying")


@pytest.mark.parametrize("database", ["lake", "pg", "maria"])
def test_query(gateway: GatewayInfo, database: str) -> None:
    out = psql(gateway, database, "SELECT id, name, amount FROM items ORDER BY id")
    lines = [line for line in out.splitlines() if "|" in line]
    assert [c.strip() for c in lines[1].split("|")] == ["1", "alpha", "12.50"]
    assert [c.strip() for c in lines[3].split("|")] == ["3", "γάμμα 中文", "-7.25"]
    assert "(4 rows)" in out


LONG_QUERY = {
    "lake": "SELECT count(*) FROM big a, big b, big c",
    "pg": "SELECT count(*) FROM generate_series(1, 100000) a, generate_series(1, 100000) b",
}


@pytest.mark.parametrize("database", ["lake", "pg"])
def test_ctrl_c_cancels_the_running_statement(gateway: GatewayInfo, database: str) -> None:
    """SIGINT makes psql send a CancelRequest with the BackendKeyData; the statement stops."""
    assert PSQL is not None
    starts = gateway.log_count("start gateway_user=alice database=" + database)
    proc = subprocess.Popen(
        [PSQL, "-X", "-h", HOST, "-p", str(gateway.port), "-U", "alice", "-d", database,
         "-c", LONG_QUERY[database]],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PGPASSWORD": PASSWORD},
    )  # fmt: skip
    try:
        gateway.wait_for_log("start gateway_user=alice database=" + database, starts)
        time.sleep(0.2)  # the statement is on its way to the source
        assert proc.poll() is None, proc.communicate()
        started = time.monotonic()
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)
    assert "canceling statement due to user request" in err
    assert time.monotonic() - started < 20
    # the gateway (and that database) go on serving
    assert "(4 rows)" in psql(gateway, database, "SELECT id FROM items")
