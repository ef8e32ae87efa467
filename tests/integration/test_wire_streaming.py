"""Streaming results on the wire families, cancel and query ids, on real servers.

Results are read from the server in chunks (sqlgate.core.driver): these tests check the
observed state - how many rows sqlgate holds, what the server reports, what another cursor on
the same connection sees - not only that calls return.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

import sqlgate
from sqlgate.core.driver import CHUNK_ROWS
from tests.servers import mariadb
from tests.servers.base import ServerInfo

ROWS = 3 * CHUNK_ROWS + 7
SERIES = {
    "postgres": f"SELECT g AS id, md5(g::text) AS name FROM generate_series(1, {ROWS}) g",
    "mysql": f"SELECT seq AS id, md5(seq) AS name FROM seq_1_to_{ROWS}",
}
HEAVY = {
    "postgres": "SELECT count(*) FROM generate_series(1, 300000000)",
    "mysql": "SELECT sum(seq % 7) FROM seq_1_to_1000000000",
}
LINK_ID = {"postgres": "SELECT pg_backend_pid()", "mysql": "SELECT CONNECTION_ID()"}


@pytest.fixture(params=["postgres", "mysql"])
def family(request: pytest.FixtureRequest) -> Iterator[tuple[str, ServerInfo]]:
    name = request.param
    info = request.getfixturevalue("postgres_server" if name == "postgres" else "mariadb_server")
    yield name, info


def _connect(family: tuple[str, ServerInfo], **options: Any) -> Any:
    name, info = family
    return sqlgate.connect(info.url("postgresql" if name == "postgres" else "mysql"), **options)


def _held(cursor: Any) -> int:
    """Rows sqlgate holds in memory for the cursor's result (read, not yet fetched)."""
    return len(cursor._result._cursor.peek())


def test_a_long_result_is_read_in_chunks(family: tuple[str, ServerInfo]) -> None:
    with _connect(family) as conn:
        cur = conn.cursor().execute(SERIES[family[0]])
        assert [d[0] for d in cur.description] == ["id", "name"]
        assert cur.rowcount == -1  # not known before the end (PEP 249)
        assert conn.session.streaming
        assert _held(cur) == CHUNK_ROWS
        assert [r[0] for r in cur.fetchmany(5)] == [1, 2, 3, 4, 5]
        total = 5 + sum(len(b) for b in iter(lambda: cur.fetchmany(4096), []))
        assert total == ROWS and cur.rowcount == ROWS
        assert not conn.session.streaming


def test_a_short_result_is_complete_at_execute(family: tuple[str, ServerInfo]) -> None:
    with _connect(family) as conn:
        cur = conn.cursor().execute(SERIES[family[0]].replace(str(ROWS), "3"))
        assert cur.rowcount == 3 and not conn.session.streaming
        assert [r[0] for r in cur.fetchall()] == [1, 2, 3]


def test_cursors_interleave_on_one_connection(family: tuple[str, ServerInfo]) -> None:
    """A second statement while the first streams: the first's rest is buffered, both stay
    right (MySQL cannot interleave unbuffered results)."""
    with _connect(family) as conn:
        first = conn.cursor().execute(SERIES[family[0]])
        head = first.fetchmany(10)
        second = conn.cursor().execute(SERIES[family[0]])
        assert _held(first) == ROWS - 10  # buffered: the link was needed
        second_head = second.fetchmany(3)
        third = conn.cursor().execute("SELECT 42")
        assert third.fetchall() == [(42,)]
        rest_first = first.fetchall()
        rest_second = second.fetchall()
        ids = [r[0] for r in head + rest_first]
        assert ids == list(range(1, ROWS + 1))
        assert [r[0] for r in second_head + rest_second] == ids
        assert first.rowcount == second.rowcount == ROWS


def test_closing_early_keeps_the_transaction(family: tuple[str, ServerInfo]) -> None:
    """Dropping the rest of a result neither aborts nor ends the caller's transaction."""
    name, _ = family
    now = "SELECT now()" if name == "postgres" else "SELECT @@in_transaction"
    with _connect(family) as conn:
        cur = conn.cursor()
        before = cur.execute(now).fetchall()
        cur.execute(SERIES[name]).fetchmany(3)
        cur.close()
        cur = conn.cursor()
        assert cur.execute(now).fetchall() == before  # same transaction, still usable
        assert cur.execute("SELECT 1").fetchall() == [(1,)]


def test_fetch_record_batch_streams(family: tuple[str, ServerInfo]) -> None:
    with _connect(family) as conn:
        cur = conn.cursor().execute(SERIES[family[0]])
        reader = cur.fetch_record_batch(rows_per_batch=5000)
        first = reader.read_next_batch()
        assert first.num_rows == 5000 and _held(cur) <= CHUNK_ROWS
        assert 5000 + sum(b.num_rows for b in reader) == ROWS


def test_read_deadline_ignores_a_slow_consumer(postgres_server: ServerInfo) -> None:
    """read_timeout bounds waits on the server only, not the caller's pauses between chunks."""
    with sqlgate.connect(postgres_server.url("postgresql"), read_timeout=1) as conn:
        cur = conn.cursor().execute(SERIES["postgres"])
        cur.fetchmany(CHUNK_ROWS)
        time.sleep(1.5)
        assert len(cur.fetchall()) == ROWS - CHUNK_ROWS


def test_cancel_from_another_thread(family: tuple[str, ServerInfo]) -> None:
    name, _ = family
    with _connect(family) as conn:
        cur = conn.cursor()
        timer = threading.Timer(0.5, cur.cancel)
        timer.start()
        t0 = time.monotonic()
        with pytest.raises(sqlgate.OperationalError, match="cancel"):
            cur.execute(HEAVY[name])
        elapsed = time.monotonic() - t0
        timer.join()
        assert elapsed < 2.5, elapsed
        conn.rollback()
        assert cur.execute("SELECT 1").fetchall() == [(1,)]


def test_query_id_names_the_link_and_the_statement(
    family: tuple[str, ServerInfo], caplog: pytest.LogCaptureFixture
) -> None:
    name, _ = family
    with _connect(family) as conn:
        cur = conn.cursor()
        assert cur.query_id is None
        ((link,),) = cur.execute(LINK_ID[name]).fetchall()
        first = cur.query_id
        with caplog.at_level(logging.INFO, logger="sqlgate"):
            cur.execute("SELECT 1")
        second = cur.query_id
    assert first.split(":")[0] == second.split(":")[0] == str(link)
    assert int(second.split(":")[1]) == int(first.split(":")[1]) + 1
    assert any(f"query_id={second}" in r.getMessage() for r in caplog.records)


@pytest.fixture()
def lifting_db(mariadb_database: ServerInfo) -> ServerInfo:
    """A table to prove no write happens, and an administrator's function that lifts
    MariaDB's session read-only mode for the next transaction."""
    with (
        mariadb.admin_connect(mariadb_database, database=mariadb_database.database) as conn,
        conn.cursor() as cur,
    ):
        cur.execute("CREATE TABLE t (x int)")
        cur.execute(
            "CREATE FUNCTION lift() RETURNS int "
            "BEGIN SET SESSION TRANSACTION READ WRITE; RETURN 1; END"
        )
        conn.commit()
    return mariadb_database


def test_a_guard_lifted_mid_stream_is_caught_when_the_stream_ends(lifting_db: ServerInfo) -> None:
    """The guard check MySQL needs the link for waits for the end of a streamed result."""
    conn = sqlgate.connect(lifting_db.url("mysql"))
    conn.set_isolation_level("AUTOCOMMIT")
    cur = conn.cursor().execute(
        f"SELECT seq, IF(seq = {ROWS - 5}, lift(), 0) AS l FROM seq_1_to_{ROWS}"
    )
    assert conn.session.streaming
    with pytest.raises(sqlgate.GuardLostError):
        cur.fetchall()
    assert not conn.session.raw.open  # the lifted link is closed, never used again
    with pytest.raises(sqlgate.GuardLostError):
        conn.cursor().execute("SELECT 1")
    with (
        mariadb.admin_connect(lifting_db, database=lifting_db.database) as admin,
        admin.cursor() as check,
    ):
        check.execute("SELECT count(*) FROM t")
        assert check.fetchone() == (0,)
