"""CSV, JSON and ORC on the Kerberized HDFS: the same rows as the same bytes on local disk.

The files are written once as bytes, then put both on HDFS (through WebHDFS with the reader's
ticket) and in a local directory; every expected answer is sqlgate's own over the local copy
(DuckDB's native CSV/JSON readers, pyarrow's ORC). These scans used to deadlock (pyarrow's
``Scanner.to_reader`` waiting with the GIL held for a read on the Python filesystem), so each
query runs several times in a child process with a timeout: a hang fails the test, it does not
stall CI.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pcsv
import pyarrow.orc as porc
import pytest

import sqlgate
from sqlgate.lakehouse.hdfs import read_stats
from tests.servers.base import ServerInfo
from tests.servers.hdfs import client_env, client_url, writer

FORMATS = ("csv", "json", "orc")
DAYS = ("2024-01-01", "2024-01-02", "2024-01-03")
#: each query is repeated: the old deadlock struck on the first scan in 2 of 2 JSON runs
REPEATS = 4
#: seconds for one format's 20 scans in the child (about 10 s on 2 cores at load 20)
CHILD_TIMEOUT = 120
REPO = Path(__file__).resolve().parents[3]
QUERIES = (
    "SELECT id, v, name, day, region FROM events ORDER BY id",
    "SELECT id, name FROM events WHERE region = 'us' AND day = DATE '2024-01-02' ORDER BY id",
    "SELECT region, count(*), sum(v), min(name), max(id) FROM events GROUP BY region ORDER BY 1",
    "SELECT count(*) FROM events WHERE v IS NULL",
)


def _part(day: str, region: str, start: int, n: int = 50) -> pa.Table:
    ids = range(start, start + n)
    return pa.table(
        {
            "id": pa.array(ids, pa.int64()),
            "v": pa.array([None if i % 7 == 0 else i * 0.25 for i in ids], pa.float64()),
            "name": pa.array([f"n{i:04d}" for i in ids]),
        }
    )


def _encode(table: pa.Table, fmt: str) -> bytes:
    if fmt == "csv":
        sink = io.BytesIO()
        pcsv.write_csv(table, sink)
        return sink.getvalue()
    if fmt == "json":
        return "".join(json.dumps(row) + "\n" for row in table.to_pylist()).encode()
    out = pa.BufferOutputStream()
    porc.write_table(table, out)
    return out.getvalue().to_pybytes()


def _files() -> dict[str, bytes]:
    """``<fmt>/events/day=…/region=…/part.<fmt>`` -> its bytes, for every format."""
    files: dict[str, bytes] = {}
    start = 0
    for day in DAYS:
        for region in ("eu", "us"):
            part = _part(day, region, start)
            start += 50
            for fmt in FORMATS:
                files[f"{fmt}/events/day={day}/region={region}/part.{fmt}"] = _encode(part, fmt)
    return files


@pytest.fixture(scope="module")
def twins(hdfs_server: ServerInfo, tmp_path_factory) -> Iterator[tuple[ServerInfo, Path]]:
    """The same files on HDFS (/lake/<fmt>/...) and under a local directory."""
    local = tmp_path_factory.mktemp("hdfs-formats")
    with client_env(hdfs_server), writer(hdfs_server) as fs:
        for rel, data in _files().items():
            (local / rel).parent.mkdir(parents=True, exist_ok=True)
            (local / rel).write_bytes(data)
            with fs.open_output_stream(f"/lake/fmt/{rel}") as out:
                out.write(data)
        yield hdfs_server, local


def _rows(conn, sql: str) -> tuple[list[tuple], list[str], dict]:
    cur = conn.cursor()
    cur.execute(sql)
    rows = [tuple(r) for r in cur.fetchall()]
    return rows, [str(d[1]) for d in cur.description], dict(conn.session.engine.plan_info[0])


def _scan_all(local_url: str, remote_url: str) -> dict[str, Any]:
    """Run in a child process: each query on the local copy, then REPEATS times on HDFS; and
    the partition-filtered query once more on a fresh connection, with the files it read."""
    out: dict[str, Any] = {"want": [], "got": []}
    with sqlgate.connect(local_url) as here, sqlgate.connect(remote_url) as there:
        for sql in QUERIES:
            out["want"].append(_rows(here, sql)[:2])
            out["got"].append([_rows(there, sql)[:2] for _ in range(REPEATS)])
    with sqlgate.connect(remote_url) as conn:
        rows, _, plan = _rows(conn, QUERIES[1])
        stats = read_stats(conn.session.engine.source.root.filesystem)
        read = sorted(stats.files) if stats is not None else None
    out["pruned"] = {"ids": [r[0] for r in rows], "plan": plan, "read": read}
    return out


@pytest.fixture(scope="module", params=FORMATS)
def scanned(twins, request) -> tuple[str, dict[str, Any]]:
    """One format's scans, run in a child process killed after CHILD_TIMEOUT: a deadlocked
    scan holds the GIL, so nothing inside the test process could bound it."""
    info, local = twins
    fmt = request.param
    with client_env(info):
        argv = [f"file://{local}/{fmt}?format={fmt}", client_url(info, f"fmt/{fmt}", format=fmt)]
        try:
            proc = subprocess.run(
                [sys.executable, "-m", __name__, *argv],
                cwd=REPO,
                env=dict(os.environ),
                capture_output=True,
                text=True,
                timeout=CHILD_TIMEOUT,
            )
        except subprocess.TimeoutExpired as exc:
            pytest.fail(f"{fmt} scans on HDFS hung for {CHILD_TIMEOUT}s: {exc.stderr!r}")
    assert proc.returncode == 0, proc.stderr[-3000:]
    return fmt, json.loads(proc.stdout)


def test_format_on_hdfs_equals_local_copy(scanned) -> None:
    """Every query gives the local copy's rows and column types, scan after scan."""
    _, out = scanned
    for sql, want, got in zip(QUERIES, out["want"], out["got"], strict=True):
        assert want[0] and want[0][0][0] is not None, sql
        assert got == [want] * REPEATS, sql


def test_partitions_pruned_before_reading(scanned) -> None:
    """A filter on the partition directories plans (and reads) one file of six."""
    fmt, out = scanned
    pruned = out["pruned"]
    plan = pruned["plan"]
    assert pruned["ids"] == list(range(150, 200))
    assert plan["files_total"] == 6 and plan["files_planned"] == 1, plan
    assert plan["scan"] == "pyarrow_dataset", plan
    assert plan["files"][0].endswith(f"day={dt.date(2024, 1, 2)}/region=us/part.{fmt}")
    read = {p for p in pruned["read"] if "/events/" in p}
    # the planned file, plus at most the one whose head gave the table's schema at connect
    assert plan["files"][0] in read and len(read - {plan["files"][0]}) <= 1, read


if __name__ == "__main__":  # the child of test_format_on_hdfs_equals_local_copy
    print(json.dumps(_scan_all(sys.argv[1], sys.argv[2]), default=str))
