"""``tidb://`` on a real TiDB server (``tidb-server --store=unistore``, tests/servers/tidb.py).

What test_tidb_guard.py checks on MariaDB and seekdb stand-ins and test_tidb_decisions.py on
recorded output, checked here against TiDB itself: its error 1235 for a session read-only
mode, the gate as the guard (data read back through the admin), the cluster's read-only
switches, ``sqlgate check`` and ``require_read_only_user`` on TiDB's own ``SHOW GRANTS``,
stale reads through sqlgate's ``FOR TIMESTAMP AS OF`` (and the transaction TiDB refuses them
in), ``statement_timeout`` and cancel (TiDB's ``KILL QUERY`` closes an idle link).
Reflection and Chinese text: test_tidb_server_sql.py.
"""

from __future__ import annotations

import io
import secrets
import threading
import time
from collections.abc import Iterator
from typing import Any

import pymysql
import pytest

import sqlgate
from sqlgate.cli import main as sqlgate_cli
from sqlgate.core import errors
from tests.conftest import SEED_ROWS
from tests.servers import mariadb, tidb
from tests.servers.base import ServerInfo

SWITCHES = ("tidb_super_read_only", "tidb_restricted_read_only")
#: 4**14 joined rows: tens of seconds on TiDB, stopped long before by the tests
SLOW = "SELECT count(*) FROM " + ", ".join(f"items t{i}" for i in range(14))


@pytest.fixture
def reader(tidb_server: ServerInfo) -> Iterator[tuple[str, str]]:
    """A login holding SELECT only."""
    user, password = f"ro_{secrets.token_hex(4)}", secrets.token_urlsafe(12)
    tidb.create_user(tidb_server, user, password, privileges="SELECT")
    try:
        yield user, password
    finally:
        tidb.drop_user(tidb_server, user)


def _items(info: ServerInfo) -> list[tuple[Any, ...]]:
    """The seeded table as the admin reads it (not through the code under test)."""
    return mariadb.admin_execute(info, f"SELECT * FROM {info.database}.items ORDER BY id")


def _admin_error(info: ServerInfo, *statements: str) -> tuple[int, str]:
    """The server's error code and message for the last statement, run as the admin."""
    with pytest.raises(pymysql.err.MySQLError) as raised:
        mariadb.admin_execute(info, *statements)
    code, message = raised.value.args[:2]
    return int(code), str(message)


def test_the_banner_is_tidb(tidb_server: ServerInfo) -> None:
    with sqlgate.connect(tidb_server.url("tidb")) as conn:
        session = conn.session
        assert session.banner == tidb_server.extra["banner"]
        assert "-TiDB-v" in session.banner, session.banner
        assert session.server_version[:1] == (8,)  # the MySQL version TiDB follows
        assert session.product_version  # TiDB's own, read from the banner


def test_a_session_read_only_mode_is_refused_with_1235(tidb_database: ServerInfo) -> None:
    """Why ``tidb://`` sends no session guard: TiDB refuses it, or (noop functions on)
    accepts it and lets writes through."""
    for statement in ("SET SESSION TRANSACTION READ ONLY", "START TRANSACTION READ ONLY"):
        code, message = _admin_error(tidb_database, statement)
        assert code == 1235, message
        assert "READ ONLY has only noop implementation" in message
    with (
        mariadb.admin_connect(tidb_database, database=tidb_database.database) as conn,
        conn.cursor() as cur,
    ):
        cur.execute("CREATE TABLE t (id int PRIMARY KEY)")
        cur.execute("SET SESSION tidb_enable_noop_functions = ON")
        cur.execute("SET SESSION TRANSACTION READ ONLY")  # accepted now...
        cur.execute("INSERT INTO t VALUES (1)")  # ...and guards nothing
        cur.execute("SELECT count(*) FROM t")
        assert cur.fetchone() == (1,)


def test_tidb_url_connects_and_the_gate_refuses_writes(seeded_tidb: ServerInfo) -> None:
    before = _items(seeded_tidb)
    assert len(before) == len(SEED_ROWS)
    with sqlgate.connect(seeded_tidb.url("tidb")) as conn:
        assert conn.read_only
        cur = conn.cursor()
        assert cur.execute("SELECT @@session.tx_read_only").fetchone()[0] == 0  # none sent
        assert conn.session.server_guard_active() is None  # no switch on: the gate alone
        for statement in (
            "DELETE FROM items",
            "UPDATE items SET name = 'x'",
            "INSERT INTO items VALUES (9, 'x', 1, NULL)",
            "DROP TABLE items",
            "SET GLOBAL tidb_super_read_only = OFF",
            "SET SESSION tidb_enable_noop_functions = ON",
            "SET SESSION TRANSACTION READ WRITE",
        ):
            with pytest.raises(errors.ReadOnlyError):
                cur.execute(statement)
        # TiDB's non-transactional DML is not MySQL's SQL: the gate cannot read it, so it
        # refuses it unsent
        with pytest.raises(errors.UnparseableStatementError):
            cur.execute("BATCH ON id LIMIT 1 DELETE FROM items")
        assert cur.execute("SELECT count(*) FROM items").fetchone()[0] == len(SEED_ROWS)
    assert _items(seeded_tidb) == before


def test_stale_read_through_sqlgate_time_travel(tidb_database: ServerInfo) -> None:
    """Insert, note the server's time, update: ``AS OF`` the noted time reads the old row."""
    db = tidb_database.database
    mariadb.admin_execute(
        tidb_database,
        f"CREATE TABLE {db}.t (id int PRIMARY KEY, v varchar(10))",
        f"INSERT INTO {db}.t VALUES (1, 'old')",
    )
    time.sleep(1.0)  # TiDB's timestamps count milliseconds; keep the versions well apart
    noted = str(mariadb.admin_execute(tidb_database, "SELECT NOW(6)")[0][0])
    time.sleep(1.0)
    mariadb.admin_execute(tidb_database, f"UPDATE {db}.t SET v = 'new' WHERE id = 1")
    with sqlgate.connect(tidb_database.url("tidb")) as conn:
        cur = conn.cursor()
        # an expression TiDB evaluates: 1.5 s back lands between the insert and the update
        cur.execute("SELECT v FROM t FOR TIMESTAMP AS OF NOW(6) - INTERVAL 1500000 MICROSECOND")
        assert cur.fetchall() == [("old",)]
        # a plain read opens a transaction (autocommit is off); each stale read ends it first
        assert cur.execute("SELECT v FROM t").fetchone() == ("new",)
        cur.execute("SELECT v FROM t FOR TIMESTAMP AS OF %s", (noted,))
        assert cur.fetchall() == [("old",)]
        cur.execute(f"SELECT v FROM t FOR SYSTEM_TIME AS OF '{noted}' WHERE id = 1")
        assert cur.fetchall() == [("old",)]
        cur.execute(f"SELECT v FROM t AS OF TIMESTAMP '{noted}'")  # TiDB's own spelling
        assert cur.fetchall() == [("old",)]
        assert cur.execute("SELECT v FROM t").fetchone() == ("new",)
        # a transaction the caller began is not ended behind their back: TiDB says why
        cur.execute("BEGIN")
        assert cur.execute("SELECT v FROM t").fetchone() == ("new",)
        with pytest.raises(errors.OperationalError, match="can't be set in transaction") as no:
            cur.execute("SELECT v FROM t FOR TIMESTAMP AS OF %s", (noted,))
        assert no.value.vendor_code == 8135
        conn.rollback()
        cur.execute("SELECT v FROM t FOR TIMESTAMP AS OF %s", (noted,))
        assert cur.fetchall() == [("old",)]
        with pytest.raises(errors.Error) as refused:  # the gate admits it; TiDB refuses it
            cur.execute("START TRANSACTION READ ONLY")
        assert refused.value.vendor_code == 1235  # so no transaction of the caller's began
        assert cur.execute("SELECT v FROM t").fetchone() == ("new",)
        cur.execute("SELECT v FROM t FOR TIMESTAMP AS OF %s", (noted,))
        assert cur.fetchall() == [("old",)]
    # read_only=false: the open transaction may hold the caller's writes, so it is left alone
    with sqlgate.connect(tidb_database.url("tidb"), read_only=False) as conn:
        cur = conn.cursor()
        assert cur.execute("SELECT v FROM t").fetchone() == ("new",)
        with pytest.raises(errors.OperationalError, match="can't be set in transaction"):
            cur.execute("SELECT v FROM t FOR TIMESTAMP AS OF %s", (noted,))


def test_sqlgate_check_and_require_read_only_user(
    seeded_tidb: ServerInfo, reader: tuple[str, str]
) -> None:
    out = io.StringIO()
    code = sqlgate_cli(["check", seeded_tidb.url("tidb")], out=out)
    text = out.getvalue()
    assert code == 3, text
    assert f"({seeded_tidb.extra['banner']})" in text
    assert "statement gate: active" in text
    assert "server read-only guard: none on this engine (gate only)" in text
    assert "unguarded: the login can write (ALL PRIVILEGES ON *.*" in text
    with pytest.raises(errors.ProgrammingError, match="require_read_only_user=true refused"):
        sqlgate.connect(seeded_tidb.url("tidb"), require_read_only_user=True)
    user, password = reader
    url = seeded_tidb.url("tidb", user=user, password=password)
    out = io.StringIO()
    assert sqlgate_cli(["check", url], out=out) == 0, out.getvalue()
    assert "unguarded" not in out.getvalue()
    with sqlgate.connect(url, require_read_only_user=True) as conn:
        cur = conn.cursor()
        assert cur.execute("SELECT count(*) FROM items").fetchone()[0] == len(SEED_ROWS)
    with (
        pymysql.connect(
            host=seeded_tidb.host,
            port=seeded_tidb.port,
            user=user,
            password=password,
            database=seeded_tidb.database,
            connect_timeout=5,
        ) as plain,
        plain.cursor() as cur,
        pytest.raises(pymysql.err.MySQLError) as refused,
    ):
        cur.execute("DELETE FROM items")  # the server itself refuses this login's write
    assert refused.value.args[0] == 1142, refused.value.args
    assert len(_items(seeded_tidb)) == len(SEED_ROWS)


@pytest.mark.parametrize("switch", SWITCHES)
def test_a_cluster_read_only_switch_is_read_and_reported(
    seeded_tidb: ServerInfo, switch: str
) -> None:
    before = _items(seeded_tidb)
    mariadb.admin_execute(seeded_tidb, f"SET GLOBAL {switch} = ON")
    try:
        on = _switches_on(seeded_tidb)
        # TiDB turns tidb_super_read_only on with tidb_restricted_read_only
        assert on == (list(SWITCHES) if switch == "tidb_restricted_read_only" else [switch])
        # TiDB itself now refuses a write, even the admin's (root holds SUPER)
        code, message = _admin_error(seeded_tidb, f"DELETE FROM {seeded_tidb.database}.items")
        assert code == 1836, message
        with sqlgate.connect(seeded_tidb.url("tidb")) as conn:
            assert sorted(conn.session.read_only_switches()) == sorted(on)
            assert conn.session.server_guard_active() is True
            assert conn.session.guard_warnings() == []  # the switch protects a writable login
        out = io.StringIO()
        assert sqlgate_cli(["check", seeded_tidb.url("tidb")], out=out) == 0, out.getvalue()
        assert "server read-only guard: active" in out.getvalue()
    finally:
        # restricted turns super on with it; super cannot go off while restricted is on
        mariadb.admin_execute(
            seeded_tidb, *(f"SET GLOBAL {name} = OFF" for name in reversed(SWITCHES))
        )
    assert _switches_on(seeded_tidb) == []
    assert _items(seeded_tidb) == before


def _switches_on(info: ServerInfo) -> list[str]:
    rows = mariadb.admin_execute(info, f"SELECT {', '.join(f'@@global.{s}' for s in SWITCHES)}")
    return [name for name, value in zip(SWITCHES, rows[0], strict=True) if int(value)]


def test_statement_timeout_is_enforced_by_tidb(seeded_tidb: ServerInfo) -> None:
    with sqlgate.connect(seeded_tidb.url("tidb"), statement_timeout=1) as conn:
        cur = conn.cursor()
        assert cur.execute("SELECT @@max_execution_time").fetchone() == (1000,)
        started = time.monotonic()
        with pytest.raises(errors.OperationalError, match="statement_timeout") as stopped:
            cur.execute(SLOW)
        assert stopped.value.vendor_code == 3024
        assert time.monotonic() - started < 10
        assert cur.execute("SELECT count(*) FROM items").fetchone() == (len(SEED_ROWS),)


def test_cancel_stops_a_running_statement_and_spares_an_idle_link(seeded_tidb: ServerInfo) -> None:
    """TiDB's KILL QUERY closes a connection that runs nothing: sqlgate sends it only while a
    statement runs, so a cancel that comes too late leaves the connection usable."""
    with sqlgate.connect(seeded_tidb.url("tidb")) as conn:
        cur = conn.cursor()
        cur.cancel()  # nothing runs
        assert cur.execute("SELECT 1").fetchone() == (1,)
        link = conn.session.link_id()
        running = (
            "SELECT count(*) FROM information_schema.PROCESSLIST "
            f"WHERE ID = {link} AND COMMAND = 'Query'"
        )

        def stop() -> None:
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                if mariadb.admin_execute(seeded_tidb, running)[0][0]:
                    break
                time.sleep(0.05)
            cur.cancel()

        thread = threading.Thread(target=stop)
        thread.start()
        started = time.monotonic()
        with pytest.raises(errors.OperationalError) as stopped:
            cur.execute(SLOW)
        thread.join(timeout=30)
        assert stopped.value.vendor_code == 1317
        assert time.monotonic() - started < 20
        conn.rollback()
        assert cur.execute("SELECT 1").fetchone() == (1,)  # cancelled, not disconnected
