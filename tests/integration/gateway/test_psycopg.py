"""psycopg 3 through the gateway: simple and extended protocol, types, streaming, cancel."""

from __future__ import annotations

import datetime
import decimal
import threading
import time

import psycopg
import pytest

from tests.conftest import SEED_ROWS
from tests.integration.gateway.conftest import BIG_ROWS, GatewayInfo
from tests.servers import postgres
from tests.servers.base import ServerInfo

EXPECTED = [
    (
        r[0],
        r[1],
        None if r[2] is None else decimal.Decimal(r[2]),
        None if r[3] is None else datetime.datetime.fromisoformat(r[3]),
    )
    for r in SEED_ROWS
]


@pytest.mark.parametrize("database", ["lake", "pg", "maria"])
def test_simple_and_extended_queries(gateway: GatewayInfo, database: str) -> None:
    with psycopg.connect(gateway.dsn(database), autocommit=True) as conn:
        # simple protocol: no parameters
        simple = conn.execute("SELECT id, name, amount, created FROM items ORDER BY id")
        assert simple.fetchall() == EXPECTED
        # extended protocol: Parse/Bind/Describe/Execute/Sync with typed parameters
        rows = conn.execute(
            "SELECT id, name FROM items WHERE id >= %s AND name <> %s ORDER BY id", [2, "beta"]
        ).fetchall()
        assert rows == [(3, "γάμμα 中文")]
        # psycopg prepares a statement it runs often (named Parse, Describe, Bind, Execute)
        for i in range(1, 8):
            found = conn.execute("SELECT name FROM items WHERE id = %s", [i % 4 + 1]).fetchall()
            assert found == [(SEED_ROWS[i % 4][1],)]
        prepared = conn.execute("SELECT name FROM items WHERE id = %s", [2], prepare=True)
        assert prepared.fetchone() == ("beta",)
        assert [d.name for d in conn.execute("SELECT id, name FROM items").description] == [
            "id",
            "name",
        ]


def test_transactions_and_session_statements(gateway: GatewayInfo) -> None:
    """psycopg's implicit BEGIN, SET/SHOW and COMMIT are answered by the gateway."""
    with psycopg.connect(gateway.dsn("lake")) as conn:  # not autocommit: psycopg sends BEGIN
        assert conn.execute("SELECT count(*) FROM items").fetchone() == (4,)
        assert conn.info.transaction_status == psycopg.pq.TransactionStatus.INTRANS
        conn.execute("SET application_name = 'gateway-test'")
        assert conn.execute("SHOW application_name").fetchone() == ("gateway-test",)
        conn.commit()
        assert conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
        with pytest.raises(psycopg.errors.SyntaxError):
            conn.execute("SELEC broken")
        assert conn.info.transaction_status == psycopg.pq.TransactionStatus.INERROR
        with pytest.raises(psycopg.errors.InFailedSqlTransaction):  # extended protocol too
            conn.execute("SELECT id FROM items WHERE id = %s", [1])
        conn.rollback()
        assert conn.execute("SELECT 1 AS one").fetchone() == (1,)


def test_binary_results(gateway: GatewayInfo) -> None:
    with psycopg.connect(gateway.dsn("lake"), autocommit=True) as conn:
        cur = conn.cursor(binary=True)
        cur.execute(
            "SELECT n, n * 1.5::DOUBLE AS f, n % 2 = 0 AS even FROM big WHERE n < 3 ORDER BY n"
        )
        assert cur.fetchall() == [(0, 0.0, True), (1, 1.5, False), (2, 3.0, True)]
        assert [c.type_code for c in cur.description] == [20, 701, 16]


def test_hundred_thousand_rows_streamed(gateway: GatewayInfo) -> None:
    with psycopg.connect(gateway.dsn("lake"), autocommit=True) as conn:
        total = count = 0
        for n, label in conn.cursor().stream("SELECT n, label FROM big"):
            count += 1
            total += n
            assert label == f"row {n}"
        assert count == BIG_ROWS
        assert total == BIG_ROWS * (BIG_ROWS - 1) // 2


def test_cancel_from_psycopg(gateway: GatewayInfo) -> None:
    with psycopg.connect(gateway.dsn("lake"), autocommit=True) as conn:
        outcome: list[BaseException] = []

        def run() -> None:
            try:
                conn.execute("SELECT count(*) FROM big a, big b, big c")
            except BaseException as exc:
                outcome.append(exc)

        starts = gateway.log_count("start gateway_user=alice database=lake")
        worker = threading.Thread(target=run)
        worker.start()
        gateway.wait_for_log("start gateway_user=alice database=lake", starts)
        time.sleep(0.2)  # the statement is on its way to the source
        started = time.monotonic()
        conn.cancel()
        worker.join(30)
        assert not worker.is_alive()
        assert time.monotonic() - started < 20
        assert len(outcome) == 1 and isinstance(outcome[0], psycopg.errors.QueryCanceled)
        assert conn.execute("SELECT count(*) FROM items").fetchone() == (4,)


def test_write_refused_and_data_unchanged(
    gateway: GatewayInfo, seeded_postgres: ServerInfo
) -> None:
    with psycopg.connect(gateway.dsn("pg"), autocommit=True) as conn:
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction, match="read-only"):
            conn.execute("DELETE FROM items")
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
            conn.execute("UPDATE items SET name = %s WHERE id = %s", ["x", 1])
        assert conn.execute("SELECT count(*) FROM items").fetchone() == (4,)
    with postgres.connect(seeded_postgres) as admin:  # the server's own view
        rows = admin.execute("SELECT id, name FROM items ORDER BY id").fetchall()
    assert rows == [(r[0], r[1]) for r in SEED_ROWS]


def test_errors_carry_sqlstate(gateway: GatewayInfo) -> None:
    with psycopg.connect(gateway.dsn("lake"), autocommit=True) as conn:
        with pytest.raises(psycopg.errors.UndefinedTable):
            conn.execute("SELECT * FROM no_such_table")
        with pytest.raises(psycopg.errors.UndefinedColumn):
            conn.execute("SELECT no_such_column FROM items")
        with pytest.raises(psycopg.errors.DataException):
            conn.execute("SELECT CAST('not a number' AS DECIMAL(10,2))")
        assert conn.execute("SELECT 2 AS two").fetchone() == (2,)


def test_catalog_engine_is_locked_down(gateway: GatewayInfo) -> None:
    """Catalog queries run on the gateway's embedded DuckDB: no files, one SELECT only."""
    with psycopg.connect(gateway.dsn("lake"), autocommit=True) as conn:
        secret = gateway.lake_root / "items" / "part-0.parquet"
        with pytest.raises(psycopg.Error, match="file system operations are disabled") as info:
            conn.execute(f"SELECT * FROM read_blob('{secret}'), pg_catalog.pg_namespace")
        assert "PAR1" not in str(info.value)
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
            conn.execute("SELECT 1 FROM pg_catalog.pg_class; DROP TABLE pg_catalog.pg_class")
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
            conn.execute("SELECT 1 FROM pg_catalog.pg_class; SET lock_configuration = false")
        rows = conn.execute(
            "SELECT relname FROM pg_catalog.pg_class WHERE relname = 'items'"
        ).fetchall()
        assert rows == [("items",)]
