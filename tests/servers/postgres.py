"""Throwaway PostgreSQL 15 server with real scram-sha-256 password auth over TCP."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import time
from contextlib import AbstractContextManager
from dataclasses import replace
from pathlib import Path
from typing import Any

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

NAME = "postgres"
OVERRIDE_ENV = "SQLGATE_TEST_POSTGRES_URL"
BINDIR_ENV = "SQLGATE_TEST_POSTGRES_BINDIR"
DEFAULT_BINDIR = "/usr/lib/postgresql/15/bin"
OS_USER = "postgres"
ADMIN_USER = "postgres"
USER = "sqlgate"
DATABASE = "sqlgate_test"


def connect(info: ServerInfo, *, admin: bool = False, dbname: str | None = None) -> Any:
    """An autocommit psycopg connection, as the test user or (``admin=True``) the superuser."""
    import psycopg

    return psycopg.connect(
        host=info.host,
        port=info.port,
        user=info.extra["admin_user"] if admin else info.user,
        password=info.extra["admin_password"] if admin else info.password,
        dbname=dbname or info.database,
        autocommit=True,
        connect_timeout=5,
    )


def admin_execute(info: ServerInfo, *statements: str) -> None:
    """Run statements as the admin user (autocommit, so CREATE DATABASE works)."""
    with connect(info, admin=True, dbname="postgres") as conn:
        for stmt in statements:
            conn.execute(stmt)


def _quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _quote_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def create_database(info: ServerInfo, name: str) -> ServerInfo:
    """Create an empty database owned by the test user; return info pointing at it."""
    admin_execute(info, f"CREATE DATABASE {_quote_ident(name)} OWNER {_quote_ident(info.user)}")
    return replace(info, database=name, extra=dict(info.extra))


def drop_database(info: ServerInfo, name: str) -> None:
    admin_execute(info, f"DROP DATABASE IF EXISTS {_quote_ident(name)} WITH (FORCE)")


def _override() -> ServerInfo | None:
    url = os.environ.get(OVERRIDE_ENV)
    if not url:
        return None
    info = info_from_url(url, default_port=5432, default_user=ADMIN_USER)
    info.database = info.database or "postgres"
    # An external server: the given account doubles as the admin account.
    info.extra.setdefault("admin_user", info.user)
    info.extra.setdefault("admin_password", info.password)
    return info


class PostgresServer(OneProcessServer):
    """Starts initdb + postgres as the `postgres` OS user (they refuse to run as root)."""

    name = NAME
    ready_timeout_default = 20.0

    def process(self) -> ServerProcess:
        # SIGINT = "fast shutdown": SIGTERM would wait for leaked client sessions.
        return ServerProcess(NAME, owner=OS_USER, stop_signal=signal.SIGINT)

    def launch(self, proc: ServerProcess) -> ServerInfo:
        bindir = Path(os.environ.get(BINDIR_ENV, DEFAULT_BINDIR))
        initdb = require_binary(NAME, bindir / "initdb")
        postgres = require_binary(NAME, bindir / "postgres")
        pg_isready = require_binary(NAME, bindir / "pg_isready")
        try:
            import psycopg  # noqa: F401 - needed for setup below
        except ImportError:
            server_unavailable(NAME, "psycopg is not installed")
        data, sockdir = proc.workdir / "data", proc.workdir / "sock"
        sockdir.mkdir()
        proc.chown(sockdir)
        admin_password = secrets.token_urlsafe(16)
        password = secrets.token_urlsafe(16)
        pwfile = proc.workdir / "pwfile"
        pwfile.write_text(admin_password + "\n")
        proc.chown(pwfile)
        proc.run(
            [
                initdb, "-D", str(data), "-U", ADMIN_USER, "--auth-local=trust",
                "--auth-host=scram-sha-256", f"--pwfile={pwfile}", "--no-sync", "-E", "UTF8",
            ]
        )  # fmt: skip
        pwfile.unlink()
        t_init = time.monotonic() - self.started

        port = free_port()
        proc.start(
            [
                postgres, "-D", str(data), "-p", str(port), "-k", str(sockdir),
                "-c", f"listen_addresses={HOST}", "-c", "fsync=off",
                "-c", "full_page_writes=off", "-c", "synchronous_commit=off",
            ],
            env={"LC_ALL": "C.UTF-8"},
        )  # fmt: skip

        def ready() -> bool:
            cmd = [pg_isready, "-q", "-h", HOST, "-p", str(port), "-t", "1"]
            return subprocess.run(cmd, check=False, timeout=5).returncode == 0

        proc.wait_ready(ready, timeout=self.ready_timeout)
        info = ServerInfo(
            HOST,
            port,
            USER,
            password,
            DATABASE,
            extra={
                "admin_user": ADMIN_USER,
                "admin_password": admin_password,
                "socket_dir": str(sockdir),
                "data_dir": str(data),
            },
        )
        admin_execute(
            info,
            f"CREATE ROLE {USER} LOGIN SUPERUSER PASSWORD {_quote_literal(password)}",
            f"CREATE DATABASE {DATABASE} OWNER {USER} ENCODING 'UTF8' TEMPLATE template0",
        )
        info.extra["initdb_seconds"] = round(t_init, 2)
        return info


def running_postgres() -> AbstractContextManager[ServerInfo]:
    """Yield a server: the override URL's if set, else a fresh throwaway one."""
    return running(_override(), PostgresServer)
