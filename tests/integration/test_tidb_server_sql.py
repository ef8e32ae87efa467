"""TiDB's own SQL through ``tidb://`` on a real server: ``SHOW CREATE TABLE`` with its
``/*T![...] */`` comments reflected through SQLAlchemy, and Chinese text (utf8mb4) both ways.

The recorded-output tests (tests/unit/test_tidb_decisions.py) parse texts written from TiDB's
documentation; here the server prints them and the assertions are the same.
"""

from __future__ import annotations

import warnings

import pytest
import sqlalchemy as sa

import sqlgate
from tests.servers import mariadb
from tests.servers.base import ServerInfo

TABLES = {
    "ar": "CREATE TABLE ar (id bigint AUTO_RANDOM(5) PRIMARY KEY, "
    "name varchar(20) COMMENT '名字', KEY idx_name (name(4))) PRE_SPLIT_REGIONS=2",
    "ar_range": "CREATE TABLE ar_range (id bigint AUTO_RANDOM(5, 54), user_id varchar(64) NOT "
    "NULL, PRIMARY KEY (id) CLUSTERED, UNIQUE KEY uk_user (user_id))",
    "nc": "CREATE TABLE nc (a bigint NOT NULL, b varchar(20) NOT NULL, "
    "PRIMARY KEY (a, b) NONCLUSTERED) SHARD_ROW_ID_BITS=4 PRE_SPLIT_REGIONS=3",
}


@pytest.fixture
def tidb_tables(tidb_database: ServerInfo) -> ServerInfo:
    with (
        mariadb.admin_connect(tidb_database, database=tidb_database.database) as conn,
        conn.cursor() as cur,
    ):
        for statement in TABLES.values():
            cur.execute(statement)
        cur.execute("INSERT INTO ar (name) VALUES ('a'), ('b')")
    return tidb_database


def _show_create(info: ServerInfo, table: str) -> str:
    return str(mariadb.admin_execute(info, f"SHOW CREATE TABLE {info.database}.{table}")[0][1])


def test_show_create_table_carries_tidb_comments(tidb_tables: ServerInfo) -> None:
    """The forms the recorded-output tests were written from, as the server prints them."""
    ar = _show_create(tidb_tables, "ar")
    assert "/*T![auto_rand] AUTO_RANDOM(5) */" in ar, ar
    assert "PRIMARY KEY (`id`) /*T![clustered_index] CLUSTERED */" in ar, ar
    assert "/*T! PRE_SPLIT_REGIONS=2 */" in ar, ar
    assert "/*T![auto_rand] AUTO_RANDOM(5, 54) */" in _show_create(tidb_tables, "ar_range")
    nc = _show_create(tidb_tables, "nc")
    assert "/*T![clustered_index] NONCLUSTERED */" in nc, nc
    assert "/*T! SHARD_ROW_ID_BITS=4 PRE_SPLIT_REGIONS=3 */" in nc, nc


def test_reflection_reads_auto_random_and_clustered_keys(tidb_tables: ServerInfo) -> None:
    engine = sa.create_engine(tidb_tables.url("tidb"))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # an unread line would drop a key with a warning
            insp = sa.inspect(engine)
            columns = {c["name"]: c for c in insp.get_columns("ar")}
            ar_options = insp.get_table_options("ar")
            ar_pk = insp.get_pk_constraint("ar")
            ar_indexes = insp.get_indexes("ar")
            range_columns = {c["name"]: c for c in insp.get_columns("ar_range")}
            range_unique = insp.get_indexes("ar_range")
            nc_pk = insp.get_pk_constraint("nc")
            nc_options = insp.get_table_options("nc")
    finally:
        engine.dispose()
    assert columns["id"]["autoincrement"] is True
    assert columns["id"]["info"]["tidb_auto_random"] == {"shard_bits": 5, "range_bits": None}
    assert columns["name"]["comment"] == "名字"
    assert ar_pk["constrained_columns"] == ["id"]
    assert ar_options["tidb_primary_key"] == "CLUSTERED"
    assert ar_options["tidb_pre_split_regions"] == "2"
    assert [(i["name"], i["column_names"]) for i in ar_indexes] == [("idx_name", ["name"])]
    assert range_columns["id"]["info"]["tidb_auto_random"] == {
        "shard_bits": 5,
        "range_bits": 54,
    }
    assert [(i["name"], i["unique"]) for i in range_unique] == [("uk_user", True)]
    assert nc_pk["constrained_columns"] == ["a", "b"]
    assert nc_options["tidb_primary_key"] == "NONCLUSTERED"
    assert nc_options["tidb_shard_row_id_bits"] == "4"
    assert nc_options["tidb_pre_split_regions"] == "3"


# common hanzi, full-width punctuation, and characters outside GBK and the BMP (𠀀 U+20000,
# 𠮷 U+20BB7: four UTF-8 bytes each)
ROWS = [(1, "中文数据：你好，世界"), (2, "㐀𠀀𠮷"), (3, "混合 mixed 𠮷 text")]
TABLE, COLUMN = "订单", "客户名"


def test_chinese_values_and_identifiers_round_trip(tidb_database: ServerInfo) -> None:
    db = tidb_database.database
    with mariadb.admin_connect(tidb_database, database=db) as conn, conn.cursor() as cur:
        cur.execute(f"CREATE TABLE `{TABLE}` (id int PRIMARY KEY, `{COLUMN}` varchar(40))")
        cur.executemany(f"INSERT INTO `{TABLE}` VALUES (%s, %s)", ROWS)
    stored = mariadb.admin_execute(
        tidb_database, f"SELECT id, HEX(`{COLUMN}`), CHAR_LENGTH(`{COLUMN}`) FROM {db}.`{TABLE}`"
    )
    # the admin's own view: real characters stored, not mojibake
    assert sorted(stored) == [(i, t.encode().hex().upper(), len(t)) for i, t in ROWS]
    with sqlgate.connect(tidb_database.url("tidb")) as conn:
        cur = conn.cursor()
        cur.execute(f"SELECT id, `{COLUMN}` FROM `{TABLE}` ORDER BY id")
        assert [d[0] for d in cur.description] == ["id", COLUMN]
        assert cur.fetchall() == ROWS
        cur.execute(f"SELECT id FROM `{TABLE}` WHERE `{COLUMN}` = %s", ("㐀𠀀𠮷",))
        assert cur.fetchall() == [(2,)]
        cur.execute(f"SELECT id, `{COLUMN}` AS `名字` FROM `{TABLE}` ORDER BY id")
        table = cur.fetch_arrow_table()
        assert table.schema.names == ["id", "名字"]
        assert table.column("名字").to_pylist() == [t for _, t in ROWS]
        assert cur.execute("SELECT %s", ("𠮷",)).fetchone() == ("𠮷",)


def test_gbk_storage_through_a_gbk_and_a_utf8mb4_client(tidb_database: ServerInfo) -> None:
    """TiDB offers gbk (no gb18030: error 1115 for that client charset, checked below)."""
    charsets = {r[0] for r in mariadb.admin_execute(tidb_database, "SHOW CHARACTER SET")}
    assert "gbk" in charsets and "gb18030" not in charsets
    db, text = tidb_database.database, "中文你好"
    mariadb.admin_execute(
        tidb_database,
        f"CREATE TABLE {db}.`表` (id int PRIMARY KEY, `名` varchar(20)) CHARACTER SET gbk",
        f"INSERT INTO {db}.`表` VALUES (1, '{text}')",
    )
    stored = mariadb.admin_execute(tidb_database, f"SELECT HEX(`名`) FROM {db}.`表`")
    assert stored == [(text.encode("gbk").hex().upper(),)]  # GBK bytes on the server
    for charset in ("gbk", "utf8mb4"):
        with sqlgate.connect(tidb_database.url("tidb") + f"?charset={charset}") as conn:
            cur = conn.cursor()
            cur.execute("SELECT id, `名` FROM `表` WHERE `名` = %s", (text,))
            assert [d[0] for d in cur.description] == ["id", "名"]
            assert cur.fetchall() == [(1, text)]
            if charset == "gbk":  # a character GBK lacks is refused before anything is sent
                with pytest.raises(sqlgate.DataError, match="charset gbk cannot encode"):
                    cur.execute("SELECT %s", ("𠮷",))
    with pytest.raises(sqlgate.OperationalError, match="Unknown character set: 'gb18030'"):
        sqlgate.connect(tidb_database.url("tidb") + "?charset=gb18030")
