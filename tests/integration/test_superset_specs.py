"""Which engine spec Superset 6.1 picks for every sqlgate source, asked of Superset itself.

Superset chooses by the URL's backend and driver names (``get_engine_spec``); sqlgate's specs
arrive through entry points and must win exactly where Superset has none of its own.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from sqlgate.core.registry import all_sources
from sqlgate.superset import SUPERSET_OWNS, spec_class_name
from tests.servers.base import server_unavailable

ROOT = Path(__file__).resolve().parents[2]
PYTHON = ROOT / ".cache" / "superset-venv" / "bin" / "python"
PROBE = """
import json, sys
import sqlalchemy as sa
from superset.app import create_app
with create_app().app_context():
    from superset.db_engine_specs import get_engine_spec
    picked = {}
    for name, scheme in json.loads(sys.argv[1]).items():
        url = sa.engine.url.make_url(f"{scheme}://user@host/db")
        spec = get_engine_spec(url.get_backend_name(), url.get_driver_name())
        picked[name] = [spec.__module__, spec.__name__]
    print("PICKED" + json.dumps(picked))
"""


def test_superset_picks_sqlgate_specs_exactly_where_it_has_none(tmp_path: Path) -> None:
    if not PYTHON.exists():
        server_unavailable("superset", f"{PYTHON} missing: run scripts/install-superset.sh")
    (tmp_path / "config.py").write_text(
        f"SECRET_KEY = 'sqlgate-spec-probe-{os.getpid()}' * 2\n"
        f"SQLALCHEMY_DATABASE_URI = 'sqlite:///{tmp_path}/superset.db'\n"
    )
    env = {
        **os.environ,
        "SUPERSET_CONFIG_PATH": str(tmp_path / "config.py"),
        "SUPERSET_HOME": str(tmp_path),
    }
    schemes = {source.name: source.scheme for source in all_sources()}
    done = subprocess.run(
        [str(PYTHON), "-c", PROBE, json.dumps(schemes)],
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    line = next((x for x in done.stdout.splitlines() if x.startswith("PICKED")), None)
    assert line is not None, done.stderr[-3000:]
    picked = json.loads(line.removeprefix("PICKED"))
    for source in all_sources():
        module, cls = picked[source.name]
        if source.name in SUPERSET_OWNS:
            assert module.startswith("superset.db_engine_specs."), (source.name, module)
        else:
            assert module.startswith("sqlgate.superset."), (source.name, module)
            assert cls == spec_class_name(source), (source.name, cls)
    assert len(picked) == len(all_sources()) >= 24
