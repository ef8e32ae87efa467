"""A real Superset 6.1 web app on 127.0.0.1, driven through its REST API as a user's browser.

Superset lives in its own venv (scripts/install-superset.sh) because it pins SQLAlchemy < 2.
:func:`start_superset` prepares a throwaway ``SUPERSET_HOME`` (``superset db upgrade``,
``fab create-admin``, ``superset init``), starts ``superset run`` on a free loopback port and
returns a :class:`SupersetClient` that is logged in (JWT) and sends the CSRF token.

Starting the app costs ~30 s, so one app serves the whole test session (:func:`shared_superset`);
each module hands its servers' passwords to it with :meth:`SupersetClient.set_env`, which the
app reads into its environment before every request (the database URLs name ``env:``
credential providers, so the secrets never appear in them).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import requests

from tests.servers.base import server_unavailable

ROOT = Path(__file__).resolve().parents[2]
VENV = ROOT / ".cache" / "superset-venv" / "bin"
SUPERSET = VENV / "superset"
ADMIN = ("admin", "sqlgate-admin-pw")
CONFIG = """
SECRET_KEY = {secret!r}
SQLALCHEMY_DATABASE_URI = {meta!r}
TALISMAN_ENABLED = False
RATELIMIT_ENABLED = False
SQLLAB_TIMEOUT = 120
SUPERSET_WEBSERVER_TIMEOUT = 120
DATA_CACHE_CONFIG = {{"CACHE_TYPE": "NullCache"}}


def FLASK_APP_MUTATOR(app):
    import json, os

    def _test_env():  # variables the tests hand over after start-up (SupersetClient.set_env)
        try:
            with open({env_file!r}) as fh:
                os.environ.update(json.load(fh))
        except FileNotFoundError:
            pass

    app.before_request(_test_env)
"""
ENV_FILE = "test-env.json"
_SHARED: dict[str, Any] = {}


def rison(value: dict[str, Any]) -> str:
    """The rison the API calls here need: flat objects of strings, numbers and booleans."""
    parts = []
    for key, item in value.items():
        if isinstance(item, bool):
            text = "!t" if item else "!f"
        elif isinstance(item, int):
            text = str(item)
        else:
            text = "'" + str(item).replace("!", "!!").replace("'", "!'") + "'"
        parts.append(f"{key}:{text}")
    return quote("(" + ",".join(parts) + ")", safe="(),:!'")


class SupersetClient:
    """Logged-in REST API calls; every response is checked against the expected status."""

    def __init__(self, base: str, home: Path) -> None:
        self.base = base
        self.home = home
        self.http = requests.Session()
        token = self.post(
            "/api/v1/security/login",
            {
                "username": ADMIN[0],
                "password": ADMIN[1],
                "provider": "db",
                "refresh": True,
            },
        )["access_token"]
        self.http.headers["Authorization"] = f"Bearer {token}"
        self.http.headers["X-CSRFToken"] = self.get("/api/v1/security/csrf_token/")["result"]
        self.http.headers["Referer"] = base

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        expect: int | tuple = 200,
        timeout: float = 120,
    ) -> Any:
        response = self.http.request(method, self.base + path, json=body, timeout=timeout)
        wanted = expect if isinstance(expect, tuple) else (expect,)
        assert response.status_code in wanted, (
            f"{method} {path} -> {response.status_code}: {response.text[:2000]}"
        )
        return response.json() if response.content else None

    def get(self, path: str, **kw: Any) -> Any:
        return self.call("GET", path, **kw)

    def set_env(self, values: dict[str, str]) -> None:
        """Environment variables for the app, in effect from its next request on."""
        path = self.home / ENV_FILE
        merged = {**(json.loads(path.read_text()) if path.exists() else {}), **values}
        staged = path.with_suffix(".tmp")
        staged.write_text(json.dumps(merged))
        staged.replace(path)  # atomic: a request never reads half a file

    def post(self, path: str, body: Any, **kw: Any) -> Any:
        return self.call("POST", path, body, **kw)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _run(args: list[str], env: dict[str, str], timeout: float = 300) -> None:
    done = subprocess.run(
        [str(SUPERSET), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, (
        f"superset {args[0]} failed:\n{done.stdout[-3000:]}{done.stderr[-3000:]}"
    )


@contextlib.contextmanager
def start_superset(home: Path, extra_env: dict[str, str] | None = None) -> Iterator[SupersetClient]:
    """Set up a fresh Superset in ``home``, run it on 127.0.0.1 and yield a logged-in client."""
    if not SUPERSET.exists():
        server_unavailable("superset", f"{SUPERSET} missing: run scripts/install-superset.sh")
    config = home / "superset_config.py"
    config.write_text(
        CONFIG.format(
            secret=f"sqlgate-e2e-{os.getpid()}-" + "x" * 32,
            meta=f"sqlite:///{home}/superset.db",
            env_file=str(home / ENV_FILE),
        )
    )
    env = {
        **os.environ,
        **(extra_env or {}),
        "SUPERSET_CONFIG_PATH": str(config),
        "SUPERSET_HOME": str(home),
        "FLASK_APP": "superset",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("SQLALCHEMY_WARN_20", None)
    _run(["db", "upgrade"], env)
    _run(
        [
            "fab",
            "create-admin",
            "--username",
            ADMIN[0],
            "--firstname",
            "a",
            "--lastname",
            "b",
            "--email",
            "admin@example.invalid",
            "--password",
            ADMIN[1],
        ],
        env,
    )
    _run(["init"], env)
    port = free_port()
    log = (home / "superset.log").open("w")
    proc = subprocess.Popen(
        [str(SUPERSET), "run", "-h", "127.0.0.1", "-p", str(port), "--with-threads"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            with contextlib.suppress(requests.RequestException):
                if requests.get(base + "/health", timeout=5).status_code == 200:
                    break
            assert proc.poll() is None, (home / "superset.log").read_text()[-3000:]
            assert time.monotonic() < deadline, "superset run did not answer within 120 s"
            time.sleep(1)
        yield SupersetClient(base, home)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=20)
        log.close()


def dump(value: Any) -> str:
    return json.dumps(value, default=str)[:2000]


# ------------------------------------------------------------------ steps every source shares
def add_db(client: SupersetClient, prefix: str, url: str) -> int:
    """Test Connection, then the database (exposed in SQL Lab, Allow DML on); its id."""
    body = {"database_name": f"{prefix}-{uuid.uuid4().hex[:6]}", "sqlalchemy_uri": url}
    client.post("/api/v1/database/test_connection/", body)
    created = client.post(
        "/api/v1/database/",
        {**body, "expose_in_sqllab": True, "allow_dml": True, "allow_run_async": False},
        expect=201,
    )
    return int(created["id"])


def table_names(client: SupersetClient, db: int, schema: str) -> list[str]:
    """The tables Superset lists for a schema (its cache bypassed)."""
    query = rison({"schema_name": schema, "force": True})
    return [t["value"] for t in client.get(f"/api/v1/database/{db}/tables/?q={query}")["result"]]


def add_dataset(client: SupersetClient, db: int, schema: str, table: str) -> int:
    body = {"database": db, "schema": schema, "table_name": table}
    return int(client.post("/api/v1/dataset/", body, expect=201)["id"])


def dttm_columns(client: SupersetClient, dataset: int) -> dict[str, bool]:
    """Each dataset column's name and whether Superset took it for a time column."""
    columns = client.get(f"/api/v1/dataset/{dataset}")["result"]["columns"]
    return {c["column_name"]: c["is_dttm"] for c in columns}


def chart_data(
    client: SupersetClient,
    dataset: int,
    grain: str,
    column: str,
    metric: str,
    *,
    label: str | None = None,
    not_null: bool = True,
) -> dict[str, Any]:
    """A time-series chart's query result: ``metric`` (labelled ``total``) per ``grain`` of
    ``column`` (labelled ``label``, by default the column's name)."""
    query: dict[str, Any] = {
        "columns": [
            {
                "timeGrain": grain,
                "columnType": "BASE_AXIS",
                "sqlExpression": column,
                "label": label or column,
                "expressionType": "SQL",
            }
        ],
        "metrics": [{"expressionType": "SQL", "label": "total", "sqlExpression": metric}],
        "row_limit": 10000,
        "time_range": "No filter",
        "orderby": [],
        "extras": {"having": "", "where": ""},
    }
    if not_null:
        query["filters"] = [{"col": column, "op": "IS NOT NULL"}]
    payload = {
        "datasource": {"id": dataset, "type": "table"},
        "force": True,
        "result_format": "json",
        "result_type": "full",
        "queries": [query],
    }
    return dict(client.post("/api/v1/chart/data", payload)["result"][0])


def run_sql(
    client: SupersetClient,
    db: int,
    schema: str,
    sql: str,
    *,
    expect: int | tuple[int, ...] = 200,
    client_id: str | None = None,
    timeout: float = 120,
) -> dict[str, Any]:
    """One SQL Lab statement with ``schema`` selected, run synchronously."""
    return dict(
        client.post(
            "/api/v1/sqllab/execute/",
            {
                "database_id": db,
                "sql": sql,
                "schema": schema,
                "runAsync": False,
                "client_id": client_id or uuid.uuid4().hex[:10],
                "queryLimit": 1000,
                "tab": "e2e",
                "sql_editor_id": "1",
            },
            expect=expect,
            timeout=timeout,
        )
    )


def shared_superset(request: pytest.FixtureRequest) -> SupersetClient:
    """The test session's one Superset app, started on first use and stopped when pytest ends."""
    if "client" not in _SHARED:
        home = request.getfixturevalue("tmp_path_factory").mktemp("superset")
        app = start_superset(home)
        client = app.__enter__()
        request.config.add_cleanup(lambda: app.__exit__(None, None, None))
        _SHARED["client"] = client
    return _SHARED["client"]


def superset_on(server: str, password_env: str | None = None) -> Any:
    """A module-scoped fixture: the session's Superset app, once the fixture named ``server``
    is ready; that server's password reaches Superset only as ``password_env`` in its
    environment (the database URLs name ``credential=env:...``)."""

    @pytest.fixture(scope="module")
    def superset(request: pytest.FixtureRequest) -> SupersetClient:
        info = request.getfixturevalue(server)
        client = shared_superset(request)
        if password_env:
            client.set_env({password_env: info.password})
        return client

    return superset


@contextlib.contextmanager
def temporary_dataset(client: SupersetClient, db: int, schema: str, table: str) -> Iterator[int]:
    """A dataset, deleted afterwards: Superset's metadata keeps table names unique across
    databases, so the next source's dataset of the same table must not find it."""
    dataset = add_dataset(client, db, schema, table)
    try:
        yield dataset
    finally:
        client.call("DELETE", f"/api/v1/dataset/{dataset}")
