"""Druid benchmark: sqlgate's SQL API client against the raw HTTP API used directly.

Run from the repository root::

    python -m benchmarks.druid [--rows N] [--repeat K]

No Druid server runs here: the Druid SQL API test server (``tests/servers/druid.py``, the one
the protocol tests use, answering from DuckDB) runs in a subprocess of its own, so that its
JSON encoding does not share this process's interpreter lock with the clients. It holds a
datasource ``bench`` of ``--rows`` rows (default 1,000,000): ``__time``, ``id``, ``name``
(every hundredth NULL), ``amount`` (DOUBLE), ``n`` (BIGINT).

Every contender runs ``SELECT __time, id, name, amount, n FROM bench`` with
``resultFormat=arrayLines`` and the three headers; the server's work is the same for all:

* ``rows``   sqlgate's ``fetchall()`` (typed rows: ``__time`` as an aware datetime) against
  ``requests`` streaming the response with ``iter_lines`` (in 64 KiB reads, as sqlgate reads;
  requests' default is 512 bytes) + ``json.loads`` per line, with the
  timestamps parsed to aware datetimes the way a careful caller does;
* ``arrow``  sqlgate's ``fetch_arrow_table()`` against the same raw stream gathered into
  columns and built into a ``pyarrow.Table`` with the header's types (``timestamp[ms, UTC]``
  parsed by pyarrow's compute).

Reported: the median of ``--repeat`` rounds (after a warm-up round that checks both sides
return the same rows) and the ratio sqlgate / raw as the median of per-round ratios, in wall
time and in this process's CPU time (the client's work alone: the server is another process). This
measures the client (parsing, typing, the gate), not Druid: the server is a Python stand-in.
So that it is not the bottleneck, the server sends the result in chunks of ~256 KiB and, with
its ``replay`` switch on, answers a repeated query from the bytes it sent the first time (the
warm-up round): the timed rounds cost the server a memory copy, not DuckDB and JSON work.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

SQL = "SELECT __time, id, name, amount, n FROM bench"
RAW_CHUNK = 65_536  # the raw side reads as sqlgate's HTTP layer does, not 512 bytes at a time
BENCH_COLUMNS = {
    "__time": "TIMESTAMP", "id": "BIGINT", "name": "VARCHAR", "amount": "DOUBLE", "n": "BIGINT",
}  # fmt: skip


def serve(rows: int) -> None:
    """Subprocess mode: start the test server with ``bench``, print its port, wait for EOF."""
    from tests.conftest import SEED_ROWS
    from tests.servers.druid import DruidTestServer, seed
    from tests.servers.druid_engine import Datasource

    server = DruidTestServer().start()
    try:
        seed(server, SEED_ROWS)
        server.engine.add(Datasource("bench", dict(BENCH_COLUMNS)), [])
        server.engine.db.execute(
            "INSERT INTO bench SELECT TIMESTAMP '2026-01-01' + to_seconds(i), i, "
            "CASE WHEN i % 100 = 0 THEN NULL ELSE 'name-' || (i % 5000) END, i / 7.0, i * 3 "
            f"FROM range({rows}) t(i)"
        )
        server.replay = True  # answer a repeated query from the bytes it sent the first time
        print(server.port, flush=True)
        sys.stdin.read()
    finally:
        server.stop()


def raw_request(port: int) -> Any:
    import requests

    from tests.servers.druid import PASSWORD, USER

    body = {
        "query": SQL, "resultFormat": "arrayLines", "header": True, "typesHeader": True,
        "sqlTypesHeader": True, "context": {"sqlTimeZone": "UTC"},
    }  # fmt: skip
    response = requests.post(
        f"http://127.0.0.1:{port}/druid/v2/sql", json=body, auth=(USER, PASSWORD), stream=True,
        timeout=300,
    )  # fmt: skip
    response.raise_for_status()
    return response


def _instant(text: str | None) -> dt.datetime | None:
    return None if text is None else dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def raw_rows(port: int) -> list[tuple[Any, ...]]:
    """The raw API as a careful caller reads it: three header lines, rows, the final blank."""
    lines = raw_request(port).iter_lines(chunk_size=RAW_CHUNK)
    names, _types, sql_types = (json.loads(next(lines)) for _ in range(3))
    stamps = [i for i, t in enumerate(sql_types) if t == "TIMESTAMP"]
    out: list[tuple[Any, ...]] = []
    ended = False
    for line in lines:
        if not line:
            ended = True
            continue
        row = json.loads(line)
        for i in stamps:
            row[i] = _instant(row[i])
        out.append(tuple(row))
    if not ended or len(names) != len(BENCH_COLUMNS):
        raise RuntimeError("the raw stream was truncated")
    return out


def raw_arrow(port: int) -> Any:
    import pyarrow as pa
    import pyarrow.compute as pc

    lines = raw_request(port).iter_lines(chunk_size=RAW_CHUNK)
    names, _types, sql_types = (json.loads(next(lines)) for _ in range(3))
    columns: list[list[Any]] = [[] for _ in names]
    for line in lines:  # read to the end: the blank last line, then the closing chunk
        if not line:
            continue
        for column, value in zip(columns, json.loads(line), strict=True):
            column.append(value)
    kinds = {"BIGINT": pa.int64(), "DOUBLE": pa.float64(), "VARCHAR": pa.string()}
    arrays = []
    for values, sql_type in zip(columns, sql_types, strict=True):
        if sql_type == "TIMESTAMP":
            text = pa.array(values, pa.string())
            arrays.append(
                pc.cast(pc.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ", "ms", error_is_null=True),
                        pa.timestamp("ms", tz="UTC"))
            )  # fmt: skip
        else:
            arrays.append(pa.array(values, kinds[sql_type]))
    return pa.table(arrays, names=names)


def sqlgate_cursor(port: int) -> Any:
    import sqlgate.dbapi.druid as druid
    from tests.servers.druid import PASSWORD, USER

    conn = druid.connect(f"druid+sqlgate://{USER}:{PASSWORD}@127.0.0.1:{port}/druid/v2/sql")
    return conn, conn.cursor()


def timed(fn: Callable[[], Any]) -> tuple[float, float]:
    """Wall seconds and this process's CPU seconds (the server runs in another process, so
    the CPU time is the client's work alone, steady on a machine others load)."""
    started, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - started, time.process_time() - cpu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        serve(args.rows)
        return 0
    child = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.druid", "--serve", "--rows", str(args.rows)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )  # fmt: skip
    try:
        assert child.stdout is not None
        port = int(child.stdout.readline())
        conn, cursor = sqlgate_cursor(port)
        contenders: dict[str, dict[str, Callable[[], Any]]] = {
            "rows": {
                "raw": lambda: raw_rows(port),
                "sqlgate": lambda: cursor.execute(SQL).fetchall(),
            },
            "arrow": {
                "raw": lambda: raw_arrow(port),
                "sqlgate": lambda: cursor.execute(SQL).fetch_arrow_table(),
            },
        }
        check_rows, check_table = raw_rows(port), raw_arrow(port)  # warm-up + answers
        assert [tuple(r) for r in cursor.execute(SQL).fetchall()] == check_rows
        mine = cursor.execute(SQL).fetch_arrow_table()
        assert mine.num_rows == check_table.num_rows == args.rows
        assert mine.column("id").to_pylist() == check_table.column("id").to_pylist()
        times: dict[tuple[str, str], list[float]] = {}
        cpu: dict[tuple[str, str], list[float]] = {}
        for round_ in range(args.repeat):
            for group, members in contenders.items():
                order = list(members) if round_ % 2 == 0 else list(reversed(members))
                for who in order:
                    seconds, used = timed(members[who])
                    times.setdefault((group, who), []).append(seconds)
                    cpu.setdefault((group, who), []).append(used)
        conn.close()
    finally:
        if child.stdin:
            child.stdin.close()
        child.wait(timeout=30)
    print(f"Druid SQL API test server, {args.rows:,} rows, {args.repeat} rounds (median s)")
    print(
        f"{'group':<8}{'raw HTTP':>12}{'sqlgate':>12}{'ratio':>8}"
        f"{'raw CPU':>12}{'sg CPU':>12}{'ratio':>8}"
    )
    for group in contenders:
        line = f"{group:<8}"
        for table in (times, cpu):
            raw, mine_ = table[(group, "raw")], table[(group, "sqlgate")]
            ratio = statistics.median(m / r for m, r in zip(mine_, raw, strict=True))
            line += f"{statistics.median(raw):>12.3f}{statistics.median(mine_):>12.3f}{ratio:>8.2f}"
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
