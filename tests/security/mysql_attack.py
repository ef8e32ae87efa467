"""The MySQL attack suite's attacker, admin snapshot and hostile servers (issue #7).

An attacker account may write to its database and files (INSERT, UPDATE, DELETE, CREATE, DROP,
EXECUTE, FILE), so only sqlgate stands between a statement and a change. The admin's snapshot
covers what an attack could change: table checksum, tables, write-command counters, user locks,
running queries, global variables, accounts, the attack's output file.
"""

from __future__ import annotations

import os
import socket
import threading
import traceback
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from tests.servers import mariadb
from tests.servers.base import HOST, ServerInfo

__all__ = ["admin", "own_mariadb", "silent_port", "target"]  # fixtures; import the rest by name

TAG = uuid.uuid4().hex[:8]
LOCK = f"sqlgate_pwn_{TAG}"
OUTFILE = f"/tmp/sqlgate_pwn_{TAG}.txt"
WRITE_COUNTERS = (
    "Com_insert", "Com_insert_select", "Com_update", "Com_update_multi", "Com_delete",
    "Com_delete_multi", "Com_replace", "Com_replace_select", "Com_create_table",
    "Com_drop_table", "Com_alter_table", "Com_truncate", "Com_rename_table", "Com_load",
    "Com_do", "Com_call_procedure", "Com_create_procedure", "Com_create_function",
    "Com_create_view", "Com_lock_tables", "Com_create_db", "Com_drop_db", "Com_create_user",
    "Com_grant", "Com_kill", "Com_flush", "Com_shutdown",
)  # fmt: skip
GLOBALS = (
    "read_only",
    "general_log",
    "local_infile",
    "max_connections",
    "sql_mode",
    "max_statement_time",
    "event_scheduler",
    "secure_file_priv",
)


@pytest.fixture(scope="module")
def target(mariadb_server: ServerInfo) -> Iterator[ServerInfo]:
    """A database with an ``accounts`` table and an attacker who may write to it."""
    db, user, password = f"attack_{TAG}", f"attacker_{TAG}", uuid.uuid4().hex
    info = mariadb.create_database(mariadb_server, db)
    mariadb.admin_execute(
        info,
        f"CREATE TABLE {db}.accounts (id INT PRIMARY KEY, owner VARCHAR(40), balance INT)",
        f"INSERT INTO {db}.accounts VALUES (1, 'alice', 100), (2, 'bob', 50)",
    )
    mariadb.create_user(
        info,
        user,
        password,
        on=f"{db}.*",
        global_privileges="FILE",
        privileges="SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, EXECUTE",
    )
    try:
        yield replace(info, user=user, password=password)
    finally:
        mariadb.drop_user(info, user)
        mariadb.drop_database(mariadb_server, db)


@pytest.fixture
def admin(target: ServerInfo) -> Iterator[Any]:
    """One admin connection for both snapshots, so its own login is not counted."""
    with mariadb.admin_connect(target) as conn:
        yield conn


def snapshot(admin: Any, info: ServerInfo, *, logins: bool = True) -> dict[str, Any]:
    """Everything an attack could change, read by the admin (``logins``: count them too)."""

    def rows(sql: str, *args: Any) -> list[tuple[Any, ...]]:
        with admin.cursor() as cur:
            cur.execute(sql, args or None)
            return [tuple(r) for r in cur.fetchall()]

    names = ", ".join(f"'{n}'" for n in WRITE_COUNTERS)
    variables = ", ".join(f"'{g}'" for g in GLOBALS)
    return {
        "checksum": rows(f"CHECKSUM TABLE {info.database}.accounts EXTENDED"),
        "tables": rows(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s ORDER BY 1",
            info.database,
        ),
        "routines": rows("SELECT COUNT(*) FROM information_schema.routines"),
        "counters": rows(f"SHOW GLOBAL STATUS WHERE Variable_name IN ({names})"),
        "connections": rows("SHOW GLOBAL STATUS LIKE 'Connections'") if logins else None,
        "lock": rows("SELECT IS_USED_LOCK(%s)", LOCK),
        "running": rows(
            "SELECT user, command, info FROM information_schema.processlist "
            "WHERE id <> CONNECTION_ID() AND command <> 'Sleep'"
        ),
        "globals": rows(
            "SELECT variable_name, variable_value FROM information_schema."
            f"global_variables WHERE variable_name IN ({variables}) ORDER BY 1"
        ),
        "accounts": rows("SELECT COUNT(*) FROM mysql.global_priv"),
        "outfile": os.path.exists(OUTFILE),
    }


def chain_text(exc: BaseException) -> str:
    """Every place an exception chain can show a value: str, repr, args, attributes,
    ``__cause__``/``__context__``, and the formatted traceback."""
    parts, seen, todo = [], set(), [exc]
    while todo:
        current = todo.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        parts += [str(current), repr(current), repr(current.args), repr(vars(current))]
        todo += [current.__cause__, current.__context__]
    parts.append("".join(traceback.format_exception(exc)))
    return "\n".join(parts)


def environ_entries() -> list[str]:
    """``KEY=VALUE`` entries this process started with (what /proc/self/environ shows)."""
    raw = Path("/proc/self/environ").read_bytes().decode("utf-8", "replace")
    return [entry for entry in raw.split("\0") if len(entry) >= 6 and "=" in entry]


PASSWD_LINES = [line for line in Path("/etc/passwd").read_text().splitlines() if line][:5]


def assert_nothing_leaked(text: str, *secrets: str) -> None:
    for line in PASSWD_LINES:
        assert line not in text, "an /etc/passwd line leaked"
    for entry in environ_entries():
        assert entry not in text, f"environment entry {entry.split('=')[0]} leaked"
    for secret in secrets:
        assert secret not in text, "a password leaked"


# --- hostile servers ----------------------------------------------------------------------
@pytest.fixture
def silent_port() -> Iterator[int]:
    """A TCP server on 127.0.0.1 that accepts connections and never says a word."""
    listener = socket.create_server((HOST, 0))
    listener.settimeout(0.2)
    stop, held = threading.Event(), []

    def accept() -> None:
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join(timeout=5)
        for conn in held:
            conn.close()
        listener.close()


@pytest.fixture(scope="module")
def own_mariadb() -> Iterator[ServerInfo]:
    """A throwaway server of this module's own, safe to SIGSTOP."""
    server = mariadb.MariaDBServer()
    try:
        yield server.start()
    finally:
        server.stop()
