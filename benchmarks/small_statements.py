"""Small-statement benchmark: what sqlgate adds to each statement on the wire families.

Run from the repository root::

    python -m benchmarks.small_statements [--statements N] [--rounds K] [--only postgresql]

For PostgreSQL and then MariaDB it starts a throwaway server with the test harness (or uses
``SQLGATE_TEST_POSTGRES_URL`` / ``SQLGATE_TEST_MARIADB_URL``), loads a 1,000-row table and
times point queries (``execute`` + ``fetchall``, one row back), ``--statements`` per sample:

* ``repeated dbapi``     the same text every time (the gate's verdict cached): sqlgate's DB-API
  cursor against the raw driver's cursor (psycopg ``ClientCursor``, PyMySQL ``Cursor``);
* ``distinct dbapi``     a new text every statement (the gate parses each one), the same texts
  for both; beside them sqlgate with those verdicts cached beforehand: its cost apart from
  the gate's parse;
* ``repeated sqlalchemy`` / ``distinct sqlalchemy``  ``Connection.execute(text(...))`` on
  ``postgresql+sqlgate`` / ``mysql+sqlgate`` against ``postgresql+psycopg`` / ``mysql+pymysql``.

``--profile N`` then runs N more repeated statements through sqlgate's DB-API cursor under
``cProfile`` and prints the functions with the most own time (where the overhead is).

Every contender holds one open connection in one transaction (as the driver's default,
``autocommit`` off; rolled back outside the timed region after each sample). Rounds interleave
the contenders, rotating the groups and alternating who goes first. Reported: the median time
per statement and the ratio to the group's anchor as the median over rounds of (time / the
anchor's time in the same round). Beside wall time, the client's CPU time per statement and
its difference to the anchor's: on a shared, loaded machine the wall-time ratio wanders with
the load while the CPU difference still shows what sqlgate itself adds.
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

TABLE = "sqlgate_bench_small"
ROWS = 1000
GROUPS = ("repeated dbapi", "distinct dbapi", "repeated sqlalchemy", "distinct sqlalchemy")
TARGETS = {"repeated dbapi": 1.2, "repeated sqlalchemy": 1.2, "distinct dbapi": 1.5}
REPEATED = f"SELECT id, name, amount FROM {TABLE} WHERE id = 42"
_COUNTER = itertools.count(1)


def log(message: str) -> None:
    print(f"[small_statements {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def distinct_texts(count: int) -> list[str]:
    """``count`` statements never seen before in this process (the gate cannot have them)."""
    return [
        f"SELECT id, name, amount, {n} AS n FROM {TABLE} WHERE id = {n % ROWS + 1}"
        for n in itertools.islice(_COUNTER, count)
    ]


# a sample: runs the texts it is given, returns (wall seconds, this process's CPU seconds)
Sample = Callable[[list[str]], tuple[float, float]]


class Clock:
    """Wall time and this process's CPU time of one sample. The CPU time is what the client
    side (driver, sqlgate, SQLAlchemy) spent; it barely moves with the load other processes
    put on a shared machine, so its difference to the anchor is sqlgate's own cost."""

    def __enter__(self) -> Clock:
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu


@dataclass
class Contender:
    group: str
    name: str
    sample: Sample
    is_anchor: bool = False
    seconds: list[float] = field(default_factory=list)  # per statement, one per round
    cpu: list[float] = field(default_factory=list)  # client CPU per statement, one per round


def _dbapi(conn: Any, before: Callable[[list[str]], None] | None = None) -> Sample:
    """execute + fetchall on one cursor per statement, as most callers do."""

    def sample(texts: list[str]) -> tuple[float, float]:
        if before is not None:
            before(texts)
        with Clock() as clock:
            for sql in texts:
                cursor = conn.cursor()
                cursor.execute(sql)
                cursor.fetchall()
                cursor.close()
        conn.rollback()
        return clock.wall, clock.cpu

    return sample


def _sqlalchemy(conn: Any) -> Sample:
    from sqlalchemy import text

    def sample(texts: list[str]) -> tuple[float, float]:
        with Clock() as clock:
            for sql in texts:
                conn.execute(text(sql)).fetchall()
        conn.rollback()
        return clock.wall, clock.cpu

    return sample


def _warm_verdicts(conn: Any) -> Callable[[list[str]], None]:
    """Put the texts' verdicts in the connection's gate cache (outside the timed region)."""

    def warm(texts: list[str]) -> None:
        for sql in texts:
            conn.admit(sql)

    return warm


def contenders(
    raw_connect: Callable[[], Any],
    gate_connect: Callable[[], Any],
    urls: tuple[str, str],
    stack: ExitStack,
) -> list[Contender]:
    import sqlalchemy

    raw, gate, warmed = raw_connect(), gate_connect(), gate_connect()
    for conn in (raw, gate, warmed):
        stack.callback(conn.close)
    engines = [sqlalchemy.create_engine(url, pool_size=1, max_overflow=0) for url in urls]
    sa_raw, sa_gate = (stack.enter_context(engine.connect()) for engine in engines)
    for engine in engines:
        stack.callback(engine.dispose)
    out = []
    for kind in ("repeated", "distinct"):
        out += [
            Contender(f"{kind} dbapi", "raw driver", _dbapi(raw), is_anchor=True),
            Contender(f"{kind} dbapi", "sqlgate", _dbapi(gate)),
            Contender(f"{kind} sqlalchemy", "raw driver", _sqlalchemy(sa_raw), is_anchor=True),
            Contender(f"{kind} sqlalchemy", "sqlgate", _sqlalchemy(sa_gate)),
        ]
    out.append(
        Contender(
            "distinct dbapi", "sqlgate, verdicts cached", _dbapi(warmed, _warm_verdicts(warmed))
        )
    )
    return out


# -- the families ---------------------------------------------------------------------------------
@dataclass
class Family:
    title: str
    server: Callable[[], AbstractContextManager[Any]]
    setup: Callable[[Any, ExitStack], list[Contender]]


def _pg_setup(info: Any, stack: ExitStack) -> list[Contender]:
    import psycopg

    import sqlgate.dbapi.postgresql as sqlgate_pg
    from tests.servers import postgres

    with postgres.connect(info) as conn:
        conn.execute(f"DROP TABLE IF EXISTS {TABLE}")
        conn.execute(f"CREATE TABLE {TABLE} (id int PRIMARY KEY, name text, amount numeric(12,2))")
        conn.execute(
            f"INSERT INTO {TABLE} SELECT i, 'name-' || i, i / 100.0 "
            f"FROM generate_series(1, {ROWS}) AS i"
        )
        conn.execute(f"ANALYZE {TABLE}")

    def raw() -> Any:
        return psycopg.connect(
            host=info.host,
            port=info.port,
            user=info.user,
            password=info.password,
            dbname=info.database,
            cursor_factory=psycopg.ClientCursor,
        )

    return contenders(
        raw,
        lambda: sqlgate_pg.connect(info.url("postgresql")),
        (info.url("postgresql+psycopg"), info.url("postgresql+sqlgate")),
        stack,
    )


def _my_setup(info: Any, stack: ExitStack) -> list[Contender]:
    import pymysql

    import sqlgate.dbapi.mysql as sqlgate_my

    def raw() -> Any:
        return pymysql.connect(
            host=info.host,
            port=info.port,
            user=info.user,
            password=info.password,
            database=info.database,
            charset="utf8mb4",
        )

    conn = raw()
    try:
        with conn.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")
            cursor.execute(
                f"CREATE TABLE {TABLE} (id int PRIMARY KEY, name varchar(32), amount decimal(12,2))"
            )
            cursor.execute(
                f"INSERT INTO {TABLE} SELECT seq, CONCAT('name-', seq), seq / 100 "
                f"FROM seq_1_to_{ROWS}"
            )
        conn.commit()
    finally:
        conn.close()
    return contenders(
        raw,
        lambda: sqlgate_my.connect(info.url("mysql")),
        (info.url("mysql+pymysql") + "?charset=utf8mb4", info.url("mysql+sqlgate")),
        stack,
    )


def _families() -> list[Family]:
    from tests.servers.mariadb import running_mariadb
    from tests.servers.postgres import running_postgres

    return [
        Family("PostgreSQL", running_postgres, _pg_setup),
        Family("MariaDB", running_mariadb, _my_setup),
    ]


# -- running --------------------------------------------------------------------------------------
def _round_order(members: list[Contender], round_no: int) -> Iterator[Contender]:
    """Groups rotate round by round; within a group, who goes first alternates."""
    groups = [[c for c in members if c.group == g] for g in GROUPS]
    shift = round_no % len(groups)
    for group in groups[shift:] + groups[:shift]:
        yield from (group[::-1] if round_no % 2 else group)


def profile(members: list[Contender], executes: int) -> str:
    """cProfile over ``executes`` repeated statements through sqlgate's DB-API cursor: the
    functions with the most own time (the driver's socket waits included, as the server's)."""
    import cProfile
    import io
    import pstats

    sample = next(c for c in members if c.group == "repeated dbapi" and c.name == "sqlgate")
    profiler = cProfile.Profile()
    profiler.runcall(sample.sample, [REPEATED] * executes)
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(25)
    return out.getvalue()


def bench(
    family: Family, statements: int, rounds: int, profiled: int = 0
) -> tuple[str, list[Contender]]:
    with ExitStack() as stack:
        log(f"{family.title}: starting the server")
        info = stack.enter_context(family.server())
        members = family.setup(info, stack)
        for round_no in range(rounds + 1):  # round 0 warms up and is not recorded
            repeated = [REPEATED] * statements
            for contender in _round_order(members, round_no):
                kind = contender.group.split()[0]
                texts = repeated if kind == "repeated" else distinct_texts(statements)
                wall, cpu = contender.sample(texts)
                if round_no:
                    contender.seconds.append(wall / statements)
                    contender.cpu.append(cpu / statements)
        log(f"{family.title}: {rounds} rounds done")
        if profiled:
            print(f"{family.title}: sqlgate, repeated dbapi, {profiled} statements profiled")
            print(profile(members, profiled), flush=True)
    return family.title, members


def load() -> str:
    """The 1- and 5-minute load averages: what else ran on the machine meanwhile."""
    if not hasattr(os, "getloadavg"):
        return "load unknown"
    one, five, _ = os.getloadavg()
    return f"load {one:.2f} {five:.2f} on {os.cpu_count()} CPUs"


def format_report(title: str, members: list[Contender], statements: int) -> str:
    lines = [
        f"{title} - {statements} statements a sample, median of {len(members[0].seconds)} "
        f"rounds, {load()} at the end"
    ]
    header = (
        f"  {'group':<22}{'contender':<26}{'median us':>10}{'min us':>8}{'ratio':>7}"
        f"{'cpu us':>8}{'+cpu us':>9}  target"
    )
    lines += [header, "  " + "-" * (len(header) + 4)]
    for group in GROUPS:
        group_members = [c for c in members if c.group == group]
        anchor = next(c for c in group_members if c.is_anchor)
        for c in group_members:
            ratio = statistics.median(t / a for t, a in zip(c.seconds, anchor.seconds, strict=True))
            extra = statistics.median(t - a for t, a in zip(c.cpu, anchor.cpu, strict=True))
            target = TARGETS.get(group)
            verdict = ""
            if target and c.name == "sqlgate":
                verdict = f"ok (<= {target})" if ratio <= target else f"OVER {target}"
            lines.append(
                f"  {group:<22}{c.name + (' *' if c is anchor else ''):<26}"
                f"{statistics.median(c.seconds) * 1e6:>10.1f}{min(c.seconds) * 1e6:>8.1f}"
                f"{ratio:>7.2f}{statistics.median(c.cpu) * 1e6:>8.1f}{extra * 1e6:>+9.1f}"
                f"  {verdict}"
            )
    lines.append(
        "  * anchor; ratio = median over rounds of (wall time / the anchor's in the same round);\n"
        "    cpu = this process's CPU time per statement (client side only: driver, sqlgate,\n"
        "    SQLAlchemy), +cpu = median over rounds of the difference to the anchor's"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.small_statements",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--statements", type=int, default=50, help="statements a sample (50)")
    parser.add_argument("--rounds", type=int, default=31, help="timed rounds (31)")
    parser.add_argument("--only", choices=("postgresql", "mariadb"))
    parser.add_argument(
        "--profile", type=int, default=0, metavar="N", help="then profile N repeated statements"
    )
    args = parser.parse_args(argv)
    if not 1 <= args.statements <= 10_000 or not 1 <= args.rounds <= 200:
        parser.error("--statements must be 1..10000 and --rounds 1..200")
    if not 0 <= args.profile <= 100_000:
        parser.error("--profile must be 0..100000")
    root = str(Path(__file__).resolve().parent.parent)
    if root not in sys.path:
        sys.path.insert(0, root)
    import pytest  # the harness reports a missing server binary with pytest's skip

    started = time.perf_counter()
    print(f"python {sys.version.split()[0]}, {load()} at the start", flush=True)
    for family in _families():
        if args.only not in (None, family.title.lower()):
            continue
        try:
            title, members = bench(family, args.statements, args.rounds, args.profile)
        except (pytest.skip.Exception, pytest.fail.Exception) as exc:
            print(f"{family.title}: not benchmarked, server unavailable: {exc}")
            continue
        print(format_report(title, members, args.statements), flush=True)
    print(f"total wall time {time.perf_counter() - started:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
