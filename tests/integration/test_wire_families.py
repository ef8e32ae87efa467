"""Both wire families through SQLAlchemy and pandas, against real servers.

Reflection is what Superset needs: schemas, tables, views and their definitions, columns with
types and comments, primary and foreign keys, indexes, has_table, the default schema.
"""

from __future__ import annotations

import pandas as pd
import pytest
import sqlalchemy as sa

from sqlgate.core import errors
from tests.servers import mariadb, postgres
from tests.servers.base import ServerInfo

PG_SCHEMA = [
    "CREATE TABLE customers (id int PRIMARY KEY, name varchar(80) NOT NULL, "
    "tags text[], profile jsonb)",
    "COMMENT ON COLUMN customers.name IS 'display name'",
    "COMMENT ON TABLE customers IS 'people who buy'",
    "CREATE TABLE orders (id int PRIMARY KEY, customer_id int REFERENCES customers(id), "
    "total numeric(12,2), placed timestamptz)",
    "CREATE INDEX ix_orders_customer ON orders (customer_id)",
    "CREATE VIEW big_orders AS SELECT id, total FROM orders WHERE total > 100",
    "INSERT INTO customers VALUES (1, '张三', '{a,b}', '{\"vip\": true}'), (2, 'Ann', NULL, NULL)",
    "INSERT INTO orders VALUES (10, 1, 250.00, '2026-05-01T10:00:00Z'), (11, 2, 5.5, NULL)",
]
MY_SCHEMA = [
    "CREATE TABLE customers (id int PRIMARY KEY, name varchar(80) NOT NULL "
    "COMMENT 'display name', profile json) COMMENT 'people who buy'",
    "CREATE TABLE orders (id int PRIMARY KEY, customer_id int, total decimal(12,2), "
    "placed datetime, INDEX ix_orders_customer (customer_id), "
    "FOREIGN KEY (customer_id) REFERENCES customers(id))",
    "CREATE VIEW big_orders AS SELECT id, total FROM orders WHERE total > 100",
    "INSERT INTO customers VALUES (1, '张三', '{\"vip\": true}'), (2, 'Ann', NULL)",
    "INSERT INTO orders VALUES (10, 1, 250.00, '2026-05-01 10:00:00'), (11, 2, 5.5, NULL)",
]


def _pg_admin(info: ServerInfo, statements: list[str]) -> None:
    with postgres.connect(info) as conn:
        for statement in statements:
            conn.execute(statement)


@pytest.fixture(params=["postgres", "mysql"])
def family_db(request: pytest.FixtureRequest) -> tuple[str, ServerInfo]:
    if request.param == "postgres":
        info = request.getfixturevalue("postgres_database")
        _pg_admin(info, PG_SCHEMA)
        return "postgresql+sqlgate", info
    info = request.getfixturevalue("mariadb_database")
    with mariadb.admin_connect(info, database=info.database) as conn, conn.cursor() as cur:
        for statement in MY_SCHEMA:
            cur.execute(statement)
        conn.commit()
    return "mysql+sqlgate", info


def test_reflection_for_superset(family_db: tuple[str, ServerInfo]) -> None:
    scheme, info = family_db
    engine = sa.create_engine(info.url(scheme))
    try:
        insp = sa.inspect(engine)
        default = insp.default_schema_name
        assert default in insp.get_schema_names()
        assert {"customers", "orders"} <= set(insp.get_table_names())
        assert "big_orders" in insp.get_view_names()
        assert "total" in insp.get_view_definition("big_orders").lower()
        columns = {c["name"]: c for c in insp.get_columns("customers")}
        assert isinstance(columns["name"]["type"], sa.String)
        assert columns["name"]["type"].length == 80
        assert columns["name"]["nullable"] is False
        assert columns["name"]["comment"] == "display name"
        assert insp.get_table_comment("customers")["text"] == "people who buy"
        assert insp.get_pk_constraint("orders")["constrained_columns"] == ["id"]
        fks = insp.get_foreign_keys("orders")
        assert fks[0]["referred_table"] == "customers"
        assert fks[0]["constrained_columns"] == ["customer_id"]
        assert any(ix["name"] == "ix_orders_customer" for ix in insp.get_indexes("orders"))
        assert insp.has_table("orders") and not insp.has_table("nope")
        total = {c["name"]: c for c in insp.get_columns("orders")}["total"]["type"]
        assert isinstance(total, sa.Numeric) and (total.precision, total.scale) == (12, 2)
    finally:
        engine.dispose()


def test_orm_style_select_and_read_only_through_engine(family_db: tuple[str, ServerInfo]) -> None:
    scheme, info = family_db
    engine = sa.create_engine(info.url(scheme))
    try:
        orders = sa.Table("orders", sa.MetaData(), autoload_with=engine)
        with engine.connect() as conn:
            rows = conn.execute(sa.select(orders.c.id).where(orders.c.total > 100)).all()
            assert [r.id for r in rows] == [10]
            with pytest.raises(sa.exc.ProgrammingError) as info_:
                conn.execute(orders.delete())
            assert isinstance(info_.value.orig, errors.ReadOnlyError)
    finally:
        engine.dispose()
    assert info.password not in repr(engine.url)


def test_pandas_read_sql_through_engine_and_raw_connection(
    family_db: tuple[str, ServerInfo],
) -> None:
    scheme, info = family_db
    engine = sa.create_engine(info.url(scheme))
    try:
        frame = pd.read_sql("SELECT id, name FROM customers ORDER BY id", engine)
        assert frame["name"].tolist() == ["张三", "Ann"]
    finally:
        engine.dispose()
    import sqlgate

    with sqlgate.connect(info.url(scheme)) as raw, pytest.warns(UserWarning):
        frame = pd.read_sql("SELECT id, total FROM orders ORDER BY id", raw)
    assert frame["id"].tolist() == [10, 11]


def test_isolation_level_and_ping_through_driver(family_db: tuple[str, ServerInfo]) -> None:
    scheme, info = family_db
    engine = sa.create_engine(info.url(scheme), isolation_level="SERIALIZABLE", pool_pre_ping=True)
    try:
        with engine.connect() as conn:
            assert conn.get_isolation_level() == "SERIALIZABLE"
            assert conn.execute(sa.text("SELECT 1")).scalar() == 1
    finally:
        engine.dispose()


@pytest.mark.parametrize("charset", ["utf8mb4", "gbk", "gb2312"])
def test_chinese_text_round_trips_in_mysql_charsets(
    mariadb_database: ServerInfo, charset: str
) -> None:
    text = "中文数据：你好，世界" if charset != "gb2312" else "中文数据你好世界"
    table = f"t_{charset}"
    with (
        mariadb.admin_connect(mariadb_database, database=mariadb_database.database) as conn,
        conn.cursor() as cur,
    ):
        cur.execute(f"CREATE TABLE {table} (s varchar(50)) CHARACTER SET {charset}")
        cur.execute(f"INSERT INTO {table} VALUES (%s)", (text,))
        conn.commit()
    import sqlgate

    for client_charset in {"utf8mb4", charset}:
        url = mariadb_database.url("mysql+sqlgate") + f"?charset={client_charset}"
        with sqlgate.connect(url) as conn:
            cur = conn.cursor().execute(f"SELECT s, LENGTH(s) FROM {table} WHERE s = %s", (text,))
            value, octets = cur.fetchone()
            assert value == text
            assert octets == len(text.encode({"utf8mb4": "utf-8"}.get(charset, charset)))


def test_chinese_text_round_trips_in_postgres(postgres_database: ServerInfo) -> None:
    import sqlgate

    text, rare = "中文数据：你好，世界", "𠀀"  # U+20000 exists in GB18030 but not in GBK
    _pg_admin(
        postgres_database,
        ["CREATE TABLE zh (id int, s text)", f"INSERT INTO zh VALUES (1, '{text}'), (2, '{rare}')"],
    )
    for encoding in ("UTF8", "GB18030", "GBK"):
        url = postgres_database.url("postgresql+sqlgate") + f"?client_encoding={encoding}"
        with sqlgate.connect(url) as conn:
            cur = conn.cursor().execute("SELECT s FROM zh WHERE s = %s", (text,))
            assert cur.fetchone()[0] == text
            if encoding == "GBK":
                with pytest.raises(errors.DataError, match="no equivalent"):
                    cur.execute("SELECT s FROM zh WHERE id = 2")
            else:
                assert cur.execute("SELECT s FROM zh WHERE id = 2").fetchone()[0] == rare


def test_postgres_sources_share_the_family(postgres_database: ServerInfo) -> None:
    import sqlgate

    _pg_admin(postgres_database, ["CREATE TABLE t (x int)", "INSERT INTO t VALUES (1)"])
    for scheme in ("opengauss", "kingbase", "oscar", "gaussdb"):
        engine = sa.create_engine(postgres_database.url(scheme))
        try:
            with engine.connect() as conn:
                assert conn.execute(sa.text("SELECT x FROM t")).scalar() == 1
            assert sa.inspect(engine).get_table_names() == ["t"]
        finally:
            engine.dispose()
    assert postgres.__name__  # harness module used by the fixtures
    with sqlgate.connect(postgres_database.url("opengauss")) as conn:
        assert conn.session.server_version[:1] == (15,)


def test_json_reaches_arrow_as_json_text(family_db: tuple[str, ServerInfo]) -> None:
    import json

    import sqlgate

    scheme, info = family_db
    with sqlgate.connect(info.url(scheme)) as conn:
        cur = conn.cursor().execute("SELECT profile FROM customers WHERE id = 1")
        assert json.loads(cur.fetch_arrow_table().column(0)[0].as_py()) == {"vip": True}


def test_numeric_url_options_reach_the_driver_typed(mariadb_server: ServerInfo) -> None:
    import sqlgate

    url = mariadb_server.url("mysql+sqlgate") + "?connect_timeout=5&read_timeout=30"
    with sqlgate.connect(url) as conn:
        assert conn.cursor().execute("SELECT 1").fetchone() == (1,)
    with pytest.raises(errors.InterfaceError, match="not a number"):
        sqlgate.connect(mariadb_server.url("mysql+sqlgate") + "?connect_timeout=soon")
