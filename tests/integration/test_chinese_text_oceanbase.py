"""Chinese text through ``oceanbase://`` on seekdb: values and identifiers, every fetch path.

seekdb offers only ``utf8mb4`` and ``binary`` (``SHOW CHARACTER SET``): GBK tables cannot be
made there, so GBK storage with Chinese identifiers is exercised on MariaDB here, through a
``gbk`` and a ``utf8mb4`` client; and what a ``gbk`` client does with a character GBK lacks
(sqlgate refuses it before sending anything). GB18030 runs on neither server (MariaDB 10.11
has gbk and gb2312 only).
"""

from __future__ import annotations

import pandas as pd
import pytest
import sqlalchemy as sa

import sqlgate
from sqlgate.core import errors
from tests.servers import mariadb
from tests.servers.base import ServerInfo

# common hanzi, full-width punctuation, and characters outside GBK: CJK extension A (㐀) and
# B (𠀀 U+20000, 𠮷 U+20BB7, four UTF-8 bytes each); all exist in GB18030
ROWS = [
    (1, "中文数据：你好，世界"),
    (2, "㐀𠀀𠮷"),
    (3, "混合 mixed 𠮷 text"),
]
TABLE, COLUMN = "订单", "客户名"


@pytest.fixture
def chinese_db(seekdb_database: ServerInfo) -> ServerInfo:
    with (
        mariadb.admin_connect(seekdb_database, database=seekdb_database.database) as conn,
        conn.cursor() as cur,
    ):
        cur.execute(f"CREATE TABLE `{TABLE}` (id int PRIMARY KEY, `{COLUMN}` varchar(40))")
        cur.executemany(f"INSERT INTO `{TABLE}` VALUES (%s, %s)", ROWS)
        conn.commit()
    return seekdb_database


def _server_bytes(info: ServerInfo) -> list[tuple[int, str, int]]:
    """What the server stored: the hex of the UTF-8 bytes and the character count."""
    return [
        (int(r[0]), str(r[1]), int(r[2]))
        for r in mariadb.admin_execute(
            info,
            f"SELECT id, HEX(`{COLUMN}`), CHAR_LENGTH(`{COLUMN}`) "
            f"FROM {info.database}.`{TABLE}` ORDER BY id",
        )
    ]


def test_values_and_identifiers_round_trip(chinese_db: ServerInfo) -> None:
    # the admin's own view proves the rows are stored as real characters, not mojibake
    stored = _server_bytes(chinese_db)
    assert stored == [(i, t.encode().hex().upper(), len(t)) for i, t in ROWS]
    with sqlgate.connect(chinese_db.url("oceanbase")) as conn:
        cur = conn.cursor()
        cur.execute(f"SELECT id, `{COLUMN}` FROM `{TABLE}` ORDER BY id")
        assert [d[0] for d in cur.description] == ["id", COLUMN]
        assert cur.fetchall() == ROWS
        # a rare character as a bound parameter finds its row
        cur.execute(f"SELECT id FROM `{TABLE}` WHERE `{COLUMN}` = %s", ("㐀𠀀𠮷",))
        assert cur.fetchall() == [(2,)]
        cur.execute(f"SELECT id FROM `{TABLE}` WHERE `{COLUMN}` LIKE %s", ("%𠮷%",))
        assert sorted(r[0] for r in cur.fetchall()) == [2, 3]


def test_arrow_and_pandas(chinese_db: ServerInfo) -> None:
    with sqlgate.connect(chinese_db.url("oceanbase")) as conn:
        cur = conn.cursor()
        cur.execute(f"SELECT id, `{COLUMN}` AS `名字` FROM `{TABLE}` ORDER BY id")
        table = cur.fetch_arrow_table()
        assert table.schema.names == ["id", "名字"]
        assert table.column("名字").to_pylist() == [t for _, t in ROWS]
        cur.execute(f"SELECT `{COLUMN}` FROM `{TABLE}` ORDER BY id")
        assert cur.fetch_df()[COLUMN].tolist() == [t for _, t in ROWS]
    engine = sa.create_engine(chinese_db.url("oceanbase"))
    try:
        frame = pd.read_sql(f"SELECT id, `{COLUMN}` FROM `{TABLE}` ORDER BY id", engine)
        assert list(frame.columns) == ["id", COLUMN]
        assert frame[COLUMN].tolist() == [t for _, t in ROWS]
        # reflection sees the Chinese names too, and Core quotes them back correctly
        assert TABLE in sa.inspect(engine).get_table_names()
        table = sa.Table(TABLE, sa.MetaData(), autoload_with=engine)
        assert [c.name for c in table.columns] == ["id", COLUMN]
        with engine.connect() as conn:
            query = sa.select(table.c[COLUMN]).where(table.c.id == 2)
            assert conn.execute(query).scalar() == "㐀𠀀𠮷"
    finally:
        engine.dispose()


def test_a_gbk_client_refuses_what_gbk_cannot_encode(mariadb_database: ServerInfo) -> None:
    """sqlgate encodes strictly: a character outside GBK is a DataError before anything is sent
    (never a '?' stored or compared)."""
    url = mariadb_database.url("mysql+sqlgate") + "?charset=gbk"
    with sqlgate.connect(url) as conn:
        cur = conn.cursor()
        assert cur.execute("SELECT %s", ("中文",)).fetchone() == ("中文",)
        with pytest.raises(errors.DataError, match="charset gbk cannot encode"):
            cur.execute("SELECT %s", ("𠮷",))
        with pytest.raises(errors.DataError, match="charset gbk cannot encode"):
            cur.execute("SELECT '㐀'")
        assert cur.execute("SELECT 1").fetchone() == (1,)  # the link is still usable


def test_gbk_tables_with_chinese_names_through_both_clients(mariadb_database: ServerInfo) -> None:
    """GBK storage (MariaDB; seekdb has no GBK) with Chinese table and column names, read by a
    gbk and a utf8mb4 client through rows, Arrow and pandas."""
    text = "中文数据：你好，世界"
    with (
        mariadb.admin_connect(mariadb_database, database=mariadb_database.database) as conn,
        conn.cursor() as cur,
    ):
        cur.execute(f"CREATE TABLE `{TABLE}` (`{COLUMN}` varchar(40)) CHARACTER SET gbk")
        cur.execute(f"INSERT INTO `{TABLE}` VALUES (%s)", (text,))
        conn.commit()
        cur.execute(f"SELECT HEX(`{COLUMN}`) FROM `{TABLE}`")
        assert cur.fetchone()[0] == text.encode("gbk").hex().upper()  # stored as GBK bytes
    for charset in ("gbk", "utf8mb4"):
        url = mariadb_database.url("mysql+sqlgate") + f"?charset={charset}"
        with sqlgate.connect(url) as conn:
            cur = conn.cursor()
            cur.execute(f"SELECT `{COLUMN}` FROM `{TABLE}` WHERE `{COLUMN}` = %s", (text,))
            assert [d[0] for d in cur.description] == [COLUMN]
            assert cur.fetchall() == [(text,)]
            cur.execute(f"SELECT `{COLUMN}` FROM `{TABLE}`")
            assert cur.fetch_arrow_table().column(COLUMN).to_pylist() == [text]
            cur.execute(f"SELECT `{COLUMN}` AS `名字` FROM `{TABLE}`")
            assert cur.fetch_df()["名字"].tolist() == [text]
