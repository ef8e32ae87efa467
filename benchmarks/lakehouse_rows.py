"""Lakehouse rows benchmark: row fetches and cold first rows, against the engines' own paths.

Run from the repository root::

    python -m benchmarks.lakehouse_rows [--rows N] [--repeat K] [--keep DIR]

It writes the dataset of :mod:`benchmarks.lakehouse` (plain Parquet, Iceberg, Delta; default
3,000,000 rows) and prints, in one run, medians with their ratio to an anchor measured in the
same run:

* ``fetchmany(10000)`` of every row through sqlgate ``file://``, ``iceberg://`` and
  ``delta://``, against DuckDB's own ``fetchmany`` over the plain Parquet copy (the anchor);
* cold first rows: a fresh process imports, connects and fetches ``SELECT * ... LIMIT 10``
  through sqlgate ``iceberg://``, ``delta://`` and ``file://``, against deltalake's
  ``QueryBuilder``, polars (if installed) and DuckDB ``read_parquet``; the anchor is the
  fastest of these peers.
  Each child times itself from its first line (imports included, interpreter start-up not).
  A ``floor`` line (not a peer) imports pyarrow and DuckDB and runs DuckDB's query: what any
  Arrow + DuckDB design pays before its own code, so the gap splits into floor and sqlgate.
  The children compile sqlgate's modules once into a private bytecode cache (an installed
  package has its ``.pyc`` files; ``PYTHONDONTWRITEBYTECODE`` would make every child compile).
* a fresh connection per request in one running process (Superset's NullPool): each request
  connects, runs ``SELECT * ... LIMIT 10``, fetches and closes, through sqlgate's DB-API and
  through a SQLAlchemy engine with ``NullPool`` (``iceberg://``, ``delta://``, ``file://``),
  against peers doing the same per request in the same process: deltalake ``DeltaTable`` +
  ``QueryBuilder`` and ``DeltaTable.to_pyarrow_dataset().head(10)``, pyiceberg
  ``StaticTable`` ``scan(limit=10)``, ``duckdb.connect()`` + ``read_parquet`` and polars (if
  installed). Each ratio is the median of per-round ratios to the fastest peer (by median),
  timed in the same round; ``fmt`` is the ratio to the fastest peer reading the same format
  (Delta: deltalake; Iceberg: pyiceberg; files: DuckDB).
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path

from benchmarks.lakehouse import day_batches, write_all

TARGET = 1.5  # sqlgate's allowed ratio to the anchor
FETCH = 10_000


def log(message: str) -> None:
    print(f"[lakehouse_rows {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# -- fetchmany ------------------------------------------------------------------------------------
def drain(cursor: object) -> int:
    """Fetch every row ``FETCH`` at a time, as a DB-API consumer does."""
    rows = 0
    while chunk := cursor.fetchmany(FETCH):  # type: ignore[attr-defined]
        rows += len(chunk)
    return rows


def fetch_contenders(root: Path, urls: dict[str, str]) -> dict[str, Callable[[], int]]:
    import duckdb

    import sqlgate

    duck = duckdb.connect()
    glob = f"{root}/files/events/*/*.parquet"

    def duckdb_native() -> int:
        return drain(duck.execute(f"SELECT * FROM read_parquet('{glob}', hive_partitioning = 1)"))

    def via_sqlgate(name: str, table: str) -> Callable[[], int]:
        conn = sqlgate.connect(urls[name])

        def run() -> int:
            cursor = conn.cursor()
            cursor.execute(f"SELECT * FROM {table}")
            return drain(cursor)

        return run

    return {
        "duckdb fetchmany (anchor)": duckdb_native,
        "sqlgate file://": via_sqlgate("file", "events"),
        "sqlgate iceberg://": via_sqlgate("iceberg", "bench.events"),
        "sqlgate delta://": via_sqlgate("delta", "events"),
    }


# -- cold first rows ------------------------------------------------------------------------------
_CLOCK = "import time\nstarted = time.perf_counter()\n"
_REPORT = "\nprint(round((time.perf_counter() - started) * 1000, 2), len(rows))\n"
SQLGATE_CHILD = """
import sqlgate
cur = sqlgate.connect({url!r}).cursor()
cur.execute({sql!r})
rows = cur.fetchall()
"""
QUERYBUILDER_CHILD = """
import pyarrow as pa
from deltalake import DeltaTable, QueryBuilder
qb = QueryBuilder().register("events", DeltaTable({path!r}))
rows = pa.RecordBatchReader.from_stream(qb.execute("SELECT * FROM events LIMIT 10")).read_all()
rows = rows.to_pylist()
"""
POLARS_CHILD = """
import polars as pl
rows = pl.scan_delta({path!r}).head(10).collect().rows()
"""
DUCKDB_CHILD = """
import duckdb
rows = duckdb.sql("SELECT * FROM read_parquet('{glob}', hive_partitioning = 1) LIMIT 10")
rows = rows.fetchall()
"""
FLOOR = "floor: pyarrow + duckdb"
FLOOR_CHILD = "import pyarrow\n" + DUCKDB_CHILD


def cold_children(root: Path, urls: dict[str, str]) -> dict[str, str]:
    delta = str(root / "delta" / "events")
    children = {
        "sqlgate iceberg://": SQLGATE_CHILD.format(
            url=urls["iceberg"], sql="SELECT * FROM bench.events LIMIT 10"
        ),
        "sqlgate delta://": SQLGATE_CHILD.format(
            url=urls["delta"], sql="SELECT * FROM events LIMIT 10"
        ),
        "sqlgate file://": SQLGATE_CHILD.format(
            url=urls["file"], sql="SELECT * FROM events LIMIT 10"
        ),
        "deltalake QueryBuilder": QUERYBUILDER_CHILD.format(path=delta),
        "duckdb read_parquet": DUCKDB_CHILD.format(glob=f"{root}/files/events/*/*.parquet"),
        FLOOR: FLOOR_CHILD.format(glob=f"{root}/files/events/*/*.parquet"),
    }
    if importlib.util.find_spec("polars") is not None:
        children["polars scan_delta"] = POLARS_CHILD.format(path=delta)
    return children


def child_env(cache: Path) -> dict[str, str]:
    """The children's environment: bytecode cached in ``cache``, as an installed package."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(cache)
    return env


def cold_run(body: str, env: dict[str, str] | None = None) -> float:
    done = subprocess.run(
        [sys.executable, "-c", _CLOCK + body + _REPORT],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        env=env,
    )
    millis, rows = done.stdout.split()
    if int(rows) != 10:
        raise SystemExit(f"a cold child fetched {rows} rows, not 10:\n{body}")
    return float(millis) / 1000


# -- a fresh connection per request, in a running process ------------------------------------------
#: contender -> the table format its peers read (sqlgate's contenders are matched by scheme)
_PEER_FORMAT = {
    "deltalake QueryBuilder": "delta",
    "deltalake dataset head": "delta",
    "pyiceberg StaticTable": "iceberg",
    "duckdb read_parquet": "file",
    "polars scan_delta": "delta",
}
_LIMIT = "SELECT * FROM {t} LIMIT 10"


def connect_contenders(root: Path, urls: dict[str, str]) -> dict[str, Callable[[], int]]:
    """Each opens what it needs, reads 10 rows and lets go of it: one request."""
    import duckdb
    import pyarrow as pa
    import sqlalchemy as sa
    from deltalake import DeltaTable, QueryBuilder
    from sqlalchemy.pool import NullPool

    import sqlgate

    delta = str(root / "delta" / "events")
    glob = f"{root}/files/events/*/*.parquet"
    tables = {"iceberg": "bench.events", "delta": "events", "file": "events"}

    def dbapi(name: str) -> Callable[[], int]:
        def run() -> int:
            with sqlgate.connect(urls[name]) as conn:
                cursor = conn.cursor()
                cursor.execute(_LIMIT.format(t=tables[name]))
                return len(cursor.fetchall())

        return run

    def nullpool(name: str) -> Callable[[], int]:
        def run() -> int:
            engine = sa.create_engine(urls[name], poolclass=NullPool)
            with engine.connect() as conn:
                return len(conn.execute(sa.text(_LIMIT.format(t=tables[name]))).fetchall())

        return run

    def querybuilder() -> int:
        qb = QueryBuilder().register("events", DeltaTable(delta))
        reader = pa.RecordBatchReader.from_stream(qb.execute(_LIMIT.format(t="events")))
        return len(reader.read_all().to_pylist())

    def dataset_head() -> int:
        return len(DeltaTable(delta).to_pyarrow_dataset().head(10).to_pylist())

    def duckdb_native() -> int:
        con = duckdb.connect()
        try:
            sql = f"SELECT * FROM read_parquet('{glob}', hive_partitioning = 1) LIMIT 10"
            return len(con.sql(sql).fetchall())
        finally:
            con.close()

    runs: dict[str, Callable[[], int]] = {}
    for name in ("iceberg", "delta", "file"):
        runs[f"sqlgate {name}:// DB-API"] = dbapi(name)
        runs[f"sqlgate {name}:// SA NullPool"] = nullpool(name)
    runs["deltalake QueryBuilder"] = querybuilder
    runs["deltalake dataset head"] = dataset_head
    runs["duckdb read_parquet"] = duckdb_native
    if importlib.util.find_spec("pyiceberg") is not None:
        from pyiceberg.table import StaticTable

        with sqlite3.connect(root / "catalog.db") as catalog:
            (location,) = catalog.execute(
                "SELECT metadata_location FROM iceberg_tables WHERE table_name = 'events'"
            ).fetchone()

        def pyiceberg_static() -> int:
            return len(StaticTable.from_metadata(location).scan(limit=10).to_arrow().to_pylist())

        runs["pyiceberg StaticTable"] = pyiceberg_static
    if importlib.util.find_spec("polars") is not None:
        import polars as pl

        runs["polars scan_delta"] = lambda: len(pl.scan_delta(delta).head(10).collect().rows())
    return runs


def report_paired(title: str, timings: dict[str, list[float]]) -> None:
    """Each sqlgate line: the median of its per-round ratios to the fastest peer (overall,
    and reading the same format), measured in the same round."""
    peers = {n: statistics.median(v) for n, v in timings.items() if n in _PEER_FORMAT}
    anchor = min(peers, key=peers.__getitem__)
    print(f"\n{title}; anchor: the fastest peer, {anchor} (target <= {TARGET})")
    header = f"{'contender':<30}  {'median ms':>9}  {'ratio':>6}  {'fmt':>5}  {'target':>6}"
    print(header)
    print("-" * len(header))
    for name, values in timings.items():
        ratio = statistics.median(v / a for v, a in zip(values, timings[anchor], strict=True))
        fmt, verdict = "", ""
        if name.startswith("sqlgate"):
            scheme = name.split(":", 1)[0].split()[-1]
            own = [p for p, f in _PEER_FORMAT.items() if f == scheme and p in timings]
            best = min(own, key=peers.__getitem__)
            paired = (v / b for v, b in zip(values, timings[best], strict=True))
            fmt = f"{statistics.median(paired):.2f}"
            verdict = "met" if ratio <= TARGET else "over"
        median = statistics.median(values) * 1e3
        print(f"{name:<30}  {median:>9.2f}  {ratio:>6.2f}  {fmt:>5}  {verdict:>6}".rstrip())


def timed_connects(root: Path, urls: dict[str, str], repeat: int) -> dict[str, list[float]]:
    runs = connect_contenders(root, urls)
    for name, run in runs.items():  # warm-up (imports, page cache) and sanity check
        if run() != 10:
            raise SystemExit(f"{name} fetched another row count than 10")
    return timed(runs, repeat)


# -- main -----------------------------------------------------------------------------------------
def timed(runs: Mapping[str, Callable[[], object]], repeat: int) -> dict[str, list[float]]:
    """Interleaved rounds, so load on the machine touches every contender alike."""
    out: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeat):
        for name, run in runs.items():
            gc.collect()
            started = time.perf_counter()
            run()
            out[name].append(time.perf_counter() - started)
    return out


def report(title: str, timings: dict[str, list[float]], anchor: float) -> None:
    print(f"\n{title}; ratio = median / anchor (target <= {TARGET})")
    header = f"{'contender':<30}  {'median s':>9}  {'ratio':>6}"
    print(header)
    print("-" * len(header))
    for name, values in timings.items():
        median = statistics.median(values)
        over = "  over target" if name.startswith("sqlgate") and median / anchor > TARGET else ""
        print(f"{name:<30}  {median:>9.3f}  {median / anchor:>6.2f}{over}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=3_000_000)
    parser.add_argument("--days", type=int, default=10)
    parser.add_argument("--files-per-day", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cold-repeat", type=int, default=5)
    parser.add_argument("--keep", help="build the data here and keep it")
    parser.add_argument("--cold-only", action="store_true", help="skip the fetchmany rounds")
    parser.add_argument("--connect-repeat", type=int, default=21)
    parser.add_argument(
        "--connect-only", action="store_true", help="only the per-request connections"
    )
    args = parser.parse_args(argv)

    root = Path(args.keep or tempfile.mkdtemp(prefix="sqlgate-bench-rows-"))
    try:
        if not (root / "catalog.db").exists():
            root.mkdir(parents=True, exist_ok=True)
            log(f"building {args.rows:,} rows in {root}")
            urls = write_all(root, day_batches(args.rows, args.days, args.files_per_day))
        else:
            urls = {
                "file": f"file://{root}/files",
                "iceberg": f"iceberg://{root}/catalog.db",
                "delta": f"delta://{root}/delta",
            }
        n_files = sum(1 for _ in (root / "files" / "events").rglob("*.parquet"))
        fetch: dict[str, list[float]] = {}
        counts: dict[str, int] = {}
        if not (args.cold_only or args.connect_only):
            fetchers = fetch_contenders(root, urls)
            counts = {name: run() for name, run in fetchers.items()}  # warm-up, sanity check
            if len(set(counts.values())) != 1:
                raise SystemExit(f"contenders fetched different row counts: {counts}")
            fetch = timed(fetchers, args.repeat)
            log("timed fetchmany")
        cold: dict[str, list[float]] = {}
        if not args.connect_only:
            children = cold_children(root, urls)
            env = child_env(root / "pycache")
            for body in children.values():  # warm the page and bytecode caches, check each
                cold_run(body, env)
            cold = {name: [] for name in children}
            for _ in range(args.cold_repeat):  # interleaved; each child reports its own time
                for name, body in children.items():
                    cold[name].append(cold_run(body, env))
            log("timed cold first rows")
        connects = timed_connects(root, urls, args.connect_repeat)
        log("timed fresh connections")
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    if fetch:
        report(
            f"fetchmany({FETCH}) of {next(iter(counts.values())):,} rows, median of {args.repeat}",
            fetch,
            statistics.median(fetch["duckdb fetchmany (anchor)"]),
        )
    if cold:
        peers = [
            statistics.median(v) for n, v in cold.items() if not n.startswith(("sqlgate", "floor"))
        ]
        report(
            f"cold connect + LIMIT 10 in a fresh process, median of {args.cold_repeat} "
            "(anchor: the fastest peer)",
            cold,
            min(peers),
        )
    report_paired(
        "fresh connection per request in a running process (connect + LIMIT 10 + fetchall "
        f"+ close), {n_files} data files per table, median of {args.connect_repeat} paired rounds",
        connects,
    )
    print(json.dumps({"fetch": fetch, "cold": cold, "connect": connects}), file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
