"""The ClickHouse dialect: reflection, Core queries and pandas, on the server and embedded."""

from __future__ import annotations

import datetime
import decimal
import warnings

import pandas as pd
import pytest
import sqlalchemy as sa

from sqlgate.core.typemap import TypeMappingWarning
from tests.conftest import SEED_ROWS
from tests.servers import clickhouse
from tests.servers.base import ServerInfo


@pytest.fixture(scope="module")
def engine(seeded_clickhouse: ServerInfo) -> sa.engine.Engine:
    client = clickhouse.admin_client(seeded_clickhouse)
    try:
        client.execute("DROP TABLE IF EXISTS items_view")
        client.execute("CREATE VIEW items_view AS SELECT id, name FROM items WHERE id < 3")
    finally:
        client.disconnect()
    return sa.create_engine(seeded_clickhouse.url("clickhouse+sqlgate"))


def test_reflection(engine: sa.engine.Engine) -> None:
    inspector = sa.inspect(engine)
    assert "default" in inspector.get_schema_names()
    assert "items" in inspector.get_table_names()
    assert "items_view" not in inspector.get_table_names()
    assert inspector.get_view_names() == ["items_view"]
    assert "SELECT id, name FROM" in (inspector.get_view_definition("items_view") or "")
    columns = {c["name"]: c for c in inspector.get_columns("items")}
    assert isinstance(columns["id"]["type"], sa.Integer) and not columns["id"]["nullable"]
    assert isinstance(columns["name"]["type"], sa.Text) and columns["name"]["nullable"]
    amount = columns["amount"]["type"]
    assert isinstance(amount, sa.Numeric) and (amount.precision, amount.scale) == (10, 2)
    assert isinstance(columns["created"]["type"], sa.DateTime)
    assert inspector.get_pk_constraint("items")["constrained_columns"] == []
    assert inspector.has_table("items") and not inspector.has_table("nope")


def test_core_select_with_limit_offset_and_params(engine: sa.engine.Engine) -> None:
    items = sa.Table("items", sa.MetaData(), autoload_with=engine)
    query = (
        sa.select(items.c.id, items.c.name)
        .where(items.c.id > sa.bindparam("low"))
        .order_by(items.c.id)
        .limit(2)
        .offset(1)
    )
    with engine.connect() as conn:
        rows = conn.execute(query, {"low": 0}).fetchall()
        total = conn.execute(sa.select(sa.func.sum(items.c.amount))).scalar()
    assert [tuple(r) for r in rows] == [(2, "beta"), (3, "γάμμα 中文")]
    expected = sum(decimal.Decimal(r[2]) for r in SEED_ROWS if r[2] is not None)
    assert total == expected


def test_pandas_read_sql(engine: sa.engine.Engine) -> None:
    frame = pd.read_sql("SELECT id, name, created FROM items ORDER BY id", engine)
    assert frame["id"].tolist() == [r[0] for r in SEED_ROWS]
    assert frame["created"][0] == pd.Timestamp(datetime.datetime.fromisoformat(SEED_ROWS[0][3]))
    chunks = list(pd.read_sql("SELECT id FROM items ORDER BY id", engine, chunksize=3))
    assert [len(c) for c in chunks] == [3, 1]


def test_embedded_engine_reflects_unknown_types_with_a_warning(seeded_chdb: str) -> None:
    admin = sa.create_engine(seeded_chdb.replace("?", "?read_only=false&"))
    with admin.connect() as conn:
        conn.exec_driver_sql("DROP TABLE IF EXISTS odd")
        conn.exec_driver_sql(
            "CREATE TABLE odd (id UInt64, t Time64(3), m Map(String, Array(Nullable(Int8)))) "
            "ENGINE = Memory"
        )
    engine = sa.create_engine(seeded_chdb)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        columns = {c["name"]: c["type"] for c in sa.inspect(engine).get_columns("odd")}
    assert isinstance(columns["t"], sa.types.NullType)
    assert any(issubclass(w.category, TypeMappingWarning) for w in caught)
    assert isinstance(columns["id"], sa.BigInteger)
    assert type(columns["m"]).__name__ == "MAP"
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count() FROM items")).scalar() == len(SEED_ROWS)
