"""Chinese text through every source with a real engine here: values and identifiers.

One tiny table per engine, named ``订单明细`` with a column ``客户名``, holding UTF-8 text,
GBK text and characters outside GBK (``𠀀`` U+20000, ``𪚥`` U+2A6A5, ``䶮`` U+4DAE), read
through ``fetchall``, ``fetch_arrow_table`` and ``pandas.read_sql`` (SQLAlchemy), and bound
as a parameter. Client character sets: PostgreSQL's ``client_encoding`` UTF8 / GB18030 / GBK
on a UTF8 database plus an ``EUC_CN`` database; MariaDB's utf8mb4 and gbk clients on a utf8mb4
table (MariaDB 10.11 has no gb18030, checked below). OceanBase (seekdb) and MariaDB's GBK
tables are covered by ``test_chinese_text_oceanbase.py``; ClickHouse as a server (18.16) and
embedded (chdb); Parquet, Delta and Iceberg on local files.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import sqlalchemy as sa

import sqlgate
from sqlgate.core import errors
from tests.servers import mariadb, postgres
from tests.servers.base import ServerInfo

TABLE, COLUMN = "订单明细", "客户名"
COMMON = [(1, "中文数据：你好，世界"), (2, "混合 mixed \u3007 text")]  # all in GBK
RARE = [(3, "𠀀𪚥䶮")]  # none in GBK; all in GB18030 and UTF-8
ALL = COMMON + RARE
GB2312 = [(1, "中文数据：你好，世界")]  # what an EUC_CN (GB2312) database can store
MERGE_TREE = "ENGINE = MergeTree ORDER BY id"
DELTA_TABLE = "orders"  # see test_delta_table_in_a_chinese_directory


@dataclass(frozen=True)
class Target:
    """One engine + client charset: its URL, identifier quote, placeholder and rows."""

    url: str
    quote: str = '"'
    table: str = TABLE
    placeholder: str = "%s"
    rows: tuple[tuple[int, str], ...] = tuple(ALL)

    def ident(self, name: str) -> str:
        return f"{self.quote}{name}{self.quote}"

    @property
    def select(self) -> str:
        return f"SELECT id, {self.ident(COLUMN)} FROM {self.ident(self.table)}"


# -- the engines, each seeded once per session ------------------------------------------------
@pytest.fixture(scope="session")
def pg_chinese(postgres_server: ServerInfo) -> tuple[ServerInfo, ServerInfo]:
    """A UTF8 database with every row and an EUC_CN one with the GB2312 row."""
    infos = []
    for name, encoding, rows in (("zh_utf8", "UTF8", ALL), ("zh_euc_cn", "EUC_CN", GB2312)):
        postgres.drop_database(postgres_server, name)
        postgres.admin_execute(
            postgres_server,
            f"CREATE DATABASE {name} OWNER {postgres_server.user} ENCODING '{encoding}' "
            "LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0",
        )
        info = replace(postgres_server, database=name)
        with postgres.connect(info) as conn:
            conn.execute(f'CREATE TABLE "{TABLE}" (id int PRIMARY KEY, "{COLUMN}" text)')
            for row in rows:
                conn.execute(f'INSERT INTO "{TABLE}" VALUES (%s, %s)', row)
        infos.append(info)
    return infos[0], infos[1]


@pytest.fixture(scope="session")
def mariadb_chinese(mariadb_server: ServerInfo) -> ServerInfo:
    with mariadb.admin_connect(mariadb_server, database=mariadb_server.database) as conn:
        with conn.cursor() as cur:
            cur.execute(f"DROP TABLE IF EXISTS `{TABLE}`")
            cur.execute(
                f"CREATE TABLE `{TABLE}` (id int PRIMARY KEY, `{COLUMN}` varchar(40)) "
                "CHARACTER SET utf8mb4"
            )
            cur.executemany(f"INSERT INTO `{TABLE}` VALUES (%s, %s)", ALL)
        conn.commit()
    return mariadb_server


@pytest.fixture(scope="session")
def clickhouse_chinese(clickhouse_server: ServerInfo) -> ServerInfo:
    from tests.servers import clickhouse

    client = clickhouse.admin_client(clickhouse_server)
    try:
        client.execute(f"DROP TABLE IF EXISTS `{TABLE}`")
        client.execute(f"CREATE TABLE `{TABLE}` (id Int32, `{COLUMN}` String) {MERGE_TREE}")
        client.execute(f"INSERT INTO `{TABLE}` VALUES", ALL)
    finally:
        client.disconnect()
    return clickhouse_server


@pytest.fixture(scope="session")
def chdb_chinese(chdb_path: str) -> str:
    import chdb

    conn = chdb.connect(chdb_path)
    try:
        conn.query(f"DROP TABLE IF EXISTS `{TABLE}`")
        # MergeTree: a Memory table's rows go with the chdb connection that wrote them
        conn.query(f"CREATE TABLE `{TABLE}` (id Int32, `{COLUMN}` String) {MERGE_TREE}")
        values = ", ".join(f"({i}, '{text}')" for i, text in ALL)
        conn.query(f"INSERT INTO `{TABLE}` VALUES {values}")
    finally:
        conn.close()
    return f"clickhouse+sqlgate://{chdb_path}?embedded=true"


def _arrow_rows() -> Any:
    import pyarrow as pa

    return pa.table(
        {
            "id": pa.array([i for i, _ in ALL], pa.int32()),
            COLUMN: pa.array([t for _, t in ALL], pa.string()),
        }
    )


@pytest.fixture(scope="session")
def lakehouse_chinese(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The rows as Parquet and Iceberg tables named in Chinese under a Chinese directory, and
    as a Delta table with Chinese columns in ASCII directories (see the xfail tests below)."""
    import pyarrow.parquet as pq
    from deltalake import write_deltalake

    root: Path = tmp_path_factory.mktemp("湖仓")
    table = _arrow_rows()
    (root / "files" / TABLE).mkdir(parents=True)
    pq.write_table(table, root / "files" / TABLE / "part-0.parquet")
    delta_root = tmp_path_factory.mktemp("delta")
    write_deltalake(str(delta_root / DELTA_TABLE), table)
    urls = {"file": f"file://{root}/files", "delta": f"delta://{delta_root}"}
    try:
        from pyiceberg.catalog.sql import SqlCatalog
    except ImportError:  # tox sa14: pyiceberg's SQL catalog needs SQLAlchemy 2
        return urls
    catalog = SqlCatalog(
        "default", uri=f"sqlite:///{root}/catalog.db", warehouse=f"file://{root}/warehouse"
    )
    catalog.create_namespace("default")
    catalog.create_table(f"default.{TABLE}", schema=table.schema).append(table)
    urls["iceberg"] = f"iceberg://{root}/catalog.db"
    return urls


def _pg(info: ServerInfo, encoding: str | None) -> str:
    url = info.url("postgresql+sqlgate")
    return url + (f"?client_encoding={encoding}" if encoding else "")


#: target id -> how to build it from the session's fixtures
TARGETS: dict[str, Callable[[pytest.FixtureRequest], Target]] = {
    "postgresql-utf8": lambda r: Target(_pg(r.getfixturevalue("pg_chinese")[0], None)),
    "postgresql-gb18030": lambda r: Target(_pg(r.getfixturevalue("pg_chinese")[0], "GB18030")),
    # rows outside GBK through a GBK client: test_postgres_gbk_client_refuses_rare_text
    "postgresql-gbk": lambda r: Target(
        _pg(r.getfixturevalue("pg_chinese")[0], "GBK"), rows=tuple(COMMON)
    ),
    "postgresql-euc_cn-db-utf8": lambda r: Target(
        _pg(r.getfixturevalue("pg_chinese")[1], "UTF8"), rows=tuple(GB2312)
    ),
    # PostgreSQL converts EUC_CN only to UTF8 and MULE_INTERNAL ("conversion between GB18030
    # and EUC_CN is not supported"), so the EUC_CN database is read as UTF8 and as EUC_CN
    "postgresql-euc_cn-db-euc_cn": lambda r: Target(
        _pg(r.getfixturevalue("pg_chinese")[1], "EUC_CN"), rows=tuple(GB2312)
    ),
    "mariadb-utf8mb4": lambda r: Target(
        r.getfixturevalue("mariadb_chinese").url("mysql+sqlgate"), quote="`"
    ),
    # rows outside GBK through a gbk connection (a parameter cannot carry them):
    # test_mariadb_gbk_client_reads_rare_text
    "mariadb-gbk": lambda r: Target(
        r.getfixturevalue("mariadb_chinese").url("mysql+sqlgate") + "?charset=gbk",
        quote="`",
        rows=tuple(COMMON),
    ),
    "clickhouse-server": lambda r: Target(
        r.getfixturevalue("clickhouse_chinese").url("clickhouse+sqlgate"), quote="`"
    ),
    "clickhouse-chdb": lambda r: Target(r.getfixturevalue("chdb_chinese"), quote="`"),
    **{
        fmt: (lambda r, fmt=fmt: _lakehouse(r, fmt))  # type: ignore[misc]
        for fmt in ("file", "delta", "iceberg")
    },
}


def _lakehouse(request: pytest.FixtureRequest, fmt: str) -> Target:
    urls = request.getfixturevalue("lakehouse_chinese")
    if fmt not in urls:
        pytest.skip("pyiceberg's SQL catalog needs SQLAlchemy 2 (sqlgate[iceberg-sql])")
    return Target(urls[fmt], placeholder="?", table=DELTA_TABLE if fmt == "delta" else TABLE)


@pytest.fixture(params=sorted(TARGETS), scope="module")
def target(request: pytest.FixtureRequest) -> Target:
    return TARGETS[request.param](request)


def _readable(target: Target) -> list[tuple[int, str]]:
    return sorted(target.rows)


# -- the matrix ---------------------------------------------------------------------------------
def test_fetchall_values_and_identifiers(target: Target) -> None:
    ids = ", ".join(str(i) for i, _ in target.rows)
    with sqlgate.connect(target.url) as conn:
        cur = conn.cursor()
        cur.execute(f"{target.select} WHERE id IN ({ids}) ORDER BY id")
        assert [d[0] for d in cur.description] == ["id", COLUMN]
        assert [(int(i), t) for i, t in cur.fetchall()] == _readable(target)


def test_arrow(target: Target) -> None:
    ids = ", ".join(str(i) for i, _ in target.rows)
    with sqlgate.connect(target.url) as conn:
        cur = conn.cursor()
        cur.execute(
            f"SELECT {target.ident(COLUMN)} AS {target.ident('名字')} "
            f"FROM {target.ident(target.table)} WHERE id IN ({ids}) ORDER BY id"
        )
        table = cur.fetch_arrow_table()
    assert table.schema.names == ["名字"]
    assert table.column("名字").to_pylist() == [t for _, t in _readable(target)]


def test_pandas_read_sql(target: Target) -> None:
    ids = ", ".join(str(i) for i, _ in target.rows)
    engine = sa.create_engine(target.url)
    try:
        with engine.connect() as conn:
            frame = pd.read_sql(sa.text(f"{target.select} WHERE id IN ({ids}) ORDER BY id"), conn)
    finally:
        engine.dispose()
    assert list(frame.columns) == ["id", COLUMN]
    assert list(zip(frame["id"].astype(int), frame[COLUMN], strict=True)) == _readable(target)


def test_reflection_sees_chinese_names(target: Target) -> None:
    """What Superset lists: the table and its columns by their Chinese names."""
    engine = sa.create_engine(target.url)
    try:
        inspector = sa.inspect(engine)
        assert target.table in inspector.get_table_names()
        columns = [c["name"] for c in inspector.get_columns(target.table)]
    finally:
        engine.dispose()
    assert columns == ["id", COLUMN]


def test_text_as_a_parameter(target: Target) -> None:
    """The longest readable text (rare characters where the charset has them) finds its row."""
    row_id, text = max(target.rows, key=lambda r: max(map(ord, r[1])))
    with sqlgate.connect(target.url) as conn:
        cur = conn.cursor()
        cur.execute(f"{target.select} WHERE {target.ident(COLUMN)} = {target.placeholder}", [text])
        assert [(int(i), t) for i, t in cur.fetchall()] == [(row_id, text)]


def test_ideographic_space_in_a_literal_and_a_parameter(target: Target) -> None:
    """U+3000 (full-width space, common in Chinese text; in GBK and GB2312) is data inside a
    literal or a bound value: the gate admits it there, and it comes back unchanged."""
    text = "张\u3000三"
    with sqlgate.connect(target.url) as conn:
        cur = conn.cursor()
        cur.execute(f"SELECT '{text}' AS a, {target.placeholder} AS b", [text])
        assert [tuple(r) for r in cur.fetchall()] == [(text, text)]
        with pytest.raises(errors.ReadOnlyError):  # outside quotes it is still refused
            cur.execute("SELECT 1\u3000AS a")


def test_postgres_gbk_client_refuses_rare_text(
    pg_chinese: tuple[ServerInfo, ServerInfo],
) -> None:
    """PostgreSQL refuses to send what GBK cannot carry (SQLSTATE 22P05): a DataError, never '?'
    or mojibake; a GB18030 client reads the same row."""
    query = f'SELECT id, "{COLUMN}" FROM "{TABLE}" WHERE id = 3'
    with sqlgate.connect(_pg(pg_chinese[0], "GBK")) as conn:
        with pytest.raises(errors.DataError, match="GBK") as info:
            conn.cursor().execute(query).fetchall()
        assert info.value.sqlstate == "22P05"
    with sqlgate.connect(_pg(pg_chinese[0], "GB18030")) as conn:
        assert conn.cursor().execute(query).fetchall() == RARE


def test_mariadb_has_no_gb18030(mariadb_server: ServerInfo) -> None:
    """Why GB18030 is exercised on PostgreSQL and the lakehouse only: MariaDB 10.11 lacks it."""
    charsets = mariadb.chinese_charsets(mariadb_server)
    assert "gbk" in charsets and "gb2312" in charsets
    assert "gb18030" not in charsets


def test_chdb_empty_result_keeps_its_columns(chdb_chinese: str) -> None:
    """chdb streams no Arrow schema for a result without rows; the columns still show."""
    query = f"SELECT id, `{COLUMN}`, toDateTime(id) AS t FROM `{TABLE}` WHERE id < 0"
    with sqlgate.connect(chdb_chinese) as conn:
        cur = conn.cursor()
        cur.execute(query)
        assert [d[0] for d in cur.description] == ["id", COLUMN, "t"]
        assert cur.fetchall() == []
        table = cur.execute(query).fetch_arrow_table()
        full = cur.execute(query.replace("id < 0", "id = 1")).fetch_arrow_table()
    assert table.num_rows == 0 and full.num_rows == 1
    assert table.schema == full.schema  # the same types as when rows come


@pytest.mark.parametrize("arrow_path", ["native", "rows"])
def test_mariadb_gbk_client_reads_rare_text(mariadb_chinese: ServerInfo, arrow_path: str) -> None:
    """A gbk link gets its results in utf8mb4: MariaDB would turn what GBK cannot carry into
    '?' silently. Statements and parameters are still gbk (a rare character is refused)."""
    url = mariadb_chinese.url("mysql+sqlgate") + f"?charset=gbk&arrow_path={arrow_path}"
    query = f"SELECT id, `{COLUMN}` FROM `{TABLE}` WHERE `{COLUMN}` <> %s"
    with sqlgate.connect(url) as conn:
        cur = conn.cursor()
        cur.execute("SHOW VARIABLES LIKE 'character_set_%'")
        charsets = dict(cur.fetchall())
        assert charsets["character_set_results"] == "utf8mb4"
        assert charsets["character_set_client"] == charsets["character_set_connection"] == "gbk"
        assert cur.execute(f"{query} ORDER BY id", ["中文"]).fetchall() == ALL
        table = cur.execute(f"{query} ORDER BY id", ["中文"]).fetch_arrow_table()
        assert list(zip(*table.to_pydict().values(), strict=True)) == ALL
        assert table.schema.names == ["id", COLUMN]
        with pytest.raises(errors.DataError, match="charset gbk cannot encode"):
            cur.execute(query, [RARE[0][1]])
        # a refused parameter leaves the link usable and still lossless
        assert cur.execute(f"{query} AND id = 3", ["中文"]).fetchall() == RARE


def test_mariadb_utf8mb3_client_reads_and_refuses_four_byte_text(
    mariadb_chinese: ServerInfo,
) -> None:
    """utf8mb3 has no 4-byte characters: results come in utf8mb4 anyway, and a parameter with
    one is refused (MariaDB would turn it into '????' silently)."""
    with sqlgate.connect(mariadb_chinese.url("mysql+sqlgate") + "?charset=utf8mb3") as conn:
        cur = conn.cursor()
        assert cur.execute(f"SELECT id, `{COLUMN}` FROM `{TABLE}` ORDER BY id").fetchall() == ALL
        assert cur.execute("SELECT %s", ["䶮 BMP"]).fetchall() == [("䶮 BMP",)]
        with pytest.raises(errors.DataError, match="position 1 that charset utf8mb3"):
            cur.execute("SELECT %s", ["x𠀀"])
        with pytest.raises(errors.DataError, match="the statement"):
            cur.execute("SELECT '𪚥'")


def test_mariadb_gbk_client_executemany_writes_what_it_was_given(
    mariadb_chinese: ServerInfo,
) -> None:
    """Rows go out in gbk through sqlgate's cursor and through the driver link, whose batched
    INSERT (PyMySQL's) would encode them in the results' UTF-8 for the server to read as GBK
    (checked by admin)."""
    table = "gbk_写入"
    mariadb.admin_execute(
        mariadb_chinese,
        f"DROP TABLE IF EXISTS {mariadb_chinese.database}.`{table}`",
        f"CREATE TABLE {mariadb_chinese.database}.`{table}` (id int, t varchar(40)) "
        "CHARACTER SET utf8mb4",
    )
    try:
        url = mariadb_chinese.url("mysql+sqlgate") + "?charset=gbk&read_only=false"
        with sqlgate.connect(url) as conn:
            cur = conn.cursor()
            insert = f"INSERT INTO `{table}` (id, t) VALUES (%s, %s)"
            cur.executemany(insert, COMMON)
            assert cur.rowcount == len(COMMON)
            with conn.session.raw.cursor() as raw:
                assert raw.executemany(insert, [(i + 10, t) for i, t in COMMON]) == len(COMMON)
            conn.commit()
        rows = mariadb.admin_execute(
            mariadb_chinese, f"SELECT id, t FROM {mariadb_chinese.database}.`{table}` ORDER BY id"
        )
    finally:
        mariadb.admin_execute(mariadb_chinese, f"DROP TABLE {mariadb_chinese.database}.`{table}`")
    assert [(int(i), t) for i, t in rows] == COMMON + [(i + 10, t) for i, t in COMMON]


def _delta_url(tmp_path: Path, root: str, table: str) -> str:
    from deltalake import write_deltalake

    (tmp_path / root).mkdir()
    write_deltalake(str(tmp_path / root / table), _arrow_rows())
    return f"delta://{tmp_path / root}"


def test_delta_table_in_a_chinese_directory(tmp_path: Path) -> None:
    with sqlgate.connect(_delta_url(tmp_path, "lake", TABLE)) as conn:
        cur = conn.cursor()
        cur.execute(f'SELECT id, "{COLUMN}" FROM "{TABLE}" ORDER BY id')
        assert cur.fetchall() == ALL


def test_delta_table_under_a_chinese_root(tmp_path: Path) -> None:
    with sqlgate.connect(_delta_url(tmp_path, "湖仓", DELTA_TABLE)) as conn:
        cur = conn.cursor()
        cur.execute(f'SELECT id, "{COLUMN}" FROM {DELTA_TABLE} ORDER BY id')
        assert cur.fetchall() == ALL
