"""Throwaway minilake: a local emulator of the Databricks SQL Statement Execution REST API.

minilake (pip, in its own venv ``.cache/minilake-venv`` from ``scripts/install-minilake.sh``:
it pins duckdb < 2) serves ``/api/2.0/sql/statements`` with ``INLINE`` + ``JSON_ARRAY`` and
``EXTERNAL_LINKS`` + ``ARROW_STREAM``; statements run as raw DuckDB SQL, synchronously. It is
bound to 127.0.0.1 (``--host``), its data dir lives in the server's temp dir, the DuckDB
``delta`` extension is never downloaded (an empty extension dir) and no Docker image is
pre-pulled. It has no authentication: any token is accepted.
"""

from __future__ import annotations

import json
import os
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .base import HOST, ServerInfo, ServerProcess, free_port, require_binary, running

NAME = "minilake"
OVERRIDE_ENV = "SQLGATE_TEST_MINILAKE_URL"
TOKEN = "dapi-sqlgate-test-token"
VENV = Path(__file__).resolve().parents[2] / ".cache" / "minilake-venv"


def _call(base: str, method: str, path: str, body: Any = None, timeout: float = 30.0) -> Any:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        base + path, data=data, method=method, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read() or b"null")


def admin_sql(info: ServerInfo, statement: str) -> list[list[Any]]:
    """Run SQL on minilake directly (plain HTTP, no sqlgate): seeding and after-checks."""
    body = {"warehouse_id": info.extra["warehouse_id"], "statement": statement}
    answer = _call(info.extra["base_url"], "POST", "/api/2.0/sql/statements", body)
    state = answer["status"]["state"]
    if state != "SUCCEEDED":
        raise RuntimeError(f"minilake: {statement!r} ended {state}: {answer}")
    return (answer.get("result") or {}).get("data_array") or []


def statement_state(info: ServerInfo, statement_id: str) -> str:
    """The state minilake records for a statement (the cancel test reads it)."""
    path = f"/api/2.0/sql/statements/{statement_id}"
    return str(_call(info.extra["base_url"], "GET", path)["status"]["state"])


def _info(base: str, host: str, port: int, warehouse: str) -> ServerInfo:
    return ServerInfo(
        host,
        port,
        "token",
        TOKEN,
        f"sql/1.0/warehouses/{warehouse}",
        extra={"warehouse_id": warehouse, "base_url": base},
    )


def _new_warehouse(base: str) -> str:
    return str(_call(base, "POST", "/api/2.0/sql/warehouses", {"name": "sqlgate-tests"})["id"])


class MinilakeServer:
    """The minilake process (uvicorn) on a free port of 127.0.0.1."""

    def __init__(self, *, ready_timeout: float = 60.0, statement_cache: int = 100_000) -> None:
        self.ready_timeout = ready_timeout
        # minilake keeps every statement's rows; once over its cache size it drops the rows of
        # *every* statement, the one just run included, so the cache must never fill up
        self.statement_cache = statement_cache
        self.proc: ServerProcess | None = None

    def start(self) -> ServerInfo:
        binary = require_binary(NAME, VENV / "bin" / "minilake")
        proc = self.proc = ServerProcess(NAME, stop_timeout=10.0)
        port = free_port()
        (proc.workdir / "extensions").mkdir()
        proc.start(
            [binary, "--host", HOST, "--port", str(port)],
            env={
                "MINILAKE_DATA_DIR": str(proc.workdir / "data"),
                "MINILAKE_DUCKDB_EXTENSION_DIR": str(proc.workdir / "extensions"),
                "MINILAKE_SERVICES": "sql_statements,sql_warehouses,unity_catalog",
                "MINILAKE_NOTEBOOK": "0",
                "MINILAKE_SPARK_PREWARM": "0",
                "MINILAKE_MCP": "0",
                "MINILAKE_BIND_HOST": HOST,
                "MINILAKE_STATEMENT_CACHE_SIZE": str(self.statement_cache),
            },
        )
        base = f"http://{HOST}:{port}"
        proc.wait_ready(
            lambda: _call(base, "GET", "/api/2.0/sql/warehouses", timeout=2) is not None,
            timeout=self.ready_timeout,
            interval=0.1,
        )
        return _info(base, HOST, port, _new_warehouse(base))

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.stop()


def _override() -> ServerInfo | None:
    url = os.environ.get(OVERRIDE_ENV)
    if not url:
        return None
    base = url.rstrip("/")
    host, _, port = base.split("://", 1)[1].partition(":")
    return _info(base, host, int(port or 80), _new_warehouse(base))


def seed_items(info: ServerInfo, rows: list[tuple[Any, ...]]) -> None:
    """The conformance table ``items`` (typed as the other sources' seed tables)."""
    admin_sql(info, "DROP TABLE IF EXISTS items")
    admin_sql(
        info,
        "CREATE TABLE items (id INT, name STRING, amount DECIMAL(10,2), created TIMESTAMP)",
    )
    values = ", ".join(
        "(" + ", ".join("NULL" if v is None else _literal(v) for v in row) + ")" for row in rows
    )
    admin_sql(info, f"INSERT INTO items VALUES {values}")


def _literal(value: Any) -> str:
    if isinstance(value, int):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


@pytest.fixture(scope="session")
def minilake_server() -> Iterator[ServerInfo]:
    t0 = time.monotonic()
    with running(_override(), MinilakeServer) as info:
        info.extra["start_seconds"] = time.monotonic() - t0
        yield info


@pytest.fixture(scope="session")
def seeded_databricks(minilake_server: ServerInfo) -> ServerInfo:
    from tests.conftest import SEED_ROWS

    seed_items(minilake_server, SEED_ROWS)
    return minilake_server


__all__ = ["minilake_server", "seeded_databricks"]
