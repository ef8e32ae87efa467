"""BigQuery fetch benchmark on bqemulator: sqlgate against google-cloud-bigquery used directly.

Run from the repository root (bqemulator from ``scripts/install-bqemulator.sh``)::

    python -m benchmarks.bigquery [--rows N] [--repeat K] [--page-size P]

It starts bqemulator with the test harness (``tests/servers/bigquery.py``), writes a table of
``--rows`` rows (``id INT64, v FLOAT64, s STRING``) and, interleaved round by round, reads it:

* ``rows direct``    ``client.query(sql).result(page_size=P)`` iterated into tuples;
* ``rows sqlgate``   ``cursor.execute(sql)`` + ``fetchall()`` (the same REST pages);
* ``arrow direct``   ``result.to_arrow(create_bqstorage_client=False)`` (REST pages to Arrow);
* ``arrow sqlgate``  ``cursor.execute(sql)`` + ``fetch_arrow_table()`` (``storage_api=false``);
* ``storage sqlgate`` the table through the Storage Read API (``storage_batches``), against
  ``arrow sqlgate``'s REST pages: what the Storage Read API saves. bqemulator cannot read a
  query's result table through that API, so this path reads the table itself.

Each timing covers the whole statement (dry run, job, every page); the target is
sqlgate / direct <= 1.1 (median of per-round ratios). sqlgate's read-only dry run is one extra
request per statement; ``--no-guard`` (``read_only=false``) shows the fetch alone.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

import pyarrow as pa

TARGET_RATIO = 1.1


def log(message: str) -> None:
    print(f"[bigquery {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def seed(info: Any, rows: int) -> None:
    from google.api_core.retry import Retry

    from tests.servers.bigquery import DATASET, PROJECT

    client = info.client()
    client.create_dataset(f"{PROJECT}.{DATASET}", exists_ok=True, retry=Retry(timeout=30))
    client.query(
        f"CREATE OR REPLACE TABLE {DATASET}.bench AS SELECT id, id * 0.5 AS v, "
        f"CONCAT('row-', CAST(id AS STRING)) AS s FROM UNNEST(GENERATE_ARRAY(1, {rows})) AS id",
        retry=Retry(timeout=600),
    ).result(timeout=600)
    client.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--page-size", type=int, default=100_000)
    parser.add_argument("--no-guard", action="store_true", help="read_only=false: no dry run")
    args = parser.parse_args()

    import sqlgate
    from sqlgate.dbapi.bigquery_results import storage_batches
    from tests.servers.bigquery import DATASET, PROJECT, running_emulator

    sql = f"SELECT id, v, s FROM {DATASET}.bench"
    with running_emulator() as info:
        log(f"seeding {args.rows:,} rows")
        seed(info, args.rows)
        client = info.client()
        url = info.url("bigquery+sqlgate")
        options: dict[str, Any] = {"page_size": args.page_size, "storage_api": "false"}
        if args.no_guard:
            options["read_only"] = "false"
        conn = sqlgate.connect(url, **options)
        storage_conn = sqlgate.connect(url, storage_api="true")
        table_path = f"projects/{PROJECT}/datasets/{DATASET}/tables/bench"

        def rows_direct() -> int:
            result = client.query(sql).result(page_size=args.page_size)
            return len([row.values() for row in result])

        def rows_sqlgate() -> int:
            return len(conn.cursor().execute(sql).fetchall())

        def arrow_direct() -> int:
            result = client.query(sql).result(page_size=args.page_size)
            return int(result.to_arrow(create_bqstorage_client=False).num_rows)

        def arrow_sqlgate() -> int:
            return int(conn.cursor().execute(sql).fetch_arrow_table().num_rows)

        def storage_sqlgate() -> int:
            reader = storage_conn.session._read_client
            return int(
                pa.Table.from_batches(list(storage_batches(reader, table_path, PROJECT))).num_rows
            )

        contenders: dict[str, Callable[[], int]] = {
            "rows direct": rows_direct,
            "rows sqlgate": rows_sqlgate,
            "arrow direct": arrow_direct,
            "arrow sqlgate": arrow_sqlgate,
            "storage sqlgate": storage_sqlgate,
        }
        times: dict[str, list[float]] = {name: [] for name in contenders}
        for round_ in range(args.repeat):
            order = list(contenders) if round_ % 2 == 0 else list(reversed(contenders))
            for name in order:
                started = time.perf_counter()
                count = contenders[name]()
                times[name].append(time.perf_counter() - started)
                if count != args.rows:
                    raise SystemExit(f"{name} read {count} rows, expected {args.rows}")
            log(f"round {round_ + 1}/{args.repeat} done")
        conn.close()
        storage_conn.close()
        client.close()

    def ratio(name: str, base: str) -> float:
        return statistics.median(a / b for a, b in zip(times[name], times[base], strict=True))

    print(f"bigquery on bqemulator: {args.rows:,} rows, page_size {args.page_size:,}, "
          f"{args.repeat} rounds, guard {'off' if args.no_guard else 'on (dry run)'}")  # fmt: skip
    for name in contenders:
        print(f"  {name:16s} median {statistics.median(times[name]):7.2f} s")
    for name, base in (("rows sqlgate", "rows direct"), ("arrow sqlgate", "arrow direct")):
        value = ratio(name, base)
        verdict = "ok" if value <= TARGET_RATIO else f"over {TARGET_RATIO}"
        print(f"  {name} / {base}: {value:.3f} ({verdict})")
    print(f"  storage sqlgate / arrow sqlgate (REST pages): "
          f"{ratio('storage sqlgate', 'arrow sqlgate'):.3f}")  # fmt: skip


if __name__ == "__main__":
    main()
