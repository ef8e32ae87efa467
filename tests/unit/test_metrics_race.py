"""Metrics registration survives many threads running their first statement at once.

A multi-threaded Superset worker starts with every thread running its first query at the
same moment; each of them reaches the audit code that registers the Prometheus collectors.
Registration must happen once: a second ``Counter(...)`` on the same registry raises
``ValueError: Duplicated timeseries`` and would fail the statement. The race only shows in a
fresh process (the collectors are created on first use), so each round is a new interpreter.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

pytest.importorskip("prometheus_client")

THREADS = 8
ROUNDS = 4  # each round is a fresh interpreter; bounded by the per-round timeout below
ROUND_TIMEOUT_S = 120

CHILD = textwrap.dedent(
    """
    import json, sys, threading

    import sqlgate  # prometheus_client is imported by sqlgate's first statement, as in a worker

    url, threads = sys.argv[1], int(sys.argv[2])
    barrier = threading.Barrier(threads)
    outcomes = [None] * threads

    def run(i):
        try:
            conn = sqlgate.connect(url)  # connect first: the race is in the first statement
            barrier.wait(timeout=60)
            cur = conn.cursor()
            cur.execute("SELECT count(*) FROM t")
            outcomes[i] = ["ok", cur.fetchone()[0]]
            conn.close()
        except BaseException as exc:
            outcomes[i] = ["error", f"{type(exc).__name__}: {exc}"]

    workers = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=90)
    import prometheus_client

    counted = prometheus_client.REGISTRY.get_sample_value(
        "sqlgate_statements_total", {"source": "file", "kind": "SELECT", "outcome": "ok"})
    print(json.dumps({"outcomes": outcomes, "counted": counted}))
    """
)


@pytest.fixture
def url(tmp_path: Path) -> str:
    (tmp_path / "t").mkdir()
    pq.write_table(pa.table({"id": [1, 2, 3]}), tmp_path / "t" / "p.parquet")
    return f"file://{tmp_path}"


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_first_statements_in_parallel_all_succeed_and_are_counted(url: str, round_: int) -> None:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, url, str(THREADS)],
        capture_output=True,
        text=True,
        timeout=ROUND_TIMEOUT_S,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["outcomes"] == [["ok", 3]] * THREADS, report["outcomes"]
    # every statement was counted once, on one set of collectors
    assert report["counted"] == THREADS
