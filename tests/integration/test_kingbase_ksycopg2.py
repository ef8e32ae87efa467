"""``kingbase://`` on Kingbase's own driver ksycopg2, against the real PostgreSQL 15 (SCRAM).

ksycopg2 bundles KingbaseES' client library and logs in to a stock PostgreSQL 15 with
scram-sha-256; no KingbaseES server runs here (docs/sources/kingbase.md).
"""

from __future__ import annotations

import importlib.util
import time
from decimal import Decimal

import pyarrow as pa
import pytest
import sqlalchemy as sa

import sqlgate
from sqlgate.core.errors import OperationalError, ReadOnlyError
from tests.servers import postgres
from tests.servers.base import ServerInfo, server_unavailable


@pytest.fixture(autouse=True)
def _ksycopg2() -> None:
    """Skipped locally without the driver; a failure in CI (tests/servers/base.py)."""
    if importlib.util.find_spec("ksycopg2") is None:
        server_unavailable("ksycopg2", "pip install 'sqlgate[kingbase]'")


def test_kingbase_uses_ksycopg2_and_psycopg_on_request(seeded_postgres: ServerInfo) -> None:
    with sqlgate.connect(seeded_postgres.url("kingbase")) as conn:
        assert type(conn.session.raw).__module__.startswith("ksycopg2")
        cur = conn.cursor()
        cur.execute("SELECT id, name, amount FROM items WHERE id = %s", (1,))
        assert cur.fetchall() == [(1, "alpha", Decimal("12.50"))]
        assert [d[1] for d in cur.description] == ["int4", "text", "numeric"]
    with sqlgate.connect(seeded_postgres.url("kingbase") + "?driver=psycopg") as conn:
        assert type(conn.session.raw).__module__.startswith("psycopg")


def test_refused_write_leaves_data_unchanged(seeded_postgres: ServerInfo) -> None:
    with sqlgate.connect(seeded_postgres.url("kingbase")) as conn:
        cur = conn.cursor()
        with pytest.raises(ReadOnlyError):
            cur.execute("UPDATE items SET name = 'x' WHERE id = 1")
        # lifting the guard is refused as well, and the server still reports it on
        with pytest.raises(ReadOnlyError):
            cur.execute("SELECT set_config('default_transaction_read_only', 'off', false)")
        cur.execute("SHOW default_transaction_read_only")
        assert cur.fetchall() == [("on",)]
    with postgres.connect(seeded_postgres, admin=True) as admin:
        row = admin.execute("SELECT name FROM items WHERE id = 1").fetchone()
    assert row == ("alpha",)


def test_arrow_and_sqlalchemy(seeded_postgres: ServerInfo) -> None:
    with sqlgate.connect(seeded_postgres.url("kingbase")) as conn:
        cur = conn.cursor()
        cur.execute("SELECT id, name, amount, created FROM items ORDER BY id")
        table = cur.fetch_arrow_table()
    assert table.schema.types == [pa.int32(), pa.string(), pa.decimal128(10, 2), pa.timestamp("us")]
    assert table.num_rows == 4
    engine = sa.create_engine(seeded_postgres.url("kingbase"))
    try:
        columns = {c["name"] for c in sa.inspect(engine).get_columns("items")}
        assert columns == {"id", "name", "amount", "created"}
        with engine.connect() as c:
            assert c.execute(sa.text("SELECT count(*) FROM items")).scalar() == 4
    finally:
        engine.dispose()


def test_read_timeout_cancels_on_the_server(seeded_postgres: ServerInfo) -> None:
    url = seeded_postgres.url("kingbase") + "?read_timeout=1"
    with sqlgate.connect(url) as conn:
        cur = conn.cursor()
        started = time.monotonic()
        with pytest.raises(OperationalError):
            cur.execute("SELECT count(*) FROM generate_series(1, 300000000)")
        assert time.monotonic() - started < 10
        conn.rollback()  # the cancelled statement aborted its transaction, as any error
        cur.execute("SELECT 1")  # the link survives
        assert cur.fetchall() == [(1,)]


def test_wrong_password_does_not_leak(seeded_postgres: ServerInfo) -> None:
    wrong = "wrong-" + seeded_postgres.password
    with pytest.raises(OperationalError) as info:
        sqlgate.connect(seeded_postgres.url("kingbase", password=wrong))
    assert wrong not in str(info.value)


def test_sqlalchemy_json_deserializer_reaches_ksycopg2(seeded_postgres: ServerInfo) -> None:
    seen: list[str] = []

    def loads(text: str) -> object:
        seen.append(text)
        return {"parsed": text}

    engine = sa.create_engine(seeded_postgres.url("kingbase"), json_deserializer=loads)
    try:
        with engine.connect() as c:
            value = c.execute(sa.text("""SELECT '{"a": 1}'::json""")).scalar()
    finally:
        engine.dispose()
    assert value == {"parsed": '{"a": 1}'} and seen == ['{"a": 1}']
