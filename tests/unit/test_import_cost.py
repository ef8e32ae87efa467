"""What ``import sqlgate`` costs a wire-only user: the connection, cursor, cancel and result
paths load pyarrow only when an Arrow method or answer needs it (issue #11)."""

from __future__ import annotations

import ast
import importlib.util
import json
import subprocess
import sys

#: modules on every connection's path that must not import pyarrow at module level
LAZY_ARROW = (
    "sqlgate.core.connect",
    "sqlgate.core.connection",
    "sqlgate.core.cursor",
    "sqlgate.core.cancel_requests",
    "sqlgate.core.results",
    "sqlgate.core.arrow_rows",
)
#: the modules ``import sqlgate`` still loads that import pyarrow at module level; it must stay
#: empty (``import sqlgate`` loads no pyarrow): never grow it
STILL_EAGER: set[str] = set()


def _module_level_imports(module: str) -> set[str]:
    """Top-level packages a module imports at import time (``TYPE_CHECKING`` blocks and
    function bodies excluded)."""
    spec = importlib.util.find_spec(module)
    assert spec is not None and spec.origin is not None
    with open(spec.origin, encoding="utf-8") as fh:
        tree = ast.parse(fh.read())
    found: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module.split(".")[0])
    return found


def test_connection_paths_import_pyarrow_lazily() -> None:
    for module in LAZY_ARROW:
        assert "pyarrow" not in _module_level_imports(module), module


_EAGER = """
import importlib.util, json, sys
import sqlgate
eager = []
for name in sorted(m for m in sys.modules if m.startswith("sqlgate")):
    origin = getattr(sys.modules[name], "__file__", None)
    if origin is None:
        continue
    with open(origin, encoding="utf-8") as fh:
        if any(line.startswith(("import pyarrow", "from pyarrow")) for line in fh):
            eager.append(name)
print(json.dumps({"eager": eager, "pyarrow": "pyarrow" in sys.modules}))
"""


def test_import_sqlgate_loads_pyarrow_only_through_the_known_modules() -> None:
    """In a fresh process: every module ``import sqlgate`` loads that imports pyarrow at
    module level is one of :data:`STILL_EAGER`; the connection path itself adds none."""
    done = subprocess.run(
        [sys.executable, "-c", _EAGER], capture_output=True, text=True, timeout=120, check=True
    )
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    eager = set(seen["eager"])
    assert eager <= STILL_EAGER, sorted(eager - STILL_EAGER)
    assert not eager & set(LAZY_ARROW)
    assert seen["pyarrow"] is bool(STILL_EAGER), "import sqlgate loaded pyarrow"
