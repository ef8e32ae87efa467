"""CI strictness for packages: an ``importorskip`` skip fails in CI, as a missing server does.

In CI the project's scripts install every test package, so a missing one is a broken set-up
that would otherwise hide whole test modules behind a skip. Loaded by ``tests/conftest.py``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.servers.base import in_ci


def _missing_package(report: pytest.CollectReport | pytest.TestReport) -> str | None:
    """The reason of a skip raised by ``pytest.importorskip``, else None."""
    if not report.skipped:
        return None
    longrepr = report.longrepr
    reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
    return reason if "could not import" in reason else None


def _fail_missing_package_in_ci(report: pytest.CollectReport | pytest.TestReport) -> None:
    """In CI every test package is installed by the scripts: a missing one is a broken set-up,
    so an ``importorskip`` skip becomes a failure there, as ``server_unavailable`` does."""
    reason = _missing_package(report)
    if reason is not None and in_ci():
        report.outcome = "failed"
        report.longrepr = f"in CI a missing test package is a failure, not a skip: {reason}"


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector: pytest.Collector) -> Iterator[None]:
    outcome = yield
    _fail_missing_package_in_ci(outcome.get_result())


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    _fail_missing_package_in_ci(outcome.get_result())
