"""A repeated MySQL statement parses its column definitions once, and stays exactly right.

The connection keeps what PyMySQL parsed from a result's column definition packets, keyed by
those packets' bytes (``result_class`` in ``sqlgate/dbapi/mysql_family.py``): a repeated
statement compares bytes instead of parsing every column again. These tests check that the
kept parse is PyMySQL's own, that any change on the server (a column's type, charset, name)
is parsed anew, that the cache stays bounded, and that the read-only gate and the server's
guard still refuse writes after many repeated reads.
"""

from __future__ import annotations

from typing import Any

import pytest

import sqlgate
from sqlgate.core.connection import Connection
from sqlgate.core.errors import ReadOnlyError
from sqlgate.dbapi.mysql_family import MAX_SHAPE_COLUMNS, MAX_SHAPES
from sqlgate.dbapi.mysql_session import MySQLSession
from tests.servers import mariadb
from tests.servers.base import ServerInfo

REPEATED = "SELECT id, name, amount FROM items WHERE id = 2"


@pytest.fixture()
def items(mariadb_database: ServerInfo) -> ServerInfo:
    """A table, and a function that writes (the admin's) for the guard check."""
    with (
        mariadb.admin_connect(mariadb_database, database=mariadb_database.database) as conn,
        conn.cursor() as cur,
    ):
        cur.execute(
            "CREATE TABLE items (id int PRIMARY KEY, name varchar(20), amount decimal(8,2)) "
            "ENGINE=InnoDB"
        )
        cur.execute("INSERT INTO items VALUES (1, 'one', 1.5), (2, 'two', 2.25), (3, 'é', 3)")
        cur.execute("CREATE TABLE written (x int)")
        cur.execute(
            "CREATE FUNCTION write_one() RETURNS int MODIFIES SQL DATA BEGIN "
            "INSERT INTO written VALUES (1); RETURN 1; END"
        )
        conn.commit()
    return mariadb_database


def _session(conn: Connection) -> MySQLSession:
    session = conn.session
    assert isinstance(session, MySQLSession)
    return session


def _shapes(conn: Connection) -> dict[Any, Any]:
    """The column definitions the connection keeps parsed (bytes -> PyMySQL's parse)."""
    return dict(_session(conn).raw.shapes)


def _last_shape(conn: Connection) -> int:
    """The shape number of the last result the session's reused driver cursor read."""
    cursor = _session(conn)._idle_cursor
    assert cursor is not None
    shape = cursor._result.shape
    assert isinstance(shape, int)
    return shape


def _raw_pymysql(info: ServerInfo, statement: str) -> tuple[Any, list[tuple[Any, ...]]]:
    """What plain PyMySQL (parsing every column every time) answers."""
    conn = mariadb.admin_connect(info, database=info.database)
    try:
        with conn.cursor() as cur:
            cur.execute(statement)
            return cur.description, list(cur.fetchall())
    finally:
        conn.close()


def test_repeated_statement_parses_its_columns_once(items: ServerInfo) -> None:
    raw_description, raw_rows = _raw_pymysql(items, REPEATED)
    with sqlgate.connect(items.url("mysql+sqlgate")) as conn:
        cur = conn.cursor()
        assert cur.execute(REPEATED).fetchall() == raw_rows
        first, shape = cur.description, _last_shape(conn)
        kept = _shapes(conn)  # this one, and the guard check's
        assert shape in [entry[-1] for entry in kept.values()]
        for _ in range(20):
            other = conn.cursor()
            assert other.execute(REPEATED).fetchall() == raw_rows
            assert other.description is first  # described once for this shape
            assert _last_shape(conn) == shape
            other.close()
        assert _shapes(conn) == kept  # one parse kept, not one per execute
        # the kept parse is PyMySQL's own: its description, its converters' values
        driver_cursor = _session(conn)._idle_cursor
        assert driver_cursor is not None and driver_cursor.description == raw_description
        assert [c.type_code for c in first or ()] == ["int", "varchar", "decimal"]
        assert [(c.precision, c.scale) for c in first or ()][2] == (8, 2)


def test_same_columns_from_distinct_texts_share_one_shape(items: ServerInfo) -> None:
    """Point queries for other ids send the same column definitions: one parse serves all;
    another column name is another shape, with its own description."""
    with sqlgate.connect(items.url("mysql+sqlgate")) as conn:
        cur = conn.cursor()
        assert cur.execute("SELECT id, name FROM items WHERE id = 1").fetchall() == [(1, "one")]
        shape, kept = _last_shape(conn), len(_shapes(conn))
        assert cur.execute("SELECT id, name FROM items WHERE id = 3").fetchall() == [(3, "é")]
        assert _last_shape(conn) == shape
        assert cur.execute("SELECT id AS ident, name FROM items WHERE id = 1").fetchall() == [
            (1, "one")
        ]
        assert _last_shape(conn) != shape
        assert [c.name for c in cur.description or ()] == ["ident", "name"]
        assert len(_shapes(conn)) == kept + 1


@pytest.mark.parametrize(
    ("change", "type_codes", "row"),
    [
        ("MODIFY name varbinary(20)", ["int", "varbinary", "decimal"], (2, b"two", "2.25")),
        ("MODIFY name varchar(40)", ["int", "varchar", "decimal"], (2, "two", "2.25")),
        ("MODIFY id int unsigned", ["int unsigned", "varchar", "decimal"], (2, "two", "2.25")),
        ("MODIFY amount decimal(10,3)", ["int", "varchar", "decimal"], (2, "two", "2.250")),
        ("RENAME COLUMN amount TO price", ["int", "varchar", "decimal"], (2, "two", "2.25")),
    ],
)
def test_changed_column_is_parsed_anew(
    items: ServerInfo, change: str, type_codes: list[str], row: tuple[Any, ...]
) -> None:
    """Same text, a column changed on the server: other bytes, so parsed and described anew
    (values converted by the new column's converter, the new name and size reported)."""
    statement = "SELECT * FROM items WHERE id = 2"
    with sqlgate.connect(items.url("mysql+sqlgate")) as conn:
        cur = conn.cursor()
        cur.execute(statement).fetchall()
        before, shape = cur.description, _last_shape(conn)
        conn.rollback()  # the transaction's metadata lock would hold the ALTER back
        mariadb.admin_execute(items, f"ALTER TABLE `{items.database}`.items {change}")
        got = cur.execute(statement).fetchall()
        assert [(got[0][0], got[0][1], str(got[0][2]))] == [row]
        assert _last_shape(conn) != shape
        assert cur.description != before
        assert [c.type_code for c in cur.description or ()] == type_codes
        raw_description, _ = _raw_pymysql(items, statement)
        driver_cursor = _session(conn)._idle_cursor
        assert driver_cursor is not None and driver_cursor.description == raw_description


def test_shape_cache_is_bounded(items: ServerInfo) -> None:
    """More shapes than the bound: the cache is emptied, never grows past it, and a shape
    seen before the reset is parsed again, correctly."""
    with sqlgate.connect(items.url("mysql+sqlgate")) as conn:
        cur = conn.cursor()
        assert cur.execute("SELECT name AS first_name FROM items WHERE id = 1").fetchall() == [
            ("one",)
        ]
        first_shape = _last_shape(conn)
        for n in range(MAX_SHAPES + 5):
            assert cur.execute(f"SELECT {n} AS c{n}").fetchall() == [(n,)]
            assert len(_shapes(conn)) <= MAX_SHAPES
        assert cur.execute("SELECT name AS first_name FROM items WHERE id = 1").fetchall() == [
            ("one",)
        ]
        assert _last_shape(conn) != first_shape  # parsed anew after the reset
        assert [c.name for c in cur.description or ()] == ["first_name"]


def test_names_decode_on_a_latin1_connection(items: ServerInfo) -> None:
    """A non-utf8mb4 client charset (results asked for in UTF-8, mysql_charset.py): kept
    column names decode as PyMySQL's own parse does, every time."""
    with sqlgate.connect(items.url("mysql+sqlgate") + "?charset=latin1") as conn:
        cur = conn.cursor()
        kept = len(_shapes(conn))
        for _ in range(3):
            assert cur.execute("SELECT name AS café FROM items WHERE id = 3").fetchall() == [("é",)]
            assert [c.name for c in cur.description or ()] == ["café"]
        assert len(_shapes(conn)) == kept + 1


def _written(info: ServerInfo) -> int:
    rows = mariadb.admin_execute(info, f"SELECT count(*) FROM `{info.database}`.written")
    return int(rows[0][0])


def test_writes_after_repeated_reads_are_still_refused(items: ServerInfo) -> None:
    """After many repeated reads, the gate still refuses a write, and a write hidden in a
    function (which the gate admits as a SELECT) is refused by the server's session guard:
    the admin sees nothing written."""
    with sqlgate.connect(items.url("mysql+sqlgate")) as conn:
        cur = conn.cursor()
        for _ in range(10):
            assert cur.execute(REPEATED).fetchall()[0][:2] == (2, "two")
        with pytest.raises(ReadOnlyError):
            cur.execute("INSERT INTO written VALUES (1)")
        for _ in range(10):
            assert cur.execute(REPEATED).fetchall()[0][:2] == (2, "two")
        with pytest.raises(ReadOnlyError, match="server's read-only guard"):
            cur.execute("SELECT write_one()")
        assert cur.execute(REPEATED).fetchall()[0][:2] == (2, "two")
        conn.commit()
    assert _written(items) == 0
    assert mariadb.admin_execute(items, f"SELECT count(*) FROM `{items.database}`.items") == [(3,)]


def test_end_of_rows_is_read_as_pymysql_reads_it(items: ServerInfo) -> None:
    """The EOF packet after the rows, read inline (mysql_driver.end_of_rows): its warning
    count and whether another result follows, as PyMySQL's own reader keeps them, and the
    server status (a transaction open after a read on a non-autocommit link)."""
    with sqlgate.connect(items.url("mysql+sqlgate")) as conn:
        cur = conn.cursor()
        session = _session(conn)
        conn.rollback()
        assert cur.execute("SELECT 1 / 0 AS x").fetchall() == [(None,)]
        result = session._idle_cursor._result
        assert (result.warning_count, result.has_next) == (1, 0)  # division by 0
        assert cur.execute(REPEATED).fetchall()[0][0] == 2
        assert session._idle_cursor._result.warning_count == 0
        assert session.raw.server_status & 1  # SERVER_STATUS_IN_TRANS, from the EOF packet
        conn.rollback()
        assert not session.raw.server_status & 1


def test_wide_results_keep_the_cache_small(items: ServerInfo) -> None:
    """The cache is bounded by columns as well as shapes (a column's parse is about 1 KB): a
    result wider than the bound is parsed every time and never kept; each answer is right."""
    with sqlgate.connect(items.url("mysql+sqlgate")) as conn:
        cur = conn.cursor()
        raw = _session(conn).raw
        for alias in "abcd":  # four 600-column shapes: more columns than the bound in all
            names = [f"{alias}{n}" for n in range(600)]
            cur.execute("SELECT " + ", ".join(f"{n} AS {name}" for n, name in enumerate(names)))
            assert cur.fetchall() == [tuple(range(600))]
            assert [c.name for c in cur.description or ()] == names
            assert raw.shape_columns == sum(len(k) - 1 for k in raw.shapes) <= MAX_SHAPE_COLUMNS
        wide = "SELECT " + ", ".join(f"{n} AS w{n}" for n in range(MAX_SHAPE_COLUMNS + 1))
        shapes = set()
        for _ in range(2):
            assert cur.execute(wide).fetchall() == [tuple(range(MAX_SHAPE_COLUMNS + 1))]
            shapes.add(_last_shape(conn))
            assert all(len(k) - 1 <= MAX_SHAPE_COLUMNS for k in raw.shapes)
        assert len(shapes) == 2  # parsed anew each time, never kept
