"""SQLAlchemy's compliance suite against the Snowflake, BigQuery and Databricks dialects, each on
its emulator (fakesnow, bqemulator, minilake), in a pytest subprocess of its own (the runner of
``test_sqlalchemy_suite.py``, as ``test_clickhouse_sqlalchemy_suite.py`` does for ClickHouse).

What the warehouses lack (indexes, savepoints, enforced keys...) and what the emulators do not
reproduce are closed in ``tests/sqlalchemy_suite/requirements_warehouse.py`` with reasons. The
rest runs and not all of it passes: the counts measured are a floor and a ceiling here, so a fix
shows as a pass count to raise and a regression fails. The failures left are listed by kind in
``docs/sources/{snowflake,bigquery,databricks}.md``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from contextlib import AbstractContextManager, ExitStack
from typing import NamedTuple

import pytest

from tests.integration.test_sqlalchemy_suite import (
    SQLALCHEMY_LINE,
    SUITE_DIR,
    SUITE_TIMEOUT,
    parse_summary,
    suite_command,
)
from tests.servers.base import ServerInfo

# measured with SQLAlchemy 2.1 (passed, failed + errors): a pass floor 5 below, a ceiling on
# what fails 5 above, so a few flaky results do not fail CI but a regression does
MEASURED: dict[str, dict[tuple[int, ...], tuple[int, int]]] = {
    "snowflake": {(2, 1): (583, 244), (2, 0): (569, 242), (1, 4): (217, 99)},  # fakesnow 0.12.1
    # bqemulator 1.4 (GoogleSQL translated by sqlglot)
    "bigquery": {(2, 1): (548, 277), (2, 0): (540, 265), (1, 4): (219, 92)},
    # minilake 1.9: it ignores parameters (~380 of these)
    "databricks": {(2, 1): (347, 561), (2, 0): (338, 527), (1, 4): (40, 312)},
}
# 2.0 and 1.4 are measured with ``main()`` below (``--python``), not in CI: the three suites on
# one of them take 1.5-3 min together, past the 60 s a version matrix may add to CI
#: per source: (emulator, dialect scheme, URL options beyond read_only=false)
SOURCES: dict[str, tuple[str, str, str]] = {
    # fakesnow answers some statements with HTTP 500, which the connector retries for minutes
    # unless each request is bounded
    "snowflake": ("fakesnow", "snowflake+sqlgate", "read_timeout=2"),
    "bigquery": ("bqemulator", "bigquery+sqlgate", ""),
    "databricks": ("minilake", "databricks+sqlgate", ""),
}
#: the three suites together (one alone takes 2-4 min on two idle cores, all three about the
#: longest one's time; a machine loaded by other work stretches them)
JOINT_TIMEOUT = SUITE_TIMEOUT + 240
#: extra pytest arguments per source; each ``-k`` deselection says why
EXTRA_ARGS: dict[str, tuple[str, ...]] = {}


def fresh_server(source: str) -> AbstractContextManager[ServerInfo]:
    """An emulator of its own for the suite: the session's shared one holds other tests'
    tables (the suite's reflection tests list a schema's tables), and the suite's failures
    leave tables behind that other tests should not see."""
    if source == "snowflake":
        from tests.servers.snowflake import running_fakesnow

        return running_fakesnow()
    if source == "bigquery":
        from tests.servers.bigquery import running_emulator

        return running_emulator()
    from tests.servers.databricks import MinilakeServer, _override, running

    return running(_override(), MinilakeServer)


def suite_url(source: str, info: ServerInfo) -> str:
    """The server's URL for the dialect, writable (the suite creates and drops tables); on
    BigQuery the URL's dataset is created first, empty (the emulator starts with none)."""
    if source == "bigquery":
        info.client().create_dataset(info.database, exists_ok=True)  # type: ignore[attr-defined]
    _, scheme, options = SOURCES[source]
    url = info.url(scheme)
    url += ("&" if "?" in url else "?") + "read_only=false"
    return url + (f"&{options}" if options else "")


class SuiteRun(NamedTuple):
    """One source's suite: pytest's summary line, its counts, the output and the wall time."""

    line: str
    counts: dict[str, int]
    output: str
    seconds: float


def run_suites(sources: list[str], python: str = sys.executable) -> dict[str, SuiteRun]:
    """Each source's suite on an emulator of its own, all started together and joined with
    one bounded deadline (the suites wait on their emulators, so on two cores three run in
    about the time of the longest). ``python``: the interpreter whose SQLAlchemy is tested."""
    runs: dict[str, SuiteRun] = {}
    with ExitStack() as stack:
        started = time.monotonic()
        procs: dict[str, subprocess.Popen[str]] = {}
        for source in sources:
            info = stack.enter_context(fresh_server(source))
            command = [
                python,
                *suite_command(suite_url(source, info), EXTRA_ARGS.get(source, ()))[1:],
            ]
            procs[source] = subprocess.Popen(
                command, cwd=SUITE_DIR, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                text=True, env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
            )  # fmt: skip
            stack.callback(_stop, procs[source])
        deadline = started + JOINT_TIMEOUT
        for source, proc in procs.items():
            try:
                output, _ = proc.communicate(timeout=max(deadline - time.monotonic(), 1))
            except subprocess.TimeoutExpired:
                proc.kill()
                output, _ = proc.communicate(timeout=30)
                pytest.fail(f"the {source} suite ran past {JOINT_TIMEOUT}s: {output[-3000:]}")
            line, counts = parse_summary(output)
            runs[source] = SuiteRun(line, counts, output, time.monotonic() - started)
    return runs


def _stop(proc: subprocess.Popen[str]) -> None:
    """A suite still running when the block ends (a failure elsewhere) is killed, reaped."""
    if proc.poll() is None:
        proc.kill()
        proc.wait(timeout=30)


@pytest.fixture(scope="module")
def suite_runs() -> dict[str, SuiteRun]:
    return run_suites(sorted(SOURCES))


@pytest.mark.timeout(JOINT_TIMEOUT + 180)
@pytest.mark.parametrize("source", sorted(SOURCES))
def test_warehouse_compliance_suite(
    source: str, suite_runs: dict[str, SuiteRun], capsys: pytest.CaptureFixture[str]
) -> None:
    run = suite_runs[source]
    with capsys.disabled():
        version = ".".join(map(str, SQLALCHEMY_LINE))
        print(
            f"\nSQLAlchemy {version} compliance suite, {source}: {run.line} "
            f"[{run.seconds:.0f}s wall, the three suites run together]"
        )
    counts = run.counts
    passed, broken = counts.get("passed", 0), counts.get("failed", 0) + counts.get("errors", 0)
    floor, ceiling = MEASURED.get(source, {}).get(SQLALCHEMY_LINE, (0, 10_000))
    report = f"{source}: {run.line}\n{run.output[-6000:]}"
    assert passed >= floor - 5, f"fewer suite tests pass than measured ({floor})\n{report}"
    assert broken <= ceiling + 5, f"more suite tests fail than measured ({ceiling})\n{report}"
    assert passed > 0, report


@pytest.mark.parametrize("name", ["snowflake", "bigquery", "databricks"])
def test_index_ddl_compiles_to_nothing(name: str) -> None:
    """Warehouse tables have no indexes: Index() compiles to no statement (hybrid tables aside)."""
    import sqlalchemy as sa
    from sqlalchemy.schema import CreateIndex, DropIndex

    dialect = sa.create_engine(f"{name}+sqlgate://").dialect
    meta = sa.MetaData()
    plain = sa.Table("t", meta, sa.Column("a", sa.Integer, index=True))
    hybrid = sa.Table(
        "h", meta, sa.Column("a", sa.Integer, primary_key=True),
        sa.Column("b", sa.Integer, index=True), prefixes=["HYBRID"],
    )  # fmt: skip
    (index,) = plain.indexes
    assert str(CreateIndex(index).compile(dialect=dialect)) == ""
    assert str(DropIndex(index).compile(dialect=dialect)) == ""
    (hybrid_index,) = hybrid.indexes
    created = str(CreateIndex(hybrid_index).compile(dialect=dialect))
    assert created == ("CREATE INDEX ix_h_b ON h (b)" if name == "snowflake" else "")


def test_bigquery_set_operations_say_distinct() -> None:
    """GoogleSQL refuses a bare UNION / INTERSECT / EXCEPT (found by the suite on bqemulator)."""
    import sqlalchemy as sa

    dialect = sa.create_engine("bigquery+sqlgate://").dialect
    one, two = sa.select(sa.literal_column("1")), sa.select(sa.literal_column("2"))
    compiled = [str(op(one, two).compile(dialect=dialect)) for op in (sa.union, sa.union_all)]
    assert compiled == ["SELECT 1 UNION DISTINCT SELECT 2", "SELECT 1 UNION ALL SELECT 2"]
    assert "INTERSECT DISTINCT" in str(sa.intersect(one, two).compile(dialect=dialect))
    assert "EXCEPT DISTINCT" in str(sa.except_(one, two).compile(dialect=dialect))


def test_bigquery_string_literals_escape_with_backslashes() -> None:
    """GoogleSQL has no doubled-quote escape: ``'it''s'`` lost the quote (found by the suite)."""
    import sqlalchemy as sa

    dialect = sa.create_engine("bigquery+sqlgate://").dialect
    value = "it's a \\ and \\' mix"
    sql = str(
        sa.select(sa.literal(value, sa.String)).compile(
            dialect=dialect, compile_kwargs={"literal_binds": True}
        )
    )
    assert sql == "SELECT 'it\\'s a \\\\ and \\\\\\' mix' AS anon_1"


def test_create_all_with_index_on_fakesnow(fakesnow_server: ServerInfo) -> None:
    """``index=True`` no longer stops create_all half-way: the table exists, with its rows."""
    import sqlalchemy as sa

    from tests.servers.snowflake import admin_execute

    engine = sa.create_engine(suite_url("snowflake", fakesnow_server))
    meta = sa.MetaData()
    table = sa.Table(
        "k_indexed", meta, sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(20), index=True, unique=True),
    )  # fmt: skip
    try:
        meta.create_all(engine)
        with engine.begin() as conn:
            conn.execute(table.insert(), [{"id": 1, "name": "a"}, {"id": 2, "name": "b"}])
        rows = admin_execute(fakesnow_server, "SELECT id, name FROM k_indexed ORDER BY id")[0]  # type: ignore[arg-type]
        assert rows == [(1, "a"), (2, "b")]
    finally:
        meta.drop_all(engine)
        engine.dispose()
    tables = admin_execute(fakesnow_server, "SHOW TABLES LIKE 'K_INDEXED'")[0]  # type: ignore[arg-type]
    assert tables == []


def main() -> int:
    """``python -m tests.integration.test_warehouse_sqlalchemy_suite [--python P] [source...]``:
    the counts on another SQLAlchemy line (``.cache/superset-venv`` has 1.4,
    ``scripts/install-sa20.sh`` makes ``.cache/sa20-venv`` with 2.0)."""
    import argparse

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("sources", nargs="*", default=sorted(SOURCES))
    args = parser.parse_args()
    version = subprocess.run(
        [args.python, "-c", "import sqlalchemy; print(sqlalchemy.__version__)"],
        capture_output=True, text=True, check=True, timeout=60,
    ).stdout.strip()  # fmt: skip
    for source, run in run_suites(args.sources, os.path.abspath(args.python)).items():
        print(f"SQLAlchemy {version}, {source}: {run.line} [{run.seconds:.0f}s wall]")
    return 0


if __name__ == "__main__":
    sys.exit(main())
