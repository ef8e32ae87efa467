"""The forks' own types, found by name in ``pg_type`` at connect (``pgwire_types.py``).

No fork runs here, so the real PostgreSQL 15 gets stand-in types under the forks' names: enum
types have OIDs psycopg does not know and print their label as text, which is what a fork's
``tinyint``, ``nvarchar2``, ``raw`` or Oracle ``date`` looks like on the wire. The products'
own OIDs and text formats are not verified here (docs/sources/kingbase.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pyarrow as pa
import pytest

import sqlgate
from tests.servers import postgres
from tests.servers.base import ServerInfo

COLUMNS = "SELECT tiny, nv, bin, odate, dbl, pgdate FROM fork_types"


@pytest.fixture
def fork_db(postgres_database: ServerInfo) -> Iterator[ServerInfo]:
    with postgres.connect(postgres_database) as conn:
        conn.execute("CREATE SCHEMA ora")
        conn.execute("CREATE TYPE tinyint AS ENUM ('7', '-3')")
        conn.execute("CREATE TYPE nvarchar2 AS ENUM ('héllo 中文')")
        conn.execute("CREATE TYPE raw AS ENUM ('DEADBEEF')")
        conn.execute("CREATE TYPE ora.date AS ENUM ('2024-05-06 07:08:09')")
        conn.execute("CREATE TYPE binary_double AS ENUM ('2.5')")
        conn.execute(
            "CREATE TABLE fork_types (tiny tinyint, nv nvarchar2, bin raw, odate ora.date, "
            "dbl binary_double, pgdate pg_catalog.date)"
        )
        conn.execute(
            "INSERT INTO fork_types VALUES ('-3', 'héllo 中文', 'DEADBEEF', "
            "'2024-05-06 07:08:09', '2.5', '2024-05-06'), (NULL, NULL, NULL, NULL, NULL, NULL)"
        )
    yield postgres_database


@pytest.mark.parametrize(
    ("scheme", "query"),
    [("kingbase", ""), ("kingbase", "?driver=psycopg"), ("oscar", ""), ("opengauss", ""),
     ("gaussdb", "")],
)  # fmt: skip
def test_fork_types_are_named_and_loaded(fork_db: ServerInfo, scheme: str, query: str) -> None:
    """kingbase runs on ksycopg2 where installed (its casters), else and with driver=psycopg
    on psycopg's loaders; the others on psycopg (openGauss/GaussDB through the bridge)."""
    with sqlgate.connect(fork_db.url(scheme) + query) as conn:
        cur = conn.cursor()
        cur.execute(COLUMNS)
        names = [d[1] for d in cur.description]
        assert names == ["tinyint", "nvarchar2", "raw", "oracle_date", "binary_double", "date"]
        assert cur.fetchall() == [
            (-3, "héllo 中文", b"\xde\xad\xbe\xef", dt.datetime(2024, 5, 6, 7, 8, 9), 2.5,
             dt.date(2024, 5, 6)),
            (None,) * 6,
        ]  # fmt: skip
        cur.execute(COLUMNS)
        table = cur.fetch_arrow_table()
    assert table.schema.types == [
        pa.int16(), pa.string(), pa.binary(), pa.timestamp("us"), pa.float64(), pa.date32()
    ]  # fmt: skip
    assert table.column("odate")[0].as_py() == dt.datetime(2024, 5, 6, 7, 8, 9)
    assert table.column("bin")[0].as_py() == b"\xde\xad\xbe\xef"


def test_plain_postgresql_leaves_them_unknown(fork_db: ServerInfo) -> None:
    """The control: without the fork flavor the same columns are untyped text."""
    with sqlgate.connect(fork_db.url("postgresql")) as conn:
        cur = conn.cursor()
        cur.execute(COLUMNS)
        assert [d[1] for d in cur.description][:4] == ["unknown"] * 4
        assert cur.fetchone()[:3] == ("-3", "héllo 中文", "DEADBEEF")
