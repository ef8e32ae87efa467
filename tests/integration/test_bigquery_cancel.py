"""``Cursor.cancel()`` on bqemulator: what it shows, from the emulator's own request log.

bqemulator runs a query job synchronously inside ``jobs.insert`` and serves one request at a
time; its ``jobs.cancel`` only returns the job's state (``api/routes/jobs.py``: "jobs execute
synchronously - they are always DONE by the time the client can call cancel"). So the job is
never stopped there. What sqlgate can show: the caller's wait ends at once with an error naming
the job, the ``jobs.cancel`` request naming that job reaches the emulator (its access log,
``--log-level info``), and the connection serves the next statement once the emulator is free.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import sqlgate
from sqlgate.core import errors
from tests.servers.bigquery import BigQueryInfo, running_emulator

SCHEME = "bigquery+sqlgate"
#: a few seconds of DuckDB work in the emulator
SLOW = (
    "SELECT SUM(MOD(a * b + c, 7)) AS n FROM UNNEST(GENERATE_ARRAY(1, 3000)) a, "
    "UNNEST(GENERATE_ARRAY(1, 3000)) b, UNNEST(GENERATE_ARRAY(1, 30)) c"
)


@pytest.fixture(scope="module")
def logged_emulator() -> Iterator[BigQueryInfo]:
    """An emulator of its own that logs every request it serves."""
    with running_emulator(log_level="info") as info:
        if "log" not in info.extra:
            pytest.skip("an emulator from SQLGATE_TEST_BIGQUERY_URL has no log to read here")
        info.client().create_dataset(info.database, exists_ok=True)
        yield info


def _requests(info: BigQueryInfo) -> list[dict[str, object]]:
    """The emulator's access-log entries (method, path, status, elapsed_ms)."""
    entries = []
    for line in Path(str(info.extra["log"])).read_text(errors="replace").splitlines():
        if '"http.request"' in line:
            try:
                entries.append(json.loads(line))
            except ValueError:
                continue
    return entries


def _served(info: BigQueryInfo, path: str, limit: float = 120) -> dict[str, object]:
    """The log entry of ``POST path`` once the emulator has served it (bounded)."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        for entry in _requests(info):
            if entry.get("method") == "POST" and entry.get("path") == path:
                return entry
        time.sleep(0.2)
    raise AssertionError(f"the emulator never logged POST {path}")


def _slow_in_background(
    cur: Any,
) -> tuple[threading.Thread, list[BaseException | None], list[float]]:
    """Run ``SLOW`` on ``cur`` in a started thread; its outcome (None or the exception) and
    the time it ended are appended to the two lists returned."""
    outcome: list[BaseException | None] = []
    ended: list[float] = []

    def run() -> None:
        try:
            cur.execute(SLOW)
            outcome.append(None)
        except BaseException as exc:  # kept for the assertions
            outcome.append(exc)
        ended.append(time.monotonic())

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, outcome, ended


@pytest.mark.timeout(300)
def test_cancel_ends_the_wait_and_reaches_the_emulator(logged_emulator: BigQueryInfo) -> None:
    info = logged_emulator
    # read_only=false: no dry run first (bqemulator's dry run runs the query too)
    with sqlgate.connect(info.url(SCHEME), read_only="false") as conn:
        cur = conn.cursor()
        thread, outcome, ended = _slow_in_background(cur)
        deadline = time.monotonic() + 30
        while conn.session._running is None and thread.is_alive():
            assert time.monotonic() < deadline, "the job never started"
            time.sleep(0.01)
        job = conn.session._running
        time.sleep(0.3)  # the job is running inside jobs.insert now
        cancelled = time.monotonic()
        conn.cursor().cancel()
        thread.join(timeout=30)
        assert not thread.is_alive()
        assert isinstance(outcome[0], errors.OperationalError), outcome
        assert f"BigQuery job {job} was cancelled" in str(outcome[0])
        assert ended[0] - cancelled < 5  # the wait ended at the cancel, not with the job
        base = f"/bigquery/v2/projects/{conn.session.project}/jobs"
        insert = _served(info, base)  # the job ran to its end all the same (the gap)
        cancel = _served(info, f"{base}/{job}/cancel")
        assert cancel["status"] == 200
        assert float(str(insert["elapsed_ms"])) / 1000 > ended[0] - cancelled
        cur.execute("SELECT 1")  # the connection goes on (once the emulator is free)
        assert cur.fetchall() == [(1,)]


@pytest.mark.timeout(300)
def test_cancel_during_the_dry_run_ends_the_wait(logged_emulator: BigQueryInfo) -> None:
    """A read-only statement waits on its dry run first; a dry run is no job, so only the
    wait can end (bqemulator goes on planning - and running - the statement)."""
    with sqlgate.connect(logged_emulator.url(SCHEME)) as conn:
        cur = conn.cursor()
        thread, outcome, _ended = _slow_in_background(cur)
        deadline = time.monotonic() + 30
        while not conn.session._calls.waiting and thread.is_alive():
            assert time.monotonic() < deadline, "the dry run never started"
            time.sleep(0.01)
        time.sleep(0.3)
        cancelled = time.monotonic()
        conn.cursor().cancel()
        thread.join(timeout=30)
        assert not thread.is_alive() and time.monotonic() - cancelled < 5
        assert isinstance(outcome[0], errors.OperationalError), outcome
        assert "dry run of the statement was cancelled" in str(outcome[0])
        assert conn.session._running is None  # no job was ever inserted
        cur.execute("SELECT 2")
        assert cur.fetchall() == [(2,)]
