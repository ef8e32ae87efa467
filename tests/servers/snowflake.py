"""Throwaway fakesnow server: a Snowflake emulator (DuckDB inside) on 127.0.0.1.

fakesnow pins its own DuckDB, so it lives in ``.cache/fakesnow-venv``
(``scripts/install-fakesnow.sh``) and runs as a subprocess: ``fakesnow -s -p PORT --host
127.0.0.1``. It speaks the REST protocol of snowflake-connector-python < 5 over plain HTTP and
accepts any user and password; every connection shares one in-memory database.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from .base import HOST, ServerInfo, ServerProcess, free_port, port_open, server_unavailable

NAME = "fakesnow"
OVERRIDE_ENV = "SQLGATE_TEST_FAKESNOW_URL"  # http://127.0.0.1:PORT of a running fakesnow
VENV = Path(__file__).resolve().parents[2] / ".cache" / "fakesnow-venv"
DATABASE, SCHEMA, ACCOUNT = "SQLGATE_TEST", "PUBLIC", "fakesnow"
USER, PASSWORD = "analyst", "fake-pw-7f3a"


@dataclass
class SnowflakeServerInfo(ServerInfo):
    """A ServerInfo whose URLs carry what fakesnow needs: the account, plain HTTP."""

    def url(self, scheme: str, *, user: str | None = None, password: str | None = None) -> str:
        base = super().url(scheme, user=user, password=password)
        return f"{base}/{SCHEMA}?account={ACCOUNT}&protocol=http"

    def connector_kwargs(self, **extra: Any) -> dict[str, Any]:
        """Keywords for snowflake.connector.connect: the admin's direct line to the server."""
        return {
            "user": self.user,
            "password": self.password,
            "account": ACCOUNT,
            "host": self.host,
            "port": self.port,
            "protocol": "http",
            "database": self.database,
            "schema": SCHEMA,
            "login_timeout": 10,
            **extra,
        }


def admin_connect(info: SnowflakeServerInfo, **extra: Any) -> Any:
    """A plain connector connection (no sqlgate): seeds data, checks state after refusals."""
    import snowflake.connector

    return snowflake.connector.connect(**info.connector_kwargs(**extra))


def admin_execute(info: SnowflakeServerInfo, *statements: str) -> list[list[tuple[Any, ...]]]:
    """Run statements on a fresh admin connection; the rows of each."""
    out = []
    with admin_connect(info) as conn:
        cur = conn.cursor()
        for statement in statements:
            cur.execute(statement)
            out.append(list(cur.fetchall()) if cur.description else [])
    return out


def _binary() -> str:
    path = VENV / "bin" / "fakesnow"
    if not path.exists():
        server_unavailable(NAME, f"{path} missing: run scripts/install-fakesnow.sh")
    return str(path)


@contextmanager
def running_fakesnow() -> Iterator[SnowflakeServerInfo]:
    """fakesnow on a free port (or the one $SQLGATE_TEST_FAKESNOW_URL names), with the test
    database and schema created."""
    pytest.importorskip("snowflake.connector")
    override = os.environ.get(OVERRIDE_ENV)
    proc: ServerProcess | None = None
    if override:
        host, _, port = override.split("://", 1)[-1].rstrip("/").partition(":")
        info = SnowflakeServerInfo(host, int(port), USER, PASSWORD, DATABASE)
    else:
        port = free_port()
        proc = ServerProcess(NAME)
        proc.start([_binary(), "-s", "-p", str(port), "--host", HOST])
        proc.wait_ready(lambda: port_open(port), timeout=60)
        info = SnowflakeServerInfo(HOST, port, USER, PASSWORD, DATABASE)
    try:
        with admin_connect(info, database=None, schema=None) as conn:
            conn.cursor().execute(f"CREATE DATABASE IF NOT EXISTS {DATABASE}")
            conn.cursor().execute(f"CREATE SCHEMA IF NOT EXISTS {DATABASE}.{SCHEMA}")
        yield info
    finally:
        if proc is not None:
            proc.stop()


def seed_items(info: SnowflakeServerInfo, rows: list[tuple[Any, ...]]) -> None:
    """The conformance table ``items`` (unquoted names: Snowflake stores them upper case)."""
    with admin_connect(info) as conn:
        cur = conn.cursor()
        cur.execute(
            "CREATE OR REPLACE TABLE items (id INT PRIMARY KEY, name VARCHAR, "
            "amount NUMBER(10,2), created TIMESTAMP_NTZ)"
        )
        for row in rows:  # one by one: fakesnow binds a NULL timestamp in a batch as 1970
            cur.execute("INSERT INTO items VALUES (%s, %s, %s, %s)", row)


@contextmanager
def recording_proxy(
    info: SnowflakeServerInfo,
    requests: list[tuple[str, bytes]] | None = None,
    session_ids: Iterator[int] | None = None,
) -> Iterator[tuple[int, list[dict[str, Any]]]]:
    """A loopback HTTP relay in front of fakesnow that keeps every login request it passes.

    fakesnow accepts any login, so what the connector *sent* (the password, the key-pair JWT,
    the OAuth token, the session parameters) is checked on the relay's copy of the request;
    the answer is still fakesnow's. Yields (port, logins): each login's JSON ``data`` object.
    ``requests`` gets (path, body) of every request. fakesnow's login answer carries no
    ``sessionId`` (``CURRENT_SESSION()``); with ``session_ids`` the relay adds the next one,
    as Snowflake's answer would have it - the only change it makes to an answer.
    """
    import gzip
    import http.client
    import json
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    logins: list[dict[str, Any]] = []

    class Relay(BaseHTTPRequestHandler):
        def _relay(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            raw = gzip.decompress(body) if self.headers.get("Content-Encoding") == "gzip" else body
            login = self.path.startswith("/session/v1/login-request")
            if login:
                logins.append(json.loads(raw)["data"])
            if requests is not None:
                requests.append((self.path, raw))
            upstream = http.client.HTTPConnection(info.host, info.port, timeout=30)
            try:
                headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
                upstream.request(self.command, self.path, body=body, headers=headers)
                answer = upstream.getresponse()
                payload = answer.read()
                if login and session_ids is not None and answer.status == 200:
                    payload = _with_session_id(payload, next(session_ids))
                self.send_response(answer.status)
                for key, value in answer.getheaders():
                    if key.lower() not in ("transfer-encoding", "content-length", "connection"):
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            finally:
                upstream.close()

        do_GET = do_POST = _relay

        def log_message(self, *args: Any) -> None:  # quiet
            return

    def _with_session_id(payload: bytes, session_id: int) -> bytes:
        answer = json.loads(payload)
        answer["data"].setdefault("sessionId", session_id)
        return json.dumps(answer).encode()

    server = ThreadingHTTPServer((HOST, 0), Relay)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], logins
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
