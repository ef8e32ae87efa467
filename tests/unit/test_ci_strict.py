"""A missing test package is a skip locally and a failure in CI (tests/ci_strict.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MODULE_LEVEL = (
    'import pytest\npytest.importorskip("sqlgate_no_such_pkg")\ndef test_a():\n    pass\n'
)
IN_TEST = (
    "import pytest\n"
    'def test_b():\n    pytest.importorskip("sqlgate_no_such_pkg")\n'
    'def test_c():\n    pytest.skip("another reason")\n'
)


def _run(tmp_path: Path, body: str, ci: bool) -> str:
    (tmp_path / "test_probe.py").write_text(body)
    env = {**os.environ, "CI": "true" if ci else "false", "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rA", "-p", "no:cacheprovider",
         "-p", "tests.ci_strict", "--rootdir", str(tmp_path), "-c", os.devnull, str(tmp_path)],
        capture_output=True, text=True, env=env, timeout=120, cwd=tmp_path,
    )  # fmt: skip
    return done.stdout


@pytest.mark.parametrize("body", [MODULE_LEVEL, IN_TEST], ids=["module", "test"])
def test_missing_package_fails_in_ci_and_skips_locally(tmp_path: Path, body: str) -> None:
    ci = _run(tmp_path, body, ci=True)
    assert "in CI a missing test package is a failure" in ci
    assert "sqlgate_no_such_pkg" in ci
    local = _run(tmp_path, body, ci=False)
    assert "failure" not in local and "error" not in local.lower()
    assert "skipped" in local


def test_other_skips_stay_skips_in_ci(tmp_path: Path) -> None:
    out = _run(tmp_path, IN_TEST, ci=True)
    assert "SKIPPED" in out and "another reason" in out
    assert "1 failed, 1 skipped" in out
