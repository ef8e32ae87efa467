"""Snowflake fetch benchmark: sqlgate against snowflake-connector-python used directly.

Run from the repository root (fakesnow installed by ``scripts/install-fakesnow.sh``)::

    python -m benchmarks.snowflake [--rows N] [--repeat K]

It starts fakesnow's server mode with the test harness (tests/servers/snowflake.py), creates
``--rows`` rows of ``(id NUMBER, name VARCHAR, amount NUMBER(12,2), ts TIMESTAMP_NTZ)`` and
times, interleaved round by round, ``SELECT * FROM`` the table through:

* ``rows``   the connector's ``cursor.fetchall()`` vs sqlgate's ``cursor.fetchall()``;
* ``arrow``  the connector's ``fetch_arrow_all()`` vs sqlgate's ``fetch_arrow_table()``.

Each side connects outside the timed region and is timed from ``execute`` to the last row.
Reported: the median time per contender and the median of per-round ratios sqlgate/connector
(the target is <= 1.1). fakesnow sends a result as one Arrow chunk, so its own time (DuckDB,
base64 JSON over HTTP) is in both sides; Snowflake sends many chunks, fetched the same way.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

TABLE = "sqlgate_bench_sf"


def _load(info: Any, rows: int) -> None:
    from tests.servers.snowflake import admin_execute

    admin_execute(
        info,
        f"CREATE OR REPLACE TABLE {TABLE} AS SELECT SEQ4() AS id, "
        "'name-' || SEQ4()::VARCHAR AS name, (SEQ4() % 100000) / 100 AS amount, "
        "DATEADD(SECOND, SEQ4(), '2026-01-01 00:00:00'::TIMESTAMP_NTZ) AS ts "
        f"FROM TABLE(GENERATOR(ROWCOUNT => {rows}))",
    )


def _timed(run: Callable[[], int]) -> tuple[float, int]:
    started = time.perf_counter()
    count = run()
    return time.perf_counter() - started, count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)

    import snowflake.connector

    from sqlgate.dbapi import snowflake as sg
    from tests.servers.snowflake import running_fakesnow

    query = f"SELECT * FROM {TABLE}"
    with running_fakesnow() as info:
        _load(info, args.rows)
        raw = snowflake.connector.connect(**info.connector_kwargs())
        ours = sg.connect(info.url("snowflake+sqlgate"))

        def raw_rows() -> int:
            cur = raw.cursor()
            cur.execute(query)
            return len(cur.fetchall())

        def our_rows() -> int:
            return len(ours.cursor().execute(query).fetchall())

        def raw_arrow() -> int:
            cur = raw.cursor()
            cur.execute(query)
            return int(cur.fetch_arrow_all(force_return_table=True).num_rows)

        def our_arrow() -> int:
            cur = ours.cursor()
            cur.execute(query)
            return int(cur.fetch_arrow_table().num_rows)

        groups = {"rows": (raw_rows, our_rows), "arrow": (raw_arrow, our_arrow)}
        times: dict[str, dict[str, list[float]]] = {g: {"raw": [], "ours": []} for g in groups}
        for _ in range(args.repeat):
            for group, (raw_call, our_call) in groups.items():
                for side, call in (("raw", raw_call), ("ours", our_call)):
                    elapsed, count = _timed(call)
                    assert count == args.rows, (group, side, count)
                    times[group][side].append(elapsed)
        raw.close()
        ours.close()

    print(f"snowflake fetch, {args.rows:,} rows, fakesnow 0.12.1, median of {args.repeat} rounds")
    print(f"python {sys.version.split()[0]}, load {os.getloadavg()[0]:.2f}")
    print(f"{'group':<8}{'connector (s)':>15}{'sqlgate (s)':>14}{'ratio':>8}")
    for group, sides in times.items():
        ratio = statistics.median(o / r for o, r in zip(sides["ours"], sides["raw"], strict=True))
        print(
            f"{group:<8}{statistics.median(sides['raw']):>15.3f}"
            f"{statistics.median(sides['ours']):>14.3f}{ratio:>8.3f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
