"""ClickHouse embedded through chdb (ClickHouse 26.x in-process): newer types and SQL.

The data directory is written by chdb itself; sqlgate opens it read-only (``readonly=2`` on
the chdb connection plus the gate). Values are compared with what ClickHouse itself prints
for them (``toString``), never with sqlgate's own reading.
"""

from __future__ import annotations

import datetime
import decimal
import threading
import time
import uuid

import pyarrow as pa
import pytest

import sqlgate
from sqlgate.core import errors
from sqlgate.core.translate import translated
from tests.corpus import load_corpus

TYPES = """SELECT
    toUUID('61f0c404-5cb3-11e7-907b-a6006ad3dba0') AS u, toIPv4('10.1.2.3') AS ip4,
    toIPv6('2001:db8::1') AS ip6, CAST('blue', 'Enum8(''red'' = 1, ''blue'' = 2)') AS e,
    toLowCardinality('lc') AS lc, map('k', 1, 'l', 2) AS m,
    toDecimal256('123456789012345678901234567890.123456789', 40) AS d256,
    toDateTime64('2026-01-01 00:00:00.123', 3, 'Europe/Berlin') AS dt64,
    toDateTime('2026-01-01 00:00:00', 'Asia/Tokyo') AS dt, [[1, NULL], [3]] AS arr,
    CAST((1, 'x'), 'Tuple(a Int32, b String)') AS tup, toInt128('-170141183460469231731') AS i128,
    toUInt256('115792089237316195423570985008687907853269984665640564039457') AS u256,
    toDate32('1900-01-01') AS d32, toNullable(NULL) AS nothing"""


def test_embedded_reads_the_seeded_table(seeded_chdb: str) -> None:
    with sqlgate.connect(seeded_chdb) as conn:
        assert conn.session.banner.startswith("ClickHouse 26.") and conn.session.server_version
        cur = conn.cursor()
        cur.execute("SELECT id, name, amount, created FROM items ORDER BY id")
        assert [d[1] for d in cur.description][:2] == ["Int32", "Nullable(String)"]
        rows = cur.fetchall()
        assert rows[0] == (1, "alpha", decimal.Decimal("12.50"), datetime.datetime(2026, 1, 1, 10))
        assert rows[2][1] == "γάμμα 中文" and rows[3][1:] == (None, None, None)
        cur.execute("SELECT id FROM items WHERE name = %s", ("beta",))
        assert cur.fetchall() == [(2,)]


def test_modern_types_rows_and_arrow(seeded_chdb: str) -> None:
    with sqlgate.connect(seeded_chdb) as conn:
        cur = conn.cursor()
        cur.execute(TYPES)
        codes = {d[0]: d[1] for d in cur.description}
        assert codes["dt64"] == "DateTime64(3, 'Europe/Berlin')" and codes["ip4"] == "IPv4"
        table = cur.fetch_arrow_table()
        cur.execute(
            f"SELECT {', '.join(f'toString({n})' for n in table.schema.names)} FROM ({TYPES})"
        )
        printed = dict(zip(table.schema.names, cur.fetchone(), strict=True))
    schema, row = table.schema, table.to_pylist()[0]
    assert schema.field("dt64").type == pa.timestamp("ms", tz="Europe/Berlin")
    assert schema.field("dt").type == pa.timestamp("s", tz="Asia/Tokyo")
    assert schema.field("d256").type == pa.decimal256(76, 40)
    mapped = schema.field("m").type
    assert (mapped.key_type, mapped.item_type) == (pa.string(), pa.uint8())
    tup = schema.field("tup").type
    assert [(f.name, f.type) for f in tup] == [("a", pa.int32()), ("b", pa.string())]
    assert schema.field("i128").type == pa.decimal256(39, 0)
    assert row["u"] == printed["u"] and row["ip4"] == printed["ip4"] == "10.1.2.3"
    assert row["ip6"] == printed["ip6"] and row["e"] == printed["e"] == "blue"
    assert row["d256"] == decimal.Decimal(printed["d256"])
    assert row["dt"] == datetime.datetime(2025, 12, 31, 15, tzinfo=datetime.timezone.utc)
    assert row["dt64"] == datetime.datetime(
        2025, 12, 31, 23, 0, 0, 123000, tzinfo=datetime.timezone.utc
    )
    assert row["i128"] == decimal.Decimal(printed["i128"]) and row["u256"] == printed["u256"]
    assert row["arr"] == [[1, None], [3]] and row["m"] == [("k", 1), ("l", 2)]
    assert row["tup"] == {"a": 1, "b": "x"} and row["d32"] == datetime.date(1900, 1, 1)
    assert row["lc"] == "lc" and row["nothing"] is None
    assert uuid.UUID(row["u"]) == uuid.UUID("61f0c404-5cb3-11e7-907b-a6006ad3dba0")


def test_guard_and_corpus(seeded_chdb: str, chdb_path: str) -> None:
    with sqlgate.connect(seeded_chdb) as conn:
        assert conn.session.server_guard_active() is True
        cur = conn.cursor()
        passed = []
        for case in load_corpus("readonly_clickhouse"):
            try:
                cur.execute(case.sql)
            except errors.Error as exc:
                if not isinstance(exc, (errors.ReadOnlyError, errors.UnparseableStatementError)):
                    passed.append((case.id, case.why, str(exc)[:100]))
                elif exc.__cause__ is not None:
                    passed.append((case.id, case.why, "reached the engine"))
            else:
                passed.append((case.id, case.why, "executed"))
        assert passed == []
        for statement in (
            "INSERT INTO items SELECT * FROM items",
            "DROP TABLE items",
            "SET readonly = 0",
        ):
            with (
                pytest.raises(errors.ReadOnlyError, match="server's read-only guard"),
                translated(),
            ):
                conn.session.execute(statement).fetchall()
        assert cur.execute("SELECT count() FROM items").fetchone() == (4,)
        for case in load_corpus("allowed_clickhouse"):
            if "accounts" in case.sql:
                continue  # the corpus's table lives on the server
            cur.execute(case.sql)
            assert cur.fetchall() is not None


def test_cancel_and_early_close(seeded_chdb: str) -> None:
    with sqlgate.connect(seeded_chdb) as conn:
        cur = conn.cursor()
        cur.execute("SELECT number FROM system.numbers LIMIT 10000000")
        assert cur.fetchmany(2) == [(0,), (1,)]
        cur.close()
        other = conn.cursor()
        timer = threading.Timer(0.5, other.cancel)
        timer.start()
        started = time.monotonic()
        with pytest.raises(errors.Error):
            other.execute("SELECT count() FROM system.numbers WHERE sipHash64(number) % 7 = 99")
            other.fetchall()
        timer.join()
        assert time.monotonic() - started < 20
        assert conn.cursor().execute("SELECT 1 + 1").fetchone() == (2,)
