"""Iceberg deletes benchmark: a table with position and equality deletes against the same data
without them, both read through sqlgate.

Run from the repository root (it imports the tests' delete-file writer)::

    python -m benchmarks.lakehouse_deletes [--rows N] [--files F] [--repeat K]

It writes the same rows (default 2,000,000 in 8 files; ``id``, ``category``, ``amount``) twice
with pyiceberg into one SQL catalog: ``bench.plain`` as is, and ``bench.deleted`` followed by
two commits the way Spark/Flink leave them, written with pyiceberg's manifest writers:
position deletes (1% of the rows, spread over every file) and one equality delete file on
``id`` (another 1%). Then it times ``SELECT count(*), sum(amount)`` over each table through
sqlgate, interleaved round by round (who goes first alternates), and prints one line: the
median of each and the median over rounds of (deleted / plain). ``plain`` is DuckDB's native
``read_parquet``; ``deleted`` is DuckDB's ``read_parquet`` too, with each row's file index and
position, anti-joined with the position deletes and then the equality deletes
(``plan_info["data_read"]`` is printed: ``pyiceberg_arrow_stream`` when the data could not be
read natively).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa

QUERY = "SELECT count(*), sum(amount) FROM {t}"


def log(message: str) -> None:
    print(f"[lakehouse_deletes {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def parts(rows: int, files: int) -> list[pa.Table]:
    """Deterministic data: ``id`` ascending, ``category`` 0-99, ``amount`` uniform."""
    rng = np.random.default_rng(7)
    per = rows // files
    return [
        pa.table(
            {
                "id": np.arange(i * per, (i + 1) * per, dtype=np.int64),
                "category": rng.integers(0, 100, per, dtype=np.int32),
                "amount": rng.random(per) * 100.0,
            }
        )
        for i in range(files)
    ]


def write(root: Path, data: list[pa.Table]) -> int:
    """Both tables; returns the number of rows ``bench.deleted`` keeps."""
    from pyiceberg.catalog.sql import SqlCatalog

    from tests.integration.lakehouse.iceberg_delete_files import Files, commit

    catalog = SqlCatalog("default", uri=f"sqlite:///{root}/catalog.db", warehouse=f"file://{root}")
    catalog.create_namespace("bench")
    props = {"write.parquet.compression-codec": "snappy"}
    tables = {
        n: catalog.create_table(f"bench.{n}", data[0].schema, properties=props)
        for n in ("plain", "deleted")
    }
    for part in data:
        for table in tables.values():
            table.append(part)
    deleted = tables["deleted"]
    positions = Files()
    removed = 0
    for task in deleted.scan().plan_files():  # one file per appended part
        n = task.file.record_count
        positions.add_positions(task.file.file_path, list(range(50, n, 100)))
        removed += len(range(50, n, 100))
    commit(deleted, positions)
    total = sum(p.num_rows for p in data)
    ids = pa.table({"id": pa.array(np.arange(7, total, 100, dtype=np.int64))})
    commit(deleted, Files().add_equality(ids, [deleted.schema().find_field("id").field_id]))
    removed += ids.num_rows  # ids ≡ 7 (mod 100), positions ≡ 50: no row deleted twice
    return total - removed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--files", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    import sqlgate

    with tempfile.TemporaryDirectory(prefix="sqlgate-deletes-") as tmp:
        root = Path(tmp)
        started = time.perf_counter()
        kept = write(root, parts(args.rows, args.files))
        log(f"wrote {args.rows:,} rows x 2 tables in {time.perf_counter() - started:.0f} s")
        conn = sqlgate.connect(f"iceberg://{root}/catalog.db?warehouse=file://{root}")
        cur = conn.cursor()

        def run(table: str) -> tuple[float, int]:
            t0 = time.perf_counter()
            cur.execute(QUERY.format(t=f"bench.{table}"))
            count = cur.fetchall()[0][0]
            return time.perf_counter() - t0, count

        for table, want in (("plain", args.rows), ("deleted", kept)):  # warm-up and check
            if run(table)[1] != want:
                raise SystemExit(f"bench.{table}: wrong row count, expected {want}")
        plan = conn.session.raw.plan_info[0]
        times: dict[str, list[float]] = {"plain": [], "deleted": []}
        ratios = []
        for k in range(args.repeat):
            order = ("plain", "deleted") if k % 2 == 0 else ("deleted", "plain")
            took = {table: run(table)[0] for table in order}
            for table, seconds in took.items():
                times[table].append(seconds)
            ratios.append(took["deleted"] / took["plain"])
        conn.close()
    plain, deleted = (statistics.median(times[t]) for t in ("plain", "deleted"))
    print(
        f"iceberg deletes ({plan.get('data_read')})  {args.rows:,} rows, "
        f"{plan['position_delete_files']} position + "
        f"{plan['equality_delete_files']} equality delete files ({args.rows - kept:,} rows "
        f"deleted): {deleted * 1000:.0f} ms vs {plain * 1000:.0f} ms without deletes, "
        f"ratio {statistics.median(ratios):.2f} (median of {args.repeat})"
    )


if __name__ == "__main__":
    main()
