"""Throwaway MariaDB server: password auth over TCP, root over the Unix socket."""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import time
from contextlib import AbstractContextManager
from dataclasses import replace
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

NAME = "mariadb"
#: the hosts a test login is created at (TCP on 127.0.0.1 and the Unix socket)
LOCAL_HOSTS = ("127.0.0.1", "localhost")
OVERRIDE_ENV = "SQLGATE_TEST_MARIADB_URL"
USER = "sqlgate"
DATABASE = "sqlgate_test"


def _binary(*candidates: str) -> str:
    """MariaDB renamed its tools (mysqld -> mariadbd); accept either name."""
    for cand in candidates:
        found = shutil.which(cand) or shutil.which(cand, path="/usr/sbin:/usr/bin")
        if found:
            return found
    return require_binary(NAME, candidates[0])


def admin_connect(info: ServerInfo, *, database: str | None = None) -> Any:
    """Connect as the admin: root over the socket, or the override URL's user."""
    import pymysql

    kwargs: dict[str, Any] = {
        "user": info.extra["admin_user"],
        "password": info.extra["admin_password"],
        "database": database,
        "charset": "utf8mb4",
        "autocommit": True,
        "connect_timeout": 5,
    }
    if info.extra.get("unix_socket"):
        kwargs["unix_socket"] = info.extra["unix_socket"]
    else:
        kwargs.update(host=info.host, port=info.port)
    return pymysql.connect(**kwargs)


def admin_execute(info: ServerInfo, *statements: str) -> list[tuple[Any, ...]]:
    """Run statements as admin; return the rows of the last one."""
    rows: list[tuple[Any, ...]] = []
    with admin_connect(info) as conn, conn.cursor() as cur:
        for stmt in statements:
            cur.execute(stmt)
            rows = list(cur.fetchall())
    return rows


def _quote_ident(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def _quote_literal(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "''") + "'"


def create_database(info: ServerInfo, name: str) -> ServerInfo:
    """Create an empty utf8mb4 database; return info pointing at it."""
    admin_execute(
        info, f"CREATE DATABASE {_quote_ident(name)} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"
    )
    return replace(info, database=name, extra=dict(info.extra))


def drop_database(info: ServerInfo, name: str) -> None:
    admin_execute(info, f"DROP DATABASE IF EXISTS {_quote_ident(name)}")


def chinese_charsets(info: ServerInfo) -> list[str]:
    """Which gb* charsets (gbk, gb2312, gb18030) this server build offers."""
    rows = admin_execute(info, "SHOW CHARACTER SET LIKE 'gb%'")
    return sorted(str(r[0]) for r in rows)


def _override() -> ServerInfo | None:
    url = os.environ.get(OVERRIDE_ENV)
    if not url:
        return None
    info = info_from_url(url, default_port=3306, default_user="root")
    info.extra.setdefault("admin_user", info.user)
    info.extra.setdefault("admin_password", info.password)
    info.extra["charsets"] = chinese_charsets(info)
    return info


class MariaDBServer(OneProcessServer):
    """mariadb-install-db + mariadbd in a temp dir (both may run as root with --user=root)."""

    name = NAME

    def launch(self, proc: ServerProcess) -> ServerInfo:
        install_db = _binary("mariadb-install-db", "mysql_install_db")
        mariadbd = _binary("mariadbd", "mysqld")
        admin = _binary("mariadb-admin", "mysqladmin")
        try:
            import pymysql  # noqa: F401 - needed for setup below
        except ImportError:
            server_unavailable(NAME, "pymysql is not installed")
        d = proc.workdir
        data, sock = d / "data", d / "sock"
        user_flag = ["--user=root"] if os.geteuid() == 0 else []
        proc.run(
            [
                install_db, "--no-defaults", *user_flag, f"--datadir={data}",
                "--auth-root-authentication-method=normal", "--skip-test-db",
            ]
        )  # fmt: skip
        t_init = time.monotonic() - self.started
        port = free_port()
        proc.extra_logs.append(d / "err.log")  # mariadbd logs there, not to stdout
        proc.start(
            [
                mariadbd, "--no-defaults", *user_flag, f"--datadir={data}", f"--port={port}",
                f"--bind-address={HOST}", f"--socket={sock}", f"--pid-file={d / 'pid'}",
                f"--log-error={d / 'err.log'}", "--skip-log-bin", "--innodb-buffer-pool-size=64M",
                "--skip-name-resolve", "--character-set-server=utf8mb4", f"--tmpdir={d}",
            ]
        )  # fmt: skip

        def ready() -> bool:
            cmd = [admin, "--no-defaults", "-uroot", f"-S{sock}", "--connect-timeout=1", "ping"]
            res = subprocess.run(cmd, check=False, timeout=5, capture_output=True)
            return res.returncode == 0

        proc.wait_ready(ready, timeout=self.ready_timeout)

        password = secrets.token_urlsafe(16)
        info = ServerInfo(
            HOST,
            port,
            USER,
            password,
            DATABASE,
            extra={
                "admin_user": "root",
                "admin_password": "",
                "unix_socket": str(sock),
                "data_dir": str(data),
            },
        )
        pw = _quote_literal(password)
        stmts = [f"CREATE DATABASE {DATABASE} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"]
        for host in ("127.0.0.1", "localhost"):
            stmts += [
                f"CREATE USER '{USER}'@'{host}' IDENTIFIED BY {pw}",
                f"GRANT ALL PRIVILEGES ON *.* TO '{USER}'@'{host}' WITH GRANT OPTION",
            ]
        admin_execute(info, *stmts)
        info.extra["charsets"] = chinese_charsets(info)
        info.extra["install_seconds"] = round(t_init, 2)
        return info


def running_mariadb() -> AbstractContextManager[ServerInfo]:
    """Yield a server: the override URL's if set, else a fresh throwaway one."""
    return running(_override(), MariaDBServer)


def create_user(
    info: ServerInfo,
    user: str,
    password: str,
    *,
    privileges: str,
    on: str = "*.*",
    global_privileges: str = "",
    hosts: tuple[str, ...] = LOCAL_HOSTS,
) -> None:
    """Create ``user`` at each of ``hosts`` (127.0.0.1 and localhost) with exactly these
    privileges.

    The password literal is sent over the admin's utf8mb4 connection, so a non-ASCII password
    is hashed from its UTF-8 bytes (as the mysql client in a UTF-8 locale sends it).
    """
    stmts: list[str] = []
    for host in hosts:
        account = f"{_quote_literal(user)}@'{host}'"
        stmts += [
            f"CREATE USER {account} IDENTIFIED BY {_quote_literal(password)}",
            f"GRANT {privileges} ON {on} TO {account}",
        ]
        if global_privileges:
            stmts.append(f"GRANT {global_privileges} ON *.* TO {account}")
    admin_execute(info, *stmts)


def drop_user(info: ServerInfo, user: str, hosts: tuple[str, ...] = LOCAL_HOSTS) -> None:
    admin_execute(info, *(f"DROP USER IF EXISTS {_quote_literal(user)}@'{host}'" for host in hosts))


def seed_items(info: ServerInfo, rows: list[tuple[Any, ...]]) -> None:
    """The conformance table ``items`` on any MySQL-protocol server (MariaDB, seekdb, TiDB)."""
    with admin_connect(info, database=info.database) as conn, conn.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS items")
        cur.execute(
            "CREATE TABLE items (id int PRIMARY KEY, name text, "
            "amount decimal(10,2), created datetime) CHARACTER SET utf8mb4"
        )
        cur.executemany("INSERT INTO items VALUES (%s, %s, %s, %s)", rows)
