"""The gateway as a subprocess (``python -m sqlgate.gateway``) in front of real sources."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import SEED_ROWS, _seed_table
from tests.servers.base import (
    HOST,
    ServerInfo,
    ServerProcess,
    free_port,
    port_open,
    server_unavailable,
)

HERE = Path(__file__).parent
PGJDBC = Path("/usr/share/java/postgresql.jar")
PASSWORD = "s3cret-gw-pw"
BIG_ROWS = 100_000
MILLION = 1_000_000


@dataclass
class GatewayInfo:
    port: int
    process: ServerProcess
    lake_root: Path

    def log_count(self, text: str) -> int:
        return self.process.log_path.read_text(errors="replace").count(text)

    def wait_for_log(self, text: str, more_than: int, timeout: float = 30) -> None:
        """Wait until ``text`` occurs in the gateway's log more than ``more_than`` times."""
        deadline = time.monotonic() + timeout
        while self.log_count(text) <= more_than:
            assert time.monotonic() < deadline, f"gateway log never showed {text!r}"
            time.sleep(0.05)

    def dsn(self, database: str = "lake", user: str = "alice", password: str = PASSWORD) -> str:
        return f"host={HOST} port={self.port} dbname={database} user={user} password={password}"


def start_gateway(
    proc: ServerProcess, port: int, toml: str, env: dict[str, str] | None = None
) -> None:
    """Write ``toml`` as the gateway's configuration in ``proc``'s directory, start
    ``python -m sqlgate.gateway`` on it (alice's password in ``GW_TEST_ALICE``) and wait
    until ``port`` accepts connections."""
    config = proc.workdir / "gateway.toml"
    config.write_text(toml)
    proc.start(
        [sys.executable, "-m", "sqlgate.gateway", "--config", str(config)],
        env={"GW_TEST_ALICE": PASSWORD, **(env or {})},
    )
    proc.wait_ready(lambda: port_open(port), timeout=30)


@pytest.fixture(scope="session")
def gateway_lake(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A file:// lakehouse: ``items`` (the seed rows), ``big`` (100k rows), ``million``."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    root = tmp_path_factory.mktemp("gateway-lake")
    (root / "items").mkdir()
    pq.write_table(_seed_table(), root / "items" / "part-0.parquet")
    (root / "big").mkdir()
    big = pa.table(
        {"n": pa.array(range(BIG_ROWS), pa.int64()), "label": [f"row {i}" for i in range(BIG_ROWS)]}
    )
    pq.write_table(big, root / "big" / "part-0.parquet")
    (root / "million").mkdir()
    million = pa.table({"n": pa.array(range(MILLION), pa.int64())})
    pq.write_table(million, root / "million" / "part-0.parquet")
    assert len(SEED_ROWS) == 4
    return root


@pytest.fixture(scope="session")
def gateway(
    gateway_lake: Path, seeded_postgres: ServerInfo, seeded_mariadb: ServerInfo
) -> Iterator[GatewayInfo]:
    """One gateway for the session: databases ``lake``, ``pg`` and ``maria``; users alice, bob."""
    port = free_port()
    with ServerProcess("gateway") as proc:
        pg_url = seeded_postgres.url("postgresql+sqlgate")
        maria_url = seeded_mariadb.url("mysql+sqlgate")
        start_gateway(
            proc,
            port,
            f"""
[server]
host = "127.0.0.1"
port = {port}
max_connections = 20
max_queries_per_user = 8
statement_timeout = 60
batch_rows = 4096

[databases.lake]
url = "file://{gateway_lake}"

[databases.pg]
url = "{pg_url}"

[databases.maria]
url = "{maria_url}"

[users.alice]
password = "env:GW_TEST_ALICE"

[users.bob]
password = "env:GW_TEST_BOB"
databases = ["lake"]
""",
            env={"GW_TEST_BOB": PASSWORD + "-bob"},
        )
        yield GatewayInfo(port, proc, gateway_lake)


@pytest.fixture(scope="session")
def java_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The pgjdbc test program (java/GatewayClient.java), compiled once."""
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
