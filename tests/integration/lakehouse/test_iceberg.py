"""Iceberg through a real pyiceberg SQL catalog (SQLite) and a local warehouse."""

from __future__ import annotations

import datetime as dt
import time

import duckdb
import pyarrow as pa
import pytest

pytest.importorskip("pyiceberg")

from sqlgate.core.errors import ProgrammingError
from sqlgate.lakehouse import IcebergCatalogSource, LakehouseEngine


@pytest.fixture()
def lake(tmp_path):
    from pyiceberg.catalog import load_catalog

    props = {
        "type": "sql",
        "uri": f"sqlite:///{tmp_path}/catalog.db",
        "warehouse": f"file://{tmp_path}/warehouse",
    }
    catalog = load_catalog("test", **props)
    catalog.create_namespace("db")
    first = pa.table(
        {
            "id": pa.array([1, 2, 3, 4], pa.int64()),
            "region": ["eu", "us", "eu", "apac"],
            "amount": [1.5, 2.5, 3.5, 4.5],
            "tags": pa.array([["a"], [], ["b", "c"], None], pa.list_(pa.string())),
        }
    )
    table = catalog.create_table("db.sales", schema=first.schema)
    with table.update_spec() as spec:
        spec.add_identity("region")
    table.append(first)
    s1 = table.current_snapshot()
    time.sleep(0.01)
    table.append(first.slice(0, 1).set_column(0, "id", pa.array([5], pa.int64())))
    catalog.create_table(
        "db.regions", schema=pa.schema([("region", pa.string()), ("name", pa.string())])
    ).append(pa.table({"region": ["eu", "us"], "name": ["Europe", "United States"]}))
    engine = LakehouseEngine(IcebergCatalogSource("test", **props))
    yield engine, catalog, table, s1
    engine.close()


def test_metadata(lake):
    engine, *_ = lake
    assert engine.list_schemas() == ["db"]
    assert engine.list_tables("db") == ["regions", "sales"]
    assert engine.partition_columns("db", "sales") == ["region"]
    assert engine.table_schema("db", "sales").names == ["id", "region", "amount", "tags"]


def test_partition_pruning_and_pushdown(lake):
    engine, _, table, _ = lake
    rows = engine.execute("SELECT id FROM db.sales WHERE region = ? ORDER BY id", ["eu"]).read_all()
    assert rows.column("id").to_pylist() == [1, 3, 5]
    info = engine.plan_info[0]
    assert info["files_planned"] == 2 and info["files_total"] == 4
    assert info["scan"] == "duckdb_read_parquet"
    reference = table.scan().to_arrow()  # noqa: F841 - scanned by DuckDB
    expected = duckdb.sql(
        "SELECT id FROM reference WHERE amount > 2 AND region <> 'us' ORDER BY id"
    ).fetchall()
    got = engine.execute("SELECT id FROM db.sales WHERE amount > 2 AND region <> 'us' ORDER BY id")
    assert [(v,) for v in got.read_all().column("id").to_pylist()] == expected


def test_time_travel(lake):
    engine, _, _, s1 = lake
    n = engine.execute(f"SELECT count(*) FROM db.sales FOR VERSION AS OF {s1.snapshot_id}")
    assert n.read_all().column(0)[0].as_py() == 4
    ts = dt.datetime.fromtimestamp(s1.timestamp_ms / 1000, dt.timezone.utc).isoformat(sep=" ")
    engine.execute(f"SELECT * FROM db.sales FOR TIMESTAMP AS OF '{ts}'").read_all()
    assert engine.plan_info[0]["snapshot_id"] == s1.snapshot_id
    with pytest.raises(ProgrammingError, match="no snapshot 42"):
        engine.execute("SELECT * FROM db.sales FOR VERSION AS OF 42")
    with pytest.raises(ProgrammingError, match="at or before"):
        engine.execute("SELECT * FROM db.sales FOR TIMESTAMP AS OF '2001-01-01 00:00:00'")


def test_join_nested_and_missing(lake):
    engine, *_ = lake
    got = engine.execute(
        "SELECT s.id, r.name, len(s.tags) AS n FROM db.sales s JOIN db.regions r "
        "ON s.region = r.region WHERE r.name = 'Europe' ORDER BY s.id"
    ).read_all()
    assert got.column("id").to_pylist() == [1, 3, 5]
    assert got.column("n").to_pylist() == [1, 2, 1]
    with pytest.raises(ProgrammingError, match="does not exist"):
        engine.execute("SELECT * FROM db.nope")


def test_deletes_and_schema_evolution(lake):
    engine, _, table, s1 = lake
    table.delete("id = 2")
    with table.update_schema() as update:
        update.rename_column("amount", "amt")
        update.add_column("note", _string())
    got = engine.execute("SELECT id, amt, note FROM db.sales WHERE amt > 2 ORDER BY id").read_all()
    assert got.column("id").to_pylist() == [3, 4]
    assert got.column("note").to_pylist() == [None, None]
    assert engine.plan_info[0]["scan"] == "pyiceberg_arrow_stream"
    old = engine.execute(f"SELECT * FROM db.sales FOR VERSION AS OF {s1.snapshot_id}").read_all()
    assert old.schema.names == ["id", "region", "amount", "tags"] and old.num_rows == 4
    with table.update_schema() as update:
        update.delete_column("tags")
    assert "tags" not in engine.execute("SELECT * FROM db.sales").read_all().schema.names


def test_reader_streams(lake):
    engine, *_ = lake
    engine.rows_per_batch = 2
    reader = engine.execute("SELECT * FROM db.sales")
    assert isinstance(reader, pa.RecordBatchReader)
    assert sum(b.num_rows for b in reader) == 5


def _string():
    from pyiceberg.types import StringType

    return StringType()
