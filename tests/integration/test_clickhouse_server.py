"""ClickHouse through sqlgate against a real ClickHouse 18.16 server (native protocol).

The read-only corpus is sent to the server with a checksum of the data and catalog taken
before and after; the server's own guard (``readonly=2``) is proven separately by sending
writes past the gate, straight to the session; types, cancel, statement_timeout, streaming
and a read-only login profile are checked against the server's answers.
"""

from __future__ import annotations

import datetime
import decimal
import hashlib
import threading
import time
import uuid

import pyarrow as pa
import pytest

import sqlgate
from sqlgate.core import errors
from sqlgate.core.translate import translated
from tests.corpus import load_corpus
from tests.servers import clickhouse
from tests.servers.base import ServerInfo

ACCOUNTS = [(1, "alice", decimal.Decimal("100.00")), (2, "bob", decimal.Decimal("250.50"))]
SCHEME = "clickhouse+sqlgate"


@pytest.fixture(scope="module")
def accounts(clickhouse_server: ServerInfo) -> ServerInfo:
    client = clickhouse.admin_client(clickhouse_server)
    try:
        client.execute("DROP TABLE IF EXISTS accounts")
        client.execute(
            "CREATE TABLE accounts (id Int32, owner String, balance Decimal(12, 2)) "
            "ENGINE = MergeTree ORDER BY id"
        )
        client.execute("INSERT INTO accounts VALUES", ACCOUNTS)
    finally:
        client.disconnect()
    return clickhouse_server


def checksum(info: ServerInfo) -> str:
    """Data, tables and the guard-relevant settings, as the admin login sees them."""
    client = clickhouse.admin_client(info)
    try:
        parts = [
            client.execute("SELECT * FROM accounts ORDER BY id"),
            client.execute(
                "SELECT database, name, engine FROM system.tables "
                "WHERE database NOT IN ('system') ORDER BY 1, 2"
            ),
            client.execute("SELECT count() FROM system.mutations"),
        ]
    finally:
        client.disconnect()
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def refused_by_gate(exc: errors.Error) -> bool:
    """Raised by sqlgate's gate itself: nothing reached the server, no driver error behind."""
    return (
        isinstance(exc, (errors.ReadOnlyError, errors.UnparseableStatementError))
        and exc.__cause__ is None
    )


def test_corpus_is_refused_and_data_unchanged(accounts: ServerInfo) -> None:
    cases = load_corpus("readonly_clickhouse")
    assert len(cases) >= 50
    before = checksum(accounts)
    passed = []
    with sqlgate.connect(accounts.url(SCHEME)) as conn:
        cursor = conn.cursor()
        for case in cases:
            try:
                cursor.execute(case.sql)
            except errors.Error as exc:
                if not refused_by_gate(exc):
                    passed.append((case.id, case.why, f"server said: {exc}"))
            else:
                passed.append((case.id, case.why, "executed"))
    assert passed == [], f"{len(passed)} statements got past the gate"
    assert checksum(accounts) == before


def test_allowed_corpus_is_admitted_and_runs(accounts: ServerInfo) -> None:
    refused, ran = [], 0
    with sqlgate.connect(accounts.url(SCHEME)) as conn:
        cursor = conn.cursor()
        for case in load_corpus("allowed_clickhouse"):
            try:
                cursor.execute(case.sql)
                cursor.fetchall()
                ran += 1
            except errors.Error as exc:  # 18.16 lacks EXPLAIN; accounts has no url column
                if refused_by_gate(exc):
                    refused.append((case.id, case.why, str(exc)[:120]))
    assert refused == []
    assert ran >= 6  # every case runs on the embedded 26.9 engine (test_clickhouse_embedded)


@pytest.mark.parametrize(
    "statement",
    [
        "INSERT INTO accounts VALUES (9, 'mallory', 1)",
        "INSERT INTO accounts SELECT * FROM accounts",
        "ALTER TABLE accounts DELETE WHERE 1",
        "CREATE TABLE sneaky (x Int8) ENGINE = Memory",
        "DROP TABLE accounts",
        "SET readonly = 0",
        "SELECT 1 SETTINGS readonly = 0",
    ],
)
def test_server_guard_refuses_writes_past_the_gate(accounts: ServerInfo, statement: str) -> None:
    """Layer 2 alone: the statement goes to the session directly, around the gate."""
    before = checksum(accounts)
    with sqlgate.connect(accounts.url(SCHEME)) as conn:
        assert conn.session.server_guard_active() is True
        with pytest.raises(errors.ReadOnlyError, match="server's read-only guard"), translated():
            conn.session.execute(statement).fetchall()
        assert conn.session.server_guard_active() is True
        assert conn.cursor().execute("SELECT count() FROM accounts").fetchone() == (2,)
    assert checksum(accounts) == before


def test_read_only_profile_login_is_guarded_by_the_server(accounts: ServerInfo) -> None:
    ro = accounts.extra["ro_user"], accounts.extra["ro_password"]
    with sqlgate.connect(accounts.url(SCHEME, user=ro[0], password=ro[1])) as conn:
        assert conn.session.server_guard_active() is True
        assert "readonly" not in conn.session.raw.settings  # the profile guards it
        rows = conn.cursor().execute("SELECT owner FROM accounts ORDER BY id").fetchall()
        assert rows == [("alice",), ("bob",)]
        with pytest.raises(errors.ReadOnlyError), translated():
            conn.session.execute("INSERT INTO accounts SELECT * FROM accounts").fetchall()


TYPES_DDL = """CREATE TABLE typed (
    id Int32, arr Array(Array(Nullable(Int32))), name Nullable(String),
    lc LowCardinality(String), tup Tuple(Int32, String), dec Decimal(38, 4),
    big Decimal(18, 2), ts DateTime('Europe/Berlin'), e Enum8('red' = 1, 'blue' = 2),
    u UUID, fs FixedString(3), n Nested(k Int32, v String), d Date
) ENGINE = MergeTree ORDER BY id"""
UID = uuid.UUID("61f0c404-5cb3-11e7-907b-a6006ad3dba0")
BERLIN_MIDNIGHT = datetime.datetime(2025, 12, 31, 23, 0, tzinfo=datetime.timezone.utc)


@pytest.fixture(scope="module")
def typed(clickhouse_server: ServerInfo) -> ServerInfo:
    client = clickhouse.admin_client(clickhouse_server, allow_experimental_low_cardinality_type=1)
    try:
        client.execute("DROP TABLE IF EXISTS typed")
        client.execute(TYPES_DDL)
        client.execute(
            "INSERT INTO typed VALUES",
            [
                (
                    1,
                    [[1, None], [3]],
                    None,
                    "x",
                    (7, "seven"),
                    decimal.Decimal("12345678901234567890123456789012.3456"),
                    decimal.Decimal("-0.01"),
                    BERLIN_MIDNIGHT,
                    "blue",
                    UID,
                    "abc",
                    [1, 2],
                    ["p", "q"],
                    datetime.date(2026, 1, 1),
                )
            ],
        )
    finally:
        client.disconnect()
    return clickhouse_server


def test_types_as_rows_and_arrow(typed: ServerInfo) -> None:
    with sqlgate.connect(typed.url(SCHEME)) as conn:
        cur = conn.cursor()
        cur.execute("SELECT * FROM typed")
        codes = {d[0]: d[1] for d in cur.description}
        assert codes["ts"] == "DateTime('Europe/Berlin')" and codes["n.k"] == "Array(Int32)"
        assert cur.description[5][4:6] == (38, 4)
        row = cur.fetchone()
        # rows are clickhouse-driver's own values: a Tuple is a tuple, a UUID a uuid.UUID
        assert row[1] == [[1, None], [3]] and row[2] is None and row[4] == (7, "seven")
        assert row[5] == decimal.Decimal("12345678901234567890123456789012.3456")
        assert row[7] == BERLIN_MIDNIGHT and row[8] == "blue" and row[9] == UID
        cur.execute("SELECT * FROM typed")
        table = cur.fetch_arrow_table()
    schema = table.schema
    assert schema.field("arr").type == pa.list_(pa.list_(pa.int32()))
    assert schema.field("tup").type == pa.struct([("1", pa.int32()), ("2", pa.string())])
    assert schema.field("dec").type == pa.decimal128(38, 4)
    assert schema.field("ts").type == pa.timestamp("s", tz="Europe/Berlin")
    assert schema.field("d").type == pa.date32()
    values = table.to_pylist()[0]
    assert values["ts"] == BERLIN_MIDNIGHT
    assert values["e"] == "blue" and values["u"] == str(UID) and values["lc"] == "x"
    assert values["tup"] == {"1": 7, "2": "seven"}
    assert values["n.v"] == ["p", "q"] and values["big"] == decimal.Decimal("-0.01")


def test_streaming_and_early_close(accounts: ServerInfo) -> None:
    with sqlgate.connect(accounts.url(SCHEME)) as conn:
        cur = conn.cursor()
        cur.execute("SELECT number FROM system.numbers LIMIT %s", (25_000,))
        assert cur.rowcount == -1  # longer than the first chunk: counted at its end
        first = cur.fetchmany(3)
        assert first == [(0,), (1,), (2,)]
        cur.close()  # drops the rest (the link reconnects for the next statement)
        other = conn.cursor()
        assert other.execute("SELECT count() FROM accounts").fetchone() == (2,)
        other.execute("SELECT number FROM system.numbers LIMIT 25000")
        assert len(other.fetchall()) == 25_000 and other.rowcount == 25_000


def test_cancel_stops_a_running_statement(accounts: ServerInfo) -> None:
    with sqlgate.connect(accounts.url(SCHEME)) as conn:
        cur = conn.cursor()
        timer = threading.Timer(0.5, cur.cancel)
        timer.start()
        started = time.monotonic()
        with pytest.raises(errors.OperationalError, match="cancelled"):
            cur.execute("SELECT count() FROM system.numbers WHERE sipHash64(number) % 7 = 99")
            cur.fetchall()
        assert time.monotonic() - started < 10
        timer.join()
        assert cur.execute("SELECT 41 + 1").fetchone() == (42,)


def test_statement_timeout_is_max_execution_time(accounts: ServerInfo) -> None:
    with sqlgate.connect(accounts.url(SCHEME) + "?statement_timeout=1") as conn:
        cur = conn.cursor()
        value = cur.execute(
            "SELECT value FROM system.settings WHERE name = 'max_execution_time'"
        ).fetchone()
        assert value == ("1",)
        started = time.monotonic()
        with pytest.raises(errors.OperationalError, match="statement_timeout"):
            cur.execute("SELECT count() FROM system.numbers WHERE sipHash64(number) % 7 = 99")
            cur.fetchall()
        assert time.monotonic() - started < 10


def test_unknown_option_and_no_secret_in_errors(accounts: ServerInfo) -> None:
    with pytest.raises(errors.InterfaceError, match="unknown ClickHouse option"):
        sqlgate.connect(accounts.url(SCHEME) + "?settings=readonly%3D0")
    with pytest.raises(errors.OperationalError) as info:
        sqlgate.connect(accounts.url(SCHEME, password="wrong-pw-77"))
    assert "wrong-pw-77" not in str(info.value) and "Stack trace" not in str(info.value)


def test_sqlgate_check_reports_the_server_guard(accounts: ServerInfo) -> None:
    import io

    from sqlgate.cli import main

    out = io.StringIO()
    assert main(["check", accounts.url(SCHEME)], out=out) == 0
    text = out.getvalue()
    assert "statement gate: active" in text and "server read-only guard: active" in text
    assert accounts.password not in text


def test_repeated_column_names_keep_every_column(accounts: ServerInfo) -> None:
    """``SELECT 1, 1`` has two columns named ``1``: both reach the rows, the description and
    the Arrow table (the header was once read into a dict, and the result failed)."""
    with sqlgate.connect(accounts.url(SCHEME)) as conn:
        cur = conn.cursor()
        assert cur.execute("SELECT 1, 1, 'x'").fetchall() == [(1, 1, "x")]
        assert [d[0] for d in cur.description] == ["1", "1", "'x'"]
        table = cur.execute("SELECT 1, 1, 'x'").fetch_arrow_table()
        assert table.column_names == ["1", "1", "'x'"]
        assert [table.column(i).to_pylist() for i in range(3)] == [[1], [1], ["x"]]
