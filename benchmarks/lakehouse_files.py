"""``file://`` planning benchmark: sqlgate against DuckDB's own ``read_parquet`` on one tree.

Run from the repository root::

    python -m benchmarks.lakehouse_files [--files 160] [--rows-per-file 50000] [--repeat 7]

It writes a 160-file Parquet tree whose ids ascend across the files (each footer holds a
disjoint id range), under ``day=YYYY-MM-DD`` Hive directories, then times, interleaved round by
round, three queries through sqlgate's DB-API and through DuckDB's native
``read_parquet(..., hive_partitioning=true)`` over the same files:

* ``id range``   ``id BETWEEN …``: sqlgate plans 1 file from the footers' statistics;
* ``day range``  ``day BETWEEN DATE … AND DATE …``: the typed partition directories;
* ``full scan``  every row, ``GROUP BY day``.

It prints the median of each, sqlgate's files planned, and the ratio sqlgate / DuckDB
(below 1 is faster than DuckDB's own reader).
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

FIRST_DAY = dt.date(2026, 1, 1)
FILES_PER_DAY = 4


def write_tree(root: Path, files: int, rows_per_file: int) -> None:
    rng = np.random.default_rng(7)
    for i in range(files):
        day = FIRST_DAY + dt.timedelta(days=i // FILES_PER_DAY)
        folder = root / "events" / f"day={day.isoformat()}"
        folder.mkdir(parents=True, exist_ok=True)
        start = i * rows_per_file
        table = pa.table(
            {
                "id": pa.array(np.arange(start, start + rows_per_file), pa.int64()),
                "category": pa.array(rng.integers(0, 100, rows_per_file), pa.int32()),
                "amount": pa.array(rng.random(rows_per_file)),
            }
        )
        pq.write_table(table, folder / f"part-{i:04d}.parquet", row_group_size=rows_per_file)


def queries(files: int, rows_per_file: int) -> dict[str, str]:
    mid = files // 2 * rows_per_file + rows_per_file // 3
    last_day = FIRST_DAY + dt.timedelta(days=(files - 1) // FILES_PER_DAY)
    day_lo = FIRST_DAY + dt.timedelta(days=3)
    return {
        "id range": (
            f"SELECT count(*), sum(amount) FROM {{t}} WHERE id BETWEEN {mid} AND {mid + 99}"
        ),
        "day range": (
            "SELECT count(*), sum(amount) FROM {t} "
            f"WHERE day BETWEEN DATE '{day_lo}' AND DATE '{day_lo + dt.timedelta(days=1)}'"
        ),
        "full scan": (
            "SELECT day, count(*), sum(amount) FROM {t} "
            f"WHERE day <= DATE '{last_day}' GROUP BY day ORDER BY day"
        ),
    }


def same(ours: list, theirs: list) -> bool:
    """The same rows; sums of doubles up to summation order."""

    def norm(rows: list) -> list:
        return [tuple(round(float(v), 6) if isinstance(v, float) else v for v in r) for r in rows]

    return norm(ours) == norm(theirs)


def timed(run: Callable[[], object]) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    import sqlgate

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--files", type=int, default=160)
    parser.add_argument("--rows-per-file", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="sqlgate-files-bench-") as tmp:
        root = Path(tmp)
        write_tree(root, args.files, args.rows_per_file)
        native = duckdb.connect()
        glob = f"read_parquet('{root}/events/**/*.parquet', hive_partitioning=true)"
        conn = sqlgate.connect(f"file://{root}")
        try:
            cursor = conn.cursor()

            def ours(sql: str) -> Callable[[], object]:
                return lambda: (cursor.execute(sql.format(t="events")), cursor.fetchall())

            def theirs(sql: str) -> Callable[[], object]:
                return lambda: native.execute(sql.format(t=glob)).fetchall()

            print(
                f"file:// tree: {args.files} files x {args.rows_per_file:,} rows, ids ascending; "
                f"median of {args.repeat}"
            )
            for name, sql in queries(args.files, args.rows_per_file).items():
                a, b = ours(sql), theirs(sql)
                assert same(a()[1], b()), name  # type: ignore[index]
                plan = conn.session.engine.plan_info[0]
                mine, duck = [], []
                for _ in range(args.repeat):
                    mine.append(timed(a))
                    duck.append(timed(b))
                m, d = statistics.median(mine), statistics.median(duck)
                print(
                    f"  {name:<10} sqlgate {m * 1000:8.2f} ms (files {plan['files_planned']}/"
                    f"{plan['files_total']})   duckdb read_parquet {d * 1000:8.2f} ms   "
                    f"ratio {m / d:5.2f}"
                )
        finally:
            conn.close()
            native.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
