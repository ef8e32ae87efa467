"""Lakehouse small-statement benchmark: the queries users wait on, not the big scans.

Run from the repository root::

    python -m benchmarks.lakehouse_small [--rows N] [--days D] [--files-per-day F] [--repeat K]

It writes the dataset of :mod:`benchmarks.lakehouse` (default 2,000,000 rows, 40 days x 4
files = 160 files per copy: plain hive Parquet, Iceberg and Delta, all partitioned by
``day``) and times, interleaved round by round, the median of each statement with its ratio
to the anchor, DuckDB's native ``read_parquet`` over the plain Parquet copy in the same run:

* ``count``       ``SELECT count(*)``: the Iceberg manifests and the Delta log carry it;
* ``count day``   ``count(*) WHERE day = ...``: decided by partition values alone;
* ``point``       ``WHERE id = <new literal each round>``: a plan per literal;
* ``limit 10``    ``SELECT * ... LIMIT 10`` on a warm connection.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import itertools
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks.lakehouse import FIRST_DAY, day_batches, log, write_all

ANCHOR = "duckdb native (anchor)"


def statements(days: int, rows: int) -> dict[str, Callable[[int], str]]:
    """Each takes the round number (a new literal per round) and gives SQL over ``{t}``."""
    mid_day = FIRST_DAY + dt.timedelta(days=days // 2)
    step = max(1, rows // 997)
    return {
        "count": lambda _: "SELECT count(*) FROM {t}",
        "count day": lambda _: f"SELECT count(*) FROM {{t}} WHERE day = DATE '{mid_day}'",
        "point": lambda i: f"SELECT * FROM {{t}} WHERE id = {(i * step) % rows}",
        "limit 10": lambda _: "SELECT * FROM {t} LIMIT 10",
    }


def contenders(root: Path, urls: dict[str, str]) -> dict[str, Callable[[str], int]]:
    """Each runs one statement and returns its row count (a sanity check)."""
    import duckdb

    import sqlgate

    duck = duckdb.connect()
    source = f"read_parquet('{root}/files/events/*/*.parquet', hive_partitioning = true)"
    tables = {"file": "events", "iceberg": "bench.events", "delta": "events"}

    def via(name: str) -> Callable[[str], int]:
        conn = sqlgate.connect(urls[name])

        def run(sql: str) -> int:
            cur = conn.cursor()
            cur.execute(sql.format(t=tables[name]))
            return len(cur.fetchall())

        return run

    def native(sql: str) -> int:
        return len(duck.sql(sql.format(t=source)).fetchall())

    return {ANCHOR: native, **{f"sqlgate {n}://": via(n) for n in ("iceberg", "delta", "file")}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--days", type=int, default=40)
    parser.add_argument("--files-per-day", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--keep", help="build the data here (or reuse it) and keep it")
    args = parser.parse_args(argv)

    root = Path(args.keep or tempfile.mkdtemp(prefix="sqlgate-bench-small-"))
    urls = {
        "file": f"file://{root}/files",
        "iceberg": f"iceberg://{root}/catalog.db",
        "delta": f"delta://{root}/delta",
    }
    try:
        if not (root / "catalog.db").exists():
            root.mkdir(parents=True, exist_ok=True)
            log(f"building {args.rows:,} rows in {root}")
            write_all(root, day_batches(args.rows, args.days, args.files_per_day))
        runners = contenders(root, urls)
        plans = statements(args.days, args.rows)
        timings: dict[tuple[str, str], list[float]] = {}
        counter = itertools.count(1)
        for query, make in plans.items():
            sql = make(0)
            expected = None
            for name, run in runners.items():  # warm-up and sanity check
                got = run(sql)
                expected = got if expected is None else expected
                if got != expected:
                    raise SystemExit(f"{name} returned {got} rows for {query}, not {expected}")
            for _ in range(args.repeat):
                sql = make(next(counter))  # every contender sees the same new literal
                for name, run in runners.items():
                    gc.collect()
                    started = time.perf_counter()
                    run(sql)
                    timings.setdefault((query, name), []).append(time.perf_counter() - started)
            log(f"timed {query}")
        print(
            f"\nlakehouse small statements: {args.rows:,} rows, "
            f"{args.days * args.files_per_day} files per copy, median of {args.repeat}; "
            "ratio = median / DuckDB native over the same files"
        )
        header = f"{'statement':<10}  {'contender':<24}  {'median ms':>9}  {'ratio':>6}"
        print(header)
        print("-" * len(header))
        for query in plans:
            anchor = statistics.median(timings[(query, ANCHOR)])
            for name in runners:
                median = statistics.median(timings[(query, name)])
                print(f"{query:<10}  {name:<24}  {median * 1e3:>9.2f}  {median / anchor:>6.2f}")
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
