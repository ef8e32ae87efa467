"""Throwaway TiDB server: ``tidb-server --store=unistore`` on 127.0.0.1.

The binary comes from ``scripts/install-tidb.sh`` (``.cache/tidb/bin/tidb-server``, TiDB master
of 2025-11-26 built from Go modules). Unistore is TiDB's embedded storage engine: one process,
no PD or TiKV, the same SQL layer as a cluster. Its data, socket, temp files and log stay in the
server's temp dir; the MySQL port and the status port bind 127.0.0.1 only. ``root`` has no
password (TiDB's insecure bootstrap); the tests log in as ``sqlgate`` with a password.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import pytest

from . import mariadb
from .base import (
    HOST,
    OneProcessServer,
    ServerInfo,
    ServerProcess,
    free_port,
    info_from_url,
    require_binary,
    running,
    server_unavailable,
)

NAME = "tidb"
ROOT = Path(__file__).resolve().parents[2]
BINARY = ROOT / ".cache" / "tidb" / "bin" / "tidb-server"
OVERRIDE_ENV = "SQLGATE_TEST_TIDB_URL"  # reuse a running TiDB: an admin URL (root)
USER = "sqlgate"
DATABASE = "sqlgate_test"


def create_user(info: ServerInfo, user: str, password: str, *, privileges: str) -> None:
    """A login at ``'%'`` holding exactly ``privileges`` on ``*.*``."""
    mariadb.create_user(info, user, password, privileges=privileges, hosts=("%",))


def drop_user(info: ServerInfo, user: str) -> None:
    mariadb.drop_user(info, user, hosts=("%",))


def _setup(admin: ServerInfo) -> ServerInfo:
    """Database ``sqlgate_test`` and user ``sqlgate`` (all privileges) on a fresh server."""
    password = secrets.token_urlsafe(16)
    info = ServerInfo(admin.host, admin.port, USER, password, DATABASE, extra=dict(admin.extra))
    mariadb.admin_execute(info, f"CREATE DATABASE IF NOT EXISTS {DATABASE}")
    drop_user(info, USER)
    create_user(info, USER, password, privileges="ALL PRIVILEGES")
    info.extra["banner"] = mariadb.admin_execute(info, "SELECT version()")[0][0]
    return info


def _override() -> ServerInfo | None:
    url = os.environ.get(OVERRIDE_ENV)
    if not url:
        return None
    admin = info_from_url(url, default_port=4000, default_user="root")
    admin.extra.update(admin_user=admin.user, admin_password=admin.password)
    return _setup(admin)


class TiDBServer(OneProcessServer):
    """One tidb-server on unistore in a temp dir; ready when root can run ``SELECT 1``."""

    name = NAME
    # the first start bootstraps TiDB's system tables: ~10-30 s on 2 busy cores
    ready_timeout_default = 180.0

    def process(self) -> ServerProcess:
        return ServerProcess(NAME, stop_timeout=30.0)

    def launch(self, proc: ServerProcess) -> ServerInfo:
        binary = require_binary(NAME, BINARY)
        try:
            import pymysql  # noqa: F401 - the admin connection below needs it
        except ImportError:
            server_unavailable(NAME, "pymysql is not installed")
        d = proc.workdir
        port, status = free_port(), free_port()
        (d / "tmp").mkdir()
        config = d / "tidb.toml"
        # TiDB spills to tmp-storage-path (default under /tmp/<user>_tidb/...): keep it here
        config.write_text(f'tmp-storage-path = "{d / "tmp-storage"}"\n')
        proc.extra_logs.append(d / "tidb.log")
        proc.start(
            [
                binary, "--store=unistore", f"--path={d / 'data'}", f"--config={config}",
                f"--host={HOST}", f"-P={port}", f"--status-host={HOST}", f"--status={status}",
                f"--socket={d / 'tidb.sock'}", f"--temp-dir={d / 'tmp'}",
                f"--log-file={d / 'tidb.log'}", "-L=warn", "--metrics-interval=0",
            ]
        )  # fmt: skip
        admin = ServerInfo(
            HOST,
            port,
            "root",
            "",
            "test",
            extra={"admin_user": "root", "admin_password": "", "status_port": status},
        )
        proc.wait_ready(
            lambda: bool(mariadb.admin_execute(admin, "SELECT 1")),
            timeout=self.ready_timeout,
            interval=0.25,
        )
        return _setup(admin)


def running_tidb() -> AbstractContextManager[ServerInfo]:
    """Yield a server: the override URL's if set, else a fresh throwaway one."""
    return running(_override(), TiDBServer)


@pytest.fixture(scope="session")
def tidb_server() -> Iterator[ServerInfo]:
    """TiDB on unistore: user ``sqlgate`` (all privileges) on db ``sqlgate_test``; root is
    the admin (``extra['admin_user']``); ``extra['banner']`` is what ``version()`` says."""
    with running_tidb() as info:
        yield info


@pytest.fixture(scope="session")
def seeded_tidb(tidb_server: ServerInfo) -> ServerInfo:
    from tests.conftest import SEED_ROWS

    mariadb.seed_items(tidb_server, SEED_ROWS)
    return tidb_server


@pytest.fixture
def tidb_database(tidb_server: ServerInfo, unique_name: str) -> Iterator[ServerInfo]:
    """An empty database on TiDB for one test, dropped afterwards."""
    info = mariadb.create_database(tidb_server, unique_name)
    try:
        yield info
    finally:
        mariadb.drop_database(tidb_server, unique_name)
