"""What a Prometheus scrape of sqlgate's metrics shows (docs/logging.md): no ``_created``
samples from the per-connection tallies, and under multiprocess mode every process's counts
summed by prometheus_client's MultiProcessCollector."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import sqlgate

prometheus_client = pytest.importorskip("prometheus_client")

#: a fresh interpreter in multiprocess mode: runs argv[2] statements, then reports what its own
#: default registry exposes
CHILD = """
import json, sys
import prometheus_client, sqlgate
with sqlgate.connect(sys.argv[1]) as conn:
    for _ in range(int(sys.argv[2])):
        conn.cursor().execute("SELECT id FROM t")
text = prometheus_client.generate_latest().decode()
print(json.dumps({"created": "sqlgate_statements_created" in text}))
"""


@pytest.fixture
def url(tmp_path: Path) -> str:
    (tmp_path / "t").mkdir()
    pq.write_table(pa.table({"id": [1, 2, 3]}), tmp_path / "t" / "p.parquet")
    return f"file://{tmp_path}"


def _sqlgate_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("sqlgate_")]


def test_per_connection_tallies_export_no_created_samples(url: str) -> None:
    with sqlgate.connect(url) as conn:
        conn.cursor().execute("SELECT id FROM t")
        lines = _sqlgate_lines(prometheus_client.generate_latest().decode())
    assert any(line.startswith("sqlgate_statements_total{") for line in lines), lines
    assert any(line.startswith("sqlgate_statement_seconds_sum{") for line in lines), lines
    assert [line for line in lines if "_created" in line] == []


def test_multiprocess_mode_sums_every_process(url: str, tmp_path: Path) -> None:
    shared = tmp_path / "prometheus"
    shared.mkdir()
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(shared)}
    env.pop("PROMETHEUS_DISABLE_CREATED_SERIES", None)
    for statements in (2, 3):
        done = subprocess.run(
            [sys.executable, "-c", CHILD, url, str(statements)],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr[-2000:]
        # the library's own metrics, not the tallies: they carry _created in their process
        assert json.loads(done.stdout.strip().splitlines()[-1]) == {"created": True}
    assert (
        sorted(p.name.split("_")[0] for p in shared.iterdir())
        == ["counter"] * 2 + ["histogram"] * 2
    )
    from prometheus_client import CollectorRegistry
    from prometheus_client.multiprocess import MultiProcessCollector

    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=str(shared))
    ok = {"source": "file", "kind": "SELECT", "outcome": "ok"}
    assert registry.get_sample_value("sqlgate_statements_total", ok) == 5
    seconds = {"source": "file", "kind": "SELECT"}
    assert registry.get_sample_value("sqlgate_statement_seconds_count", seconds) == 5
    text = prometheus_client.generate_latest(registry).decode()
    assert [line for line in _sqlgate_lines(text) if "_created" in line] == []


#: parent counts 2, forks; the child counts 1 more and reports what its registry shows
FORKED = """
import json, os, sys
import prometheus_client, sqlgate
OK = {"source": "file", "kind": "SELECT", "outcome": "ok"}
def run(n):
    with sqlgate.connect(sys.argv[1]) as conn:
        for _ in range(n):
            conn.cursor().execute("SELECT id FROM t")
def count():
    return prometheus_client.REGISTRY.get_sample_value("sqlgate_statements_total", OK)
run(2)
read, write = os.pipe()
pid = os.fork()
if pid == 0:
    run(1)
    os.write(write, json.dumps(count()).encode())
    os._exit(0)
os.waitpid(pid, 0)
print(json.dumps({"parent": count(), "child": json.loads(os.read(read, 100))}))
"""


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")
def test_a_forked_child_starts_from_its_parents_counts(url: str) -> None:
    env = {k: v for k, v in os.environ.items() if k != "PROMETHEUS_MULTIPROC_DIR"}
    done = subprocess.run(
        [sys.executable, "-c", FORKED, url],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout.strip().splitlines()[-1]) == {"parent": 2.0, "child": 3.0}
