"""A MySQL session may parse a shorter first chunk in ``execute`` than it streams later.

``MySQLSession.first_chunk_rows`` bounds what PyMySQL parses before the Arrow reader takes
over (benchmarks/README.md, wire_fetch); rows, row counts and Arrow stay exactly the same.
"""

from __future__ import annotations

import pytest

import sqlgate
from sqlgate.dbapi.mysql_session import MySQLSession
from tests.servers.base import ServerInfo

ROWS = 25_007
SERIES = f"SELECT seq AS id, md5(seq) AS name, seq / 7 AS q FROM seq_1_to_{ROWS}"


@pytest.mark.parametrize("first", [None, 1000])
def test_rows_rowcount_and_arrow_agree_whatever_the_first_chunk(
    mariadb_server: ServerInfo, first: int | None
) -> None:
    with sqlgate.connect(mariadb_server.url("mysql")) as conn:
        session = conn.session
        assert isinstance(session, MySQLSession)
        session.first_chunk_rows = first
        cur = conn.cursor().execute(SERIES)
        held = len(cur._result._cursor.peek())  # type: ignore[union-attr]
        assert held == (first or session.chunk_rows) and cur.rowcount == -1
        rows = cur.fetchall()
        assert len(rows) == ROWS and cur.rowcount == ROWS
        assert [r[0] for r in rows[:3]] == [1, 2, 3] and rows[-1][0] == ROWS
        table = cur.execute(SERIES).fetch_arrow_table()
        assert table.num_rows == ROWS and cur.rowcount == ROWS
        assert list(zip(*(c.to_pylist() for c in table.columns), strict=True)) == rows
        assert not session.streaming
