"""The gateway's limits, on a second gateway (in-process) with tiny ones: max_connections,
statement_timeout, idle_timeout, max_queries_per_user."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from sqlgate.gateway.auth import Authenticator
from sqlgate.gateway.config import parse_config
from sqlgate.gateway.server import Gateway
from tests.integration.gateway.conftest import PASSWORD
from tests.servers.base import HOST, free_port


@pytest.fixture(scope="module")
def tight_gateway(gateway_lake: Path) -> Iterator[int]:
    """max_connections 2, statement_timeout 1 s, idle_timeout 2 s; yields the port."""
    config = parse_config(
        {
            "server": {
                "port": free_port(),
                "max_connections": 2,
                "statement_timeout": 1,
                "idle_timeout": 2,
                "max_queries_per_user": 1,
            },
            "databases": {"lake": {"url": f"file://{gateway_lake}"}},
            "users": {"alice": {"password": "env:GW_LIMITS_PW"}},
        }
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GW_LIMITS_PW", PASSWORD)
        gateway = Gateway(config, Authenticator.from_users(config.users))
    loop = asyncio.new_event_loop()
    ready = threading.Event()

    async def main() -> None:
        server = await gateway.start()
        ready.set()
        async with server:
            await server.serve_forever()

    task_holder: list[asyncio.Task[None]] = []

    def run() -> None:
        asyncio.set_event_loop(loop)
        task_holder.append(loop.create_task(main()))
        with contextlib.suppress(asyncio.CancelledError):
            loop.run_until_complete(task_holder[0])

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    assert ready.wait(20)
    try:
        yield gateway.port
    finally:
        loop.call_soon_threadsafe(task_holder[0].cancel)
        thread.join(20)
        loop.close()


def _dsn(port: int) -> str:
    return f"host={HOST} port={port} dbname=lake user=alice password={PASSWORD}"


def test_statement_timeout_cancels(tight_gateway: int) -> None:
    with psycopg.connect(_dsn(tight_gateway), autocommit=True) as conn:
        started = time.monotonic()
        with pytest.raises(psycopg.errors.QueryCanceled, match="statement timeout"):
            conn.execute("SELECT count(*) FROM big a, big b, big c")
        assert time.monotonic() - started < 15
        assert conn.execute("SELECT count(*) FROM items").fetchone() == (4,)


def test_max_queries_per_user(tight_gateway: int) -> None:
    """A second concurrent statement of the same user is refused (53400), not queued."""
    with (
        psycopg.connect(_dsn(tight_gateway), autocommit=True) as busy,
        psycopg.connect(_dsn(tight_gateway), autocommit=True) as other,
    ):
        outcome: list[BaseException] = []

        def run() -> None:
            try:
                busy.execute("SELECT count(*) FROM big a, big b, big c")
            except psycopg.Error as exc:
                outcome.append(exc)

        worker = threading.Thread(target=run)
        worker.start()
        try:
            time.sleep(0.5)
            with pytest.raises(psycopg.errors.ConfigurationLimitExceeded, match="already runs"):
                other.execute("SELECT count(*) FROM items")
        finally:
            worker.join(20)  # the statement timeout (1 s) ends it
        assert outcome and isinstance(outcome[0], psycopg.errors.QueryCanceled)
        assert other.execute("SELECT count(*) FROM items").fetchone() == (4,)


def test_max_connections(tight_gateway: int) -> None:
    first = psycopg.connect(_dsn(tight_gateway), autocommit=True)
    second = psycopg.connect(_dsn(tight_gateway), autocommit=True)
    try:
        with pytest.raises(psycopg.OperationalError, match="too many connections"):
            psycopg.connect(_dsn(tight_gateway))
    finally:
        first.close()
        second.close()
    time.sleep(0.2)  # the server notices the closed sockets
    with psycopg.connect(_dsn(tight_gateway), autocommit=True) as conn:
        assert conn.execute("SELECT 1 AS one").fetchone() == (1,)


def test_idle_timeout_closes_the_connection(tight_gateway: int) -> None:
    conn = psycopg.connect(_dsn(tight_gateway), autocommit=True)
    try:
        time.sleep(3)  # idle_timeout is 2 s
        with pytest.raises(psycopg.OperationalError) as raised:
            conn.execute("SELECT 1 AS one")
        assert "idle timeout" in str(raised.value) or conn.closed
    finally:
        conn.close()
