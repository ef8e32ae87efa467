"""PROTOCOL tests: sqlgate's Databricks client against a local Statement Execution API server.

These check what minilake cannot produce (it runs statements synchronously, has no auth and
drops parameters): polling with backoff, a failure mid-poll, 429 with ``Retry-After``, cancel
and ``statement_timeout``, external links fetched chunk by chunk without the workspace token
(expired, refused and truncated ones asked for again), typed named parameters on the wire,
refused tokens, OAuth M2M, Databricks-shaped nested values. The server
(``tests/servers/databricks_protocol.py``) is ours; it checks requests the way the service
documents them but it is not Databricks: Databricks SQL semantics are not verified here.
"""

from __future__ import annotations

import datetime
import decimal
import logging
import threading
import time
from collections.abc import Iterator

import pyarrow as pa
import pytest

import sqlgate.dbapi.databricks as dbx
from sqlgate.core import errors
from tests.servers.base import free_port
from tests.servers.databricks_protocol import (
    CLIENT_ID,
    CLIENT_SECRET,
    TOKEN,
    WAREHOUSE,
    ProtocolServer,
    Script,
    serve,
)

ITEMS = [("id", "INT"), ("name", "STRING")]


@pytest.fixture
def protocol_server() -> Iterator[ProtocolServer]:
    yield from serve()


def _table(n: int) -> pa.Table:
    return pa.table({"id": pa.array(range(n), pa.int32()), "name": [f"n{i}" for i in range(n)]})


def test_polls_with_backoff_until_terminal(protocol_server: ProtocolServer) -> None:
    protocol_server.scripts["SELECT slowish"] = Script(ITEMS, [["1", "a"]], polls=3)
    with dbx.connect(protocol_server.url()) as conn:
        started = time.monotonic()
        rows = conn.cursor().execute("SELECT slowish").fetchall()
    assert rows == [(1, "a")]
    polls = protocol_server.seen("GET", "/api/2.0/sql/statements/stmt-")
    assert len(polls) == 4  # three RUNNING answers, then SUCCEEDED
    assert time.monotonic() - started >= 0.05 + 0.1 + 0.2  # the pauses double
    body = protocol_server.posted_bodies()[0]
    assert body["wait_timeout"] == "5s" and body["on_wait_timeout"] == "CONTINUE"
    assert body["warehouse_id"] == WAREHOUSE


def test_failure_mid_poll_is_mapped_and_audited(
    protocol_server: ProtocolServer, caplog: pytest.LogCaptureFixture
) -> None:
    error = {"error_code": "BAD_REQUEST", "message": "[DIVIDE_BY_ZERO] Division by zero."}
    protocol_server.scripts["SELECT 1/0"] = Script(ITEMS, polls=1, fail=error)
    with (
        caplog.at_level(logging.INFO, logger="sqlgate.databricks"),
        dbx.connect(protocol_server.url()) as conn,
        pytest.raises(errors.DataError, match="DIVIDE_BY_ZERO") as info,
    ):
        conn.cursor().execute("SELECT 1/0")
    assert "stmt-1" in str(info.value)
    assert any("query_id=stmt-1" in r.getMessage() for r in caplog.records)


def test_a_missing_grant_names_itself(protocol_server: ProtocolServer) -> None:
    message = "[INSUFFICIENT_PERMISSIONS] User does not have SELECT on Table 'main.hr.pay'."
    error = {"error_code": "PERMISSION_DENIED", "message": message, "sql_state": "42501"}
    protocol_server.scripts["SELECT * FROM main.hr.pay"] = Script(ITEMS, fail=error)
    with (
        dbx.connect(protocol_server.url()) as conn,
        pytest.raises(errors.ProgrammingError, match="does not have SELECT on Table"),
    ):
        conn.cursor().execute("SELECT * FROM main.hr.pay")


def test_server_error_mid_poll(protocol_server: ProtocolServer) -> None:
    protocol_server.scripts["SELECT boom"] = Script(ITEMS, fail_http=500)
    with (
        dbx.connect(protocol_server.url(retries="0")) as conn,
        pytest.raises(errors.OperationalError, match="answered 500"),
    ):
        conn.cursor().execute("SELECT boom")


def test_429_with_retry_after_is_retried(protocol_server: ProtocolServer) -> None:
    protocol_server.scripts["SELECT busy"] = Script(ITEMS, [["7", "x"]], throttle=1)
    with dbx.connect(protocol_server.url()) as conn:
        started = time.monotonic()
        assert conn.cursor().execute("SELECT busy").fetchall() == [(7, "x")]
        waited = time.monotonic() - started
    assert len(protocol_server.seen("POST", "/api/2.0/sql/statements")) == 2
    assert 0.9 <= waited < 10  # Retry-After: 1 was honoured, and bounded


def test_parameters_are_named_typed_and_never_spliced(protocol_server: ProtocolServer) -> None:
    sql = "SELECT id, name FROM t WHERE id = :id AND name = :name AND amount > :amount"
    protocol_server.scripts[sql] = Script(ITEMS, [["1", "a"]])
    values = {
        "id": 1,
        "name": "x' OR '1'='1",
        "amount": decimal.Decimal("12.50"),
        "day": datetime.date(2026, 1, 2),
        "at": datetime.datetime(2026, 1, 2, 3, 4, 5),
        "flag": True,
        "nothing": None,
    }
    with dbx.connect(protocol_server.url()) as conn:
        cur = conn.cursor()
        cur.execute(sql, values)
        with pytest.raises(errors.ProgrammingError, match="named parameters"):
            cur.execute("SELECT id FROM t WHERE id = :id", (1,))
    (body,) = protocol_server.posted_bodies()
    assert body["statement"] == sql  # the text is sent exactly as written
    assert body["parameters"] == [
        {"name": "id", "value": "1", "type": "INT"},
        {"name": "name", "value": "x' OR '1'='1", "type": "STRING"},
        {"name": "amount", "value": "12.50", "type": "DECIMAL(4,2)"},
        {"name": "day", "value": "2026-01-02", "type": "DATE"},
        {"name": "at", "value": "2026-01-02T03:04:05", "type": "TIMESTAMP_NTZ"},
        {"name": "flag", "value": "true", "type": "BOOLEAN"},
        {"name": "nothing", "type": "VOID"},
    ]


def test_cancel_stops_a_running_statement(protocol_server: ProtocolServer) -> None:
    protocol_server.scripts["SELECT forever"] = Script(ITEMS, hold=True)
    conn = dbx.connect(protocol_server.url())
    cur = conn.cursor()
    outcome: list[BaseException] = []

    def run() -> None:
        try:
            cur.execute("SELECT forever")
        except BaseException as exc:
            outcome.append(exc)

    worker = threading.Thread(target=run)
    worker.start()
    deadline = time.monotonic() + 10
    while (
        not protocol_server.seen("GET", "/api/2.0/sql/statements/") and time.monotonic() < deadline
    ):
        time.sleep(0.02)
    started = time.monotonic()
    cur.cancel()
    worker.join(timeout=10)
    assert not worker.is_alive()
    assert time.monotonic() - started < 3
    assert isinstance(outcome[0], errors.OperationalError) and "cancel" in str(outcome[0])
    assert protocol_server.seen("POST", "/api/2.0/sql/statements/stmt-1/cancel")
    assert protocol_server.statements["stmt-1"].state == "CANCELED"
    assert conn.cursor().execute("SELECT 1").fetchall() == [(1,)]  # the connection goes on
    conn.close()


def test_statement_timeout_cancels_on_the_server(protocol_server: ProtocolServer) -> None:
    protocol_server.scripts["SELECT forever"] = Script(ITEMS, hold=True)
    with dbx.connect(protocol_server.url(statement_timeout="0.5")) as conn:
        started = time.monotonic()
        with pytest.raises(errors.OperationalError, match="statement_timeout"):
            conn.cursor().execute("SELECT forever")
        assert time.monotonic() - started < 3
    assert protocol_server.statements["stmt-1"].state == "CANCELED"


def test_external_links_are_fetched_chunk_by_chunk(protocol_server: ProtocolServer) -> None:
    protocol_server.scripts["SELECT big"] = Script(ITEMS, arrow=_table(5), chunk_rows=2)
    with dbx.connect(protocol_server.url()) as conn:
        cur = conn.cursor().execute("SELECT big")
        assert cur.rowcount == 5
        reader = cur.fetch_record_batch(rows_per_batch=2)
        first = reader.read_next_batch()
        served = protocol_server.statements["stmt-1"].served
        deadline = time.monotonic() + 10  # the next chunk is read ahead on a worker thread
        while "data-1" not in served and time.monotonic() < deadline:
            time.sleep(0.01)
        assert first.num_rows == 2 and sorted(k for k in served if k.startswith("data")) == [
            "data-0",
            "data-1",
        ]  # the first chunk and the one read ahead, never further
        rest = reader.read_all()
    assert first.column("id").to_pylist() + rest.column("id").to_pylist() == list(range(5))
    downloads = protocol_server.seen("GET", "/storage/")
    assert len(downloads) == 3
    assert all("Authorization" not in headers for _, _, headers, _ in downloads)


@pytest.mark.parametrize(
    "trouble",
    [
        {"expire_first": {1}},
        {"deny_first": {1}},
        {"truncate_first": {2}},
        {"truncate_first": {2}, "omit_byte_count": True},
    ],
    ids=["expired-link", "refused-link", "short-chunk", "cut-arrow-stream"],
)
def test_a_bad_link_is_asked_for_again(protocol_server: ProtocolServer, trouble: dict) -> None:
    protocol_server.scripts["SELECT big"] = Script(ITEMS, arrow=_table(6), chunk_rows=2, **trouble)
    with dbx.connect(protocol_server.url()) as conn:
        table = conn.cursor().execute("SELECT big").fetch_arrow_table()
    assert table.column("id").to_pylist() == list(range(6))
    chunk = next(
        iter(
            trouble.get("expire_first", set())
            | trouble.get("deny_first", set())
            | trouble.get("truncate_first", set())
        )
    )
    assert protocol_server.seen("GET", f"/api/2.0/sql/statements/stmt-1/result/chunks/{chunk}")


def test_a_link_refused_twice_is_an_operational_error(protocol_server: ProtocolServer) -> None:
    protocol_server.scripts["SELECT big"] = Script(
        ITEMS, arrow=_table(4), chunk_rows=2, storage_status=403
    )
    with dbx.connect(protocol_server.url()) as conn:
        cur = conn.cursor().execute("SELECT big")
        with pytest.raises(errors.OperationalError, match="fresh link") as info:
            cur.fetchall()
    assert "secret-signature" not in str(info.value)  # the signed query string is never shown
    assert len(protocol_server.seen("GET", "/storage/")) == 2  # the first try and one more


@pytest.mark.parametrize(
    ("token", "status"), [("wrong-token-123", 401), ("forbidden", 403)], ids=["bad", "no-perm"]
)
def test_refused_token_is_a_clear_error(
    protocol_server: ProtocolServer, token: str, status: int
) -> None:
    with pytest.raises(errors.OperationalError) as info:
        dbx.connect(protocol_server.url(token=token))
    message = str(info.value)
    assert f"answered {status}" in message and token not in message
    assert "token" in message or "permission" in message


def test_unknown_warehouse_and_unreachable_endpoint(protocol_server: ProtocolServer) -> None:
    wrong = protocol_server.url().replace(WAREHOUSE, "nosuch")
    with pytest.raises(errors.ProgrammingError, match="http_path"):
        dbx.connect(wrong)
    dead = protocol_server.url(connect_timeout="2", retries="1").replace(
        f":{protocol_server.port}/", f":{free_port()}/"
    )
    started = time.monotonic()
    with pytest.raises(errors.OperationalError, match="cannot reach"):
        dbx.connect(dead)
    assert time.monotonic() - started < 10


def test_nested_and_special_types_from_json(protocol_server: ProtocolServer) -> None:
    columns = [
        ("s", "STRUCT<a: INT, b: ARRAY<STRING>>"),
        ("m", "MAP<STRING, BIGINT>"),
        ("arr", "ARRAY<DECIMAL(5,2)>"),
        ("v", "VARIANT"),
        ("ntz", "TIMESTAMP_NTZ"),
        ("ts", "TIMESTAMP"),
        ("dt", "INTERVAL DAY TO SECOND"),
        ("ym", "INTERVAL YEAR TO MONTH"),
        ("d", "DECIMAL(10,2)"),
        ("b", "BINARY"),
    ]
    row = [
        '{"a":1,"b":["x","y"]}',
        '{"k":5}',
        "[1.50,-2.25]",
        '{"any":[1,2]}',
        "2026-01-02T03:04:05.123",
        "2026-01-02T03:04:05.000Z",
        "1 02:03:04.500000000",
        "-1-2",
        "12.50",
        "AAEC",
    ]
    protocol_server.scripts["SELECT typed"] = Script(columns, [row, [None] * len(row)])
    with dbx.connect(protocol_server.url()) as conn:
        cur = conn.cursor().execute("SELECT typed")
        table = cur.fetch_arrow_table()
        codes = [d[1] for d in cur.description]
    assert codes[0] == "STRUCT<a: INT, b: ARRAY<STRING>>" and codes[4] == "TIMESTAMP_NTZ"
    types = {f.name: f.type for f in table.schema}
    assert types["s"] == pa.struct([("a", pa.int32()), ("b", pa.list_(pa.string()))])
    assert types["m"] == pa.map_(pa.string(), pa.int64())
    assert types["ts"] == pa.timestamp("us", "UTC") and types["ntz"] == pa.timestamp("us")
    values = table.to_pylist()[0]
    assert values["s"] == {"a": 1, "b": ["x", "y"]}
    assert values["m"] == [("k", 5)]
    assert values["arr"] == [decimal.Decimal("1.50"), decimal.Decimal("-2.25")]
    assert values["v"] == '{"any":[1,2]}'
    assert values["ntz"] == datetime.datetime(2026, 1, 2, 3, 4, 5, 123000)
    assert values["dt"] == pa.MonthDayNano([0, 1, (2 * 3600 + 3 * 60 + 4) * 10**9 + 5 * 10**8])
    assert values["ym"] == pa.MonthDayNano([-14, 0, 0])
    assert values["d"] == decimal.Decimal("12.50") and values["b"] == b"\x00\x01\x02"
    assert set(table.to_pylist()[1].values()) == {None}


def test_oauth_m2m_token_is_fetched_and_refreshed(
    protocol_server: ProtocolServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SQLGATE_TEST_DBX_SECRET", CLIENT_SECRET)
    protocol_server.tokens.discard(TOKEN)
    protocol_server.token_ttl = 2  # expires almost at once: every use after ~1 s refreshes
    url = (
        protocol_server.url(token="").replace("token:@", "")
        + f"&credential=databricks-oauth:{CLIENT_ID}&credential_secret_env=SQLGATE_TEST_DBX_SECRET"
        + "&credential_refresh_margin=1"
    )
    with dbx.connect(url) as conn:
        assert conn.cursor().execute("SELECT 1").fetchall() == [(1,)]
        time.sleep(1.2)
        assert conn.cursor().execute("SELECT 1").fetchall() == [(1,)]
        assert CLIENT_SECRET not in repr(conn) and CLIENT_SECRET not in repr(conn.session.client)
    assert len(protocol_server.issued) >= 2  # fetched, then refreshed before expiry
    sent = {h.get("Authorization") for _, _, h, _ in protocol_server.seen("POST", "/api/2.0/")}
    assert {f"Bearer {t}" for t in protocol_server.issued[:2]} <= sent
    monkeypatch.setenv("SQLGATE_TEST_DBX_SECRET", "wrong-secret-456")
    with pytest.raises(errors.Error) as info:
        dbx.connect(url.replace("refresh_margin=1", "refresh_margin=2"))
    assert "wrong-secret-456" not in str(info.value) and "401" in str(info.value)


def test_sqlalchemy_as_of_compiles_to_delta_time_travel(protocol_server: ProtocolServer) -> None:
    import sqlalchemy as sa

    from sqlgate.dialects.timetravel import as_of

    sales = sa.Table("sales", sa.MetaData(), sa.Column("x", sa.Integer), schema="main.shop")
    engine = sa.create_engine(protocol_server.url())
    with engine.connect() as conn:
        conn.execute(sa.select(as_of(sales, version=3).c.x)).fetchall()
        old = as_of(sales, timestamp=datetime.datetime(2026, 1, 2, 3, 4, 5)).alias("old")
        conn.execute(sa.select(old.c.x).limit(10)).fetchall()
    engine.dispose()
    sent = [b["statement"] for b in protocol_server.posted_bodies()]
    assert "FROM main.shop.sales VERSION AS OF 3 AS sales" in sent[-2]
    assert "FROM main.shop.sales TIMESTAMP AS OF '2026-01-02 03:04:05' AS `old`" in sent[-1]
    assert (
        sent[-1].rstrip().endswith("LIMIT 10")
        and "parameters" not in protocol_server.posted_bodies()[-1]
    )


def test_time_travel_spelling_and_gate_before_the_wire(protocol_server: ProtocolServer) -> None:
    with dbx.connect(protocol_server.url()) as conn:
        cur = conn.cursor()
        cur.execute("SELECT * FROM main.sales.t FOR VERSION AS OF 3")
        cur.execute(
            "SELECT * FROM t FOR TIMESTAMP AS OF '2026-01-01' WHERE 'FOR VERSION AS OF' <> ''"
        )
        for write in ("DELETE FROM t", "OPTIMIZE t", "SELECT * FROM read_files('s3://b/x')"):
            with pytest.raises(errors.ReadOnlyError):
                cur.execute(write)
    sent = [b["statement"] for b in protocol_server.posted_bodies()]
    assert sent == [
        "SELECT * FROM main.sales.t VERSION AS OF 3",
        "SELECT * FROM t TIMESTAMP AS OF '2026-01-01' WHERE 'FOR VERSION AS OF' <> ''",
    ]
