"""``python -m benchmarks``: the sets list, every set's module exists, an unknown set is refused,
and a benchmark whose server is not installed is reported as not run, naming the install script,
instead of crashing in its child process."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import __main__ as bench

ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "benchmarks", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_list_names_every_set_and_its_modules() -> None:
    done = _run("--list")
    assert done.returncode == 0, done.stderr
    listed = dict(line.split(": ", 1) for line in done.stdout.splitlines())
    assert set(listed) == set(bench.SETS)
    assert {"spark", "gateway"} <= set(listed)
    assert listed["spark"] == "spark_engine"
    assert listed["gateway"] == "tests.integration.gateway.bench_gateway"


@pytest.mark.parametrize("name", sorted(bench.SETS))
def test_every_module_of_a_set_can_be_found(name: str) -> None:
    for module, _args in bench.SETS[name]:
        assert importlib.util.find_spec(bench.module_name(module)) is not None, module


def test_unknown_set_is_refused_with_the_known_ones() -> None:
    done = _run("perf", "no-such-set")
    assert done.returncode == 2
    assert "unknown set(s) ['no-such-set']" in done.stderr
    assert "'spark'" in done.stderr and "'gateway'" in done.stderr
    assert "=== " not in done.stdout  # nothing was started


def test_spark_without_its_server_is_not_run_and_names_the_script(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A Spark install that is not there (an empty directory): no child is started."""
    from tests.servers import spark_connect

    monkeypatch.setattr(spark_connect, "PYSPARK", tmp_path / "pyspark")
    assert bench.main(["spark"]) == 1
    out = capsys.readouterr().out
    assert "spark_engine: not run" in out
    if importlib.util.find_spec("pyspark") is None:  # the client is checked first
        assert "pip install 'sqlgate[spark]'" in out
    else:
        assert "scripts/install-spark.sh" in out
        assert str(tmp_path / "pyspark" / "bin" / "spark-submit") in out
    assert "exit " not in out  # the benchmark's child process never ran
