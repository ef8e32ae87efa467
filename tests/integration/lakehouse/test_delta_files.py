"""Delta tables written by delta-rs, and plain file trees (Parquet/CSV/JSON/ORC)."""

from __future__ import annotations

import json

import duckdb
import pyarrow as pa
import pyarrow.orc as orc
import pyarrow.parquet as pq
import pytest

pytest.importorskip("deltalake")

from sqlgate.core.errors import OperationalError, ProgrammingError
from sqlgate.lakehouse import DeltaRootSource, FileSource, LakehouseEngine


@pytest.fixture()
def delta(tmp_path):
    from deltalake import DeltaTable, write_deltalake

    orders = tmp_path / "orders"
    write_deltalake(
        orders, pa.table({"id": [1, 2], "region": ["eu", "us"]}), partition_by=["region"]
    )
    write_deltalake(orders, pa.table({"id": [3], "region": ["eu"]}), mode="append")
    write_deltalake(
        tmp_path / "dv",
        pa.table({"id": [1, 2, 3]}),
        configuration={"delta.enableDeletionVectors": "true"},
    )
    DeltaTable(tmp_path / "dv").delete("id = 2")
    engine = LakehouseEngine(DeltaRootSource(str(tmp_path)))
    yield engine
    engine.close()


def test_delta_pruning_time_travel_and_errors(delta):
    assert delta.list_tables("main") == ["dv", "orders"]
    got = delta.execute("SELECT id FROM orders WHERE region = 'eu' ORDER BY id").read_all()
    assert got.column("id").to_pylist() == [1, 3]
    info = delta.plan_info[0]
    assert (info["files_planned"], info["files_total"], info["scan"]) == (
        2,
        3,
        "duckdb_read_parquet",
    )
    old = delta.execute("SELECT id FROM orders FOR VERSION AS OF 0 ORDER BY id").read_all()
    assert old.column("id").to_pylist() == [1, 2]
    with pytest.raises(ProgrammingError, match="no version 9"):
        delta.execute("SELECT * FROM orders FOR VERSION AS OF 9")
    with pytest.raises(ProgrammingError, match="before the first commit"):
        delta.execute("SELECT * FROM orders FOR TIMESTAMP AS OF '2001-01-01 00:00:00'")
    with pytest.raises(ProgrammingError, match="does not exist"):
        delta.execute("SELECT * FROM missing")


def test_delta_deletion_vectors_and_join(delta):
    assert delta.execute("SELECT id FROM dv ORDER BY id").read_all().column(0).to_pylist() == [1, 3]
    assert delta.plan_info[0]["scan"] == "deltalake_querybuilder_stream"
    got = delta.execute(
        "SELECT o.id FROM orders o JOIN dv d ON o.id = d.id WHERE d.id > 1 ORDER BY 1"
    ).read_all()
    assert got.column(0).to_pylist() == [3]


@pytest.fixture()
def parquet_root(tmp_path):
    for region, ids in {"eu": [1, 3], "us": [2], "apac": [4]}.items():
        part = tmp_path / "events" / f"region={region}"
        part.mkdir(parents=True)
        pq.write_table(
            pa.table({"id": ids, "payload": [{"k": i, "v": [i, i]} for i in ids]}),
            part / "part-0.parquet",
        )
    return tmp_path


def test_parquet_hive_pruning_matches_full_scan(parquet_root):
    engine = LakehouseEngine(FileSource(str(parquet_root), "parquet"))
    assert engine.partition_columns("main", "events") == ["region"]
    sql = (
        "SELECT id, payload.k AS k FROM events WHERE region IN ('eu', 'us') AND id > 1 ORDER BY id"
    )
    got = engine.execute(sql).read_all()
    assert engine.plan_info[0]["files_planned"] == 2 and engine.plan_info[0]["files_total"] == 3
    glob = f"{parquet_root}/events/**/*.parquet"
    expected = duckdb.sql(
        sql.replace("FROM events", f"FROM read_parquet('{glob}', hive_partitioning=true)")
    ).fetchall()
    assert list(zip(*[c.to_pylist() for c in got.columns], strict=False)) == expected


def test_corrupt_file_is_a_clear_error(parquet_root):
    (parquet_root / "events" / "region=eu" / "part-0.parquet").write_bytes(b"not parquet")
    engine = LakehouseEngine(FileSource(str(parquet_root), "parquet"))
    with pytest.raises((OperationalError, ProgrammingError)):
        engine.execute("SELECT * FROM events").read_all()


def test_csv_json_orc(tmp_path):
    (tmp_path / "people.csv").write_text("id;name;born\n1;Ann;2001-02-03\n2;Bob;1999-12-31\n")
    engine = LakehouseEngine(FileSource(str(tmp_path), "csv"))
    got = engine.execute("SELECT name, born FROM people WHERE id = 2").read_all()
    assert got.to_pylist()[0]["name"] == "Bob"
    assert pa.types.is_date(got.schema.field("born").type)

    jdir = tmp_path / "j"
    jdir.mkdir()
    (jdir / "docs.json").write_text(
        "\n".join(json.dumps({"id": i, "meta": {"tags": ["x"] * i}}) for i in range(3))
    )
    engine = LakehouseEngine(FileSource(str(jdir), "json"))
    got = engine.execute("SELECT id, len(meta.tags) AS n FROM docs ORDER BY id").read_all()
    assert got.column("n").to_pylist() == [0, 1, 2]
    assert pa.types.is_struct(engine.table_schema("main", "docs").field("meta").type)

    odir = tmp_path / "o" / "facts" / "year=2024"
    odir.mkdir(parents=True)
    orc.write_table(pa.table({"v": [1, 2, 3]}), odir / "f.orc")
    engine = LakehouseEngine(FileSource(str(tmp_path / "o"), "orc"))
    got = engine.execute("SELECT sum(v) FROM facts WHERE year = 2024").read_all()
    assert got.column(0).to_pylist() == [6]
    assert engine.plan_info[0]["scan"] == "pyarrow_dataset"
