"""The native Arrow paths keep the read-only promise (docs/types.md, docs/read-only.md).

A write the gate lets through (a function the URL's author trusted, which writes) must still be
refused by the server when the rows travel the fast path, and the data must be unchanged:
on PostgreSQL through the ADBC connection (its own guard, checked before use), on MySQL
through the raw packet reader (the session's own connection and guard). A side connection that
does not carry the session's guard is never used.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

import sqlgate
from sqlgate.dbapi.mysql_arrow import native_available
from sqlgate.dbapi.postgres_arrow import adbc_available
from sqlgate.dbapi.postgres_stream import PgLink
from tests.servers import mariadb, postgres
from tests.servers.base import ServerInfo

PG_WRITER = (
    "CREATE OR REPLACE FUNCTION public.arrow_write(n int) RETURNS int LANGUAGE sql VOLATILE "
    "AS $$ INSERT INTO public.arrow_victim VALUES (n) RETURNING n $$"
)


@pytest.fixture
def pg_victim(postgres_server: ServerInfo) -> Iterator[ServerInfo]:
    with postgres.connect(postgres_server, admin=True) as admin:
        admin.execute("DROP TABLE IF EXISTS public.arrow_victim")
        admin.execute("CREATE TABLE public.arrow_victim (n int)")
        admin.execute("INSERT INTO public.arrow_victim VALUES (0)")
        admin.execute(PG_WRITER)
    yield postgres_server
    with postgres.connect(postgres_server, admin=True) as admin:
        admin.execute("DROP FUNCTION IF EXISTS public.arrow_write(int)")
        admin.execute("DROP TABLE IF EXISTS public.arrow_victim")


def _pg_rows(info: ServerInfo) -> list[tuple[Any, ...]]:
    with postgres.connect(info, admin=True) as admin:
        return list(admin.execute("SELECT n FROM public.arrow_victim ORDER BY n").fetchall())


@pytest.mark.skipif(not adbc_available(), reason="adbc-driver-postgresql missing")
def test_postgres_write_through_adbc_is_refused(pg_victim: ServerInfo) -> None:
    url = pg_victim.url("postgresql")
    with sqlgate.connect(url, arrow_path="native", allow_functions="public.arrow_write") as conn:
        cursor = conn.cursor()
        cursor.execute("SELECT 1 AS warm").fetch_arrow_table()
        assert conn.session._arrow._side is not None  # Arrow goes through ADBC
        cursor.execute("SELECT public.arrow_write(g) AS w FROM generate_series(1, 3) g")
        with pytest.raises(sqlgate.ReadOnlyError) as caught:
            cursor.fetch_arrow_table()
        assert caught.value.sqlstate == "25006"
        assert "refused by the server's read-only guard" in str(caught.value)
    assert _pg_rows(pg_victim) == [(0,)]


@pytest.mark.skipif(not adbc_available(), reason="adbc-driver-postgresql missing")
def test_postgres_side_without_the_guard_is_never_used(
    pg_victim: ServerInfo, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A side connection opened without the session's startup options (no guard) differs
    from the session when checked: sqlgate stays on psycopg, whose guard refuses the write."""
    original = PgLink.side_conninfo

    def unguarded(self: PgLink) -> str:
        return original(self).replace("default_transaction_read_only=on", "application_name=x")

    monkeypatch.setattr(PgLink, "side_conninfo", unguarded)
    url = pg_victim.url("postgresql")
    with sqlgate.connect(url, arrow_path="native", allow_functions="public.arrow_write") as conn:
        assert conn.session._arrow._side is None  # refused at connect, when it was checked
        assert "differs from the session" in caplog.text
        cursor = conn.cursor()
        with pytest.raises(sqlgate.ReadOnlyError):  # psycopg runs it (at execute: no deferral)
            cursor.execute("SELECT public.arrow_write(7) AS w").fetch_arrow_table()
    assert _pg_rows(pg_victim) == [(0,)]


MY_WRITER = (
    "CREATE FUNCTION arrow_write(n int) RETURNS int MODIFIES SQL DATA "
    "BEGIN INSERT INTO arrow_victim VALUES (n); RETURN n; END"
)


@pytest.fixture
def my_victim(mariadb_server: ServerInfo) -> Iterator[ServerInfo]:
    db = mariadb_server.database
    mariadb.admin_execute(
        mariadb_server,
        f"DROP FUNCTION IF EXISTS `{db}`.arrow_write",
        f"DROP TABLE IF EXISTS `{db}`.arrow_victim",
        f"CREATE TABLE `{db}`.arrow_victim (n int)",
        f"INSERT INTO `{db}`.arrow_victim VALUES (0)",
    )
    with mariadb.admin_connect(mariadb_server, database=db) as admin, admin.cursor() as cur:
        cur.execute(MY_WRITER)
        admin.commit()
    yield mariadb_server
    mariadb.admin_execute(
        mariadb_server,
        f"DROP FUNCTION IF EXISTS `{db}`.arrow_write",
        f"DROP TABLE IF EXISTS `{db}`.arrow_victim",
    )


@pytest.mark.skipif(not native_available(), reason="numpy is not installed")
def test_mysql_raw_reader_keeps_the_guard(my_victim: ServerInfo) -> None:
    """The raw reader reads on the session's own connection: after a result it streamed, the
    connection is in step, its server-side guard is on, and a writing function is refused by
    the server (MariaDB refuses it when the statement opens its tables)."""
    db = my_victim.database
    with sqlgate.connect(my_victim.url("mysql")) as conn:
        assert conn.session.native_arrow
        conn.session.chunk_rows = 10
        cursor = conn.cursor().execute("SELECT seq FROM seq_1_to_5000")
        assert cursor.rowcount == -1  # streaming: the rest goes through the raw reader
        table = cursor.fetch_arrow_table()
        assert table.column(0).to_pylist() == list(range(1, 5001)) and cursor.rowcount == 5000
        assert conn.session.server_guard_active() is True
        with pytest.raises(sqlgate.ReadOnlyError) as caught:
            conn.cursor().execute(
                "SELECT seq, IF(seq > 50, arrow_write(seq), 0) AS w FROM seq_1_to_200"
            ).fetch_arrow_table()
        assert caught.value.vendor_code == 1792
        assert conn.cursor().execute("SELECT 1").fetchall() == [(1,)]
    rows = mariadb.admin_execute(my_victim, f"SELECT n FROM `{db}`.arrow_victim ORDER BY n")
    assert [tuple(r) for r in rows] == [(0,)]


@pytest.mark.skipif(not adbc_available(), reason="adbc-driver-postgresql missing")
def test_postgres_side_that_lost_its_guard_is_dropped(pg_victim: ServerInfo) -> None:
    """A trusted function that lifts the guard (set_config inside it, which the gate cannot
    see) runs on the ADBC connection; before its next statement the side is asked for the
    guard, found without it, and closed for good: nothing runs on it again."""
    with postgres.connect(pg_victim, admin=True) as admin:
        admin.execute(
            "CREATE OR REPLACE FUNCTION public.arrow_lift() RETURNS text LANGUAGE sql AS "
            "$$ SELECT set_config('default_transaction_read_only', 'off', false) $$"
        )
    url = pg_victim.url("postgresql")
    trusted = "public.arrow_lift,public.arrow_write"
    try:
        with sqlgate.connect(url, arrow_path="native", allow_functions=trusted) as conn:
            cursor = conn.cursor()
            lifted = cursor.execute("SELECT public.arrow_lift() AS v").fetch_arrow_table()
            assert lifted.column(0).to_pylist() == ["off"]  # it ran on the side connection
            cursor.execute("SELECT public.arrow_write(9) AS w")
            with pytest.raises(sqlgate.GuardLostError):
                cursor.fetch_arrow_table()
            assert conn.session._arrow._side is None
            with pytest.raises(sqlgate.ReadOnlyError):  # psycopg's own guard from now on
                cursor.execute("SELECT public.arrow_write(10) AS w").fetch_arrow_table()
    finally:
        with postgres.connect(pg_victim, admin=True) as admin:
            admin.execute("DROP FUNCTION IF EXISTS public.arrow_lift()")
    assert _pg_rows(pg_victim) == [(0,)]
