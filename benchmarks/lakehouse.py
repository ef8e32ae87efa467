"""Lakehouse benchmark: sqlgate over Iceberg, Delta and Parquet against the engines' own paths.

Run from the repository root::

    python -m benchmarks.lakehouse [--rows N] [--days D] [--files-per-day F] [--repeat K]

It writes one date-partitioned dataset (default 20,000,000 rows over 40 days, 4 files per day)
three times — plain hive-partitioned Parquet, an Iceberg table (pyiceberg, SQL catalog,
partitioned by ``day``) and a Delta table (deltalake, partitioned by ``day``) — then times three
aggregates, interleaved round by round, and prints the median of each with its ratio to the
anchor, DuckDB's native ``read_parquet`` over the plain Parquet copy:

* ``full scan``       every row: ``GROUP BY category``;
* ``partition``       one day out of ``D``: pruning by the partition column;
* ``range``           an ``id`` range (ids are sorted, so row-group statistics prune).

Contenders: sqlgate ``file://``, ``iceberg://``, ``delta://`` (its SQL, its planning, its
DuckDB), DuckDB native, pyiceberg ``scan(row_filter).to_arrow()`` + pyarrow compute, and
deltalake's ``QueryBuilder``. Last, a child process streams the whole table with
``fetchmany`` through sqlgate and reports its peak RSS, to show streaming memory stays bounded.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

FIRST_DAY = dt.date(2026, 1, 1)
TARGET = 1.3  # sqlgate's allowed ratio to DuckDB native on every query
MiB = 1024 * 1024


def log(message: str) -> None:
    print(f"[lakehouse {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# -- data -----------------------------------------------------------------------------------------
def day_batches(rows: int, days: int, files_per_day: int) -> list[tuple[dt.date, list[pa.Table]]]:
    """Deterministic data: ``id`` ascending, ``category`` 0-99, ``amount`` uniform."""
    per_day = rows // days
    per_file = per_day // files_per_day
    rng = np.random.default_rng(42)
    out, next_id = [], 0
    for d in range(days):
        day = FIRST_DAY + dt.timedelta(days=d)
        parts = []
        for _ in range(files_per_day):
            ids = np.arange(next_id, next_id + per_file, dtype=np.int64)
            next_id += per_file
            parts.append(
                pa.table(
                    {
                        "id": ids,
                        "category": rng.integers(0, 100, per_file, dtype=np.int32),
                        "amount": rng.random(per_file) * 100.0,
                        "day": pa.array([day] * per_file, pa.date32()),
                    }
                )
            )
        out.append((day, parts))
    return out


def write_all(root: Path, data: list[tuple[dt.date, list[pa.Table]]]) -> dict[str, str]:
    """The same rows as Parquet, Iceberg and Delta; returns the sqlgate URLs."""
    from deltalake import write_deltalake
    from pyiceberg.catalog.sql import SqlCatalog

    schema = data[0][1][0].schema
    parquet_root = root / "files" / "events"
    catalog = SqlCatalog(
        "default", uri=f"sqlite:///{root}/catalog.db", warehouse=f"file://{root}/warehouse"
    )
    catalog.create_namespace("bench")
    # every copy is written with Snappy, the codec pyarrow gives the plain Parquet copy, so the
    # three formats hold byte-for-byte comparable data files (pyiceberg defaults to ZSTD)
    iceberg = catalog.create_table(
        "bench.events", schema=schema, properties={"write.parquet.compression-codec": "snappy"}
    )
    with iceberg.update_spec() as spec:
        spec.add_identity("day")
    iceberg = catalog.load_table("bench.events")
    started = time.perf_counter()
    for day, parts in data:
        target = parquet_root / f"day={day.isoformat()}"
        target.mkdir(parents=True)
        for n, part in enumerate(parts):
            pq.write_table(part.drop_columns(["day"]), target / f"part-{n}.parquet")
            iceberg.append(part)
            write_deltalake(
                str(root / "delta" / "events"), part, partition_by=["day"], mode="append"
            )
    log(
        f"wrote {len(data)} days x {len(data[0][1])} files in {time.perf_counter() - started:.0f} s"
    )
    return {
        "file": f"file://{root}/files",
        "iceberg": f"iceberg://{root}/catalog.db",
        "delta": f"delta://{root}/delta",
    }


# -- the queries ----------------------------------------------------------------------------------
def queries(days: int, rows: int) -> dict[str, tuple[str, dict[str, Any]]]:
    """SQL with the filter each query applies, as a dict for the non-SQL contenders."""
    mid_day = FIRST_DAY + dt.timedelta(days=days // 2)
    lo, hi = rows // 3, rows // 3 + rows // 50
    agg = "SELECT category, count(*) AS n, sum(amount) AS total FROM {t}{where} GROUP BY category"
    return {
        "full scan": (agg.format(t="{t}", where=""), {}),
        "partition": (
            agg.format(t="{t}", where=f" WHERE day = DATE '{mid_day}'"),
            {"day": mid_day},
        ),
        "range": (agg.format(t="{t}", where=f" WHERE id BETWEEN {lo} AND {hi}"), {"id": (lo, hi)}),
    }


def _aggregate(table: pa.Table) -> pa.Table:
    return table.group_by("category").aggregate([("id", "count"), ("amount", "sum")])


def contenders(root: Path, urls: dict[str, str]) -> dict[str, Callable[[str, dict], int]]:
    """Each runs one query and returns the number of result groups (a sanity check)."""
    import duckdb
    from deltalake import DeltaTable, QueryBuilder
    from pyiceberg.catalog.sql import SqlCatalog
    from pyiceberg.expressions import And, EqualTo, GreaterThanOrEqual, LessThanOrEqual

    import sqlgate

    conns = {name: sqlgate.connect(url) for name, url in urls.items()}
    duck = duckdb.connect()
    parquet_glob = f"{root}/files/events/*/*.parquet"
    iceberg = SqlCatalog(
        "default", uri=f"sqlite:///{root}/catalog.db", warehouse=f"file://{root}/warehouse"
    ).load_table("bench.events")
    delta = DeltaTable(str(root / "delta" / "events"))

    def via_sqlgate(name: str) -> Callable[[str, dict], int]:
        table = {"file": "events", "iceberg": "bench.events", "delta": "events"}[name]

        def run(sql: str, _: dict) -> int:
            cur = conns[name].cursor()
            cur.execute(sql.format(t=table))
            return cur.fetch_arrow_table().num_rows

        return run

    def duckdb_native(sql: str, _: dict) -> int:
        source = f"read_parquet('{parquet_glob}', hive_partitioning = true)"
        return duck.sql(sql.format(t=source)).to_arrow_table().num_rows

    def pyiceberg_arrow(_: str, flt: dict) -> int:
        if "day" in flt:
            expr = EqualTo("day", flt["day"].isoformat())
        elif "id" in flt:
            expr = And(GreaterThanOrEqual("id", flt["id"][0]), LessThanOrEqual("id", flt["id"][1]))
        else:
            expr = None
        scan = iceberg.scan(row_filter=expr) if expr is not None else iceberg.scan()
        return _aggregate(scan.to_arrow()).num_rows

    def delta_querybuilder(sql: str, _: dict) -> int:
        result = QueryBuilder().register("events", delta).execute(sql.format(t="events"))
        return pa.RecordBatchReader.from_stream(result).read_all().num_rows

    return {
        "duckdb native (anchor)": duckdb_native,
        "sqlgate file://": via_sqlgate("file"),
        "sqlgate iceberg://": via_sqlgate("iceberg"),
        "sqlgate delta://": via_sqlgate("delta"),
        "pyiceberg to_arrow + pyarrow": pyiceberg_arrow,
        "deltalake QueryBuilder": delta_querybuilder,
    }


# -- streaming memory -----------------------------------------------------------------------------
STREAM_CHILD = """
import json, sys, resource
import sqlgate

def hwm():
    for line in open('/proc/self/status'):
        if line.startswith('VmHWM:'):
            return int(line.split()[1]) * 1024
conn = sqlgate.connect(sys.argv[1])
cur = conn.cursor()
cur.execute(sys.argv[2])
cur.fetchmany(1000)
before = hwm()
rows = 1000
while True:
    chunk = cur.fetchmany(100_000)
    if not chunk:
        break
    rows += len(chunk)
print(json.dumps({"rows": rows, "hwm_before": before, "hwm_after": hwm()}))
"""


def streaming_memory(url: str, sql: str) -> dict[str, int]:
    done = subprocess.run(
        [sys.executable, "-c", STREAM_CHILD, url, sql],
        capture_output=True,
        text=True,
        timeout=1800,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


# -- main -----------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000_000)
    parser.add_argument("--days", type=int, default=40)
    parser.add_argument("--files-per-day", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", help="build the data here and keep it")
    args = parser.parse_args(argv)

    root = Path(args.keep or tempfile.mkdtemp(prefix="sqlgate-bench-"))
    try:
        if not (root / "catalog.db").exists():
            log(f"building {args.rows:,} rows in {root}")
            urls = write_all(root, day_batches(args.rows, args.days, args.files_per_day))
        else:
            urls = {
                "file": f"file://{root}/files",
                "iceberg": f"iceberg://{root}/catalog.db",
                "delta": f"delta://{root}/delta",
            }
        runners = contenders(root, urls)
        plans = queries(args.days, args.rows)
        timings: dict[tuple[str, str], list[float]] = {}
        for query, (sql, flt) in plans.items():
            expected = None
            for name, run in runners.items():  # warm-up and sanity check
                groups = run(sql, flt)
                expected = groups if expected is None else expected
                if groups != expected:
                    raise SystemExit(f"{name} returned {groups} groups for {query}, not {expected}")
            for _ in range(args.repeat):
                for name, run in runners.items():
                    gc.collect()
                    started = time.perf_counter()
                    run(sql, flt)
                    timings.setdefault((query, name), []).append(time.perf_counter() - started)
            log(f"timed {query}")
        print_table(plans, runners, timings, args)
        stream = streaming_memory(urls["file"], "SELECT * FROM events")
        grown = (stream["hwm_after"] - stream["hwm_before"]) / MiB
        result_mib = stream["rows"] * 24 / MiB  # id + category + amount + day, uncompressed
        print(
            f"\nstreaming {stream['rows']:,} rows with fetchmany(100000) through file://: "
            f"peak RSS grew {grown:.0f} MiB while the result is ~{result_mib:.0f} MiB "
            f"(peak {stream['hwm_after'] / MiB:.0f} MiB)"
        )
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    return 0


def print_table(plans: dict, runners: dict, timings: dict, args: argparse.Namespace) -> None:
    print(
        f"\nlakehouse benchmark: {args.rows:,} rows, {args.days} days x {args.files_per_day} "
        f"files, median of {args.repeat}; ratio = median / DuckDB native (target <= {TARGET})"
    )
    header = f"{'query':<10}  {'contender':<30}  {'median s':>9}  {'ratio':>6}"
    print(header)
    print("-" * len(header))
    for query in plans:
        anchor = statistics.median(timings[(query, "duckdb native (anchor)")])
        for name in runners:
            median = statistics.median(timings[(query, name)])
            flag = (
                "  over target" if name.startswith("sqlgate") and median / anchor > TARGET else ""
            )
            print(f"{query:<10}  {name:<30}  {median:>9.3f}  {median / anchor:>6.2f}{flag}")


if __name__ == "__main__":
    raise SystemExit(main())
