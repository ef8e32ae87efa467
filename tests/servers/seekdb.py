"""Throwaway OceanBase seekdb server (the OceanBase 4.3 kernel that pip ``pylibseekdb`` ships).

A launcher subprocess (:mod:`tests.servers.seekdb_launcher`; a crash cannot take pytest down)
opens it with ``pylibseekdb.open()``: embedded mode, listening only on a Unix socket. (The
binary's TCP mode binds 0.0.0.0 whatever ``bind_address`` says; the tests use loopback only.)
sqlgate reaches it through the MySQL family's ``unix_socket`` option. Admin helpers are
MariaDB's (:mod:`tests.servers.mariadb`): root over the socket, ``sqlgate`` with a password.
"""

from __future__ import annotations

import json
import os
import secrets
import sys
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest

from sqlgate.dbapi.mysql_socket import SOCKETS_ENV

from . import mariadb
from .base import ServerInfo, ServerProcess, running, server_unavailable

NAME = "seekdb"
OVERRIDE_ENV = "SQLGATE_TEST_SEEKDB_SOCKET"  # reuse a running seekdb: its socket path
USER = "sqlgate"
DATABASE = "sqlgate_test"
LAUNCHER = Path(__file__).with_name("seekdb_launcher.py")


@dataclass
class SocketServerInfo(ServerInfo):
    """A server reached over a Unix socket: its URLs carry ``unix_socket=`` (host, port unused)."""

    def url(self, scheme: str, *, user: str | None = None, password: str | None = None) -> str:
        u = quote(self.user if user is None else user, safe="")
        p = quote(self.password if password is None else password, safe="")
        sock = quote(self.extra["unix_socket"], safe="/")
        return f"{scheme}://{u}:{p}@{self.host}/{self.database}?unix_socket={sock}"


def _require_pylibseekdb() -> str:
    """The Python that runs the launcher: this one, once ``pylibseekdb`` imports here."""
    try:
        import pylibseekdb  # noqa: F401 - only checked here; the launcher uses it
    except ImportError:
        server_unavailable(NAME, "pip install pylibseekdb (it ships the seekdb server)")
    return sys.executable


def allow_socket(path: str) -> None:
    """List the socket where sqlgate's ``unix_socket`` option looks (the operator's switch)."""
    listed = [p for p in os.environ.get(SOCKETS_ENV, "").split(os.pathsep) if p]
    if path not in listed:
        os.environ[SOCKETS_ENV] = os.pathsep.join([*listed, path])


def _override() -> SocketServerInfo | None:
    sock = os.environ.get(OVERRIDE_ENV)
    if not sock:
        return None
    info = SocketServerInfo(
        "localhost", 0, "root", "", "test", extra={"unix_socket": sock, "admin_user": "root"}
    )
    info.extra["admin_password"] = ""
    allow_socket(sock)
    return info


class SeekdbServer:
    """seekdb's embedded runtime in a temp dir, owned by the launcher; ready when root can log
    in over the socket the launcher reports."""

    def __init__(self, *, ready_timeout: float = 60.0) -> None:
        self.ready_timeout = ready_timeout
        self.proc: ServerProcess | None = None

    def start(self) -> SocketServerInfo:
        python = _require_pylibseekdb()
        t0 = time.monotonic()
        # SIGTERM shuts seekdb down cleanly in ~1 s; the bound keeps a hung stop short
        proc = ServerProcess(NAME, stop_timeout=20.0)
        self.proc = proc
        try:
            return self._start(proc, python, t0)
        except BaseException:
            proc.stop()
            raise

    def _start(self, proc: ServerProcess, python: str, t0: float) -> SocketServerInfo:
        base = proc.workdir / "db"
        endpoint = proc.workdir / "endpoint.json"
        proc.extra_logs.append(base / "log" / "seekdb.log")
        proc.start([python, str(LAUNCHER), str(base), str(endpoint)])

        def ready() -> bool:
            if not endpoint.exists():
                return False
            admin.extra["unix_socket"] = json.loads(endpoint.read_text())["unix_socket"]
            mariadb.admin_execute(admin, "SELECT 1")
            return True

        admin = SocketServerInfo(
            "localhost",
            0,
            "root",
            "",
            "test",
            extra={"unix_socket": "", "admin_user": "root", "admin_password": ""},
        )
        proc.wait_ready(ready, timeout=self.ready_timeout, interval=0.2)
        allow_socket(admin.extra["unix_socket"])
        password = secrets.token_urlsafe(16)
        info = SocketServerInfo(
            "localhost", 0, USER, password, DATABASE, extra={**admin.extra, "pid": proc.pid}
        )
        mariadb.admin_execute(
            info, f"CREATE DATABASE {DATABASE} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"
        )
        create_user(info, USER, password, privileges="ALL PRIVILEGES")
        info.extra["banner"] = mariadb.admin_execute(info, "SELECT version()")[0][0]
        info.extra["startup_seconds"] = round(time.monotonic() - t0, 2)
        return info

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.stop()


def create_user(info: ServerInfo, user: str, password: str, *, privileges: str) -> None:
    """A login at ``'%'``: over the socket seekdb sees no host name to match a narrower one."""
    mariadb.create_user(info, user, password, privileges=privileges, hosts=("%",))


def running_seekdb() -> AbstractContextManager[ServerInfo]:
    """Yield a server: the override socket's if set, else a fresh throwaway one."""
    return running(_override(), SeekdbServer)


@pytest.fixture(scope="session")
def seekdb_server() -> Iterator[ServerInfo]:
    """OceanBase seekdb over a Unix socket: user ``sqlgate`` on db ``sqlgate_test``."""
    with running_seekdb() as info:
        yield info


@pytest.fixture(scope="session")
def seeded_seekdb(seekdb_server: ServerInfo) -> ServerInfo:
    from tests.conftest import SEED_ROWS

    mariadb.seed_items(seekdb_server, SEED_ROWS)
    return seekdb_server


@pytest.fixture
def seekdb_database(seekdb_server: ServerInfo, unique_name: str) -> Iterator[ServerInfo]:
    """An empty utf8mb4 database on seekdb for one test, dropped afterwards."""
    info = mariadb.create_database(seekdb_server, unique_name)
    try:
        yield info
    finally:
        mariadb.drop_database(seekdb_server, unique_name)
