"""The demo (``python -m sqlgate.demo``): builds its lakehouse and prints what the README shows."""

from __future__ import annotations

import io
import subprocess
import sys
import time

import pytest

pytest.importorskip("duckdb")
pytest.importorskip("deltalake")
pytest.importorskip("pandas")
try:
    import pyiceberg.catalog.sql  # noqa: F401 - pyiceberg's SQL catalog needs SQLAlchemy 2
except ImportError as exc:
    pytest.skip(f"pyiceberg's SQL catalog is unavailable: {exc}", allow_module_level=True)

from sqlgate import demo

EXPECTED = [
    # what was built
    "iceberg  iceberg:///",
    "delta    delta:///",
    "parquet  file:///",
    # 1. reflection
    "schemas ['default'], tables ['orders'], comment 'Orders of the demo shop'",
    "amount    Double()",
    "partitioned by ['region']",
    # 2. Iceberg FOR VERSION AS OF, SQL text: 4 orders then 6
    "first     ",
    "4       545.50",
    "current   ",
    "6       705.40",
    # 3. as_of() in Core, compiled and run
    "FROM orders FOR VERSION AS OF ? AS orders GROUP BY orders.region",
    "apac    1       300.00",
    "eu      2       165.50",
    "us      1       80.00",
    # 4. Delta versions
    "version 0:",
    "c2        Brian  silver",
    "version 1:",
    "c4        Dana   bronze",
    # 5. join of version 0 and now
    "Brian  silver   gold",
    "Dana   NULL     bronze",
    # 6. pandas over partitioned Parquet
    "2024-05-01       3       9",
    "2024-05-02       3      10",
    # 7. pandas across two sources
    "gold       4    305.5",
    "silver       1    300.0",
    "bronze       1     99.9",
]


def _check(output: str) -> None:
    for text in EXPECTED:
        assert text in output, f"missing {text!r} in:\n{output}"
    for n in range(1, 8):
        assert f"\n== {n}. " in output
    assert "Traceback" not in output and "Warning" not in output


def test_python_m_sqlgate_demo(tmp_path):
    started = time.monotonic()
    run = subprocess.run(
        [sys.executable, "-m", "sqlgate.demo"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    elapsed = time.monotonic() - started
    assert run.returncode == 0, run.stderr
    assert run.stderr == ""
    _check(run.stdout)
    lake = tmp_path / "demo-lakehouse"  # the default --dir, relative to the working directory
    assert (lake / "iceberg" / "catalog.db").is_file()
    assert (lake / "delta" / "customers" / "_delta_log").is_dir()
    assert sorted(p.name for p in (lake / "files" / "events").iterdir()) == [
        "day=2024-05-01",
        "day=2024-05-02",
    ]
    assert f"sqlgate demo: a local lakehouse in {lake}" in run.stdout
    assert elapsed < 120, f"the demo took {elapsed:.0f}s"


def test_demo_recreates_its_directory(tmp_path):
    target = tmp_path / "lake"
    out = io.StringIO()
    assert demo.main(["--dir", str(target)], out=out) == 0
    _check(out.getvalue())
    (target / "stale.txt").write_text("left over")
    out = io.StringIO()
    assert demo.main(["--dir", str(target)], out=out) == 0  # recreated from scratch
    _check(out.getvalue())
    assert not (target / "stale.txt").exists()


def test_demo_never_wipes_a_foreign_directory(tmp_path):
    (tmp_path / "precious.txt").write_text("keep me")
    with pytest.raises(SystemExit, match="not made by the demo"):
        demo.main(["--dir", str(tmp_path)], out=io.StringIO())
    assert (tmp_path / "precious.txt").read_text() == "keep me"
    (tmp_path / "file").write_text("x")
    with pytest.raises(SystemExit, match="not a directory"):
        demo.main(["--dir", str(tmp_path / "file")], out=io.StringIO())
