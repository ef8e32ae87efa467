"""A fresh connection per request (Superset's NullPool) reuses what the process already knows
(one sandboxed DuckDB database per lake, compiled statements, the light Iceberg plans) and
never serves stale data or loosens the sandbox: a commit made between two connections is seen
by the second, and what one connection leaves behind is invisible to the next."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

duckdb = pytest.importorskip("duckdb")

import sqlgate  # noqa: E402
from sqlgate.lakehouse import engine as engine_module  # noqa: E402
from sqlgate.lakehouse import sandbox  # noqa: E402


def _rows(url: str, sql: str) -> tuple[list[tuple], dict]:
    with sqlgate.connect(url) as conn:
        cur = conn.cursor()
        cur.execute(sql)
        return sorted(cur.fetchall()), dict(conn.session.engine.plan_info[0])


def _ids(start: int, n: int) -> pa.Table:
    return pa.table({"id": pa.array(range(start, start + n), pa.int64())})


def test_iceberg_commit_between_connections_is_seen(tmp_path: Path) -> None:
    """The second connection plans from the light cache only while the catalog points at the
    same metadata file: an overwrite (new files) and an append are both seen at once."""
    catalog_mod = pytest.importorskip("pyiceberg.catalog.sql", exc_type=ImportError)
    catalog = catalog_mod.SqlCatalog(
        "default", uri=f"sqlite:///{tmp_path}/catalog.db", warehouse=f"file://{tmp_path}/wh"
    )
    catalog.create_namespace("db")
    table = catalog.create_table("db.t", schema=_ids(0, 1).schema)
    table.append(_ids(0, 5))
    url = f"iceberg://{tmp_path}/catalog.db"
    sql = "SELECT * FROM db.t LIMIT 3"
    first, info = _rows(url, sql)
    assert info["planner"] == "light" and len(first) == 3 and {r[0] for r in first} <= set(range(5))
    from sqlgate.lakehouse.iceberg_light import _SEEN

    assert any(key[0] == "first" for key in _SEEN)  # remembered for the next connection
    again, info_again = _rows(url, sql)  # unchanged table: the same plan, from the cache
    assert info_again["files"] == info["files"] and len(again) == 3
    catalog.load_table("db.t").overwrite(_ids(100, 5))  # new files, old ones unreferenced
    after, info_after = _rows(url, sql)
    assert len(after) == 3 and {r[0] for r in after} <= set(range(100, 105)), after
    assert info_after["snapshot_id"] == catalog.load_table("db.t").current_snapshot().snapshot_id
    assert info_after["files"] != info["files"]
    catalog.load_table("db.t").append(_ids(200, 2))
    counted, _ = _rows(url, "SELECT count(*) FROM db.t")
    assert counted == [(7,)]


def test_delta_commit_between_connections_is_seen(tmp_path: Path) -> None:
    from deltalake import DeltaTable, write_deltalake

    path = str(tmp_path / "t")
    write_deltalake(path, _ids(0, 5))
    url = f"delta://{tmp_path}"
    assert len(_rows(url, "SELECT * FROM t LIMIT 3")[0]) == 3
    write_deltalake(path, _ids(100, 5), mode="overwrite")
    after, info = _rows(url, "SELECT * FROM t LIMIT 3")
    assert len(after) == 3 and {r[0] for r in after} <= set(range(100, 105)), after
    assert info["version"] == DeltaTable(path).version() == 1
    write_deltalake(path, _ids(200, 2), mode="append")
    assert _rows(url, "SELECT count(*), max(id) FROM t")[0] == [(7, 201)]


def test_compiled_statements_are_shared_per_default_schema(tmp_path: Path) -> None:
    """One SQL text on two connections whose unqualified names resolve in different schemas
    reads each connection's own table: the process-wide cache is keyed by the schema."""
    catalog_mod = pytest.importorskip("pyiceberg.catalog.sql", exc_type=ImportError)
    catalog = catalog_mod.SqlCatalog(
        "default", uri=f"sqlite:///{tmp_path}/catalog.db", warehouse=f"file://{tmp_path}/wh"
    )
    for namespace, start in (("a", 0), ("b", 50)):
        catalog.create_namespace(namespace)
        catalog.create_table(f"{namespace}.t", schema=_ids(0, 1).schema).append(_ids(start, 2))
    url = f"iceberg://{tmp_path}/catalog.db"
    assert _rows(f"{url}?schema=a", "SELECT id FROM t")[0] == [(0,), (1,)]
    assert _rows(f"{url}?schema=b", "SELECT id FROM t")[0] == [(50,), (51,)]
    assert ("a", "SELECT id FROM t") in engine_module._COMPILED
    assert ("b", "SELECT id FROM t") in engine_module._COMPILED


def test_lent_connections_are_sandboxed_and_isolated(tmp_path: Path) -> None:
    """Two connections over one lake share a DuckDB database, not their state: a temp view or
    registered relation of one is unknown to the other; each is as boxed in as a fresh
    database; a lake over other roots gets a database of its own."""
    lake, other = tmp_path / "lake", tmp_path / "other"
    for root, value in ((lake, 1), (other, 2)):
        root.mkdir()
        pq.write_table(pa.table({"x": [value]}), root / "t.parquet")
    fresh = sandbox.connect([f"{lake}/"])
    try:
        want = sandbox.settings(fresh)
    finally:
        fresh.close()
    a, give_a = sandbox.lend([f"{lake}/"])
    b, give_b = sandbox.lend([f"{lake}/"])
    c, give_c = sandbox.lend([f"{other}/"])
    try:
        a.execute("CREATE TEMP VIEW leftover AS SELECT 42 AS secret")
        a.register("registered", pa.table({"y": [1]}))
        for name in ("leftover", "registered"):
            with pytest.raises(duckdb.CatalogException):
                b.sql(f"SELECT * FROM {name}").fetchall()
        for con in (a, b):
            got = sandbox.settings(con)
            spill = ("temp_directory", "allowed_directories")  # the spill directory differs
            assert {k: v for k, v in got.items() if k not in spill} == {
                k: v for k, v in want.items() if k not in spill
            }
            assert got["enable_external_access"] == "false" and got["lock_configuration"] == "true"
            assert str(lake) in got["allowed_directories"]
            assert str(other) not in got["allowed_directories"]
            assert con.sql(f"SELECT x FROM '{lake}/t.parquet'").fetchall() == [(1,)]
            with pytest.raises(duckdb.Error):
                con.sql(f"SELECT x FROM '{other}/t.parquet'").fetchall()
            with pytest.raises(duckdb.Error):
                con.execute("SET enable_external_access = true")
        assert c.sql(f"SELECT x FROM '{other}/t.parquet'").fetchall() == [(2,)]
        with pytest.raises(duckdb.Error):
            c.sql(f"SELECT x FROM '{lake}/t.parquet'").fetchall()
    finally:
        for con, give in ((a, give_a), (b, give_b), (c, give_c)):
            con.close()
            give()
    d, give_d = sandbox.lend([f"{lake}/"])  # a's temp view went with a's connection
    try:
        with pytest.raises(duckdb.CatalogException):
            d.sql("SELECT * FROM leftover").fetchall()
        assert sandbox.settings(d)["lock_configuration"] == "true"
    finally:
        d.close()
        give_d()


def test_evicted_database_closes_once_given_back(tmp_path: Path) -> None:
    """At most ``_DATABASES_KEPT`` idle databases are kept; one still lent stays usable until
    its last connection is given back."""
    roots = []
    for i in range(sandbox._DATABASES_KEPT + 2):
        root = tmp_path / f"r{i}"
        root.mkdir()
        pq.write_table(pa.table({"x": [i]}), root / "t.parquet")
        roots.append(f"{root}/")
    held, give_held = sandbox.lend([roots[0]])
    database = sandbox._DATABASES[(roots[0],)]
    try:
        for root in roots[1:]:
            con, give = sandbox.lend([root])
            con.close()
            give()
        assert (roots[0],) not in sandbox._DATABASES  # evicted while lent ...
        assert len(sandbox._DATABASES) <= sandbox._DATABASES_KEPT
        assert held.sql(f"SELECT x FROM '{roots[0]}t.parquet'").fetchall() == [(0,)]  # ... usable
    finally:
        held.close()
        give_held()
    with pytest.raises(duckdb.Error):  # closed with its last borrower
        database.con.sql("SELECT 1").fetchall()


def test_refused_write_on_a_fresh_connection_leaves_the_table_alone(tmp_path: Path) -> None:
    """Writes stay refused on connections that borrow the shared database, and nothing they
    tried is visible to the next connection."""
    pq.write_table(pa.table({"x": [1, 2, 3]}), tmp_path / "t.parquet")
    url = f"file://{tmp_path}"
    for sql in (
        "CREATE TABLE main.leak AS SELECT 1 AS x",
        "CREATE TEMP VIEW leak AS SELECT 1 AS x",
        "COPY (SELECT 1) TO 'leak.csv'",
        "ATTACH 'leak.db' AS leak",
    ):
        with sqlgate.connect(url) as conn, pytest.raises(sqlgate.ProgrammingError):
            conn.cursor().execute(sql)
    with sqlgate.connect(url) as conn:
        cur = conn.cursor()
        with pytest.raises(sqlgate.ProgrammingError):
            cur.execute("SELECT * FROM leak")
        cur.execute("SELECT count(*), sum(x) FROM t")
        assert cur.fetchall() == [(3, 6)]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.parquet"]


def test_delta_latest_version_is_shared_checked_and_contained(tmp_path: Path) -> None:
    """The second connection reuses the process's handle of an unchanged local Delta table,
    a new commit replaces it, and a link out of the lake planted between two connections is
    refused by the next one (each connection checks the table's tree)."""
    from deltalake import write_deltalake

    from sqlgate.lakehouse import delta

    lake, outside = tmp_path / "lake", tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.parquet").write_bytes(b"not yours")
    write_deltalake(str(lake / "t"), _ids(0, 3))
    url = f"delta://{lake}"
    handles = []
    for _ in range(2):
        with sqlgate.connect(url) as conn:
            conn.cursor().execute("SELECT count(*) FROM t")
            handles.append(conn.session.engine.source.open("main", "t"))
    assert handles[0] is handles[1]
    assert any(key[0].endswith("/t") for key in delta._SHARED)
    write_deltalake(str(lake / "t"), _ids(10, 2), mode="append")
    with sqlgate.connect(url) as conn:
        cur = conn.cursor()
        cur.execute("SELECT count(*), max(id) FROM t")
        assert cur.fetchall() == [(5, 11)]
        assert conn.session.engine.source.open("main", "t") is not handles[0]
    (lake / "t" / "link.parquet").symlink_to(outside / "secret.parquet")
    with sqlgate.connect(url) as conn, pytest.raises(sqlgate.ProgrammingError, match="outside"):
        conn.cursor().execute("SELECT count(*) FROM t")


def test_delta_table_written_again_at_the_same_path_is_seen(tmp_path: Path) -> None:
    """A table deleted and written again restarts its version numbers: the shared handle is
    recognised by its commit file, not the version alone, so the new rows are read (the
    demo rebuilds its lake so), by a new connection and by one still open."""
    import shutil

    from deltalake import write_deltalake

    path = tmp_path / "t"
    write_deltalake(str(path), _ids(0, 3))
    url = f"delta://{tmp_path}"
    open_conn = sqlgate.connect(url)
    try:
        assert _rows(url, "SELECT max(id) FROM t")[0] == [(2,)]
        cur = open_conn.cursor()
        cur.execute("SELECT max(id) FROM t")
        assert cur.fetchall() == [(2,)]
        shutil.rmtree(path)
        write_deltalake(str(path), _ids(500, 4))  # version 0 again, other files
        assert _rows(url, "SELECT count(*), max(id) FROM t")[0] == [(4, 503)]
        assert _rows(url, "SELECT * FROM t LIMIT 2")[1]["version"] == 0
        cur.execute("SELECT count(*), max(id) FROM t")
        assert cur.fetchall() == [(4, 503)]
    finally:
        open_conn.close()


# -- plain files: the process's shared tables (lakehouse/files_cache.py) -------------------------
def _settle(root: Path, when: float) -> None:
    """Set every file and directory under ``root`` to the modification time ``when`` (in the
    past): a listing taken now is then fit to share (not racy)."""
    import os

    for path in [root, *root.rglob("*")]:
        os.utime(path, (when, when), follow_symlinks=False)


def _day(table: Path, day: int, name: str, ids: range) -> None:
    (table / f"day={day}").mkdir(parents=True, exist_ok=True)
    pq.write_table(_ids(ids.start, len(ids)), table / f"day={day}" / name)


def _file_handle(url: str, sql: str) -> tuple[list[tuple], object]:
    with sqlgate.connect(url) as conn:
        cur = conn.cursor()
        cur.execute(sql)
        return sorted(cur.fetchall()), conn.session.engine.source.open("main", "t")


def test_plain_files_are_shared_until_a_file_changes(tmp_path: Path) -> None:
    """A fresh connection reuses the table the previous one opened (no listing of the root,
    no footer read again) while its files are unchanged; a rewritten, an added and a removed
    file are each seen by the next fresh connection, rows and LIMIT alike."""
    import time

    from sqlgate.lakehouse import files_cache

    table = tmp_path / "t"
    _day(table, 1, "a.parquet", range(0, 5))
    _day(table, 2, "b.parquet", range(5, 10))
    now = time.time()
    _settle(tmp_path, now - 100)
    url = f"file://{tmp_path}"
    count = "SELECT count(*), sum(id) FROM t"
    first, handle = _file_handle(url, count)
    assert first == [(10, 45)]
    again, same = _file_handle(url, "SELECT * FROM t LIMIT 3")
    assert same is handle and len(again) == 3
    assert any(entry[1] is handle for entry in files_cache.SHARED._items.values())
    assert not handle.source._handles  # type: ignore[attr-defined]  # its closed source pins none
    _day(table, 1, "a.parquet", range(100, 105))  # rewritten in place: same path
    _settle(tmp_path, now - 80)  # a settled listing again: only the fingerprint tells
    rewritten, other = _file_handle(url, count)
    assert rewritten == [(10, 35 + sum(range(100, 105)))] and other is not handle
    _day(table, 3, "c.parquet", range(1000, 1002))
    _settle(tmp_path, now - 60)
    assert _file_handle(url, count)[0] == [(12, 35 + 510 + 2001)]
    (table / "day=2" / "b.parquet").unlink()
    _settle(tmp_path, now - 40)
    assert _file_handle(url, count)[0] == [(7, 510 + 2001)]
    rows, _ = _file_handle(url, "SELECT id FROM t LIMIT 100")
    assert rows == [(i,) for i in (*range(100, 105), 1000, 1001)]


def test_plain_files_just_written_are_not_shared(tmp_path: Path) -> None:
    """Files modified within the clock's granularity of the listing could change again
    unseen (same size, same tick): such a listing is not shared, a settled one is."""
    import time

    from sqlgate.lakehouse import files_cache

    _day(tmp_path / "t", 1, "a.parquet", range(0, 3))
    url = f"file://{tmp_path}"
    rows, first = _file_handle(url, "SELECT id FROM t")
    rows_again, second = _file_handle(url, "SELECT id FROM t")
    assert rows == rows_again == [(0,), (1,), (2,)]
    assert second is not first
    assert not any(entry[1] in (first, second) for entry in files_cache.SHARED._items.values())
    _settle(tmp_path, time.time() - 10)
    _, third = _file_handle(url, "SELECT id FROM t")
    assert _file_handle(url, "SELECT id FROM t")[1] is third


def test_shared_plain_table_is_contained_on_every_connection(tmp_path: Path) -> None:
    """The table directory swapped for a link to an identical copy outside the lake (same
    paths, sizes and times: the fingerprint matches the shared table) is refused by the next
    connection: containment is checked per connection, never taken from the cache."""
    import shutil
    import time

    from sqlgate.lakehouse import files_cache

    lake, outside = tmp_path / "lake", tmp_path / "outside"
    outside.mkdir()
    _day(lake / "t", 1, "a.parquet", range(0, 4))
    when = time.time() - 100
    _settle(lake, when)
    url = f"file://{lake}"
    rows, handle = _file_handle(url, "SELECT count(*) FROM t")
    assert rows == [(4,)]
    seen = files_cache.fingerprint(handle.fs, handle.path, True)  # type: ignore[attr-defined]
    shutil.move(str(lake / "t"), str(outside / "t"))
    (lake / "t").symlink_to(outside / "t", target_is_directory=True)
    _settle(outside, when)
    _settle(lake, when)
    assert files_cache.fingerprint(handle.fs, handle.path, True) == seen  # type: ignore[attr-defined]
    with sqlgate.connect(url) as conn, pytest.raises(sqlgate.ProgrammingError, match="outside"):
        conn.cursor().execute("SELECT count(*) FROM t")
    assert sorted(p.name for p in (outside / "t" / "day=1").iterdir()) == ["a.parquet"]


def test_fresh_plain_connections_from_threads(tmp_path: Path) -> None:
    """Connections opened at once from several threads share one table and each reads the
    right rows (the shared table's caches are filled concurrently)."""
    import time
    from concurrent.futures import ThreadPoolExecutor

    table = tmp_path / "t"
    for day in range(4):
        _day(table, day, "a.parquet", range(day * 10, day * 10 + 10))
    _settle(tmp_path, time.time() - 100)
    url = f"file://{tmp_path}"
    queries = ["SELECT count(*), sum(id) FROM t", "SELECT count(*) FROM t WHERE day = 2"]

    def request(i: int) -> tuple[list[tuple], int]:
        rows, handle = _file_handle(url, queries[i % 2])
        return rows, id(handle)

    with ThreadPoolExecutor(max_workers=4) as pool:
        done = list(pool.map(request, range(16), timeout=120))
    assert [rows for rows, _ in done] == [[(40, 780)], [(10,)]] * 8
    assert len({handle for _, handle in done}) <= 4  # built at most once per racing thread


_SQLITE_OPENS = """
import json, sys
opened = []
sys.addaudithook(lambda event, args: opened.append(args[0]) if event == "sqlite3.connect" else None)
import sqlgate
counts, rows = [], []
for _ in range(3):
    opened.clear()
    with sqlgate.connect({url!r}) as conn:
        cur = conn.cursor()
        cur.execute("SELECT id FROM db.t LIMIT 2")  # the light plan: no pyiceberg catalog
        rows.append(sorted(cur.fetchall()))
    counts.append(len([name for name in opened if {path!r} in str(name)]))
print(json.dumps({{"counts": counts, "rows": rows}}))
"""


def test_embedded_iceberg_catalog_opened_once_per_fresh_connection(tmp_path: Path) -> None:
    """A fresh connection opens the SQLite catalog once (its table's metadata location): the
    catalog's layout is read once per version of the file, not again by every connection.
    Counted by Python's ``sqlite3.connect`` audit event, in a child process of its own."""
    import json
    import subprocess
    import sys

    catalog_mod = pytest.importorskip("pyiceberg.catalog.sql", exc_type=ImportError)
    catalog = catalog_mod.SqlCatalog(
        "default", uri=f"sqlite:///{tmp_path}/catalog.db", warehouse=f"file://{tmp_path}/wh"
    )
    catalog.create_namespace("db")
    catalog.create_table("db.t", schema=_ids(0, 1).schema).append(_ids(0, 3))
    catalog.engine.dispose()  # pyiceberg's own pool holds no connection while we count
    path = str(tmp_path / "catalog.db")
    child = _SQLITE_OPENS.format(url=f"iceberg://{path}", path=path)
    done = subprocess.run(
        [sys.executable, "-c", child], capture_output=True, text=True, timeout=120, check=True
    )
    got = json.loads(done.stdout.strip().splitlines()[-1])
    assert got["rows"] == [[[0], [1]]] * 3
    assert got["counts"] == [2, 1, 1]  # layout + location first, then the location only
