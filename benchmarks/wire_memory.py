"""Streaming memory benchmark for the wire families: peak RSS while reading a long result.

Run from the repository root::

    python -m benchmarks.wire_memory [--rows N] [--limit-mb MB] [--only postgresql|mariadb]

For PostgreSQL and then MariaDB it starts a throwaway server with the test harness (or uses
``SQLGATE_TEST_POSTGRES_URL`` / ``SQLGATE_TEST_MARIADB_URL``) and streams ``--rows`` rows of
``(id, name, amount)`` generated server-side (``generate_series``; MariaDB's sequence engine,
``seq_1_to_N``), so no table is loaded. Each case runs in a subprocess of its own, which reads
its baseline ``ru_maxrss`` after its imports and connect, streams every row, and reports how far
its peak rose above that baseline:

* ``fetchmany``          ``cursor.fetchmany(10000)`` until empty;
* ``record_batch``       ``cursor.fetch_record_batch()``, batch by batch;
* ``record_batch(alt)``  the same on the other ``arrow_path`` (PostgreSQL ``native``: ADBC;
  MySQL ``rows``: Arrow from PyMySQL's rows);
* ``read_sql(dbapi)``    ``pandas.read_sql(sql, sqlgate_connection, chunksize=10000)``;
* ``read_sql(engine)``   the same through a ``+sqlgate`` SQLAlchemy engine.

Each case passes when its peak stays below ``--limit-mb`` (150) above the baseline. Then a
point query (one short row) is timed, interleaved, through the streaming path and through the
buffering cursor sqlgate used before (same process, same connection), to show that streaming
costs a small result nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
import warnings
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CASES = (
    "fetchmany",
    "record_batch",
    "record_batch(alt)",
    "read_sql(dbapi)",
    "read_sql(engine)",
)
# record_batch(alt): the other arrow_path (docs/types.md): PostgreSQL's native ADBC path is
# opt-in, MySQL's native packet reader is the default, so "alt" is PostgreSQL native, MySQL rows
ALT_ARROW_PATH = {"postgresql": "native", "mysql": "rows"}
CHUNK = 10_000
SQL = {
    "postgresql": "SELECT g AS id, md5(g::text) AS name, g * 0.01 AS amount "
    "FROM generate_series(1, {rows}) g",
    "mariadb": "SELECT seq AS id, md5(seq) AS name, seq * 0.01 AS amount FROM seq_1_to_{rows}",
}
SCHEME = {"postgresql": ("postgresql", "postgresql+sqlgate"), "mariadb": ("mysql", "mysql+sqlgate")}


def _maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def run_case(case: str, url: str, engine_url: str, sql: str) -> dict[str, Any]:
    """One case, in this (child) process: baseline after connect, peak after the stream."""
    import pandas  # before the baseline: every case uses it
    import sqlalchemy

    import sqlgate

    warnings.simplefilter("ignore")
    engine = sqlalchemy.create_engine(engine_url, poolclass=sqlalchemy.pool.NullPool)
    conn = sqlgate.connect(url)
    with engine.connect():
        pass
    baseline = _maxrss_mb()
    started = time.perf_counter()
    rows = 0
    if case == "fetchmany":
        cursor = conn.cursor().execute(sql)
        while batch := cursor.fetchmany(CHUNK):
            rows += len(batch)
    elif case in ("record_batch", "record_batch(alt)"):
        if case != "record_batch":
            conn.close()
            path = ALT_ARROW_PATH["postgresql" if url.startswith("postgres") else "mysql"]
            conn = sqlgate.connect(url, arrow_path=path)
        reader = conn.cursor().execute(sql).fetch_record_batch()
        for batch in reader:
            rows += batch.num_rows
    elif case == "read_sql(dbapi)":
        for frame in pandas.read_sql(sql, conn, chunksize=CHUNK):
            rows += len(frame)
    else:
        with engine.connect() as sa_conn:
            for frame in pandas.read_sql(sqlalchemy.text(sql), sa_conn, chunksize=CHUNK):
                rows += len(frame)
    seconds = time.perf_counter() - started
    conn.close()
    return {
        "case": case,
        "rows": rows,
        "seconds": seconds,
        "baseline_mb": baseline,
        "peak_mb": _maxrss_mb(),
        "growth_mb": _maxrss_mb() - baseline,
    }


def point_query(url: str, sql: str, rounds: int = 7, per_round: int = 2000) -> tuple[float, ...]:
    """Median µs per execute+fetchall: the streaming path vs the buffering cursor (the same
    connection, alternated round by round)."""
    import sqlgate
    from sqlgate.core.driver import DriverSession

    conn = sqlgate.connect(url)
    session = conn.session
    streaming_run = session.run

    def buffered_run(operation: str, parameters: Any) -> Any:
        return DriverSession.run(session, operation, parameters)

    times: dict[str, list[float]] = {"streaming": [], "buffered": []}
    cursor = conn.cursor()
    for round_no in range(rounds + 1):
        order = ("streaming", "buffered") if round_no % 2 else ("buffered", "streaming")
        for mode in order:
            session.run = streaming_run if mode == "streaming" else buffered_run
            t0 = time.perf_counter()
            for _ in range(per_round):
                cursor.execute(sql).fetchall()
            if round_no:  # round 0 warms up
                times[mode].append((time.perf_counter() - t0) / per_round * 1e6)
    conn.close()
    ratios = [s / b for s, b in zip(times["streaming"], times["buffered"], strict=True)]
    return (
        statistics.median(times["streaming"]),
        statistics.median(times["buffered"]),
        statistics.median(ratios),
    )


def _family(name: str, rows: int, limit_mb: float) -> list[str]:
    from tests.servers.mariadb import running_mariadb
    from tests.servers.postgres import running_postgres

    server = running_postgres if name == "postgresql" else running_mariadb
    lines = []
    with server() as info:
        scheme, sa_scheme = SCHEME[name]
        url, engine_url = info.url(scheme), info.url(sa_scheme)
        sql = SQL[name].format(rows=rows)
        for case in CASES:
            # the URLs carry the server's password: through the environment, not argv
            env = {**os.environ, "SQLGATE_BENCH_URL": url, "SQLGATE_BENCH_ENGINE_URL": engine_url}
            out = subprocess.run(
                [sys.executable, "-m", "benchmarks.wire_memory", "--child", case, sql],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                timeout=900,
                check=False,
            )
            if out.returncode != 0:
                lines.append(f"  {case:<18} FAILED: {out.stderr.strip()[-400:]}")
                continue
            r = json.loads(out.stdout.strip().splitlines()[-1])
            verdict = "ok" if r["growth_mb"] < limit_mb and r["rows"] == rows else "OVER"
            lines.append(
                f"  {case:<18}{r['rows']:>11,}{r['seconds']:>9.1f}"
                f"{r['baseline_mb']:>13.0f}{r['peak_mb']:>10.0f}{r['growth_mb']:>11.0f}"
                f"  {verdict}"
            )
        point_sql = "SELECT 1 AS id, 'x' AS name"
        streaming, buffered, ratio = point_query(url, point_sql)
        lines.append(
            f"  point query ({point_sql}): streaming {streaming:.0f} µs, buffering "
            f"cursor {buffered:.0f} µs, ratio {ratio:.3f} (median of paired rounds)"
        )
    header = (
        f"  {'case':<18}{'rows':>11}{'s':>9}{'base MB':>13}{'peak MB':>10}{'+MB':>11}"
        f"  target +{limit_mb:.0f} MB"
    )
    return [f"{name}", header, *lines]


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args and args[0] == "--child":
        url, engine_url = os.environ["SQLGATE_BENCH_URL"], os.environ["SQLGATE_BENCH_ENGINE_URL"]
        print(json.dumps(run_case(args[1], url, engine_url, args[2])))
        return 0
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.wire_memory",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--limit-mb", type=float, default=150.0)
    parser.add_argument("--only", choices=("postgresql", "mariadb"))
    options = parser.parse_args(args)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    started = time.perf_counter()
    for name in ("postgresql", "mariadb"):
        if options.only in (None, name):
            print("\n".join(_family(name, options.rows, options.limit_mb)), flush=True)
    print(f"total wall time {time.perf_counter() - started:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
