"""ClickHouse benchmark: sqlgate against clickhouse-driver used directly, on a real server.

Run from the repository root::

    python -m benchmarks.clickhouse [--rows N] [--fetch N] [--repeat K]

Starts a throwaway ClickHouse server with the test harness (``tests/servers/clickhouse.py``;
or uses ``SQLGATE_TEST_CLICKHOUSE_URL``), fills ``sqlgate_bench_ch`` with ``--rows`` rows
(default 10,000,000) by ``INSERT ... SELECT`` on the server, then times, interleaved round by
round (medians of ``--repeat`` rounds after a warm-up round that also checks both sides return
the same answer):

* ``aggregate``  a GROUP BY over every row: sqlgate's cursor vs ``Client.execute``; the target
  is a sub-second median on the server;
* ``rows``       ``--fetch`` rows (default 1,000,000) as Python tuples: ``fetchall`` vs
  ``Client.execute``;
* ``arrow``      the same rows as a ``pyarrow.Table``: ``fetch_arrow_table`` vs
  ``Client.query_arrow`` (clickhouse-driver 0.2.11's own Arrow path).

Ratios are medians of the per-round ratios sqlgate / direct (target <= 1.1).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

TABLE = "sqlgate_bench_ch"
TARGET_RATIO = 1.1
AGGREGATE = (  # exact aggregates only: a float sum's last digit depends on thread order
    f"SELECT k % 100 AS g, count() AS n, sum(v) AS s, max(f) AS m FROM {TABLE} "
    "GROUP BY g ORDER BY g"
)


def fetch_sql(rows: int) -> str:
    return f"SELECT id, k, v, f, name, ts FROM {TABLE} WHERE id < {rows}"


def load(info: Any, rows: int) -> None:
    from tests.servers.clickhouse import admin_client

    client = admin_client(info)
    try:
        client.execute(f"DROP TABLE IF EXISTS {TABLE}")
        client.execute(
            f"CREATE TABLE {TABLE} (id UInt64, k UInt32, v Int64, f Float64, name String, "
            "ts DateTime) ENGINE = MergeTree ORDER BY id"
        )
        client.execute(
            f"INSERT INTO {TABLE} SELECT number, number % 1000, number * 3 - 7, number / 7, "
            "concat('name-', toString(number % 5000)), toDateTime(1700000000 + number) "
            f"FROM system.numbers LIMIT {rows}",
            settings={"send_timeout": 600, "receive_timeout": 600},
        )
    finally:
        client.disconnect()


def contenders(info: Any, fetch: int) -> dict[str, tuple[Callable[[], Any], Callable[[], Any]]]:
    """group -> (sqlgate, direct), each returning its result; connections made beforehand."""
    from clickhouse_driver import Client

    import sqlgate

    conn = sqlgate.connect(info.url("clickhouse+sqlgate"))
    direct = Client(
        info.host,
        port=info.port,
        user=info.user,
        password=info.password,
        database=info.database,
        send_receive_timeout=600,
        settings={"readonly": 2},  # the same guard sqlgate sends
    )
    cursor = conn.cursor()
    sql = fetch_sql(fetch)
    return {
        "aggregate": (
            lambda: cursor.execute(AGGREGATE).fetchall(),
            lambda: direct.execute(AGGREGATE),
        ),
        "rows": (lambda: cursor.execute(sql).fetchall(), lambda: direct.execute(sql)),
        "arrow": (
            lambda: cursor.execute(sql).fetch_arrow_table(),
            lambda: direct.query_arrow(sql, field_metadata=False),
        ),
    }


def timed(call: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = call()
    return time.perf_counter() - started, result


def same(group: str, ours: Any, theirs: Any) -> bool:
    """The same rows, in any order (blocks arrive in thread order)."""
    if group == "arrow":
        ours, theirs = ours.to_pylist(), theirs.to_pylist()
        return sorted(ours, key=lambda r: r["id"]) == sorted(theirs, key=lambda r: r["id"])
    return sorted(tuple(r) for r in ours) == sorted(tuple(r) for r in theirs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--fetch", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    from tests.servers.clickhouse import running_clickhouse

    with running_clickhouse() as info:
        started = time.perf_counter()
        load(info, args.rows)
        print(f"loaded {args.rows:,} rows in {time.perf_counter() - started:.1f} s", flush=True)
        groups = contenders(info, args.fetch)
        times: dict[str, tuple[list[float], list[float], list[float]]] = {
            g: ([], [], []) for g in groups
        }
        for round_no in range(args.repeat + 1):
            for group, (ours, theirs) in groups.items():
                t_ours, r_ours = timed(ours)
                t_theirs, r_theirs = timed(theirs)
                if round_no == 0:
                    if not same(group, r_ours, r_theirs):
                        sys.exit(f"{group}: sqlgate's answer differs from clickhouse-driver's")
                    continue
                mine, direct, ratios = times[group]
                mine.append(t_ours)
                direct.append(t_theirs)
                ratios.append(t_ours / t_theirs)
        print(f"ClickHouse server, {args.repeat} rounds; medians in seconds")
        print(f"{'group':<10} {'sqlgate':>9} {'direct':>9} {'ratio':>7}  target")
        for group, (mine, direct, ratios) in times.items():
            ratio = statistics.median(ratios)
            target = f"<= {TARGET_RATIO}" + (" met" if ratio <= TARGET_RATIO else " NOT met")
            if group == "aggregate":
                fast = statistics.median(mine) < 1.0
                target += f"; sub-second {'met' if fast else 'NOT met'}"
            print(
                f"{group:<10} {statistics.median(mine):>9.3f} {statistics.median(direct):>9.3f} "
                f"{ratio:>7.2f}  {target}"
            )


if __name__ == "__main__":
    main()
