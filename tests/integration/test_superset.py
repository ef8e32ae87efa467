"""Apache Superset 6.1 (SQLAlchemy 1.4) drives sqlgate's dialects: ``superset test-db``.

Superset lives in its own venv (scripts/install-superset.sh) because it pins SQLAlchemy < 2.
Its ``test-db`` command checks every inspector method Superset relies on, connects, runs a
query, and then tries to create a table, which sqlgate must refuse.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.servers.base import ServerInfo, server_unavailable

ROOT = Path(__file__).resolve().parents[2]
SUPERSET = ROOT / ".cache" / "superset-venv" / "bin" / "superset"
INSPECTOR_METHODS = (
    "get_schema_names",
    "get_table_names",
    "get_view_names",
    "get_indexes",
    "get_table_comment",
    "get_columns",
    "get_pk_constraint",
    "get_foreign_keys",
)


@pytest.fixture(scope="module")
def superset_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    if not SUPERSET.exists():
        server_unavailable("superset", f"{SUPERSET} missing: run scripts/install-superset.sh")
    home = tmp_path_factory.mktemp("superset")
    config = home / "superset_config.py"
    config.write_text(
        f"SECRET_KEY = 'sqlgate-test-{os.getpid()}' * 2\n"
        f"SQLALCHEMY_DATABASE_URI = 'sqlite:///{home}/superset.db'\n"
    )
    return {**os.environ, "SUPERSET_CONFIG_PATH": str(config), "SUPERSET_HOME": str(home)}


def run_test_db(url: str, env: dict[str, str]) -> str:
    done = subprocess.run(
        [str(SUPERSET), "test-db", url, "-c", "{}"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    return done.stdout + done.stderr


def assert_superset_can_browse(output: str, dbapi_module: str) -> None:
    for method in INSPECTOR_METHODS:
        assert f"{method}: True" in output, method
    assert f"dbapi: {dbapi_module}" in output
    assert "Connected successfully" in output
    assert "sql> SELECT 1;\n> 1" in output


# Superset's PostgreSQL engine spec has an engine-specific check that creates a table; its
# MySQL spec has none, so only the postgresql run shows the write being refused.
@pytest.mark.parametrize(
    "fixture, scheme, module, tries_a_write",
    [
        ("seeded_postgres", "postgresql+sqlgate", "sqlgate.dbapi.postgresql", True),
        ("seeded_mariadb", "mysql+sqlgate", "sqlgate.dbapi.mysql", False),
        # openGauss has sqlgate's own spec (engine "opengauss"): test-db runs no PostgreSQL check
        ("seeded_postgres", "opengauss", "sqlgate.dbapi.opengauss", False),
    ],
)
def test_superset_browses_wire_sources_and_cannot_write(
    fixture: str,
    scheme: str,
    module: str,
    tries_a_write: bool,
    superset_env: dict[str, str],
    request: pytest.FixtureRequest,
) -> None:
    server: ServerInfo = request.getfixturevalue(fixture)
    # the URL names a credential provider instead of carrying the password
    url = (
        f"{scheme}://{server.user}@{server.host}:{server.port}/{server.database}"
        "?credential=env:SQLGATE_SUPERSET_PW"
    )
    output = run_test_db(url, {**superset_env, "SQLGATE_SUPERSET_PW": server.password})
    assert_superset_can_browse(output, module)
    if tries_a_write:
        assert "Creating a table with a timestamp column" in output
        assert "ReadOnlyError" in output and "CREATE" in output
    assert server.password not in output


def test_superset_browses_a_lakehouse(tmp_path: Path, superset_env: dict[str, str]) -> None:
    (tmp_path / "events" / "day=2026-01-01").mkdir(parents=True)
    pq.write_table(pa.table({"id": [1, 2]}), tmp_path / "events" / "day=2026-01-01" / "p.parquet")
    output = run_test_db(f"file://{tmp_path}", superset_env)
    assert_superset_can_browse(output, "sqlgate.dbapi.file")
