"""The native Arrow paths of the wire families (``arrow_path``, docs/types.md) on real servers.

MySQL family: a streamed result fetched as Arrow has its remaining row packets read raw and cut
into columns with numpy (sqlgate/dbapi/mysql_arrow.py), on the session's own connection.
PostgreSQL: with ``arrow_path=native`` a plain query is described at ``execute`` and run at its
first fetch, as rows on psycopg or as Arrow on a checked ADBC connection
(sqlgate/dbapi/postgres_arrow.py). Either way the Arrow table must equal the row path's, value
for value, and rows must stay the driver's.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pyarrow as pa
import pytest

import sqlgate
from sqlgate.dbapi.mysql_arrow import native_available
from sqlgate.dbapi.postgres_arrow import adbc_available
from tests.integration.test_value_roundtrip import (
    MY_CASES,
    PG_CASES,
    _compare,
    my_types,  # noqa: F401 - fixture
    pg_types,  # noqa: F401 - fixture
)
from tests.servers import mariadb, postgres
from tests.servers.base import ServerInfo

needs_numpy = pytest.mark.skipif(not native_available(), reason="numpy is not installed")
needs_adbc = pytest.mark.skipif(not adbc_available(), reason="adbc-driver-postgresql missing")

MY_TABLE = (
    "CREATE TABLE arrow_wide (id bigint, name varchar(64), ts datetime(6), ts3 datetime(3),"
    " d date, amount decimal(12,2), f float, db double, ti tinyint unsigned, b varbinary(10),"
    " bl blob, j json, tm time, y year, bt bit(3), e enum('a','b'), txt text,"
    " big decimal(40,5), ub bigint unsigned, huge mediumtext) CHARACTER SET utf8mb4"
)
MY_FILL = (
    "INSERT INTO arrow_wide SELECT seq, IF(seq % 3 = 0, NULL, CONCAT('名字-', seq)),"
    " TIMESTAMP '2020-01-01 00:00:00' + INTERVAL seq SECOND + INTERVAL (seq % 1000) MICROSECOND,"
    " TIMESTAMP '2020-01-01 00:00:00' + INTERVAL seq SECOND, DATE '2020-01-01' + INTERVAL"
    " (seq % 3000) DAY, seq / 7, seq / 3, seq / 9, seq % 256, UNHEX('00FF'),"
    " IF(seq % 5 = 0, '', 'x\\ty'), JSON_OBJECT('a', seq), '12:00:01', 2000 + seq % 100, b'101',"
    " IF(seq % 2, 'a', 'b'), REPEAT('é', seq % 300), seq * 1.5, 18446744073709551615 - seq,"
    " IF(seq % 1000 = 0, REPEAT('长', 30000), NULL)"  # 90,000 bytes: a 3-byte length prefix
    " FROM seq_1_to_3000"
)


@pytest.fixture(scope="module")
def my_wide(mariadb_server: ServerInfo) -> ServerInfo:
    with (
        mariadb.admin_connect(mariadb_server, database=mariadb_server.database) as admin,
        admin.cursor() as cur,
    ):
        cur.execute("SET SESSION sql_mode = 'ALLOW_INVALID_DATES'")
        for statement in ("DROP TABLE IF EXISTS arrow_wide", MY_TABLE, MY_FILL):
            cur.execute(statement)
        cur.execute("DROP TABLE IF EXISTS arrow_zero")
        cur.execute("CREATE TABLE arrow_zero (id int, d datetime)")
        cur.execute(
            "INSERT INTO arrow_zero SELECT seq, IF(seq = 150, '0000-00-00 00:00:00',"
            " '2020-01-01 10:00:00') FROM seq_1_to_200"
        )
        admin.commit()
    return mariadb_server


def _my_connect(info: ServerInfo, chunk: int = 100, **options: Any) -> Any:
    """A connection whose results stream after ``chunk`` rows (10,000 by default)."""
    conn = sqlgate.connect(info.url("mysql"), **options)
    conn.session.chunk_rows = chunk
    return conn


# -- MySQL family --------------------------------------------------------------------------------
@needs_numpy
@pytest.mark.parametrize("batch", [65_536, 7])
def test_mysql_native_equals_row_path(my_wide: ServerInfo, batch: int) -> None:
    sql = "SELECT * FROM arrow_wide ORDER BY id"
    with _my_connect(my_wide, arrow_path="rows") as slow, _my_connect(my_wide) as fast:
        assert fast.session.native_arrow and not slow.session.native_arrow
        expected = slow.cursor().execute(sql).fetch_arrow_table()
        cursor = fast.cursor().execute(sql)
        assert cursor.rowcount == -1  # streaming: the native reader reads the rest
        got = pa.Table.from_batches(list(cursor.fetch_record_batch(batch)))
        assert cursor.rowcount == 3000
        assert got.schema == expected.schema
        for name in expected.column_names:
            assert got.column(name).equals(expected.column(name)), name
        assert fast.cursor().execute(sql).fetchall() == slow.cursor().execute(sql).fetchall()


@needs_numpy
def test_mysql_native_misfit_after_first_chunk_is_the_row_path_error(my_wide: ServerInfo) -> None:
    """A zero date after the first chunk does not fit the chosen timestamp type: the native
    reader hands it to PyMySQL's converter and raises the row path's DataError."""
    messages = []
    for path in ("rows", "native"):
        with _my_connect(my_wide, arrow_path=path) as conn:
            with pytest.raises(sqlgate.DataError) as caught:
                conn.cursor().execute("SELECT * FROM arrow_zero ORDER BY id").fetch_arrow_table()
            messages.append(str(caught.value))
            assert conn.cursor().execute("SELECT 1").fetchall() == [(1,)]
    assert messages[0] == messages[1] and "0000-00-00 00:00:00" in messages[0]


@needs_numpy
def test_mysql_native_shares_the_link(my_wide: ServerInfo) -> None:
    """A partly read Arrow stream is buffered when another statement needs the link; an
    abandoned one is drained; the connection stays in step."""
    with _my_connect(my_wide) as conn:
        first = conn.cursor().execute("SELECT id FROM arrow_wide ORDER BY id")
        reader = first.fetch_record_batch(500)
        head = reader.read_next_batch()
        other = conn.cursor().execute("SELECT count(*) FROM arrow_wide")
        assert other.fetchall() == [(3000,)]
        rest = [v for b in reader for v in b.column(0).to_pylist()]
        assert head.column(0).to_pylist() + rest == list(range(1, 3001))
        dropped = conn.cursor().execute("SELECT id FROM arrow_wide")
        next(iter(dropped.fetch_record_batch(1000)))
        dropped.close()
        assert conn.cursor().execute("SELECT 2").fetchall() == [(2,)]


@needs_numpy
def test_mysql_native_error_mid_stream(my_wide: ServerInfo) -> None:
    """max_statement_time ends a result in the middle of the rows the raw reader reads: the
    server's error arrives as on the row path, and the connection stays usable."""
    sql = "SELECT a.seq AS x, b.seq AS y FROM seq_1_to_100000 a CROSS JOIN seq_1_to_100000 b"
    with _my_connect(my_wide, statement_timeout=1) as conn:
        started = time.monotonic()
        read = 0
        with pytest.raises(sqlgate.OperationalError, match=r"max_statement_time|1969"):
            for batch in conn.cursor().execute(sql).fetch_record_batch(50_000):
                read += batch.num_rows  # bounded memory: each batch is dropped
        assert 0 < read < 10**10 and time.monotonic() - started < 20
        assert conn.cursor().execute("SELECT 3").fetchall() == [(3,)]


@needs_numpy
def test_mysql_native_row_over_16_mib(my_wide: ServerInfo) -> None:
    """A row longer than one protocol packet (16 MiB) in the middle of the raw reader's rows:
    PyMySQL reads that row, the raw reader goes on after it."""
    (old,) = mariadb.admin_execute(my_wide, "SELECT @@global.max_allowed_packet")[0]
    mariadb.admin_execute(my_wide, "SET GLOBAL max_allowed_packet = 67108864")
    sql = "SELECT seq, IF(seq = 5, REPEAT('x', 17000000), 'y') AS v FROM seq_1_to_9"
    try:
        tables = []
        for path in ("rows", "native"):
            with _my_connect(my_wide, chunk=2, arrow_path=path) as conn:
                tables.append(conn.cursor().execute(sql).fetch_arrow_table())
                assert conn.cursor().execute("SELECT 5").fetchall() == [(5,)]
    finally:
        mariadb.admin_execute(my_wide, f"SET GLOBAL max_allowed_packet = {int(old)}")
    assert tables[1].equals(tables[0])
    assert len(tables[1].column("v")[4].as_py()) == 17_000_000


@needs_numpy
def test_mysql_native_cancel_mid_stream(my_wide: ServerInfo) -> None:
    """Cursor.cancel (KILL QUERY from a second link) stops a result the raw reader is reading."""
    sql = "SELECT a.seq AS x, b.seq AS y FROM seq_1_to_100000 a CROSS JOIN seq_1_to_100000 b"
    with _my_connect(my_wide) as conn:
        cursor = conn.cursor().execute(sql)
        timer = threading.Timer(1.0, cursor.cancel)
        timer.start()
        started = time.monotonic()
        try:
            with pytest.raises(sqlgate.OperationalError, match=r"interrupted|1317"):
                for _batch in cursor.fetch_record_batch(50_000):
                    pass
        finally:
            timer.cancel()
        assert time.monotonic() - started < 20
        assert conn.cursor().execute("SELECT 4").fetchall() == [(4,)]


@needs_numpy
@pytest.mark.parametrize("label", list(MY_CASES))
def test_mysql_value_roundtrip_native(my_types: ServerInfo, label: str) -> None:  # noqa: F811
    """tests/integration/test_value_roundtrip.py through the native reader: each value three
    times; the first chunk (which picks the Arrow type) holds every value once, the native
    reader reads the last row."""
    table = f"rt_{list(MY_CASES).index(label)}"
    sql = f"SELECT v FROM {table} CROSS JOIN seq_1_to_3 ORDER BY n, seq"
    with mariadb.admin_connect(my_types, database=my_types.database) as raw, raw.cursor() as cur:
        cur.execute(sql)
        raw_rows = list(cur.fetchall())
    with _my_connect(my_types, chunk=len(raw_rows) - 1) as conn:
        _compare(label, raw_rows, conn.cursor(), sql)


def test_arrow_path_option_is_checked(my_wide: ServerInfo) -> None:
    with pytest.raises(sqlgate.InterfaceError, match="arrow_path"):
        sqlgate.connect(my_wide.url("mysql"), arrow_path="fast")


# -- PostgreSQL ----------------------------------------------------------------------------------
PG_TABLE = (
    "CREATE TABLE IF NOT EXISTS arrow_wide (id int8, name text, ts timestamp, tz timestamptz,"
    " amount numeric(12,2), f float8, b bool, d date, tm time, by bytea, c bpchar(3), s int2,"
    " v varchar(10), big numeric(50,10))"
)
PG_FILL = (
    "INSERT INTO arrow_wide SELECT i, CASE WHEN i % 3 = 0 THEN NULL ELSE '名-' || i END,"
    " timestamp '2020-01-01' + i * interval '1 s' + (i % 1000) * interval '1 us',"
    " timestamptz '2020-01-01 00:00+02' + i * interval '1 s', i / 7.0, i / 3.0, i % 2 = 0,"
    " date '2020-01-01' + i, time '12:00' + i * interval '1 s', '\\x00ff'::bytea, 'x', i % 100,"
    " CASE WHEN i % 5 = 0 THEN '' ELSE 'v' END, i * 1.5 FROM generate_series(1, 3000) i"
)


@pytest.fixture(scope="module")
def pg_wide(postgres_server: ServerInfo) -> ServerInfo:
    with postgres.connect(postgres_server, admin=True) as conn:
        conn.execute("DROP TABLE IF EXISTS arrow_wide")
        conn.execute(PG_TABLE)
        conn.execute(PG_FILL)
        conn.execute(f"GRANT SELECT ON arrow_wide TO {postgres_server.user}")
    return postgres_server


@pytest.fixture
def pg_native(pg_wide: ServerInfo) -> Iterator[Any]:
    with sqlgate.connect(pg_wide.url("postgresql"), arrow_path="native") as conn:
        yield conn


@needs_adbc
@pytest.mark.parametrize("batch", [65_536, 7])
def test_postgres_native_equals_row_path(pg_wide: ServerInfo, pg_native: Any, batch: int) -> None:
    sql = "SELECT * FROM arrow_wide ORDER BY id"
    with sqlgate.connect(pg_wide.url("postgresql")) as slow:
        expected = slow.cursor().execute(sql).fetch_arrow_table()
        rows = slow.cursor().execute(sql).fetchall()
    cursor = pg_native.cursor().execute(sql)
    assert [d[0] for d in cursor.description] == expected.column_names
    got = pa.Table.from_batches(list(cursor.fetch_record_batch(batch)), schema=expected.schema)
    assert pg_native.session._arrow._side is not None  # the ADBC connection carried it
    assert cursor.rowcount == 3000
    for name in expected.column_names:
        assert got.column(name).equals(expected.column(name)), name
    assert pg_native.cursor().execute(sql).fetchall() == rows


@needs_adbc
def test_postgres_native_side_is_guarded_like_the_session(pg_native: Any) -> None:
    """The ADBC connection is the session's login with its guard, checked before use."""
    pg_native.cursor().execute("SELECT 1 AS x").fetch_arrow_table()
    arrow = pg_native.session._arrow
    assert arrow._side is not None
    side, mine = arrow._side.identity(), pg_native.session.identity()
    assert side == mine and side[6] == "on"


@needs_adbc
def test_postgres_native_falls_back_to_psycopg(pg_wide: ServerInfo, pg_native: Any) -> None:
    """Types whose ADBC value differs (json, interval, float4) and session statements keep
    the statement on psycopg: the result is the row path's."""
    sql = "SELECT '{\"a\": 1.50}'::jsonb AS j, interval '1 day' AS i, 1.1::float4 AS f"
    with sqlgate.connect(pg_wide.url("postgresql")) as slow:
        expected = slow.cursor().execute(sql).fetch_arrow_table()
    cursor = pg_native.cursor().execute(sql)
    assert cursor.fetch_arrow_table().equals(expected)
    assert cursor._result._cast is None  # psycopg ran it, not the ADBC connection
    cursor.execute("SELECT id FROM arrow_wide ORDER BY id").fetch_arrow_table()
    assert cursor._result._cast is not None  # while this one went through ADBC
    pg_native.cursor().execute("SET search_path = public")
    table = cursor.execute("SELECT id FROM arrow_wide ORDER BY id").fetch_arrow_table()
    assert table.num_rows == 3000 and not hasattr(cursor._result, "_cast")  # pinned: psycopg


@needs_adbc
def test_postgres_native_errors(pg_native: Any) -> None:
    cursor = pg_native.cursor()
    with pytest.raises(sqlgate.ProgrammingError, match="nosuch"):
        cursor.execute("SELECT nosuch FROM arrow_wide")  # found by Describe, at execute
    pg_native.rollback()
    cursor.execute("SELECT 1 / (id - id) AS x FROM arrow_wide")
    with pytest.raises(sqlgate.DataError, match="division by zero") as caught:
        cursor.fetch_arrow_table()  # found when it runs, at the first fetch
    assert "SELECT" not in str(caught.value)  # ADBC's message quotes the statement: not ours
    pg_native.rollback()
    assert cursor.execute("SELECT 5 AS five").fetch_arrow_table().to_pylist() == [{"five": 5}]


@needs_adbc
def test_postgres_native_statement_timeout_and_cancel(pg_wide: ServerInfo) -> None:
    slow = "SELECT count(*) AS n FROM generate_series(1, 500000000)"
    url = pg_wide.url("postgresql")
    with sqlgate.connect(url, arrow_path="native", statement_timeout=1) as conn:
        started = time.monotonic()
        with pytest.raises(sqlgate.OperationalError, match="statement timeout"):
            conn.cursor().execute(slow).fetch_arrow_table()
        assert time.monotonic() - started < 10
        assert conn.session._arrow._side is not None
    with sqlgate.connect(url, arrow_path="native") as conn:
        cursor = conn.cursor()
        cursor.execute("SELECT 1 AS warm").fetch_arrow_table()  # the side is open
        cursor.execute(slow)
        timer = threading.Timer(1.0, cursor.cancel)
        timer.start()
        started = time.monotonic()
        try:
            with pytest.raises(sqlgate.OperationalError, match="cancel"):
                cursor.fetch_arrow_table()
        finally:
            timer.cancel()
        assert time.monotonic() - started < 10
        assert cursor.execute("SELECT 6 AS six").fetch_arrow_table().num_rows == 1


@needs_adbc
@pytest.mark.parametrize("label", list(PG_CASES))
def test_postgres_value_roundtrip_native(pg_types: ServerInfo, label: str) -> None:  # noqa: F811
    sql = " UNION ALL ".join(f"SELECT {expr} AS v" for expr in PG_CASES[label])
    with postgres.connect(pg_types) as raw:
        raw_rows = raw.execute(sql).fetchall()
    with sqlgate.connect(pg_types.url("postgresql"), arrow_path="native") as conn:
        _compare(label, raw_rows, conn.cursor(), sql)
