"""A real Superset 6.1 web app on 127.0.0.1, driven through its REST API as a user's browser.

Superset lives in its own venv (scripts/install-superset.sh) because it pins SQLAlchemy < 2.
:func:`start_superset` prepares a throwaway ``SUPERSET_HOME`` (``superset db upgrade``,
``fab create-admin``, ``superset init``), starts ``superset run`` on a free loopback port and
returns a :class:`SupersetClient` that is logged in (JWT) and sends the CSRF token.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

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
"""


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

    def __init__(self, base: str) -> None:
        self.base = base
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
            secret=f"sqlgate-e2e-{os.getpid()}-" + "x" * 32, meta=f"sqlite:///{home}/superset.db"
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
        yield SupersetClient(base)
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
