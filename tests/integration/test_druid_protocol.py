"""sqlgate's Druid client against the Druid SQL API test server (tests/servers/druid.py).

Each test checks what the server observed (the request body, the cancelled query ids, that
nothing was sent) besides what the client returned.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import pyarrow as pa
import pytest

import sqlgate.dbapi.druid as druid_dbapi
from sqlgate.core import errors
from sqlgate.dbapi import druid_session
from sqlgate.dbapi.druid_client import QueryCancelled, QueryTimeout
from tests.servers.base import ServerInfo, free_port
from tests.servers.druid import TOKEN


def _url(info: ServerInfo, **options: str) -> str:
    query = "&".join(f"{k}={v}" for k, v in options.items())
    return info.url("druid+sqlgate") + (f"?{query}" if query else "")


def _server(info: ServerInfo) -> Any:
    return info.extra["server"]


def test_parameters_are_typed_and_context_is_sent(druid: ServerInfo) -> None:
    import datetime

    with druid_dbapi.connect(_url(druid, time_zone="UTC")) as conn:
        cur = conn.cursor()
        when = datetime.datetime(2026, 1, 15, tzinfo=datetime.timezone.utc)
        cur.execute(
            "SELECT id FROM items WHERE id > ? AND name <> ? AND created > ? ORDER BY id",
            (1, "beta", when),
        )
        assert cur.fetchall() == [(3,)]
        sent = _server(druid).requests[-1]
        assert sent["parameters"] == [
            {"type": "BIGINT", "value": 1},
            {"type": "VARCHAR", "value": "beta"},
            {"type": "TIMESTAMP", "value": 1768435200000},  # epoch ms, as Druid binds it
        ]
        assert "?" in sent["query"] and "beta" not in sent["query"]  # never spliced
        assert sent["resultFormat"] == "arrayLines"
        assert sent["header"] and sent["typesHeader"] and sent["sqlTypesHeader"]
        assert sent["context"]["sqlQueryId"] == conn.session.query_id == cur.query_id
        assert sent["context"]["sqlTimeZone"] == "UTC"
        assert sent["context"]["sqlStringifyArrays"] is False  # ARRAYs as JSON arrays


def test_empty_result_is_typed_from_the_headers(druid: ServerInfo) -> None:
    with druid_dbapi.connect(_url(druid)) as conn:
        cur = conn.cursor()
        cur.execute("SELECT __time, id, amount, name FROM items WHERE id < 0")
        assert [d[1] for d in cur.description] == ["TIMESTAMP", "BIGINT", "DOUBLE", "VARCHAR"]
        assert cur.rowcount == 0
        table = cur.fetch_arrow_table()
        assert table.num_rows == 0
        assert table.schema.types == [
            pa.timestamp("ms", tz="UTC"),
            pa.int64(),
            pa.float64(),
            pa.string(),
        ]


def test_time_zone_labels_the_same_instants(druid: ServerInfo) -> None:
    sql = "SELECT __time FROM events ORDER BY __time"
    with druid_dbapi.connect(_url(druid)) as conn:
        utc = conn.cursor().execute(sql).fetch_arrow_table()
    with druid_dbapi.connect(_url(druid, time_zone="America/Los_Angeles")) as conn:
        local = conn.cursor().execute(sql).fetch_arrow_table()
    assert _server(druid).requests[-1]["context"]["sqlTimeZone"] == "America/Los_Angeles"
    assert local.schema.field("__time").type == pa.timestamp("ms", tz="America/Los_Angeles")
    assert local.column(0).cast(pa.int64()).equals(utc.column(0).cast(pa.int64()))


def test_time_floor_and_time_shift(druid: ServerInfo) -> None:
    with druid_dbapi.connect(_url(druid)) as conn:
        cur = conn.cursor()
        cur.execute(
            "SELECT TIME_FLOOR(__time, 'PT1H') AS h, SUM(added) AS s FROM events "
            "GROUP BY 1 ORDER BY 1"
        )
        hours = [(row[0].isoformat(), row[1]) for row in cur.fetchall()]
        assert hours == [
            ("2026-01-05T10:00:00+00:00", 15),
            ("2026-01-05T11:00:00+00:00", 7),
            ("2026-01-06T09:00:00+00:00", 1),
        ]
        cur.execute("SELECT TIME_SHIFT(MIN(__time), 'P1D', -1) FROM events")
        assert cur.fetchone()[0].isoformat() == "2026-01-04T10:15:00+00:00"
        assert cur.description[0][0] == "EXPR$0"


def test_multi_value_and_complex_columns(druid: ServerInfo) -> None:
    with druid_dbapi.connect(_url(druid)) as conn:
        cur = conn.cursor()
        cur.execute("SELECT channel, tags, uniq_users FROM events ORDER BY __time")
        assert [d[1] for d in cur.description] == [
            "VARCHAR",
            "VARCHAR ARRAY",
            "COMPLEX<hyperUnique>",
        ]
        table = cur.fetch_arrow_table()
        assert table.schema.field("tags").type == pa.list_(pa.string())
        assert table.column("tags").to_pylist() == [["a", "b"], ["a"], None, ["c", "a", "b"]]
        assert table.column("uniq_users").to_pylist()[0] == "AQAAAQAAAAFz"
    with druid_dbapi.connect(_url(druid, multi_value="channel")) as conn:
        table = conn.cursor().execute("SELECT channel FROM events").fetch_arrow_table()
        assert table.schema.field("channel").type == pa.list_(pa.string())
        assert table.column(0).to_pylist()[0] == ["#en"]


@pytest.mark.parametrize("shape", ["new", "legacy"])
def test_error_shapes_map_to_pep249(druid: ServerInfo, shape: str) -> None:
    _server(druid).error_shape = shape
    with druid_dbapi.connect(_url(druid)) as conn:
        cur = conn.cursor()
        with pytest.raises(errors.ProgrammingError) as info:
            cur.execute("SELECT * FROM no_such_datasource")
        assert "INFORMATION_SCHEMA.TABLES" in str(info.value)
        assert "no_such_datasource" in str(info.value.__cause__)
        with pytest.raises(errors.ProgrammingError):
            cur.execute("SELECT id FROM items WHERE id = ? AND id = ?", (1,))
        # the test server answers DuckDB's conversion failure as Druid's NumberFormatException
        with pytest.raises(errors.DataError):
            cur.execute("SELECT CAST(name AS BIGINT) FROM items")
        cur.execute("SELECT COUNT(*) FROM items")  # the connection stays usable
        assert cur.fetchone()[0] == 4


def test_truncated_response_is_an_error(druid: ServerInfo, monkeypatch: Any) -> None:
    _server(druid).truncate = True
    with druid_dbapi.connect(_url(druid)) as conn:
        cur = conn.cursor()
        with pytest.raises(errors.OperationalError, match="cut short"):
            cur.execute("SELECT id FROM items")
        monkeypatch.setattr(druid_session, "BATCH_ROWS", 2)  # the cut shows up mid-stream
        cur.execute("SELECT id FROM items ORDER BY id")
        assert cur.rowcount == -1
        assert cur.fetchmany(2) == [(1,), (2,)]
        with pytest.raises(errors.OperationalError, match="cut short"):
            cur.fetchall()
    _server(druid).truncate = False
    with druid_dbapi.connect(_url(druid)) as conn:
        assert conn.cursor().execute("SELECT COUNT(*) FROM items").fetchone()[0] == 4


def test_rows_stream_in_batches(druid: ServerInfo, monkeypatch: Any) -> None:
    monkeypatch.setattr(druid_session, "BATCH_ROWS", 3)
    with druid_dbapi.connect(_url(druid)) as conn:
        cur = conn.cursor()
        cur.execute("SELECT a.id, b.id FROM items a CROSS JOIN items b ORDER BY 1, 2")
        assert cur.rowcount == -1  # more than the first batch: not known yet
        sizes = [batch.num_rows for batch in cur.fetch_record_batch(rows_per_batch=100)]
        assert sizes == [3, 3, 3, 3, 3, 1]


def _run_in_thread(cur: Any, sql: str) -> tuple[threading.Thread, list[BaseException]]:
    failures: list[BaseException] = []

    def run() -> None:
        try:
            cur.execute(sql)
            cur.fetchall()
        except BaseException as exc:
            failures.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    return thread, failures


def _wait_running(server: Any, timeout: float = 10.0) -> list[str]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with server.lock:
            running = list(server.running)
        if running:
            return running
        time.sleep(0.02)
    raise AssertionError("the query never reached the server")


def test_cancel_before_the_answer(druid: ServerInfo) -> None:
    server = _server(druid)
    server.delay = 30.0
    with druid_dbapi.connect(_url(druid)) as conn:
        cur = conn.cursor()
        started = time.monotonic()
        thread, failures = _run_in_thread(cur, "SELECT id FROM items")
        running = _wait_running(server)
        cur.cancel()
        thread.join(timeout=10)
        assert not thread.is_alive()
        assert time.monotonic() - started < 10
        assert failures and isinstance(failures[0], QueryCancelled)
        assert server.cancelled == running == [conn.session.query_id]
        server.delay = 0.0
        assert cur.execute("SELECT COUNT(*) FROM items").fetchone()[0] == 4


def test_cancel_while_rows_stream(druid: ServerInfo, monkeypatch: Any) -> None:
    server = _server(druid)
    server.row_delay = 0.5
    monkeypatch.setattr(druid_session, "BATCH_ROWS", 1)
    with druid_dbapi.connect(_url(druid)) as conn:
        cur = conn.cursor()
        thread, failures = _run_in_thread(cur, "SELECT a.id FROM items a CROSS JOIN items b")
        running = _wait_running(server)
        time.sleep(0.7)  # the first row has arrived
        cur.cancel()
        thread.join(timeout=10)
        assert not thread.is_alive()
        assert failures and isinstance(failures[0], QueryCancelled)
        assert server.cancelled == running


def test_statement_timeout_is_druids_timeout(druid: ServerInfo) -> None:
    server = _server(druid)
    server.delay = 5.0
    with druid_dbapi.connect(_url(druid, statement_timeout="1")) as conn:
        started = time.monotonic()
        with pytest.raises(QueryTimeout, match="statement_timeout"):
            conn.cursor().execute("SELECT id FROM items")
        assert time.monotonic() - started < 4  # Druid's 504 is an answer: never resent
    assert len(server.requests) == 1
    assert server.requests[-1]["context"]["timeout"] == 1000


def test_bad_credentials_are_clear_and_secret_free(
    druid: ServerInfo, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG), pytest.raises(errors.OperationalError) as info:
        druid_dbapi.connect(druid.url("druid+sqlgate", password="not-the-pw-42"))
    assert "401" in str(info.value) and "credential" in str(info.value)
    assert "not-the-pw-42" not in str(info.value) and "not-the-pw-42" not in caplog.text
    with pytest.raises(errors.OperationalError):
        druid_dbapi.connect(druid.url("druid+sqlgate", user="", password=""))


def test_bearer_token_and_credential_provider(
    druid: ServerInfo, monkeypatch: Any, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("SQLGATE_TEST_DRUID_TOKEN", TOKEN)
    base = f"druid+sqlgate://{druid.host}:{druid.port}/druid/v2/sql"
    url = f"{base}?auth=bearer&credential=env:SQLGATE_TEST_DRUID_TOKEN"
    with caplog.at_level(logging.DEBUG), druid_dbapi.connect(url) as conn:
        assert conn.cursor().execute("SELECT COUNT(*) FROM items").fetchone()[0] == 4
        assert TOKEN not in repr(conn)
    assert "audit source=druid" in caplog.text and TOKEN not in caplog.text
    monkeypatch.setenv("SQLGATE_TEST_DRUID_OLD_TOKEN", "a-revoked-token")
    with pytest.raises(errors.OperationalError) as info:
        druid_dbapi.connect(f"{base}?auth=bearer&credential=env:SQLGATE_TEST_DRUID_OLD_TOKEN")
    assert "a-revoked-token" not in str(info.value)


def test_unreachable_endpoint_fails_in_bounded_time() -> None:
    url = f"druid+sqlgate://127.0.0.1:{free_port()}/druid/v2/sql?connect_timeout=1&retries=1"
    started = time.monotonic()
    with pytest.raises(errors.OperationalError, match="cannot reach"):
        druid_dbapi.connect(url)
    assert time.monotonic() - started < 10


def test_gate_refuses_ingestion_before_sending(druid: ServerInfo) -> None:
    server = _server(druid)
    with druid_dbapi.connect(_url(druid)) as conn:
        cur = conn.cursor()
        for sql in (
            "INSERT INTO items SELECT * FROM items PARTITIONED BY DAY",
            "REPLACE INTO items OVERWRITE ALL SELECT * FROM items PARTITIONED BY ALL",
            "SELECT * FROM TABLE(EXTERN('{}', '{}', '[]'))",
        ):
            with pytest.raises(errors.ReadOnlyError):
                cur.execute(sql)
    assert server.requests == []  # nothing reached Druid
    assert conn.session.server_guard_active() is None


def test_wrong_path_and_unknown_option_are_refused(druid: ServerInfo) -> None:
    with pytest.raises(errors.InterfaceError, match="/druid/v2/sql"):
        druid_dbapi.connect(druid.url("druid+sqlgate").replace("/druid/v2/sql", "/druid/v2"))
    with pytest.raises(errors.InterfaceError, match="unknown Druid option"):
        druid_dbapi.connect(_url(druid, useCache="false"))
    with pytest.raises(errors.InterfaceError, match="IANA"):
        druid_dbapi.connect(_url(druid, time_zone="Mars/Olympus"))
    assert _server(druid).requests == []  # refused before anything was sent


def test_https_with_a_custom_ca(tmp_path: Any) -> None:
    """``ssl_verify_cert=<CA file>`` (what Superset's Druid spec sets for a custom certificate)."""
    import shutil
    import subprocess

    from tests.conftest import SEED_ROWS
    from tests.servers.druid import DruidTestServer, seed, server_info

    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a throwaway certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    server = DruidTestServer(tls=(str(cert), str(key))).start()
    try:
        seed(server, SEED_ROWS)
        url = server_info(server).url("druid+sqlgate") + "?protocol=https&retries=0"
        with druid_dbapi.connect(url + f"&ssl_verify_cert={cert}") as conn:
            assert conn.cursor().execute("SELECT COUNT(*) FROM items").fetchone()[0] == 4
        with pytest.raises(errors.OperationalError, match="cannot reach"):
            druid_dbapi.connect(url)  # an unknown CA is refused
        assert len(server.requests) == 1
    finally:
        server.stop()
