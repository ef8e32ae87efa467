"""Scale-out benchmark (issue #17): the embedded DuckDB against ``engine=spark`` on one machine.

Run from the repository root (it starts the tests' Spark Connect server, ``local[2]``, from
``scripts/install-spark.sh``, unless ``--remote sc://host:port`` names a running one)::

    python -m benchmarks.spark_engine [--rows 1000000,4000000] [--repeat 5] [--daft]

For each size it writes one day-partitioned dataset three times with ``benchmarks.lakehouse``'s
writer (hive Parquet, Iceberg and Delta, partitioned by ``day``) and runs, through sqlgate's
URLs, the same statements on the embedded DuckDB (the anchor) and on ``engine=spark``:

* ``first rows``   a new connection + ``SELECT * ... LIMIT 10`` (what SQL Lab feels first);
* ``count``        ``count(*)`` over every row;
* ``group by``     ``GROUP BY category`` with a count and a sum over every row;
* ``fetch arrow``  every row fetched as one Arrow table (the result's transfer cost);
* ``partition``    the same aggregate on one day of ``--days`` (partition pruning).

Rounds are paired and interleaved (the two engines alternate who goes first); each line
prints both medians and the median of the per-round ratios ``spark / duckdb``. ``--daft``
adds Daft (native runner and on a local Ray head) from ``.cache/daft-venv``
(``scripts/install-daft.sh``), driven in a child process of that venv
(:mod:`benchmarks.spark_engine_daft`) on the same files, as a third column; ``--trino URL``
adds ``engine=trino&trino_uri=URL`` on the Delta and Iceberg copies (``--trino start``
starts the tests' Trino server from ``scripts/install-trino.sh``); ``--no-spark`` leaves
Spark out.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.lakehouse import FIRST_DAY, day_batches, write_all

TABLES = {"file": "events", "delta": "events", "iceberg": "bench.events"}


def log(message: str) -> None:
    print(f"[spark_engine {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def statements(days: int) -> dict[str, str]:
    """The timed SQL; ``{t}`` is the table's name on each URL."""
    mid_day = FIRST_DAY + dt.timedelta(days=days // 2)
    agg = "SELECT category, count(*) AS n, sum(amount) AS total FROM {t}"
    return {
        "first rows": "SELECT * FROM {t} LIMIT 10",
        "count": "SELECT count(*) AS n FROM {t}",
        "group by": agg + " GROUP BY category",
        "fetch arrow": "SELECT id, category, amount, day FROM {t}",
        "partition": agg + f" WHERE day = DATE '{mid_day}' GROUP BY category",
    }


class Arm:
    """One engine on one URL: a kept connection for the warm statements, a new one for
    ``first rows`` (connect + first rows is what that line measures)."""

    def __init__(self, url: str, table: str) -> None:
        import sqlgate

        self.url, self.table, self._connect = url, table, sqlgate.connect
        self.conn = sqlgate.connect(url)

    def run(self, name: str, sql: str) -> int:
        text = sql.format(t=self.table)
        if name == "first rows":
            conn = self._connect(self.url)
            try:
                cur = conn.cursor()
                cur.execute(text)
                return len(cur.fetchall())
            finally:
                conn.close()
        cur = self.conn.cursor()
        cur.execute(text)
        return int(cur.fetch_arrow_table().num_rows)

    def close(self) -> None:
        self.conn.close()


def timed(arm: Any, query: str, sql: str) -> float:
    started = time.perf_counter()
    arm.run(query, sql)
    return time.perf_counter() - started


def measure(arms: dict[str, Any], plans: dict[str, str], repeat: int) -> dict[str, Any]:
    """Per statement: each arm's times, rounds interleaved, the first arm leading on even
    rounds; the row counts must agree (a wrong answer is no speed)."""
    names = list(arms)
    times: dict[str, dict[str, list[float]]] = {q: {n: [] for n in names} for q in plans}
    for query, sql in plans.items():
        counts = {n: arms[n].run(query, sql) for n in names}  # warm-up and sanity check
        if len(set(counts.values())) != 1:
            raise SystemExit(f"{query}: the engines disagree on the row count: {counts}")
        for r in range(repeat):
            order = names if r % 2 == 0 else names[::-1]
            for n in order:
                times[query][n].append(timed(arms[n], query, sql))
    return times


def report(label: str, times: dict[str, dict[str, list[float]]], anchor: str) -> None:
    """Medians and the median of paired ratios to the anchor, one line per statement."""
    others = [n for n in next(iter(times.values())) if n != anchor]
    head = f"{'statement':<12} {anchor + ' s':>11}" + "".join(
        f" {n + ' s':>13} {'ratio':>7}" for n in others
    )
    print(f"\n{label}  (ratio = median of paired round ratios engine / {anchor})")
    print(head)
    print("-" * len(head))
    for query, by_arm in times.items():
        base = by_arm[anchor]
        line = f"{query:<12} {statistics.median(base):>11.3f}"
        for n in others:
            ratios = [t / b for t, b in zip(by_arm[n], base, strict=True)]
            line += f" {statistics.median(by_arm[n]):>13.3f} {statistics.median(ratios):>7.2f}"
        print(line)


def urls_for(root: Path) -> dict[str, str]:
    return {
        "file": f"file://{root}/files",
        "iceberg": f"iceberg://{root}/catalog.db",
        "delta": f"delta://{root}/delta",
    }


def with_engine(url: str, remote: str, engine: str = "spark") -> str:
    option = "trino_uri" if engine == "trino" else "spark_remote"
    return f"{url}{'&' if '?' in url else '?'}engine={engine}&{option}={remote}"


def run_size(root: Path, rows: int, args: argparse.Namespace, remote: str | None) -> None:
    if not (root / "catalog.db").exists():
        root.mkdir(parents=True, exist_ok=True)
        log(f"writing {rows:,} rows ({args.days} days x {args.files_per_day} files) in {root}")
        write_all(root, day_batches(rows, args.days, args.files_per_day))
    plans = {k: v for k, v in statements(args.days).items() if k in args.statements}
    daft = None
    if args.daft:
        from benchmarks.spark_engine_daft import DaftChild

        daft = DaftChild(root, args.days)
    try:
        for fmt, url in urls_for(root).items():
            if fmt not in args.formats:
                continue
            arms: dict[str, Any] = {"duckdb": Arm(url, TABLES[fmt])}
            if remote is not None:
                arms["spark"] = Arm(with_engine(url, remote), TABLES[fmt])
            if daft is not None:
                arms.update(daft.arms(fmt))
            if args.trino and fmt in ("delta", "iceberg"):
                arms["trino"] = Arm(with_engine(url, args.trino, "trino"), TABLES[fmt])
            try:
                times = measure(arms, plans, args.repeat)
            finally:
                for arm in arms.values():
                    arm.close()
            report(f"{fmt}: {rows:,} rows, {args.days * args.files_per_day} files", times, "duckdb")
    finally:
        if daft is not None:
            daft.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default="1000000,4000000", help="comma-separated sizes")
    parser.add_argument("--days", type=int, default=20)
    parser.add_argument("--files-per-day", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--formats", default="file,delta,iceberg")
    parser.add_argument("--statements", default=",".join(statements(1)), help="which to time")
    parser.add_argument("--remote", help="a running Spark Connect server (sc://host:port)")
    parser.add_argument("--daft", action="store_true", help="add Daft (native and on Ray)")
    parser.add_argument("--trino", help="a Trino server's URL, or 'start' (Delta, Iceberg)")
    parser.add_argument("--no-spark", action="store_true", help="leave Spark out")
    parser.add_argument("--keep", help="build the data under this directory and keep it")
    args = parser.parse_args(argv)
    args.formats = set(args.formats.split(","))
    args.statements = set(args.statements.split(","))
    server = trino = None
    remote = args.remote
    if remote is None and not args.no_spark:
        from tests.servers.spark_connect import SparkConnectServer

        server = SparkConnectServer()
        log("starting a Spark Connect server (local[2])")
        remote = server.start().extra["remote"]
    if args.trino == "start":
        from tests.servers.trino import TrinoServer

        trino = TrinoServer()
        log("starting a Trino server (one node, 2 GiB heap)")
        args.trino = trino.start().extra["uri"]
    base = Path(args.keep or tempfile.mkdtemp(prefix="sqlgate-spark-bench-"))
    try:
        print(f"uptime: {os.popen('uptime').read().strip()}")
        for rows in (int(r) for r in args.rows.split(",")):
            run_size(base / f"rows{rows}", rows, args, remote)
        print(f"uptime: {os.popen('uptime').read().strip()}")
    finally:
        if server is not None:
            server.stop()
        if trino is not None:
            trino.stop()
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
