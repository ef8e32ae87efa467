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
    ('pyiceberg', 'deltalake', 'pandas', 'sqlgate', 'sqlalchemy', 'fastavro')
    or m in ('pyarrow.dataset', 'pyarrow.compute', 'pyarrow.parquet'))))
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


def test_dbapi_user_never_imports_sqlalchemy(tmp_path: Path) -> None:
    """``import sqlgate`` and a file:// query load no SQLAlchemy (``sqlgate.as_of`` does)."""
    pq.write_table(pa.table({"x": [1, 2, 3]}), tmp_path / "t.parquet")
    loaded = _modules_after(
        "import sqlgate\n"
        f"cur = sqlgate.connect('file://{tmp_path}').cursor()\n"
        "cur.execute('SELECT x FROM t ORDER BY x LIMIT 2')\n"
        "assert cur.fetchall() == [(1,), (2,)]\n"
        "assert cur.description[0][1] == 'BIGINT'\n"
    )
    assert "sqlgate.lakehouse.files" in loaded
    assert not {m for m in loaded if m.split(".")[0] == "sqlalchemy"}
    loaded = _modules_after("import sqlgate\nsqlgate.as_of")
    assert "sqlalchemy" in loaded and "sqlgate.dialects.timetravel" in loaded


def _iceberg_table(root: Path) -> None:
    """``db.t`` in a SQLite catalog under ``root``: 30 ids in three appends (three files)."""
    # pyiceberg's SQL catalog (writing the table) needs SQLAlchemy 2: skipped on 1.4
    SqlCatalog = pytest.importorskip("pyiceberg.catalog.sql", exc_type=ImportError).SqlCatalog

    catalog = SqlCatalog("default", uri=f"sqlite:///{root}/catalog.db", warehouse=f"file://{root}")
    catalog.create_namespace("db")
    table = catalog.create_table("db.t", schema=pa.schema([("x", pa.int64())]))
    for start in (0, 10, 20):
        table.append(pa.table({"x": pa.array(range(start, start + 10), pa.int64())}))


def test_cold_iceberg_limit_never_loads_pyiceberg(tmp_path: Path) -> None:
    """The embedded catalog's first rows: sqlite3, the metadata JSON, the manifests (stdlib
    Avro) and DuckDB; pyiceberg loads only when a statement needs more."""
    _iceberg_table(tmp_path)
    check = (
        "rows = [r[0] for r in cur.fetchall()]\n"
        "assert len(rows) == 5 and set(rows) <= set(range(30)), rows\n"
        "assert conn.session.engine.plan_info[0]['files_planned'] == 1\n"
    )
    loaded = _modules_after(
        "import sqlgate\n"
        f"conn = sqlgate.connect('iceberg://{tmp_path}/catalog.db')\n"
        "cur = conn.cursor()\n"
        "cur.execute('SELECT * FROM db.t LIMIT 5')\n" + check
    )
    assert not {m for m in loaded if m.split(".")[0] in ("pyiceberg", "sqlalchemy", "fastavro")}
    assert "sqlgate.lakehouse.iceberg_light" in loaded
    loaded = _modules_after(  # a count needs the manifests' full reading: pyiceberg loads
        "import sqlgate\n"
        f"conn = sqlgate.connect('iceberg://{tmp_path}/catalog.db')\n"
        "cur = conn.cursor()\n"
        "cur.execute('SELECT count(*) FROM db.t')\n"
        "assert cur.fetchall() == [(30,)]\n"
        "cur.execute('SELECT * FROM db.t LIMIT 5')\n" + check
    )
    assert "pyiceberg" in loaded


def test_engine_connection_answers_footer_questions_until_closed(tmp_path: Path) -> None:
    """A cold engine opens one DuckDB: the helper for its lake is a cursor of its connection,
    sandboxed alike; closing the engine hands the helper back to a fresh connection."""
    from sqlgate.lakehouse.duckdb_files import helper_lock, parquet_signatures

    lake = tmp_path / "lake"
    lake.mkdir()
    pq.write_table(pa.table({"x": [1, 2]}), lake / "p.parquet")
    dirs = [str(lake)]
    con = sandbox.connect(dirs)
    sandbox.adopt(dirs, con)
    try:
        adopted = sandbox.helper(dirs)
        assert sandbox.settings(adopted) == sandbox.settings(con)
        sig = parquet_signatures([str(lake / "p.parquet")], dirs, cache=False)
        assert sig[str(lake / "p.parquet")][1] == (("x", "BIGINT"),)
        with pytest.raises(duckdb.Error):
            adopted.execute("SET enable_external_access = true")
    finally:
        with helper_lock:
            sandbox.release(con)
        con.close()
    fresh = sandbox.helper(dirs)
    assert fresh is not adopted
    assert sandbox.settings(fresh)["enable_external_access"] == "false"
    sig = parquet_signatures([str(lake / "p.parquet")], dirs, cache=False)
    assert sig[str(lake / "p.parquet")][1] == (("x", "BIGINT"),)


_PLAIN_THEN_WRITES = """
import json, sys
import sqlgate
conn = sqlgate.connect({url!r})
cur = conn.cursor()
cur.execute("SELECT * FROM t LIMIT 10")
assert sorted(cur.fetchall()) == [(1,), (2,), (3,)]
cold = sorted(m for m in sys.modules if m.startswith("sqlglot.") or m == "pyarrow.compute")
refused = []
for sql in {writes!r}:
    try:
        cur.execute(sql)
    except sqlgate.ProgrammingError as exc:
        refused.append(type(exc).__name__)
cur.execute("SELECT count(*), min(x), max(x) FROM t")
print(json.dumps({{"cold": cold, "refused": refused, "after": cur.fetchall()}}))
"""
_WRITES = [
    "COPY t TO 'out.csv'",
    "SELECT * FROM t; DROP TABLE t",
    "SELECT * FROM read_csv('/etc/passwd')",
    "ATTACH 'x.db' AS x",
    "SELECT * FROM t LIMIT 10 INTO x",
    "SELECT * FROM t -- LIMIT 10\n; DELETE FROM t",
]


@pytest.mark.parametrize("kind", ["delta", "file"])
def test_cold_plain_read_loads_no_sqlglot_dialect_and_the_gate_stays_closed(
    tmp_path: Path, kind: str
) -> None:
    """``SELECT * FROM t LIMIT 10`` in a fresh process: no sqlglot dialect (DuckDB's tokenizer,
    parser, generator) and, for Delta, no ``pyarrow.compute`` load; on the same connection
    every write is still refused by the full gate, and the table is unchanged."""
    if kind == "delta":
        from deltalake import write_deltalake

        write_deltalake(str(tmp_path / "t"), pa.table({"x": [1, 2, 3]}))
    else:
        pq.write_table(pa.table({"x": [1, 2, 3]}), tmp_path / "t.parquet")
    body = _PLAIN_THEN_WRITES.format(url=f"{kind}://{tmp_path}", writes=_WRITES)
    done = subprocess.run(
        [sys.executable, "-c", body], capture_output=True, text=True, timeout=120, check=True
    )
    report = json.loads(done.stdout.strip().splitlines()[-1])
    duckdb_dialect = {f"sqlglot.{part}.duckdb" for part in ("dialects", "parsers", "generators")}
    assert not duckdb_dialect & set(report["cold"]), report["cold"]
    if kind == "delta":  # file:// imports pyarrow.dataset, which loads pandas and compute
        assert "pyarrow.compute" not in report["cold"]
    assert len(report["refused"]) == len(_WRITES)
    assert report["after"] == [[3, 1, 3]]  # every row still there
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix in (".csv", ".db")) == []


_TWO_CONNECTIONS = """
import json, sys
import sqlgate
from sqlgate.lakehouse import sandbox

def request(sql):
    conn = sqlgate.connect({url!r})
    cur = conn.cursor()
    cur.execute(sql)
    rows = cur.fetchall()
    info = dict(conn.session.engine.plan_info[0])
    conn.close()
    return rows, info

first, info = request("SELECT * FROM db.t LIMIT 5")
databases = dict(sandbox._DATABASES)
loaded = set(sys.modules)
second, info_again = request("SELECT * FROM db.t LIMIT 5")
new_modules = sorted(set(sys.modules) - loaded)
same_database = dict(sandbox._DATABASES) == databases and len(databases) == 1
conn = sqlgate.connect({url!r})
cur = conn.cursor()
refused = []
for sql in {writes!r}:
    try:
        cur.execute(sql)
    except sqlgate.ProgrammingError as exc:
        refused.append(type(exc).__name__)
pyiceberg = sorted(m for m in sys.modules if m.split(".")[0] == "pyiceberg")
cur.execute("SELECT count(*), min(x), max(x) FROM db.t")  # the full reading: pyiceberg
after = cur.fetchall()
conn.close()
print(json.dumps({{"first": len(first), "second": len(second), "new": new_modules,
    "same_database": same_database, "files": [info["files"], info_again["files"]],
    "refused": refused, "after": after, "pyiceberg": pyiceberg}}))
"""


def test_second_connection_in_a_process_reuses_and_stays_closed(tmp_path: Path) -> None:
    """A fresh connection per request in a running process (a NullPool): the second one
    imports nothing, borrows the process's sandboxed DuckDB database for the lake instead of
    opening another (~50 ms), plans the bare LIMIT from the light plan the first one made;
    every write is still refused on such a connection and the table is unchanged."""
    _iceberg_table(tmp_path)
    writes = [w.replace(" t", " db.t") for w in _WRITES]
    body = _TWO_CONNECTIONS.format(url=f"iceberg://{tmp_path}/catalog.db", writes=writes)
    done = subprocess.run(
        [sys.executable, "-c", body], capture_output=True, text=True, timeout=120, check=True
    )
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["first"] == report["second"] == 5
    assert report["new"] == [], report["new"]  # the second connection loads no module
    assert report["same_database"] is True
    assert report["files"][0] == report["files"][1] and len(report["files"][0]) == 1
    assert report["pyiceberg"] == []  # the light path throughout, writes refused before it
    assert len(report["refused"]) == len(writes)
    assert report["after"] == [[30, 0, 29]]
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix in (".csv", ".db")) == [
        "catalog.db"
    ]
