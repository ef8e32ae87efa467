"""TiDB's guard logic, run on real MariaDB and seekdb servers where the behaviour is the same.

No TiDB server runs here. TiDB refuses ``SET SESSION TRANSACTION READ ONLY`` (error 1235), so
``tidb://`` sends no session guard; the statement gate guards, ``sqlgate check`` reports the
login's write privileges and the cluster's read-only switches, and
``require_read_only_user=true`` refuses a login that can write. All of that is the MySQL
family's code and runs unchanged on the stand-in servers; the TiDB-only decisions are unit-tested
on recorded output in ``tests/unit/test_tidb_decisions.py``.
"""

from __future__ import annotations

import dataclasses
import io
import secrets
from collections.abc import Iterator

import pytest

import sqlgate
from sqlgate.cli import main as sqlgate_cli
from sqlgate.core import errors
from sqlgate.dbapi import tidb
from tests.conftest import SEED_ROWS
from tests.servers import mariadb, seekdb
from tests.servers.base import ServerInfo


@pytest.fixture(params=["mariadb", "seekdb"])
def server(request: pytest.FixtureRequest) -> ServerInfo:
    """The seeded ``items`` table on MariaDB 10.11 and on seekdb (OceanBase 4.3)."""
    info: ServerInfo = request.getfixturevalue(f"seeded_{request.param}")
    return info


@pytest.fixture
def reader(server: ServerInfo) -> Iterator[tuple[str, str]]:
    """A login holding SELECT only, on whichever server the test runs against."""
    user, password = f"ro_{secrets.token_hex(4)}", secrets.token_urlsafe(12)
    if "unix_socket=" in server.url("x"):
        seekdb.create_user(server, user, password, privileges="SELECT")
        drops = [f"DROP USER '{user}'@'%'"]
    else:
        mariadb.create_user(server, user, password, privileges="SELECT")
        drops = [f"DROP USER '{user}'@'{h}'" for h in ("127.0.0.1", "localhost")]
    try:
        yield user, password
    finally:
        mariadb.admin_execute(server, *drops)


def _session_read_only(conn: sqlgate.Connection) -> int:
    return int(conn.cursor().execute("SELECT @@session.tx_read_only").fetchone()[0])


def test_no_session_guard_is_sent_and_the_gate_guards(server: ServerInfo) -> None:
    with sqlgate.connect(server.url("mysql+sqlgate")) as guarded:
        assert _session_read_only(guarded) == 1  # what every other MySQL-family source sends
    with sqlgate.connect(server.url("tidb")) as conn:
        assert _session_read_only(conn) == 0  # TiDB would answer error 1235: nothing sent
        assert conn.session.server_guard_active() is None  # no switch: gate only
        cur = conn.cursor()
        with pytest.raises(errors.ReadOnlyError):
            cur.execute("DELETE FROM items")
        with pytest.raises(errors.ReadOnlyError):
            cur.execute("SET SESSION TRANSACTION READ WRITE")
        assert cur.execute("SELECT count(*) FROM items").fetchone()[0] == len(SEED_ROWS)
    admin = mariadb.admin_execute(server, f"SELECT count(*) FROM {server.database}.items")
    assert admin[0][0] == len(SEED_ROWS)


def test_a_cluster_read_only_switch_is_reported(seeded_mariadb: ServerInfo) -> None:
    """The code that reads tidb_super_read_only, pointed at MariaDB's own global switch."""
    flavor = dataclasses.replace(tidb.flavor, read_only_variables=("read_only",))
    mariadb.admin_execute(seeded_mariadb, "SET GLOBAL read_only = 1")
    try:
        with flavor.connect(seeded_mariadb.url("tidb")) as conn:
            assert conn.session.read_only_switches() == ["read_only"]
            assert conn.session.server_guard_active() is True
            assert conn.session.guard_warnings() == []  # the switch protects a writable login
    finally:
        mariadb.admin_execute(seeded_mariadb, "SET GLOBAL read_only = 0")
    with flavor.connect(seeded_mariadb.url("tidb")) as conn:
        assert conn.session.server_guard_active() is None
        assert conn.session.guard_warnings()  # now only the gate: the writable login shows


@pytest.mark.parametrize("scheme", ["tidb", "doris+sqlgate", "starrocks+sqlgate"])
def test_require_read_only_user(server: ServerInfo, reader: tuple[str, str], scheme: str) -> None:
    user, password = reader
    url = server.url(scheme, user=user, password=password)
    with sqlgate.connect(url, require_read_only_user=True) as conn:
        assert conn.cursor().execute("SELECT count(*) FROM items").fetchone()[0] == 4
    with pytest.raises(errors.ProgrammingError, match="require_read_only_user=true refused"):
        sqlgate.connect(server.url(scheme) + _sep(server) + "require_read_only_user=true")


def _sep(server: ServerInfo) -> str:
    return "&" if "?" in server.url("x") else "?"


def test_sqlgate_check_says_what_protects_a_tidb_session(
    server: ServerInfo, reader: tuple[str, str]
) -> None:
    out = io.StringIO()
    code = sqlgate_cli(["check", server.url("tidb")], out=out)
    text = out.getvalue()
    assert code == 3, text
    assert "statement gate: active" in text
    assert "server read-only guard: none on this engine (gate only)" in text
    assert "unguarded: the login can write (ALL PRIVILEGES" in text
    user, password = reader
    out = io.StringIO()
    code = sqlgate_cli(["check", server.url("tidb", user=user, password=password)], out=out)
    assert code == 0, out.getvalue()
    assert "unguarded" not in out.getvalue()


def test_time_travel_reaches_the_server_in_tidb_spelling(seeded_mariadb: ServerInfo) -> None:
    """MariaDB's syntax error quotes the text it received: TiDB's ``AS OF TIMESTAMP``."""
    with sqlgate.connect(seeded_mariadb.url("tidb")) as conn:
        cur = conn.cursor()
        for sql in (
            "SELECT id FROM items FOR TIMESTAMP AS OF '2026-01-01 00:00:00'",  # sqlgate's
            "SELECT id FROM items AS OF TIMESTAMP '2026-01-01 00:00:00'",  # TiDB's own
        ):
            with pytest.raises(errors.ProgrammingError) as info:
                cur.execute(sql)
            assert info.value.vendor_code == 1064, info.value  # the server, not the gate
            assert "near 'TIMESTAMP '2026-01-01 00:00:00''" in str(info.value)
        with pytest.raises(errors.ProgrammingError) as info:  # a bound timestamp
            cur.execute("SELECT id FROM items FOR TIMESTAMP AS OF %s", ("2026-01-01 00:00:00",))
        assert "near 'TIMESTAMP '2026-01-01 00:00:00''" in str(info.value)
        literal = "FOR TIMESTAMP AS OF '2026'"
        assert cur.execute("SELECT %s", (literal,)).fetchone() == (literal,)
        assert cur.execute(f'SELECT "{literal}"').fetchone() == (literal,)
        with pytest.raises(errors.NotSupportedError, match="no table versions"):
            cur.execute("SELECT id FROM items FOR VERSION AS OF 3")
