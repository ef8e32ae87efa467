"""A forked child (a pre-forking web server) opens its own DuckDB database and exits cleanly,
though its parent kept idle databases and helpers open for the next connection."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

pytest.importorskip("duckdb")

_SCRIPT = """
import os, sys
import sqlgate

def count():
    with sqlgate.connect(sys.argv[1]) as conn:
        cur = conn.cursor()
        cur.execute("SELECT count(*) FROM t")
        return cur.fetchone()[0]

assert count() == 3  # the parent's database stays open, idle, after this
pid = os.fork()
if pid == 0:
    assert count() == 3  # the child's own database
    sys.exit(0)  # a normal exit: the interpreter's clean-up runs in the child
_, status = os.waitpid(pid, 0)
assert os.waitstatus_to_exitcode(status) == 0, status
assert count() == 3  # the parent's database still serves
print("ok")
"""


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_child_queries_and_exits_cleanly(tmp_path: Path) -> None:
    pq.write_table(pa.table({"x": [1, 2, 3]}), tmp_path / "t.parquet")
    done = subprocess.run(
        [sys.executable, "-c", _SCRIPT, f"file://{tmp_path}"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().endswith("ok")
