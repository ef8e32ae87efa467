"""SQLAlchemy's compliance suite against the ClickHouse dialect on chdb's ClickHouse 26.x, in
a pytest subprocess of its own (as the family suites in ``test_sqlalchemy_suite.py``, whose
runner this reuses).

Not on the Debian 18.16 server: the suite's fixtures INSERT their rows through the dialect,
which sends ``INSERT ... VALUES (...)`` with the values in the text, and over the native
protocol that server then waits for a data block that never comes (the hang noted in
``tests/servers/clickhouse.py``); a run there ends in fixture timeouts, not in results.

What ClickHouse lacks (constraints, transactions, auto-increment, UPDATE/DELETE with row
counts...) is closed in ``tests/sqlalchemy_suite/requirements_olap.py`` with reasons. The
rest runs, and not all of it passes yet: the counts measured are floors and ceilings here,
so that a fix shows as a pass count to raise and a regression fails. The failures left are
listed by kind in ``docs/sources/clickhouse.md``.
"""

from __future__ import annotations

import os
import subprocess
import time

import pytest

from tests.integration.test_sqlalchemy_suite import (
    SQLALCHEMY_LINE,
    SUITE_DIR,
    SUITE_TIMEOUT,
    parse_summary,
    suite_command,
)

# measured with SQLAlchemy 2.1 (passed, failed + errors): a pass floor 5 below, a ceiling on
# what fails 5 above, so a few flaky results do not fail CI but a regression does
MEASURED: dict[str, dict[tuple[int, int], tuple[int, int]]] = {
    "chdb": {(2, 1): (497, 121)},
}


@pytest.fixture
def suite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    pytest.importorskip("chdb")
    path = tmp_path_factory.mktemp("chdb-suite")
    return f"clickhouse+sqlgate://{path}?embedded=true&read_only=false"


@pytest.mark.timeout(SUITE_TIMEOUT + 120)
def test_clickhouse_compliance_suite(suite_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    engine = "chdb"
    started = time.monotonic()
    try:
        proc = subprocess.run(
            suite_command(suite_url), cwd=SUITE_DIR, capture_output=True, text=True,
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
