"""The per-statement fast path on the wire families keeps every result and guard check right.

A repeated statement reuses its driver cursor and its description (built once per result
shape); a shape that changes is described anew. MySQL's transaction state is read from the
end of each result, so a statement inside a transaction costs no extra round trip, while
every way a transaction can end (commit, ``BEGIN``, a failed statement, autocommit) is still
followed by a guard check before anything else runs.
"""

from __future__ import annotations

import pytest

import sqlgate
from sqlgate.core.connection import Connection
from sqlgate.core.cursor import Cursor
from sqlgate.core.results import Column, ListResult
from sqlgate.dbapi.mysql_session import MySQLSession
from sqlgate.dbapi.postgres_family import PostgresSession
from tests.servers import mariadb, postgres
from tests.servers.base import ServerInfo

REPEATED = "SELECT id, name FROM items WHERE id = 2"


def _columns(cur: Cursor) -> tuple[Column, ...]:
    assert cur.description is not None
    return cur.description


def _types(cur: Cursor) -> list[str]:
    return [c.type_code for c in _columns(cur)]


@pytest.fixture()
def pg_items(postgres_database: ServerInfo) -> ServerInfo:
    with postgres.connect(postgres_database) as conn:
        conn.execute("CREATE TABLE items (id int PRIMARY KEY, name text)")
        conn.execute("INSERT INTO items VALUES (1, 'one'), (2, 'two'), (3, 'three')")
    return postgres_database


def test_pg_repeated_statement_reuses_cursor_and_description(pg_items: ServerInfo) -> None:
    with sqlgate.connect(pg_items.url("postgresql+sqlgate")) as conn:
        cur = conn.cursor()
        cur.execute(REPEATED)
        assert cur.fetchall() == [(2, "two")]
        first_description = cur.description
        session = conn.session
        assert isinstance(session, PostgresSession)
        driver_cursor = session._idle_cursor
        assert driver_cursor is not None
        for _ in range(5):
            other = conn.cursor()
            other.execute(REPEATED)
            assert other.fetchall() == [(2, "two")]
            assert other.description is first_description  # built once for this shape
            assert session._idle_cursor is driver_cursor
            other.close()
        assert [c.type_code for c in first_description or ()] == ["int4", "text"]


def test_pg_changed_shape_is_described_anew(pg_items: ServerInfo) -> None:
    """Same text, another column type after an ALTER: the description follows the server."""
    with sqlgate.connect(pg_items.url("postgresql+sqlgate")) as conn:
        cur = conn.cursor()
        cur.execute(REPEATED)
        cur.fetchall()
        assert _types(cur) == ["int4", "text"]
        assert _columns(cur)[1].display_size is None
        conn.rollback()
        with postgres.connect(pg_items) as admin:
            admin.execute("ALTER TABLE items ALTER COLUMN name TYPE varchar(20)")
        cur.execute(REPEATED)
        assert cur.fetchall() == [(2, "two")]
        assert _types(cur) == ["int4", "varchar"]
        assert _columns(cur)[1].display_size == 20


def test_pg_empty_parameters_bind_as_the_driver_would(pg_items: ServerInfo) -> None:
    """SQLAlchemy passes ``{}``: a text without ``%`` is sent as is, ``%%`` still means ``%``."""
    with sqlgate.connect(pg_items.url("postgresql+sqlgate")) as conn:
        cur = conn.cursor()
        assert cur.execute(REPEATED, {}).fetchall() == [(2, "two")]
        assert cur.execute("SELECT '100%%' AS p", {}).fetchall() == [("100%",)]
        assert cur.execute("SELECT '100%%' AS p").fetchall() == [("100%%",)]
        assert cur.execute("SELECT %(x)s::int + 1", {"x": 41}).fetchall() == [(42,)]


def test_pg_statement_after_a_failure_reuses_no_broken_cursor(pg_items: ServerInfo) -> None:
    with sqlgate.connect(pg_items.url("postgresql+sqlgate")) as conn:
        cur = conn.cursor()
        with pytest.raises(sqlgate.ProgrammingError):
            cur.execute("SELECT no_such_column FROM items")
        conn.rollback()
        assert cur.execute(REPEATED).fetchall() == [(2, "two")]
        assert cur.execute("SELECT count(*) FROM items").fetchall() == [(3,)]
        assert _columns(cur)[0].name == "count"


# -- MariaDB ----------------------------------------------------------------------------------
@pytest.fixture()
def my_items(mariadb_database: ServerInfo) -> ServerInfo:
    """A table, a function that lifts the session guard and one that writes (the admin's)."""
    with (
        mariadb.admin_connect(mariadb_database, database=mariadb_database.database) as conn,
        conn.cursor() as cur,
    ):
        cur.execute("CREATE TABLE items (id int PRIMARY KEY, name varchar(20)) ENGINE=InnoDB")
        cur.execute("INSERT INTO items VALUES (1, 'one'), (2, 'two'), (3, 'three')")
        cur.execute("CREATE TABLE written (x int)")
        cur.execute(
            "CREATE FUNCTION lift() RETURNS int BEGIN SET SESSION TRANSACTION READ WRITE; "
            "RETURN 1; END"
        )
        cur.execute(
            "CREATE FUNCTION write_one() RETURNS int MODIFIES SQL DATA BEGIN "
            "INSERT INTO written VALUES (1); RETURN 1; END"
        )
        conn.commit()
    return mariadb_database


def _written(info: ServerInfo) -> int:
    rows = mariadb.admin_execute(info, f"SELECT count(*) FROM `{info.database}`.written")
    return int(rows[0][0])


def _selects(conn: Connection) -> int:
    """The session's own count of SELECT statements the server ran (checks included)."""
    cur = conn.cursor()
    cur.execute("SHOW SESSION STATUS LIKE 'Com_select'")
    return int(cur.fetchall()[0][1])


def test_my_statement_inside_a_transaction_costs_no_guard_round_trip(my_items: ServerInfo) -> None:
    with sqlgate.connect(my_items.url("mysql+sqlgate")) as conn:
        cur = conn.cursor()
        cur.execute(REPEATED)  # opens the transaction (InnoDB, autocommit off)
        assert cur.fetchall() == [(2, "two")]
        before = _selects(conn)
        for _ in range(10):
            assert cur.execute(REPEATED).fetchall() == [(2, "two")]
        # the ten and nothing else (a SHOW's own count shows up after it has answered)
        assert _selects(conn) - before == 10
        assert conn.session.raw.server_status & 1  # still in the transaction


def test_my_autocommit_checks_after_every_statement(my_items: ServerInfo) -> None:
    with sqlgate.connect(my_items.url("mysql+sqlgate")) as conn:
        conn.set_isolation_level("AUTOCOMMIT")
        cur = conn.cursor()
        before = _selects(conn)
        for _ in range(5):
            assert cur.execute(REPEATED).fetchall() == [(2, "two")]
        # each statement is a transaction of its own, followed by a guard check (as is the
        # first SHOW)
        assert _selects(conn) - before == 1 + 2 * 5


@pytest.mark.parametrize("boundary", ["BEGIN", "START TRANSACTION", "COMMIT AND CHAIN"])
def test_my_begin_inside_a_transaction_is_a_boundary(my_items: ServerInfo, boundary: str) -> None:
    """``BEGIN`` commits the open transaction and starts one in the lifted mode: the guard is
    checked right after it, so the write that would follow never runs."""
    conn = sqlgate.connect(my_items.url("mysql+sqlgate"))
    cur = conn.cursor()
    cur.execute(REPEATED)
    cur.fetchall()
    cur.execute("SELECT lift()")  # lifts the guard of the *next* transaction
    cur.fetchall()
    with pytest.raises(sqlgate.GuardLostError):
        cur.execute(boundary)
        cur.execute("SELECT write_one()")
    assert conn.closed
    assert _written(my_items) == 0


def test_my_failed_statement_is_a_boundary(my_items: ServerInfo) -> None:
    """A failed statement may have ended the transaction (a deadlock rolls it back): the
    guard is checked before the error is returned, and a lifted one closes the connection."""
    conn = sqlgate.connect(my_items.url("mysql+sqlgate"))
    cur = conn.cursor()
    cur.execute(REPEATED)
    cur.fetchall()
    cur.execute("SELECT lift()")
    cur.fetchall()
    with pytest.raises(sqlgate.GuardLostError):
        cur.execute("SELECT no_such_column FROM items")
    assert conn.closed
    with pytest.raises(sqlgate.InterfaceError):
        conn.cursor().execute("SELECT write_one()")
    assert _written(my_items) == 0


def test_my_failed_statement_keeps_its_error_when_the_guard_holds(my_items: ServerInfo) -> None:
    with sqlgate.connect(my_items.url("mysql+sqlgate")) as conn:
        cur = conn.cursor()
        with pytest.raises(sqlgate.ProgrammingError):
            cur.execute("SELECT no_such_column FROM items")
        assert not conn.closed
        assert cur.execute(REPEATED).fetchall() == [(2, "two")]
        assert _types(cur) == ["int", "varchar"]


def test_my_empty_parameters_still_pass_every_template_check(my_items: ServerInfo) -> None:
    """SQLAlchemy sends ``{}`` with every plain statement. A text without ``%`` or backslash
    skips the template check (the bound text's verdict reads it), and nothing the gate
    refuses reaches the server: its SELECT count and the table stay as they were."""
    with sqlgate.connect(my_items.url("mysql+sqlgate")) as conn:
        cur = conn.cursor()
        assert cur.execute(REPEATED, {}).fetchall() == [(2, "two")]
        before = _selects(conn)
        refusals = {
            "DELETE FROM items": "DELETE",
            "SELECT 'a\\'b' FROM items": "ambiguous backslash escape",  # checked as a template
            "SELECT '%s' FROM items": "placeholder inside a literal or comment",
            "SELECT 'never ends FROM items": "unparseable statement",  # the bound verdict's
            "SELECT 1; DELETE FROM items": "multiple statements",
        }
        for text, kind in refusals.items():
            with pytest.raises(sqlgate.ProgrammingError) as info:
                cur.execute(text, {})
            assert getattr(info.value, "kind", None) == kind, text
        assert _selects(conn) - before == 0  # the count itself shows up after its SHOW
        assert cur.execute("SELECT count(*) FROM items", {}).fetchall() == [(3,)]
    rows = mariadb.admin_execute(my_items, f"SELECT count(*) FROM `{my_items.database}`.items")
    assert rows[0][0] == 3


# -- results complete in their first chunk ------------------------------------------------------
ALL = "SELECT id, name FROM items ORDER BY id"


def _check_list_result(conn: Connection) -> None:
    """A result read whole inside ``execute`` is served from a list: fetches in any mix give
    every row once, in order, and Arrow takes what is left."""
    cur = conn.cursor()
    cur.execute(ALL)
    assert isinstance(cur._result, ListResult)
    assert cur.rowcount == 3
    assert cur.fetchone() == (1, "one")
    assert cur.fetchmany(1) == [(2, "two")]
    table = cur.fetch_arrow_table()
    assert table.column_names == ["id", "name"]
    assert table.to_pylist() == [{"id": 3, "name": "three"}]
    assert cur.fetchone() is None
    assert cur.fetchall() == []
    cur.execute(ALL)
    assert cur.fetchmany(2) == [(1, "one"), (2, "two")]
    assert cur.fetchall() == [(3, "three")]
    assert cur.fetchmany(5) == []
    cur.close()


def test_pg_point_results_are_served_from_a_list(pg_items: ServerInfo) -> None:
    with sqlgate.connect(pg_items.url("postgresql+sqlgate")) as conn:
        _check_list_result(conn)


def test_my_point_results_are_served_from_a_list(my_items: ServerInfo) -> None:
    with sqlgate.connect(my_items.url("mysql+sqlgate")) as conn:
        _check_list_result(conn)


def test_my_repeated_statement_reuses_its_driver_cursor(my_items: ServerInfo) -> None:
    with sqlgate.connect(my_items.url("mysql+sqlgate")) as conn:
        session = conn.session
        assert isinstance(session, MySQLSession)
        conn.cursor().execute(REPEATED).fetchall()
        driver_cursor = session._idle_cursor
        assert driver_cursor is not None
        for _ in range(5):
            other = conn.cursor()
            assert other.execute(REPEATED).fetchall() == [(2, "two")]
            assert session._idle_cursor is driver_cursor
            other.close()


def test_my_streaming_result_keeps_its_driver_cursor(my_items: ServerInfo) -> None:
    """A result longer than one chunk holds its driver cursor until it ends: a point query
    run meanwhile gets a cursor of its own, and both results come back whole and in order."""
    with sqlgate.connect(my_items.url("mysql+sqlgate")) as conn:
        session = conn.session
        assert isinstance(session, MySQLSession)
        session.chunk_rows = 2
        conn.cursor().execute(REPEATED).fetchall()
        idle = session._idle_cursor
        streamed = conn.cursor()
        streamed.execute(ALL)
        assert session.streaming
        assert session._idle_cursor is None  # the stream took the idle cursor
        assert streamed.fetchone() == (1, "one")
        point = conn.cursor()
        assert point.execute(REPEATED).fetchall() == [(2, "two")]  # buffers the stream
        assert not session.streaming
        assert session._idle_cursor is not None and session._idle_cursor is not idle
        assert streamed.fetchall() == [(2, "two"), (3, "three")]
        assert streamed.rowcount == 3
        assert point.execute(ALL).fetchmany(3) == [(1, "one"), (2, "two"), (3, "three")]


def test_my_procedure_results_are_not_left_on_the_link(my_items: ServerInfo) -> None:
    """A CALL (read_only=false) answers a result set, then more: its driver cursor is not
    kept for reuse, so the rest is read off the link and the next statements (the guard's
    own included) see their own answers."""
    mariadb.admin_execute(
        my_items,
        f"CREATE PROCEDURE `{my_items.database}`.two() BEGIN "
        "SELECT id FROM items WHERE id = 1; SELECT name FROM items WHERE id = 3; END",
    )
    with sqlgate.connect(my_items.url("mysql+sqlgate") + "?read_only=false") as conn:
        session = conn.session
        assert isinstance(session, MySQLSession)
        cur = conn.cursor()
        assert cur.execute("CALL two()").fetchall() == [(1,)]
        assert session._idle_cursor is None
        assert cur.execute(REPEATED).fetchall() == [(2, "two")]
        conn.commit()
        assert cur.execute("SELECT count(*) FROM items").fetchall() == [(3,)]
