"""SQLAlchemy's compliance suite against the ClickHouse dialect, in a pytest subprocess of its
own (as the family suites in ``test_sqlalchemy_suite.py``, whose runner this reuses): on chdb's
ClickHouse 26.x and on the Debian 18.16 server (a throwaway server of its own, so the suite's
tables never meet the other tests' ``items``).

The suite's fixtures INSERT their rows through the dialect as ``INSERT ... VALUES (%(a)s, ...)``
with bound parameters, some tests with literal values; on the server both travel as native
data blocks (:mod:`sqlgate.dbapi.clickhouse_insert`). Before that, 18.16 waited for blocks that
never came and the suite hung.

What ClickHouse lacks (constraints, transactions, auto-increment, UPDATE/DELETE with row
counts...) is closed in ``tests/sqlalchemy_suite/requirements_olap.py`` with reasons. The
rest runs, and not all of it passes yet: the counts measured are floors and ceilings here,
so that a fix shows as a pass count to raise and a regression fails. The failures left are
listed by kind in ``docs/sources/clickhouse.md``.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import time
from collections.abc import Iterator

import pytest

from tests.integration.test_sqlalchemy_suite import (
    SQLALCHEMY_LINE,
    SUITE_DIR,
    SUITE_TIMEOUT,
    parse_summary,
    suite_command,
)
from tests.servers import clickhouse
from tests.servers.base import server_unavailable

# measured with SQLAlchemy 2.1 (passed, failed + errors): a pass floor 5 below, a ceiling on
# what fails 5 above, so a few flaky results do not fail CI but a regression does
MEASURED: dict[str, dict[tuple[int, int], tuple[int, int]]] = {
    "chdb": {(2, 1): (497, 121)},
    # most of 18.16's errors are one fixture each: its ``ALTER TABLE ... ADD INDEX`` (data
    # skipping indexes came in 19.6) fails the shared tables' set-up for a whole test class
    "server": {(2, 1): (324, 934)},
}


@pytest.fixture(params=["chdb", "server"])
def suite_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, str]]:
    """(engine, URL): an embedded chdb directory, or a throwaway 18.16 server of its own."""
    if request.param == "chdb":
        pytest.importorskip("chdb")
        path = tmp_path_factory.mktemp("chdb-suite")
        yield "chdb", f"clickhouse+sqlgate://{path}?embedded=true&read_only=false"
        return
    if importlib.util.find_spec("clickhouse_driver") is None:
        server_unavailable("clickhouse", "clickhouse-driver is not installed")
    server = clickhouse.ClickHouseServer()
    try:
        info = server.start()
        yield "server", info.url("clickhouse+sqlgate") + "?read_only=false"
    finally:
        server.stop()


@pytest.mark.timeout(SUITE_TIMEOUT + 120)
def test_clickhouse_compliance_suite(
    suite_url: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    engine, url = suite_url
    started = time.monotonic()
    try:
        proc = subprocess.run(
            suite_command(url), cwd=SUITE_DIR, capture_output=True, text=True,
            timeout=SUITE_TIMEOUT, env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
            check=False,
        )  # fmt: skip
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"the ClickHouse suite ran past {SUITE_TIMEOUT}s: {str(exc.stdout)[-3000:]}")
    output = proc.stdout + proc.stderr
    line, counts = parse_summary(output)
    with capsys.disabled():
        version = ".".join(map(str, SQLALCHEMY_LINE))
        print(
            f"\nSQLAlchemy {version} compliance suite, ClickHouse {engine}: {line} "
            f"[{time.monotonic() - started:.0f}s wall]"
        )
    passed, broken = counts.get("passed", 0), counts.get("failed", 0) + counts.get("errors", 0)
    floor, ceiling = MEASURED[engine].get(SQLALCHEMY_LINE, (0, 10_000))
    report = f"{engine}: {line}\n{output[-6000:]}"
    assert passed >= floor - 5, f"fewer suite tests pass than measured ({floor})\n{report}"
    assert broken <= ceiling + 5, f"more suite tests fail than measured ({ceiling})\n{report}"
    assert passed > 0, report
