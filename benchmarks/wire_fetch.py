"""Fetch benchmark for the wire families: sqlgate against the raw drivers and native Arrow paths.

Run from the repository root::

    python -m benchmarks.wire_fetch [--rows N] [--repeat K] [--budget SECONDS]

For PostgreSQL and then MariaDB it starts a throwaway server with the test harness (or uses the
server named by ``SQLGATE_TEST_POSTGRES_URL`` / ``SQLGATE_TEST_MARIADB_URL``), loads ``--rows``
rows of ``(id bigint, name text, ts timestamp, amount numeric(12,2))`` and times, interleaved
round by round, ``SELECT * FROM`` the table through each contender:

* ``fetchall``          raw driver cursor vs sqlgate's DB-API cursor;
* ``read_sql(dbapi)``   ``pandas.read_sql`` on the raw connection vs sqlgate's connection;
* ``read_sql(engine)``  ``pandas.read_sql`` on ``postgresql+psycopg``/``mysql+pymysql`` engines vs
  ``postgresql+sqlgate``/``mysql+sqlgate``;
* ``arrow``             ``fetch_arrow_table()`` vs ADBC and connectorx (whichever are installed;
  raw rows -> pyarrow only when neither is).

Each contender connects outside the timed region (connectorx cannot: its time includes its
connect) and is timed from ``execute`` to the last row. Reported: the median over ``--repeat``
rounds after one warm-up round on the first 100,000 rows, the ratio to the group's anchor (the
raw driver; for Arrow the fastest non-sqlgate path) as the median of per-round ratios, and the
median peak RSS growth during the timed region. The warm-up also checks that sqlgate returns
exactly the raw driver's rows and an Arrow table equal to those rows converted naively.
``--budget`` caps the whole run's wall time by running fewer rounds (never fewer than three)
where a family's rounds are slow.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import importlib.metadata
import platform
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from contextlib import AbstractContextManager, ExitStack, suppress
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import Any

import pyarrow as pa

TABLE = "sqlgate_bench_wire"
WARMUP_ROWS = 100_000
MIN_ROUNDS = 3
TARGET_RATIO = 1.05  # sqlgate's allowed overhead over the raw driver for fetchall / read_sql
# issue #11: sqlgate's Arrow against a native reader (reference contender, allowed ratio)
ARROW_TARGETS = {"PostgreSQL": ("ADBC postgresql", 1.3), "MariaDB": ("connectorx", 2.0)}
GROUPS = ("fetchall", "read_sql(dbapi)", "read_sql(engine)", "arrow")
MiB = 1024 * 1024


def log(message: str) -> None:
    print(f"[wire_fetch {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# -- measuring ----------------------------------------------------------------------------------
def _status_kib(key: str) -> int:
    """A ``VmRSS``/``VmHWM`` figure of this process, in KiB (0 where /proc is missing)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(key):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _reset_peak_rss() -> bool:
    """Reset the kernel's peak-RSS mark (Linux 4.0+); False where that is not possible."""
    try:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")
    except OSError:
        return False
    return True


class Probe:
    """Times one region and measures how far the resident set grew above its start."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.peak_bytes: int | None = None
        self._base = 0
        self._peak_ok = False
        self._t0 = 0.0

    def __enter__(self) -> Probe:
        gc.collect()
        self._peak_ok = _reset_peak_rss()
        self._base = _status_kib("VmRSS:")
        self._t0 = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self._t0
        if self._peak_ok:
            self.peak_bytes = max(0, _status_kib("VmHWM:") - self._base) * 1024


Runner = Callable[[Probe, str], int]  # times ``sql`` inside the probe; returns the row count


@dataclass
class Contender:
    group: str
    name: str
    run: Runner
    is_sqlgate: bool = False
    is_anchor: bool = False  # the raw driver of its group; Arrow's anchor is picked afterwards
    seconds: list[float] = field(default_factory=list)
    peaks: list[int] = field(default_factory=list)
    rows: int = -1

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


@dataclass
class FamilyReport:
    title: str
    contenders: list[Contender]
    rounds: int
    rounds_capped: bool
    notes: list[str]


# -- a family: how to reach its server and which contenders it has -------------------------------
@dataclass
class Family:
    """One wire family: server, loader, and the contenders' connect functions."""

    title: str
    server: Callable[[], AbstractContextManager[Any]]
    load: Callable[[Any, int], None]
    drop: Callable[[Any], None]
    version: Callable[[Any], str]
    contenders: Callable[[Any, ExitStack, list[str]], list[Contender]]


def _installed(module: str) -> bool:
    try:
        importlib.import_module(module)
    except ImportError:
        return False
    return True


def _version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "-"


def _dbapi_fetchall(connect: Callable[[], Any]) -> Runner:
    def run(probe: Probe, sql: str) -> int:
        conn = connect()
        try:
            cursor = conn.cursor()
            with probe:
                cursor.execute(sql)
                rows = cursor.fetchall()
            cursor.close()
            return len(rows)
        finally:
            conn.rollback()
            conn.close()

    return run


def _read_sql(connect: Callable[[], Any]) -> Runner:
    import pandas

    def run(probe: Probe, sql: str) -> int:
        conn = connect()
        try:
            with probe:
                frame = pandas.read_sql(sql, conn)
            return len(frame)
        finally:
            conn.rollback()
            conn.close()

    return run


def _read_sql_engine(engine: Any) -> Runner:
    import pandas

    def run(probe: Probe, sql: str) -> int:
        with probe:
            frame = pandas.read_sql(sql, engine)
        return len(frame)

    return run


def _sqlgate_arrow(connect: Callable[[], Any]) -> Runner:
    def run(probe: Probe, sql: str) -> int:
        conn = connect()
        try:
            cursor = conn.cursor()
            with probe:
                cursor.execute(sql)
                table = cursor.fetch_arrow_table()
            cursor.close()
            return int(table.num_rows)
        finally:
            conn.close()

    return run


def _rows_to_arrow(connect: Callable[[], Any]) -> Runner:
    """The do-it-yourself path: raw driver rows, transposed, pyarrow inferring each column."""

    def run(probe: Probe, sql: str) -> int:
        conn = connect()
        try:
            cursor = conn.cursor()
            with probe:
                cursor.execute(sql)
                rows = cursor.fetchall()
                names = [d[0] for d in cursor.description]
                columns = [[row[i] for row in rows] for i in range(len(names))]
                table = pa.table([pa.array(c) for c in columns], names=names)
            return int(table.num_rows)
        finally:
            conn.rollback()
            conn.close()

    return run


def _connectorx(uri: str) -> Runner:
    import connectorx

    def run(probe: Probe, sql: str) -> int:
        with probe:  # connectorx connects inside read_sql: its connect is timed
            table = connectorx.read_sql(uri, sql, return_type="arrow")
        return int(table.num_rows)

    return run


def _adbc_postgres(uri: str) -> Runner:
    import adbc_driver_postgresql.dbapi as adbc

    def run(probe: Probe, sql: str) -> int:
        with adbc.connect(uri) as conn, conn.cursor() as cursor:
            with probe:
                cursor.execute(sql)
                table = cursor.fetch_arrow_table()
            return int(table.num_rows)

    return run


def _arrow_natives(
    family: str, uri: str, raw: Callable[[], Any], driver: str, notes: list[str]
) -> list[Contender]:
    natives: list[Contender] = []
    if family == "postgres":
        if _installed("adbc_driver_postgresql"):
            natives.append(Contender("arrow", "ADBC postgresql", _adbc_postgres(uri)))
        else:
            notes.append("adbc-driver-postgresql not installed: ADBC not timed")
    if _installed("connectorx"):
        natives.append(Contender("arrow", "connectorx", _connectorx(uri)))
    else:
        notes.append("connectorx not installed: connectorx not timed")
    if not natives:
        natives.append(Contender("arrow", f"{driver} rows -> pyarrow", _rows_to_arrow(raw)))
    return natives


def _engine(url: str, stack: ExitStack) -> Any:
    import sqlalchemy

    engine = sqlalchemy.create_engine(url, pool_size=1, max_overflow=0)
    stack.callback(engine.dispose)
    return engine


# PostgreSQL --------------------------------------------------------------------------------------
def _pg_connect(info: Any, *, autocommit: bool = False) -> Any:
    import psycopg

    return psycopg.connect(
        host=info.host,
        port=info.port,
        user=info.user,
        password=info.password,
        dbname=info.database,
        autocommit=autocommit,
    )


def _pg_load(info: Any, rows: int) -> None:
    with _pg_connect(info, autocommit=True) as conn:
        conn.execute(f"DROP TABLE IF EXISTS {TABLE}")
        conn.execute(
            f"CREATE TABLE {TABLE} (id bigint PRIMARY KEY, name text, ts timestamp, "
            "amount numeric(12,2))"
        )
        conn.execute(
            f"INSERT INTO {TABLE} SELECT i, CASE WHEN i % 100 = 0 THEN NULL ELSE 'name-' || i END,"
            " timestamp '2020-01-01' + i * interval '1 second' + (i % 1000) * interval '1 us',"
            f" ((i * 7919) % 10000000) / 100.0 FROM generate_series(1::bigint, {rows}) AS i"
        )
        conn.execute(f"VACUUM ANALYZE {TABLE}")


def _pg_drop(info: Any) -> None:
    with _pg_connect(info, autocommit=True) as conn:
        conn.execute(f"DROP TABLE IF EXISTS {TABLE}")


def _pg_version(info: Any) -> str:
    with _pg_connect(info) as conn:
        row = conn.execute("SHOW server_version").fetchone()
    return f"PostgreSQL {row[0] if row else '?'}"


def _pg_contenders(info: Any, stack: ExitStack, notes: list[str]) -> list[Contender]:
    import sqlgate.dbapi.postgresql as sqlgate_pg

    uri = info.url("postgresql")

    def raw() -> Any:
        return _pg_connect(info)

    def gate() -> Any:
        return sqlgate_pg.connect(uri)

    raw_engine = _engine(info.url("postgresql+psycopg"), stack)
    gate_engine = _engine(info.url("postgresql+sqlgate"), stack)
    return [
        Contender("fetchall", "psycopg", _dbapi_fetchall(raw), is_anchor=True),
        Contender("fetchall", "sqlgate DB-API", _dbapi_fetchall(gate), is_sqlgate=True),
        Contender("read_sql(dbapi)", "psycopg conn", _read_sql(raw), is_anchor=True),
        Contender("read_sql(dbapi)", "sqlgate conn", _read_sql(gate), is_sqlgate=True),
        Contender(
            "read_sql(engine)", "postgresql+psycopg", _read_sql_engine(raw_engine), is_anchor=True
        ),
        Contender(
            "read_sql(engine)", "postgresql+sqlgate", _read_sql_engine(gate_engine), is_sqlgate=True
        ),
        Contender("arrow", "sqlgate fetch_arrow_table", _sqlgate_arrow(gate), is_sqlgate=True),
        Contender(
            "arrow",
            "sqlgate arrow_path=native",
            _sqlgate_arrow(lambda: sqlgate_pg.connect(uri, arrow_path="native")),
            is_sqlgate=True,
        ),
        *_arrow_natives("postgres", uri, raw, "psycopg", notes),
    ]


# MariaDB / MySQL ---------------------------------------------------------------------------------
def _my_connect(info: Any) -> Any:
    import pymysql

    return pymysql.connect(
        host=info.host,
        port=info.port,
        user=info.user,
        password=info.password,
        database=info.database,
        charset="utf8mb4",
    )


def _my_load(info: Any, rows: int) -> None:
    from tests.servers import mariadb

    if "override_url" not in info.extra:
        # a throwaway server starts with a 64 MiB pool: let it hold the table, as a real one would
        try:
            mariadb.admin_execute(info, "SET GLOBAL innodb_buffer_pool_size = 268435456")
        except Exception as exc:  # best effort: the benchmark stands without it
            log(f"could not grow the buffer pool: {exc}")
    conn = _my_connect(info)
    try:
        cursor = conn.cursor()
        cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")
        # DATETIME(6) is MySQL's timestamp without time zone, as PostgreSQL's timestamp
        cursor.execute(
            f"CREATE TABLE {TABLE} (id bigint PRIMARY KEY, name varchar(64), "
            "ts datetime(6), amount decimal(12,2))"
        )
        select = (
            "SELECT {i}, IF({i} % 100 = 0, NULL, CONCAT('name-', {i})), TIMESTAMP "
            "'2020-01-01 00:00:00' + INTERVAL {i} SECOND + INTERVAL ({i} % 1000) MICROSECOND,"
            " (({i} * 7919) % 10000000) / 100"
        )
        try:  # MariaDB's SEQUENCE engine: the fastest generator there is
            cursor.execute(f"INSERT INTO {TABLE} {select.format(i='seq')} FROM seq_1_to_{rows}")
        except Exception:
            conn.rollback()
            log("no SEQUENCE engine: loading with a recursive CTE")
            for variable in ("max_recursive_iterations", "cte_max_recursion_depth"):
                with suppress(Exception):
                    cursor.execute(f"SET SESSION {variable} = {rows + 1}")
            cursor.execute(
                f"INSERT INTO {TABLE} WITH RECURSIVE s (i) AS (SELECT 1 UNION ALL "
                f"SELECT i + 1 FROM s WHERE i < {rows}) {select.format(i='i')} FROM s"
            )
        conn.commit()
        cursor.execute(f"SELECT COUNT(*) FROM {TABLE}")
        (count,) = cursor.fetchone()
        if count != rows:
            raise RuntimeError(f"loaded {count} rows into {TABLE}, not {rows}")
    finally:
        conn.close()


def _my_drop(info: Any) -> None:
    conn = _my_connect(info)
    try:
        conn.cursor().execute(f"DROP TABLE IF EXISTS {TABLE}")
    finally:
        conn.close()


def _my_version(info: Any) -> str:
    conn = _my_connect(info)
    try:
        banner = conn.get_server_info()
    finally:
        conn.close()
    return f"MariaDB/MySQL {banner}"


def _my_contenders(info: Any, stack: ExitStack, notes: list[str]) -> list[Contender]:
    import sqlgate.dbapi.mysql as sqlgate_my

    uri = info.url("mysql")

    def raw() -> Any:
        return _my_connect(info)

    def gate() -> Any:
        return sqlgate_my.connect(uri)

    raw_engine = _engine(info.url("mysql+pymysql") + "?charset=utf8mb4", stack)
    gate_engine = _engine(info.url("mysql+sqlgate"), stack)
    return [
        Contender("fetchall", "pymysql", _dbapi_fetchall(raw), is_anchor=True),
        Contender("fetchall", "sqlgate DB-API", _dbapi_fetchall(gate), is_sqlgate=True),
        Contender("read_sql(dbapi)", "pymysql conn", _read_sql(raw), is_anchor=True),
        Contender("read_sql(dbapi)", "sqlgate conn", _read_sql(gate), is_sqlgate=True),
        Contender(
            "read_sql(engine)", "mysql+pymysql", _read_sql_engine(raw_engine), is_anchor=True
        ),
        Contender(
            "read_sql(engine)", "mysql+sqlgate", _read_sql_engine(gate_engine), is_sqlgate=True
        ),
        # arrow_path=native is the MySQL family's default: the raw packet reader
        Contender("arrow", "sqlgate fetch_arrow_table", _sqlgate_arrow(gate), is_sqlgate=True),
        *_arrow_natives("mysql", uri, raw, "pymysql", notes),
    ]


def _families() -> list[Family]:
    from tests.servers.mariadb import running_mariadb
    from tests.servers.postgres import running_postgres

    return [
        Family("PostgreSQL", running_postgres, _pg_load, _pg_drop, _pg_version, _pg_contenders),
        Family("MariaDB", running_mariadb, _my_load, _my_drop, _my_version, _my_contenders),
    ]


# -- checks --------------------------------------------------------------------------------------
def _check_identical(family: Family, info: Any, sql: str) -> None:
    """sqlgate's rows equal the raw driver's; its Arrow table equals those rows converted."""
    module = importlib.import_module(
        "sqlgate.dbapi.postgresql" if family.title == "PostgreSQL" else "sqlgate.dbapi.mysql"
    )
    connect_raw = _pg_connect if family.title == "PostgreSQL" else _my_connect
    raw = connect_raw(info)
    try:
        cursor = raw.cursor()
        cursor.execute(sql)
        expected = sorted(cursor.fetchall(), key=itemgetter(0))
    finally:
        raw.rollback()
        raw.close()
    url = info.url("postgresql" if family.title == "PostgreSQL" else "mysql")
    tables = []
    for path in ("rows", "native"):
        gate = module.connect(url, arrow_path=path)
        try:
            rows = sorted(gate.cursor().execute(sql).fetchall(), key=itemgetter(0))
            tables.append(gate.cursor().execute(sql).fetch_arrow_table().sort_by("id"))
        finally:
            gate.close()
        if rows != expected:
            raise AssertionError(f"{family.title}: sqlgate's fetchall differs from the driver's")
    table = tables[0]
    naive = pa.table(
        [pa.array([r[i] for r in expected], type=f.type) for i, f in enumerate(table.schema)],
        schema=table.schema,
    )
    for path, got in zip(("rows", "native"), tables, strict=True):
        if not got.equals(naive):
            raise AssertionError(
                f"{family.title}: sqlgate's Arrow table (arrow_path={path}) differs from its rows"
            )


# -- running ---------------------------------------------------------------------------------------
def _round_order(contenders: list[Contender], round_no: int) -> list[Contender]:
    """Groups rotate round by round and members of a group alternate who goes first, so the
    contenders compared stay side by side in time and none is always first."""
    groups = [[c for c in contenders if c.group == g] for g in GROUPS]
    groups = [g for g in groups if g]
    shift = round_no % len(groups)
    order: list[Contender] = []
    for members in groups[shift:] + groups[:shift]:
        order += members[::-1] if round_no % 2 else members
    return order


def _run_round(contenders: list[Contender], sql: str, round_no: int, record: bool) -> float:
    """Run every contender once, in this round's order."""
    started = time.perf_counter()
    for contender in _round_order(contenders, round_no):
        probe = Probe()
        t0 = time.perf_counter()
        rows = contender.run(probe, sql)
        if not record:
            log(
                f"  warm-up {contender.group} {contender.name}: {probe.seconds:.2f}s timed, "
                f"{time.perf_counter() - t0:.2f}s in all"
            )
        if record:
            contender.seconds.append(probe.seconds)
            if probe.peak_bytes is not None:
                contender.peaks.append(probe.peak_bytes)
            if contender.rows not in (-1, rows):
                raise AssertionError(f"{contender.name}: {rows} rows, earlier {contender.rows}")
            contender.rows = rows
    return time.perf_counter() - started


def bench_family(
    family: Family, rows: int, repeat: int, deadline: float | None, families_left: int
) -> FamilyReport:
    family_start = time.perf_counter()
    allowance = None if deadline is None else (deadline - family_start) / families_left
    notes: list[str] = []
    with ExitStack() as stack:
        log(f"{family.title}: starting the server")
        info = stack.enter_context(family.server())
        title = family.version(info)
        log(f"{title} on {info.host}:{info.port}: loading {rows:,} rows")
        t0 = time.perf_counter()
        family.load(info, rows)
        stack.callback(family.drop, info)
        log(f"loaded in {time.perf_counter() - t0:.1f}s")
        contenders = family.contenders(info, stack, notes)
        sql = f"SELECT * FROM {TABLE}"
        warm_sql = f"{sql} LIMIT {min(rows, WARMUP_ROWS)}"
        log(f"warm-up round on {min(rows, WARMUP_ROWS):,} rows, checking sqlgate's results")
        _run_round(contenders, warm_sql, 0, record=False)
        # a set that does not depend on where a scan starts (PostgreSQL synchronises scans)
        _check_identical(family, info, f"{sql} WHERE id <= {min(rows, WARMUP_ROWS)}")
        rounds, capped = 0, False
        while rounds < repeat:
            took = _run_round(contenders, sql, rounds, record=True)
            rounds += 1
            log(f"{family.title} round {rounds}/{repeat}: {took:.1f}s")
            if rounds >= min(MIN_ROUNDS, repeat) and rounds < repeat and allowance is not None:
                spent = time.perf_counter() - family_start
                if spent + took > allowance:
                    capped = True
                    break
        counts = {c.rows for c in contenders}
        if counts != {rows}:
            raise AssertionError(f"{family.title}: row counts {sorted(counts)}, expected {rows}")
    return FamilyReport(title, contenders, rounds, capped, notes)


# -- reporting ---------------------------------------------------------------------------------
def format_report(report: FamilyReport, rows: int, repeat: int) -> str:
    rounds = f"median of {report.rounds} rounds"
    if report.rounds_capped:
        rounds += f" (capped from {repeat} by --budget)"
    lines = [f"{report.title} - {rows:,} rows - {rounds}, after a warm-up round"]
    header = (
        f"  {'group':<17}{'contender':<28}{'median s':>9}{'min s':>8}{'ratio':>8}"
        f"{'peak RSS +MiB':>15}  target"
    )
    lines += [header, "  " + "-" * (len(header) + 4)]
    for group in GROUPS:
        members = [c for c in report.contenders if c.group == group]
        if not members:
            continue
        anchors = [c for c in members if c.is_anchor]
        if not anchors:  # arrow: the fastest non-sqlgate path
            anchors = [min((c for c in members if not c.is_sqlgate), key=lambda c: c.median)]
        anchor = anchors[0]
        for c in members:
            # paired: each round's time over the anchor's in the same round, then the median
            ratio = statistics.median(t / a for t, a in zip(c.seconds, anchor.seconds, strict=True))
            peak = f"{statistics.median(c.peaks) / MiB:.0f}" if c.peaks else "-"
            mark = " *" if c is anchor else ""
            verdict = ""
            if c.is_sqlgate and group != "arrow":
                verdict = "ok" if ratio <= TARGET_RATIO else f"OVER {TARGET_RATIO:.2f}"
            target = ARROW_TARGETS.get(report.title.split()[0].split("/")[0])
            refs = [m for m in members if target and m.name == target[0]]
            if c.is_sqlgate and group == "arrow" and target and refs:
                versus = statistics.median(
                    t / a for t, a in zip(c.seconds, refs[0].seconds, strict=True)
                )
                mark_ok = "ok" if versus <= target[1] else "OVER"
                verdict = f"{versus:.2f}x {target[0]}: {mark_ok} (<= {target[1]})"
            lines.append(
                f"  {group:<17}{c.name + mark:<28}{c.median:>9.3f}{min(c.seconds):>8.3f}"
                f"{ratio:>8.2f}{peak:>15}  {verdict}"
            )
    lines.append(
        "  * anchor of its group; ratio = median over rounds of (time / the anchor's time"
        " in the same round);\n    'min s' = fastest round; peak RSS = median growth of"
        " the resident set while timed"
    )
    lines += [f"  note: {n}" for n in report.notes]
    return "\n".join(lines)


def environment() -> str:
    dists = (
        "psycopg",
        "PyMySQL",
        "pyarrow",
        "pandas",
        "SQLAlchemy",
        "adbc-driver-postgresql",
        "connectorx",
    )
    versions = " ".join(f"{d}={_version(d)}" for d in dists)
    return f"Python {platform.python_version()} on {platform.machine()}; {versions}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.wire_fetch",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows per table (1,000,000)")
    parser.add_argument("--repeat", type=int, default=5, help="timed rounds per family (5)")
    parser.add_argument(
        "--budget",
        type=float,
        default=330.0,
        help="wall-clock seconds for the whole run (330; 0: no cap); a slow family "
        "runs fewer rounds, but at least 3",
    )
    parser.add_argument(
        "--only", choices=("postgresql", "mariadb"), help="benchmark one family only"
    )
    args = parser.parse_args(argv)
    if args.rows < 1 or args.repeat < 1:
        parser.error("--rows and --repeat must be positive")
    # the benchmark imports the test harness: run it from the repository root
    root = str(Path(__file__).resolve().parent.parent)
    if root not in sys.path:
        sys.path.insert(0, root)
    warnings.simplefilter("ignore")  # pandas warns about DB-API connections that are not sqlite3
    started = time.perf_counter()
    deadline = started + args.budget if args.budget > 0 else None
    families = [f for f in _families() if args.only in (None, f.title.lower())]
    import pytest  # the harness reports a missing server binary with pytest's skip

    reports: list[FamilyReport | str] = []
    for index, family in enumerate(families):
        try:
            reports.append(
                bench_family(family, args.rows, args.repeat, deadline, len(families) - index)
            )
        except (pytest.skip.Exception, pytest.fail.Exception) as exc:
            log(f"{family.title}: server unavailable: {exc}")
            reports.append(f"{family.title}: not benchmarked, server unavailable: {exc}")
    print(environment())
    for report in reports:
        print()
        print(report if isinstance(report, str) else format_report(report, args.rows, args.repeat))
    print(f"\ntotal wall time {time.perf_counter() - started:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
