"""A cold connection pays only for what its first row needs: the lakehouse package imports
its parts on first use, the sandbox is set up in one connect, and Parquet footers are cached
without loosening the sandbox."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

duckdb = pytest.importorskip("duckdb")

from sqlgate.lakehouse import sandbox  # noqa: E402

_LOADED = """
import json, sys
{body}
print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in
    ('pyiceberg', 'deltalake', 'pandas', 'sqlgate') or m == 'pyarrow.dataset')))
"""


def _modules_after(body: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", _LOADED.format(body=body)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def test_package_imports_its_parts_on_first_use() -> None:
    loaded = _modules_after("import sqlgate.lakehouse")
    assert "sqlgate.lakehouse" in loaded
    assert not loaded & {"sqlgate.lakehouse.iceberg", "sqlgate.lakehouse.files", "pyiceberg"}
    loaded = _modules_after("from sqlgate.lakehouse import DeltaRootSource, LakehouseEngine")
    assert {"sqlgate.lakehouse.delta", "sqlgate.lakehouse.engine"} <= loaded
    assert "sqlgate.lakehouse.hudi" not in loaded and "pyiceberg" not in loaded
    with pytest.raises(AttributeError, match="NoSuchThing"):
        import sqlgate.lakehouse as package

        package.NoSuchThing  # noqa: B018


def test_delta_connection_never_loads_iceberg(tmp_path: Path) -> None:
    from deltalake import write_deltalake

    write_deltalake(str(tmp_path / "t"), pa.table({"x": [1, 2, 3]}))
    loaded = _modules_after(
        "import sqlgate\n"
        f"cur = sqlgate.connect('delta://{tmp_path}').cursor()\n"
        "cur.execute('SELECT * FROM t LIMIT 10')\n"
        "assert sorted(cur.fetchall()) == [(1,), (2,), (3,)]\n"
    )
    assert "sqlgate.lakehouse.delta" in loaded
    assert "sqlgate.lakehouse.iceberg" not in loaded
    assert not {m for m in loaded if m.startswith("pyiceberg")}


def test_sandbox_caches_footers_and_stays_locked(tmp_path: Path) -> None:
    inside, outside = tmp_path / "lake", tmp_path / "elsewhere"
    inside.mkdir()
    outside.mkdir()
    for root in (inside, outside):
        pq.write_table(pa.table({"x": [1, 2]}), root / "p.parquet")
    con = sandbox.connect([str(inside)])
    try:
        cached = con.sql(
            "SELECT value FROM duckdb_settings() WHERE name = 'parquet_metadata_cache'"
        ).fetchall()
        assert cached == [("true",)]
        settings = sandbox.settings(con)
        assert settings["enable_external_access"] == "false"
        assert settings["lock_configuration"] == "true"
        assert con.sql(f"SELECT sum(x) FROM '{inside}/p.parquet'").fetchall() == [(3,)]
        with pytest.raises(duckdb.Error):
            con.sql(f"SELECT sum(x) FROM '{outside}/p.parquet'").fetchall()
        with pytest.raises(duckdb.Error):
            con.execute("SET parquet_metadata_cache = false")
        assert sandbox.settings(con) == settings  # nothing was undone
    finally:
        con.close()
