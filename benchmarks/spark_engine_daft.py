"""Daft (native runner, or on a local Ray head) as a contender in :mod:`benchmarks.spark_engine`.

Daft pins its own pyarrow and Ray, so it runs in ``.cache/daft-venv``
(``scripts/install-daft.sh``): the parent starts one child per runner
(``python -m benchmarks.spark_engine_daft RUNNER ROOT``) and sends it one JSON line per
statement; the child answers with the row count. The child imports neither sqlgate nor the
parent's packages, and reads the very files the parent wrote: hive Parquet, Delta, Iceberg.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PYTHON = ROOT / ".cache" / "daft-venv" / "bin" / "python"


class DaftArm:
    """One runner on one format, driven through its child's pipe."""

    def __init__(self, child: subprocess.Popen, fmt: str) -> None:
        self.child, self.fmt = child, fmt

    def run(self, name: str, sql: str) -> int:
        assert self.child.stdin is not None and self.child.stdout is not None
        request = {"fmt": self.fmt, "name": name, "sql": sql.format(t="events")}
        self.child.stdin.write(json.dumps(request) + "\n")
        self.child.stdin.flush()
        answer = json.loads(self.child.stdout.readline() or '{"error": "the child exited"}')
        if "error" in answer:
            raise RuntimeError(f"daft ({self.fmt}, {name}): {answer['error']}")
        return int(answer["rows"])

    def close(self) -> None:
        """The child serves every format: it stops with :meth:`DaftChild.stop`."""


class DaftChild:
    """A native child and a Ray child over one dataset."""

    def __init__(self, root: Path, days: int, runners: tuple[str, ...] = ("native", "ray")) -> None:
        if not PYTHON.is_file():
            raise SystemExit("--daft needs .cache/daft-venv: run scripts/install-daft.sh")
        self.children = {
            runner: subprocess.Popen(
                [str(PYTHON), "-m", "benchmarks.spark_engine_daft", runner, str(root)],
                cwd=ROOT,
                env={**os.environ, "DAFT_PROGRESS_BAR": "0", "RAY_DEDUP_LOGS": "0"},
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
            for runner in runners
        }

    def arms(self, fmt: str) -> dict[str, DaftArm]:
        return {f"daft-{r}": DaftArm(child, fmt) for r, child in self.children.items()}

    def stop(self) -> None:
        for child in self.children.values():
            if child.stdin is not None:
                child.stdin.close()
            try:
                child.wait(timeout=60)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()


# -- the child (runs under .cache/daft-venv) ------------------------------------------------------
def _frame(daft: Any, fmt: str, root: Path) -> Any:
    """A fresh Daft DataFrame over the table (a new plan: the 'connect' of ``first rows``)."""
    if fmt == "file":
        return daft.read_parquet(f"{root}/files/events/**/*.parquet", hive_partitioning=True)
    if fmt == "delta":
        return daft.read_deltalake(str(root / "delta" / "events"))
    from pyiceberg.catalog.sql import SqlCatalog

    catalog = SqlCatalog(
        "default", uri=f"sqlite:///{root}/catalog.db", warehouse=f"file://{root}/warehouse"
    )
    return daft.read_iceberg(catalog.load_table("bench.events"))


def serve(runner: str, root: Path) -> None:
    """Answer statements from stdin until it closes."""
    import daft

    if runner == "ray":
        import ray

        ray.init(
            num_cpus=2, include_dashboard=False, log_to_driver=False, _node_ip_address="127.0.0.1"
        )
        daft.set_runner_ray()
    else:
        daft.set_runner_native()
    frames: dict[str, Any] = {}
    for line in sys.stdin:
        request = json.loads(line)
        try:
            fmt, name = request["fmt"], request["name"]
            if name == "first rows" or fmt not in frames:
                frames[fmt] = _frame(daft, fmt, root)
            result = daft.sql(request["sql"], events=frames[fmt]).to_arrow()
            answer: dict[str, Any] = {"rows": result.num_rows}
        except Exception as exc:  # reported to the parent, which stops the run
            answer = {"error": f"{type(exc).__name__}: {exc}"}
        print(json.dumps(answer), flush=True)
    if runner == "ray":
        import ray

        ray.shutdown()


if __name__ == "__main__":
    serve(sys.argv[1], Path(sys.argv[2]))
