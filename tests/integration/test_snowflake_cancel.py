"""Stopping a Snowflake statement: ``Cursor.cancel()`` and Superset's Stop button.

Superset's SnowflakeEngineSpec reads ``CURRENT_SESSION()`` on the running connection and stops
it with ``SELECT SYSTEM$CANCEL_ALL_QUERIES(<session id>)`` from another one; the gate refuses
SYSTEM$ functions, so sqlgate recognises exactly that statement (and ``SYSTEM$CANCEL_QUERY``)
when it names a live sqlgate session with the same endpoint and login, and cancels that
session the way the connector's own timeout does (``/queries/v1/abort-request`` with the
statement's request id).

What fakesnow cannot show: it sends no session id at login (a relay adds one, as Snowflake's
answer carries it - see ``recording_proxy``), has no ``CURRENT_SESSION()``, and its abort
endpoint is a no-op, so the statement still runs to its end. The tests therefore check what
reaches the server: the abort request naming the running statement's request id.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from sqlgate.core import errors
from tests.servers.snowflake import ACCOUNT, DATABASE, SCHEMA, SnowflakeServerInfo, recording_proxy

pytest.importorskip("snowflake.connector")

#: a statement fakesnow (DuckDB) needs a few seconds for
SLOW = (
    "SELECT SUM(a.x * b.x) FROM (SELECT SEQ4() x FROM TABLE(GENERATOR(ROWCOUNT => 20000))) a, "
    "(SELECT SEQ4() x FROM TABLE(GENERATOR(ROWCOUNT => 20000))) b"
)
FIRST_SESSION = 7_000_000_001


@pytest.fixture
def relay(
    fakesnow_server: SnowflakeServerInfo,
) -> Iterator[tuple[int, list[tuple[str, bytes]]]]:
    requests: list[tuple[str, bytes]] = []
    ids = itertools.count(FIRST_SESSION)
    with recording_proxy(fakesnow_server, requests, ids) as (port, _):
        yield port, requests


def _connect(port: int) -> Any:
    from sqlgate.dbapi import snowflake

    return snowflake.connect(
        f"snowflake+sqlgate://analyst:pw@127.0.0.1:{port}/{DATABASE}/{SCHEMA}"
        f"?account={ACCOUNT}&protocol=http"
    )


def _request_ids(requests: list[tuple[str, bytes]], path: str) -> list[str]:
    """requestId of every query request whose body ran ``SLOW``."""
    out = []
    for url, body in requests:
        if url.startswith(path) and b"GENERATOR" in body:
            out.extend(parse_qs(urlsplit(url).query).get("requestId", []))
    return out


def _aborted(requests: list[tuple[str, bytes]]) -> list[str]:
    return [
        json.loads(body)["requestId"]
        for url, body in requests
        if url.startswith("/queries/v1/abort-request")
    ]


def _run_slow(conn: Any) -> tuple[threading.Thread, list[BaseException]]:
    failures: list[BaseException] = []

    def run() -> None:
        try:
            conn.cursor().execute(SLOW).fetchall()
        except BaseException as exc:  # kept for the assertion, whatever it is
            failures.append(exc)
        conn.ended = time.monotonic()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, failures


def _wait_until_sent(requests: list[tuple[str, bytes]], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not _request_ids(requests, "/queries/v1/query-request"):
        assert time.monotonic() < deadline, "the slow statement never reached the server"
        time.sleep(0.02)


def _once_free(conn: Any, statement: str, limit: float = 90) -> list[Any]:
    """The statement's rows once fakesnow has finished the abandoned one: it refuses a call on
    a busy DuckDB connection ("Resource In Use") instead of waiting (bounded)."""
    deadline = time.monotonic() + limit
    while True:
        try:
            return list(conn.cursor().execute(statement).fetchall())
        except errors.ProgrammingError as exc:
            assert "Resource In Use" in str(exc) and time.monotonic() < deadline, exc
            time.sleep(0.2)


def test_cursor_cancel_sends_the_abort_for_the_running_statement(
    relay: tuple[int, list[tuple[str, bytes]]],
) -> None:
    """fakesnow's abort does nothing (the statement runs on there); sqlgate's wait ends at the
    cancel all the same, with an error saying so, and the connection goes on once fakesnow is
    done with the statement."""
    port, requests = relay
    with _connect(port) as conn:
        thread, failures = _run_slow(conn)
        _wait_until_sent(requests)
        cancelled = time.monotonic()
        conn.cursor().cancel()
        thread.join(timeout=60)
        assert not thread.is_alive()
        assert conn.ended - cancelled < 5  # not the statement's own time
        assert isinstance(failures[0], errors.OperationalError), failures
        assert "Snowflake statement was cancelled" in str(failures[0])
        assert _once_free(conn, "SELECT 3") == [(3,)]
    running = _request_ids(requests, "/queries/v1/query-request")
    assert len(running) == 1 and _aborted(requests) == running


def test_supersets_cancel_all_queries_stops_the_sibling_session(
    relay: tuple[int, list[tuple[str, bytes]]],
) -> None:
    """The exact statement Superset's Stop button sends, from a second connection."""
    port, requests = relay
    with _connect(port) as running, _connect(port) as stopper:
        assert running.session.link_id() == FIRST_SESSION  # what CURRENT_SESSION() says
        thread, failures = _run_slow(running)
        _wait_until_sent(requests)
        cur = stopper.cursor()
        cancelled = time.monotonic()
        cur.execute(f"SELECT SYSTEM$CANCEL_ALL_QUERIES({FIRST_SESSION})")
        assert cur.fetchall() == [("1 queries terminated.",)]
        thread.join(timeout=60)
        assert not thread.is_alive() and running.ended - cancelled < 5
        assert "Snowflake statement was cancelled" in str(failures[0])
        assert _once_free(running, "SELECT 4") == [(4,)]
    assert _aborted(requests) == _request_ids(requests, "/queries/v1/query-request")


def test_cancel_statements_for_other_sessions_stay_refused(
    relay: tuple[int, list[tuple[str, bytes]]],
) -> None:
    """An id that is no live sqlgate session of this login, a session's own id, or any other
    spelling: the gate refuses them as every SYSTEM$ function, and nothing is aborted."""
    port, requests = relay
    with _connect(port) as conn:
        own = conn.session.link_id()
        for statement in (
            f"SELECT SYSTEM$CANCEL_ALL_QUERIES({own + 1000})",
            f"SELECT SYSTEM$CANCEL_ALL_QUERIES({own})",
            f"SELECT SYSTEM$CANCEL_ALL_QUERIES({own}) AS x",
            "SELECT SYSTEM$CANCEL_QUERY('01b2c3d4-0000-1111-2222-333344445555')",
            f"SELECT SYSTEM$ABORT_SESSION({own})",
        ):
            with pytest.raises(errors.ReadOnlyError):
                conn.cursor().execute(statement)
    assert _aborted(requests) == []
    assert not any(b"SYSTEM$" in body for _, body in requests)  # none reached the server
