"""Databricks fetch benchmark: sqlgate against the Statement Execution API used directly.

Run from the repository root (minilake from ``scripts/install-minilake.sh``)::

    python -m benchmarks.databricks [--rows N] [--repeat K]

It starts minilake with the test harness (``tests/servers/databricks.py``) and, interleaved
round by round, runs one statement of ``--rows`` rows (``id BIGINT, v BIGINT, s STRING``)
through four contenders, each timed from the POST to the last value:

* ``arrow direct``  urllib3 POST with ``EXTERNAL_LINKS`` + ``ARROW_STREAM``, then each chunk's
  link (``next_chunk_internal_link``) downloaded and read with ``pyarrow.ipc``: the floor;
* ``arrow sqlgate`` ``cursor.execute`` + ``fetch_arrow_table()``;
* ``rows direct``   the direct path's batches turned into tuples (``to_pylist`` per column);
* ``rows sqlgate``  ``cursor.execute`` + ``fetchall()``.

Reported per contender: the median *whole* time (POST to last value), *fetch* time (from the
statement's answer to the last value: reading the same chunks) and the client's own *CPU* time
(``process_time``: what the client adds, without minilake's share), each with the median of
per-round ratios to the direct path; the target (<= 1.1) is on the fetch and CPU ratios.
minilake runs the statement in Python on a shared machine, so wall times carry its noise (the
order alternates per round to even out its pauses). Also the peak Python-heap memory (tracemalloc:
the chunks' bytes, of which the Arrow batches are views) while ``fetch_record_batch`` streams
the result, beside the whole result's size: one or two chunks at a time, never all.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import pyarrow as pa
import urllib3

TARGET_RATIO = 1.1


def log(message: str) -> None:
    print(f"[databricks {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def direct_batches(base: str, warehouse: str, sql: str, marks: list[float]) -> list[pa.RecordBatch]:
    """The REST API with nothing but urllib3 and pyarrow (``marks`` gets the time the
    statement's answer arrived: what follows is the fetch)."""
    http = urllib3.PoolManager()
    body = {
        "warehouse_id": warehouse,
        "statement": sql,
        "disposition": "EXTERNAL_LINKS",
        "format": "ARROW_STREAM",
        "wait_timeout": "50s",
    }
    answer = json.loads(http.request("POST", f"{base}/api/2.0/sql/statements", json=body).data)
    marks.append(time.perf_counter())
    chunk: dict[str, Any] | None = answer["result"]
    batches: list[pa.RecordBatch] = []
    while chunk:
        link = chunk["external_links"][0]
        data = http.request("GET", link["external_link"]).data
        batches.extend(pa.ipc.open_stream(pa.BufferReader(data)))
        following = link.get("next_chunk_internal_link")
        chunk = json.loads(http.request("GET", base + following).data) if following else None
    return batches


def to_rows(batches: list[pa.RecordBatch]) -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = []
    for batch in batches:
        rows.extend(zip(*(column.to_pylist() for column in batch.columns), strict=True))
    return rows


def timed(call: Callable[[list[float]], Any]) -> tuple[float, float, float]:
    """(whole, fetch, client CPU) seconds: wall time from the POST and from the statement's
    answer, and this process's CPU time for the whole (waiting on minilake costs none)."""
    marks: list[float] = []
    cpu = time.process_time()
    started = time.perf_counter()
    call(marks)
    ended = time.perf_counter()
    return ended - started, ended - marks[0], time.process_time() - cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    import sqlgate.dbapi.databricks as dbx
    from tests.servers.databricks import MinilakeServer

    sql = f"SELECT range AS id, range * 2 AS v, 'row ' || range AS s FROM range({args.rows})"
    names = ["arrow direct", "arrow sqlgate", "rows direct", "rows sqlgate"]
    times: dict[str, list[tuple[float, float, float]]] = {name: [] for name in names}
    expected: pa.Table | None = None
    peak = 0
    # a fresh minilake per round: it keeps every statement's rows as Python objects (about
    # 250 MB per million rows), and its cache eviction also drops the newest statement's rows
    for round_ in range(-1, args.repeat):
        server = MinilakeServer()
        info = server.start()
        try:
            base, warehouse = info.extra["base_url"], info.extra["warehouse_id"]
            conn = dbx.connect(info.url("databricks+sqlgate"))
            cur = conn.cursor()

            def sqlgate_arrow(marks: list[float], cur: Any = cur) -> pa.Table:
                cur.execute(sql)
                marks.append(time.perf_counter())
                return cur.fetch_arrow_table()

            def sqlgate_rows(marks: list[float], cur: Any = cur) -> list[tuple[Any, ...]]:
                cur.execute(sql)
                marks.append(time.perf_counter())
                return cur.fetchall()

            def arrow_direct(marks: list[float], base: str = base, wh: str = warehouse) -> Any:
                return pa.Table.from_batches(direct_batches(base, wh, sql, marks))

            def rows_direct(marks: list[float], base: str = base, wh: str = warehouse) -> Any:
                return to_rows(direct_batches(base, wh, sql, marks))

            contenders: dict[str, Callable[[list[float]], Any]] = dict(
                zip(names, (arrow_direct, sqlgate_arrow, rows_direct, sqlgate_rows), strict=True)
            )
            if round_ < 0:
                log(f"warm-up, equality check and streaming memory on {args.rows:,} rows")
                expected = arrow_direct([])
                assert sqlgate_arrow([]).equals(expected), "sqlgate's Arrow differs"
                assert sqlgate_rows([]) == to_rows(expected.to_batches()), "rows differ"
                reader = cur.execute(sql).fetch_record_batch(rows_per_batch=65_536)
                tracemalloc.start()
                for _ in reader:
                    pass
                peak = tracemalloc.get_traced_memory()[1]
                tracemalloc.stop()
            else:
                order = names if round_ % 2 == 0 else [names[1], names[0], names[3], names[2]]
                for name in order:  # who goes first alternates: minilake's pauses even out
                    times[name].append(timed(contenders[name]))
                log(
                    f"round {round_ + 1}: "
                    + ", ".join(
                        f"{n} {t[-1][0]:.2f}s (fetch {t[-1][1]:.2f}s)" for n, t in times.items()
                    )
                )
            conn.close()
        finally:
            server.stop()
    assert expected is not None

    print(f"databricks fetch, {args.rows:,} rows, minilake on 127.0.0.1, {args.repeat} rounds")
    header = ("whole s", "ratio", "fetch s", "ratio", "cpu s", "ratio")
    print(
        f"{'contender':<15}"
        + "".join(f"{h:>{w}}" for h, w in zip(header, (9, 7, 9, 7, 8, 7), strict=True))
    )
    verdicts: dict[str, list[bool]] = {"fetch": [], "cpu": []}
    for kind in ("arrow", "rows"):
        direct, ours = times[f"{kind} direct"], times[f"{kind} sqlgate"]
        for label, runs in ((f"{kind} direct", direct), (f"{kind} sqlgate", ours)):
            cells = []
            for at in range(3):
                ratio = statistics.median(o[at] / d[at] for o, d in zip(runs, direct, strict=True))
                cells.append(f"{statistics.median(r[at] for r in runs):>{9 if at < 2 else 8}.3f}")
                cells.append(f"{ratio:>7.2f}")
                if runs is ours and at:
                    verdicts["fetch" if at == 1 else "cpu"].append(ratio <= TARGET_RATIO)
            print(f"{label:<15}" + "".join(cells))
    whole = expected.nbytes
    print(
        f"streaming: peak Python-heap memory {peak / 2**20:.1f} MiB (chunk bytes are tracked; "
        f"Arrow batches are views of them) for a {whole / 2**20:.1f} MiB result"
    )
    for what, label in (("fetch", "wall time reading the same chunks"), ("cpu", "client CPU")):
        print(f"target ratio <= 1.1, {label}:", "met" if all(verdicts[what]) else "NOT met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
