"""INSERT with ``read_only=false`` on the real ClickHouse 18.16 server (native protocol).

That server reads an INSERT's rows as data blocks and ignores VALUES written in the text; a
session that sent such a statement as a plain query waited for blocks until the read timeout.
Values bound as parameters now travel as blocks (clickhouse-driver's insert path); literal
values are typed by the server and sent as blocks too; inline data in another form fails at
once with a NotSupportedError naming the fix, and the session stays usable. Every outcome is
checked with the admin login.
"""

from __future__ import annotations

import datetime
import decimal
import time
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

import sqlgate
from sqlgate.core import errors
from sqlgate.core.translate import translated
from tests.servers import clickhouse
from tests.servers.base import ServerInfo

SCHEME = "clickhouse+sqlgate"
TABLE = "insert_target"
BOUND = 5.0  # seconds: what "at once" means on a loaded shared machine


@pytest.fixture
def target(clickhouse_server: ServerInfo) -> Iterator[ServerInfo]:
    client = clickhouse.admin_client(clickhouse_server)
    try:
        client.execute(f"DROP TABLE IF EXISTS {TABLE}")
        client.execute(
            f"CREATE TABLE {TABLE} (id Int32, name Nullable(String), "
            "amount Nullable(Decimal(10, 2)), at Nullable(DateTime)) ENGINE = Memory"
        )
        yield clickhouse_server
    finally:
        client.execute(f"DROP TABLE IF EXISTS {TABLE}")
        client.disconnect()


def stored(info: ServerInfo) -> list[tuple[object, ...]]:
    client = clickhouse.admin_client(info)
    try:
        return [tuple(r) for r in client.execute(f"SELECT * FROM {TABLE} ORDER BY id")]
    finally:
        client.disconnect()


def writable(info: ServerInfo) -> str:
    return info.url(SCHEME) + "?read_only=false"


def test_bound_values_are_sent_as_blocks(target: ServerInfo) -> None:
    at = datetime.datetime(2024, 5, 6, 7, 8, 9)
    with sqlgate.connect(writable(target)) as conn:
        cur = conn.cursor()
        cur.execute(
            f"INSERT INTO {TABLE} (id, name, amount, at) VALUES (%s, %s, %s, %s)",
            (1, "it's", decimal.Decimal("1.25"), at),
        )
        assert cur.rowcount == 1
        cur.execute(
            f"INSERT INTO {TABLE} (id, name) VALUES (%(id)s, %(name)s), (%(id2)s, %(name2)s)",
            {"id": 2, "name": None, "id2": 3, "name2": "x"},
        )
        assert cur.rowcount == 2
        cur.executemany(f"INSERT INTO {TABLE} (id) VALUES (%s)", [(4,), (5,)])
        assert cur.rowcount == 2
        assert cur.execute(f"SELECT count() FROM {TABLE}").fetchone() == (5,)
    assert stored(target) == [
        (1, "it's", decimal.Decimal("1.25"), at),
        (2, None, None, None),
        (3, "x", None, None),
        (4, None, None, None),
        (5, None, None, None),
    ]


def test_literal_values_are_typed_by_the_server_and_sent_as_blocks(target: ServerInfo) -> None:
    """The server asks for blocks; it gets the empty one, then the literal rows, each value
    cast by the server to its column's type (text to DateTime and Decimal, NULL, escapes)."""
    with sqlgate.connect(writable(target)) as conn:
        cur = conn.cursor()
        started = time.monotonic()
        cur.execute(f"INSERT INTO {TABLE} VALUES (1, 'it\\'s', '1.5', '2024-05-06 07:08:09')")
        assert time.monotonic() - started < BOUND
        assert cur.rowcount == 1
        cur.execute(
            f"/* c */ insert into {TABLE} (id, name) values (3, NULL), (2, concat('a', 'b'))"
        )
        assert cur.rowcount == 2
        cur.execute(f"INSERT INTO {TABLE} (id, name) VALUES (%s, 'lit')", (4,))  # mixed: bound
        cur.execute(f"INSERT INTO {TABLE} (id, name) SELECT 10, 'selected'")  # runs itself
    assert stored(target) == [
        (1, "it's", decimal.Decimal("1.50"), datetime.datetime(2024, 5, 6, 7, 8, 9)),
        (2, "ab", None, None),
        (3, None, None, None),
        (4, "lit", None, None),
        (10, "selected", None, None),
    ]


def test_unreadable_inline_data_fails_at_once_and_writes_nothing(target: ServerInfo) -> None:
    """Data the text carries in another form (``FORMAT CSV``) cannot be read as rows: the
    insert is ended empty and refused within the bound, not left waiting for blocks."""
    with sqlgate.connect(writable(target)) as conn:
        cur = conn.cursor()
        started = time.monotonic()
        with pytest.raises(errors.NotSupportedError, match="pass the values as parameters"):
            cur.execute(f"INSERT INTO {TABLE} (id) FORMAT CSV 1")
        assert time.monotonic() - started < BOUND
        with pytest.raises(errors.ProgrammingError, match="row 2 of the INSERT has 1 values"):
            cur.execute(f"INSERT INTO {TABLE} (id, name) VALUES (1, 'a'), (2)")
        assert cur.execute("SELECT 1").fetchone() == (1,)  # the session is still usable
    assert stored(target) == []


def test_parameter_count_mismatch_is_a_programming_error(target: ServerInfo) -> None:
    with sqlgate.connect(writable(target)) as conn:
        cur = conn.cursor()
        with pytest.raises(errors.ProgrammingError, match="fewer parameters"):
            cur.execute(f"INSERT INTO {TABLE} (id, name) VALUES (%s, %s)", (1,))
        with pytest.raises(errors.ProgrammingError, match="more parameters"):
            cur.execute(f"INSERT INTO {TABLE} (id) VALUES (%s)", (1, 2))
    assert stored(target) == []


def test_sqlalchemy_insert_on_the_server(target: ServerInfo) -> None:
    """The dialect compiles INSERT with bound parameters: one row, many rows, Core values."""
    engine = sa.create_engine(writable(target))
    try:
        with engine.begin() as conn:
            table = sa.Table(TABLE, sa.MetaData(), autoload_with=conn)
            conn.execute(table.insert(), [{"id": 1, "name": "a"}, {"id": 2, "name": None}])
            conn.execute(table.insert().values(id=3, name="b"))
    finally:
        engine.dispose()
    assert [row[:2] for row in stored(target)] == [(1, "a"), (2, None), (3, "b")]


def test_read_only_session_bound_insert_is_refused_by_the_server(target: ServerInfo) -> None:
    """Past the gate, straight to a read-only session: the rows' path carries ``readonly=2``
    too, and the server refuses."""
    with sqlgate.connect(target.url(SCHEME)) as conn:
        with pytest.raises(errors.ReadOnlyError), translated():
            conn.session.execute(f"INSERT INTO {TABLE} (id) VALUES (%s)", (1,))
        assert conn.cursor().execute("SELECT 1").fetchone() == (1,)
    assert stored(target) == []
