"""Every sqlgate module imports in Superset's venv (SQLAlchemy 1.4, sqlglot 28.x).

Superset loads sqlgate's dialects into its own environment, whose pins are older than the
main venv's. A name that only a newer sqlglot has, used at import time, breaks every
connection of the sources that import it inside Superset (session 8: ``exp.Execute`` in
the remote engines' guard, imported by every lakehouse connect). The Superset spec modules
need Superset's app and are imported by the Superset tests instead.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SUPERSET_PYTHON = REPO / ".cache" / "superset-venv" / "bin" / "python"
WALK = """
import importlib, json, pkgutil, sys
sys.path.insert(0, sys.argv[1])
import sqlgate, sqlglot, sqlalchemy
done, failed = 0, {}
for info in pkgutil.walk_packages(sqlgate.__path__, "sqlgate."):
    if info.name.startswith("sqlgate.superset") or info.name.endswith("__main__"):
        continue
    try:
        importlib.import_module(info.name)
        done += 1
    except Exception as exc:
        failed[info.name] = repr(exc)[:300]
print(json.dumps({"done": done, "failed": failed, "sqlglot": sqlglot.__version__,
                  "sqlalchemy": sqlalchemy.__version__}))
"""


def test_every_module_imports_in_supersets_venv() -> None:
    if not SUPERSET_PYTHON.exists():
        pytest.skip("no Superset venv in .cache/superset-venv (scripts/install-superset.sh)")
    ran = subprocess.run(
        [str(SUPERSET_PYTHON), "-c", WALK, str(REPO)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert ran.returncode == 0, ran.stderr[-2000:]
    seen = json.loads(ran.stdout.strip().splitlines()[-1])
    assert seen["sqlalchemy"].startswith("1.4") and seen["sqlglot"].startswith("28.")
    assert seen["failed"] == {}
    assert seen["done"] > 200  # the walk really walked the package
