"""Planning caches never hide a commit: a new Iceberg snapshot, a new Delta version or a changed
file is seen by the very next query on the same connection, while an unchanged table is not
planned again."""

from __future__ import annotations

import os
import time

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

pytest.importorskip("duckdb")

from sqlgate.lakehouse import DeltaRootSource, FileSource, LakehouseEngine


def _count(engine, sql="SELECT count(*) AS n FROM events", params=None):
    return engine.execute(sql, params).read_all().column("n").to_pylist()[0]


def _events(ids) -> pa.Table:
    days = [f"2024-01-0{1 + i % 2}" for i in ids]
    return pa.table({"id": pa.array(ids, pa.int64()), "day": days})


def test_iceberg_sees_another_writers_snapshot(tmp_path):
    pytest.importorskip("pyiceberg.catalog.sql")
    from pyiceberg.catalog import load_catalog

    from sqlgate.lakehouse import IcebergCatalogSource

    props = {
        "type": "sql",
        "uri": f"sqlite:///{tmp_path}/catalog.db",
        "warehouse": f"file://{tmp_path}/warehouse",
    }
    writer = load_catalog("default", **props)
    writer.create_namespace("db")
    table = writer.create_table("db.events", schema=_events([0]).schema)
    table.append(_events([1, 2]))
    engine = LakehouseEngine(IcebergCatalogSource("default", **props))
    try:
        sql = "SELECT count(*) AS n FROM db.events"
        assert _count(engine, sql) == 2
        first = engine.source.open("db", "events")
        assert engine.source.open("db", "events") is first  # nothing committed: kept
        assert _count(engine, sql + " WHERE id > ?", [1]) == 1
        writer.load_table("db.events").append(_events([3, 4, 5]))  # another writer commits
        assert _count(engine, sql) == 5
        assert engine.source.open("db", "events") is not first
        assert (
            engine.plan_info[0]["snapshot_id"]
            == writer.load_table("db.events").current_snapshot().snapshot_id
        )
        assert _count(engine, sql + " WHERE id > ?", [1]) == 4  # no stale plan either
        old = first.snapshot_id
        assert _count(engine, sql + " FOR VERSION AS OF ?", [old]) == 2
        writer.load_table("db.events").delete("id = 1")
        assert _count(engine, sql) == 4
    finally:
        engine.close()


def test_delta_sees_another_writers_version(tmp_path):
    pytest.importorskip("deltalake")
    from deltalake import write_deltalake

    write_deltalake(str(tmp_path / "events"), _events([1, 2]), partition_by=["day"])
    engine = LakehouseEngine(DeltaRootSource(str(tmp_path)))
    try:
        assert _count(engine) == 2
        first = engine.source.open("main", "events")
        assert engine.source.open("main", "events") is first
        write_deltalake(str(tmp_path / "events"), _events([3, 4, 5]), mode="append")
        assert _count(engine) == 5
        assert engine.plan_info[0]["version"] == 1
        assert _count(engine, "SELECT count(*) AS n FROM events WHERE day = '2024-01-01'") == 2
        write_deltalake(str(tmp_path / "events"), _events([7]), mode="overwrite")
        assert _count(engine) == 1
        assert _count(engine, "SELECT count(*) AS n FROM events WHERE day = '2024-01-01'") == 0
        assert _count(engine, "SELECT count(*) AS n FROM events FOR VERSION AS OF 1") == 5
        assert _count(engine, "SELECT count(*) AS n FROM events FOR VERSION AS OF 1") == 5
    finally:
        engine.close()


def test_plain_files_added_removed_and_rewritten(tmp_path):
    table = tmp_path / "events"
    (table / "day=2024-01-01").mkdir(parents=True)
    pq.write_table(
        pa.table({"id": pa.array([1, 2], pa.int64())}), table / "day=2024-01-01" / "a.parquet"
    )
    engine = LakehouseEngine(FileSource(str(tmp_path), "parquet"))
    try:
        assert _count(engine) == 2
        first = engine.source.open("main", "events")
        assert engine.source.open("main", "events") is first
        (table / "day=2024-01-02").mkdir()
        pq.write_table(
            pa.table({"id": pa.array([3], pa.int64())}), table / "day=2024-01-02" / "b.parquet"
        )
        assert _count(engine) == 3
        # a rewritten file (same path): size and modification time change
        time.sleep(0.01)
        pq.write_table(
            pa.table({"id": pa.array([1, 2, 9, 10], pa.int64())}),
            table / "day=2024-01-01" / "a.parquet",
        )
        os.utime(table / "day=2024-01-01" / "a.parquet")
        assert _count(engine) == 5
        # a file with an extra column: DuckDB must union the schemas by name
        pq.write_table(
            pa.table({"id": pa.array([11], pa.int64()), "note": ["x"]}),
            table / "day=2024-01-02" / "c.parquet",
        )
        got = engine.execute("SELECT id, note FROM events WHERE note IS NOT NULL").read_all()
        assert got.to_pylist() == [{"id": 11, "note": "x"}]
        (table / "day=2024-01-02" / "b.parquet").unlink()
        (table / "day=2024-01-02" / "c.parquet").unlink()
        assert _count(engine) == 4
    finally:
        engine.close()


def test_partition_pruning_by_date_on_text_partitions(tmp_path):
    """``day=2024-01-01`` directories are text to pyarrow; a DATE literal still prunes."""
    table = tmp_path / "events"
    for day in ("2024-01-01", "2024-01-02", "2024-01-03"):
        (table / f"day={day}").mkdir(parents=True)
        pq.write_table(
            pa.table({"id": pa.array([1], pa.int64())}), table / f"day={day}" / "p.parquet"
        )
    engine = LakehouseEngine(FileSource(str(tmp_path), "parquet"))
    # count(id) reads the files (a bare count(*) is answered from the footers: checked last)
    try:
        assert (
            _count(engine, "SELECT count(id) AS n FROM events WHERE day = DATE '2024-01-02'") == 1
        )
        assert engine.plan_info[0]["files_planned"] == 1
        assert (
            _count(
                engine,
                "SELECT count(id) AS n FROM events "
                "WHERE day IN (DATE '2024-01-02', DATE '2024-01-03')",
            )
            == 2
        )
        assert engine.plan_info[0]["files_planned"] == 2
        assert _count(engine, "SELECT count(id) AS n FROM events WHERE day = '2024-01-03'") == 1
        assert engine.plan_info[0]["files_planned"] == 1
        # the footers' counts give the same answers, reading no data
        assert _count(engine, "SELECT count(*) AS n FROM events WHERE day = DATE '2024-01-02'") == 1
        assert engine.plan_info[0]["scan"] == "metadata_count"
        assert _count(engine, "SELECT count(*) AS n FROM events WHERE day = '2024-01-03'") == 1
    finally:
        engine.close()


def test_union_by_name_only_when_the_files_differ(tmp_path):
    from sqlgate.lakehouse.files import uniform_parquet

    table = tmp_path / "events"
    table.mkdir()
    pq.write_table(pa.table({"id": pa.array([1], pa.int64())}), table / "a.parquet")
    pq.write_table(pa.table({"id": pa.array([2], pa.int64())}), table / "b.parquet")
    paths = [str(table / "a.parquet"), str(table / "b.parquet")]
    assert uniform_parquet(paths, ["id"], cache=False)
    assert not uniform_parquet(paths, ["id", "missing"], cache=False)
    source = FileSource(str(tmp_path), "parquet")
    assert "union_by_name=true" not in source.open("main", "events").scan(None).sql
    pq.write_table(pa.table({"id": pa.array([3], pa.int64()), "x": [1.5]}), table / "c.parquet")
    assert not uniform_parquet([*paths, str(table / "c.parquet")], None, cache=False)
    assert "union_by_name=true" in source.open("main", "events").scan(None).sql
    engine = LakehouseEngine(source)
    try:
        got = engine.execute("SELECT id, x FROM events ORDER BY id").read_all().to_pylist()
        assert got == [{"id": 1, "x": None}, {"id": 2, "x": None}, {"id": 3, "x": 1.5}]
    finally:
        engine.close()
