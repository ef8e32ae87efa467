"""Throwaway bqemulator: BigQuery's REST API and Storage Read API (gRPC) on 127.0.0.1.

bqemulator runs GoogleSQL on DuckDB 1.5.5, so it lives in a venv of its own
(``scripts/install-bqemulator.sh``: ``.cache/bqemulator-venv``). HOME points into that venv,
where the script put DuckDB's spatial extension, so the emulator starts without network.
``SQLGATE_TEST_BIGQUERY_URL`` (``http://127.0.0.1:REST?grpc=PORT``) reuses a running one.
"""

from __future__ import annotations

import os
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from .base import HOST, ServerInfo, ServerProcess, free_port, require_binary, server_unavailable

NAME = "bqemulator"
OVERRIDE_ENV = "SQLGATE_TEST_BIGQUERY_URL"
PROJECT = "sqlgate-test"
DATASET = "sqlgate"
#: the emulator checks no credentials; this stands in where tests look for a leaked password
NO_PASSWORD = "bq-emulator-takes-no-password"
VENV = Path(__file__).resolve().parents[2] / ".cache" / "bqemulator-venv"


class BigQueryInfo(ServerInfo):
    """The emulator's endpoints; :meth:`url` builds a ``bigquery+sqlgate://`` URL for them."""

    @property
    def grpc_port(self) -> int:
        return int(self.extra["grpc_port"])

    @property
    def endpoint(self) -> str:
        return f"http://{self.host}:{self.port}"

    def url(self, scheme: str, *, user: str | None = None, password: str | None = None) -> str:
        """The emulator takes any credentials: ``user``/``password`` are not part of the URL."""
        return (
            f"{scheme}://{PROJECT}/{self.database}?api_endpoint={self.endpoint}/"
            f"&storage_endpoint={self.host}:{self.grpc_port}&anonymous=true"
        )

    def client(self) -> Any:
        """A google-cloud-bigquery client for seeding and for checking state (admin side)."""
        from google.api_core.client_options import ClientOptions
        from google.auth.credentials import AnonymousCredentials
        from google.cloud import bigquery

        return bigquery.Client(
            project=PROJECT,
            credentials=AnonymousCredentials(),
            client_options=ClientOptions(api_endpoint=self.endpoint),
        )


def _ready(port: int) -> bool:
    url = f"http://{HOST}:{port}/bigquery/v2/projects/{PROJECT}/datasets"
    with urllib.request.urlopen(url, timeout=2) as resp:
        return int(resp.status) == 200


@contextmanager
def running_emulator(log_level: str = "warning") -> Iterator[BigQueryInfo]:
    """A bqemulator for the duration of the block (or the one ``SQLGATE_TEST_BIGQUERY_URL``
    names); the benchmark uses it too. ``log_level="info"`` makes the emulator log every
    request (method and path) to ``extra["log"]``: what reached it, in its own words."""
    override = os.environ.get(OVERRIDE_ENV)
    if override:
        parts = urlsplit(override)
        grpc = int(parse_qs(parts.query).get("grpc", ["0"])[0])
        yield BigQueryInfo(parts.hostname or HOST, parts.port or 9050, "", NO_PASSWORD, DATASET,
                           extra={"grpc_port": grpc})  # fmt: skip
        return
    binary = VENV / "bin" / "bqemulator"
    if not binary.exists():
        server_unavailable(NAME, f"{binary} missing: run scripts/install-bqemulator.sh")
    require_binary(NAME, binary)
    rest, grpc = free_port(), free_port()
    proc = ServerProcess(NAME)
    try:
        proc.start(
            [str(binary), "start", "--project", PROJECT, "--rest-host", HOST, "--rest-port",
             str(rest), "--grpc-host", HOST, "--grpc-port", str(grpc), "--log-level", log_level],
            env={"HOME": str(VENV / "duckdb-home")},
        )  # fmt: skip
        proc.wait_ready(lambda: _ready(rest), timeout=90)
        extra = {"grpc_port": grpc, "log": str(proc.log_path)}
        yield BigQueryInfo(HOST, rest, "", NO_PASSWORD, DATASET, extra=extra)
    finally:
        proc.stop()


@pytest.fixture(scope="session")
def bigquery_server() -> Iterator[BigQueryInfo]:
    with running_emulator() as info:
        yield info


def _retry() -> Any:
    from google.api_core.retry import Retry

    return Retry(timeout=30)


def seed_items(info: BigQueryInfo, rows: list[tuple[Any, ...]]) -> None:
    """The conformance table ``items`` with the seed rows (through the emulator's DML)."""
    from google.cloud import bigquery

    client = info.client()
    try:
        client.create_dataset(f"{PROJECT}.{DATASET}", exists_ok=True, retry=_retry())
        table = bigquery.Table(
            f"{PROJECT}.{DATASET}.items",
            schema=[
                bigquery.SchemaField("id", "INT64", mode="REQUIRED"),
                bigquery.SchemaField("name", "STRING"),
                bigquery.SchemaField("amount", "NUMERIC", precision=10, scale=2),
                bigquery.SchemaField("created", "DATETIME"),
            ],
        )
        client.delete_table(table, not_found_ok=True, retry=_retry())
        client.create_table(table, retry=_retry())
        values = ", ".join(
            "({}, {}, {}, {})".format(
                r[0],
                "NULL" if r[1] is None else f"'{r[1]}'",
                "NULL" if r[2] is None else f"NUMERIC '{r[2]}'",
                "NULL" if r[3] is None else f"DATETIME '{r[3]}'",
            )
            for r in rows
        )
        client.query(
            f"INSERT INTO {DATASET}.items (id, name, amount, created) VALUES {values}",
            retry=_retry(),
        ).result(timeout=60)
    finally:
        client.close()


@pytest.fixture(scope="session")
def seeded_bigquery(bigquery_server: BigQueryInfo) -> BigQueryInfo:
    from tests.conftest import SEED_ROWS

    seed_items(bigquery_server, SEED_ROWS)
    return bigquery_server


__all__ = ["BigQueryInfo", "bigquery_server", "seeded_bigquery"]
