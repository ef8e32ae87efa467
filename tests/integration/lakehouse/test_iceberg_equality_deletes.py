"""Iceberg equality deletes, which pyiceberg refuses, applied by sqlgate.

Two sources of tables: the Spark-written ones in the shared fixtures (their README gives the
answers; every file is named by a path relative to the fixture folder, so they also exercise
relative locations), and tables pyiceberg creates here, to which equality and position delete
files are committed with pyiceberg's manifest writers (``iceberg_delete_files``) to pin each
rule of the spec: sequence numbers, partition scope, NULL keys, extra columns.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pyarrow as pa
import pytest

pytest.importorskip("pyiceberg")

import sqlgate.dbapi.iceberg as iceberg_dbapi
from sqlgate.core.errors import OperationalError
from tests.integration.lakehouse.iceberg_delete_files import Files, commit
from tests.integration.lakehouse.reference import assert_same_rows, fetch_arrow
from tests.shared_data import shared_fixture

EQ = "data/persistent/equality_deletes/warehouse/mydb"
CROSS = "data/persistent/equality_delete_cross_partition/warehouse/ns/t"
EXTRA = "data/persistent/equality_delete_extra_column/warehouse/ns/t"
ROWS = [(i, chr(ord("a") + i - 1), dt.date(2025, 1, i)) for i in range(1, 7)]
#: mytable's answer after each snapshot, oldest first (README)
MYTABLE = {1: [1, 2, 3, 4], 2: [1, 3, 4], 3: [3, 4], 4: [4], 5: [4, 5, 6], 6: [4, 5]}


def _people(ids: list[int]) -> pa.Table:
    rows = [r for r in ROWS if r[0] in ids]
    return pa.table(
        {
            "id": pa.array([r[0] for r in rows], pa.int32()),
            "name": pa.array([r[1] for r in rows], pa.string()),
            "bir": pa.array([r[2] for r in rows], pa.date32()),
        }
    )


def _newest(table_dir: Path) -> str:
    versions = [p for p in (table_dir / "metadata").glob("v*.metadata.json")]
    numbered = [p for p in versions if p.name[1:].split(".")[0].isdigit()]
    if numbered:
        return str(max(numbered, key=lambda p: int(p.name[1:].split(".")[0])))
    return str(table_dir / "metadata" / "vfinal.metadata.json")


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    """The fixture's ``data/`` copied to a temp dir beside a SQL catalog registering it."""
    from pyiceberg.catalog.sql import SqlCatalog

    source = shared_fixture("iceberg")
    root = tmp_path_factory.mktemp("eqdeletes")
    shutil.copytree(source / "data", root / "data")
    catalog = SqlCatalog("default", uri=f"sqlite:///{root}/catalog.db", warehouse=f"file://{root}")
    catalog.create_namespace("mydb")
    catalog.create_namespace("ns")
    for name, folder in [
        ("mydb.mytable", f"{EQ}/mytable"),
        ("mydb.mytable_partitioned", f"{EQ}/mytable_partitioned"),
        ("ns.cross_partition", CROSS),
        ("ns.extra_column", EXTRA),
    ]:
        catalog.register_table(name, _newest(root / folder))
    conn = iceberg_dbapi.connect(f"iceberg://{root}/catalog.db?warehouse=file://{root}")
    yield conn, catalog, root
    conn.close()


def _snapshots(catalog) -> dict[int, int]:
    table = catalog.load_table("mydb.mytable")
    return {s.sequence_number: s.snapshot_id for s in table.snapshots()}


@pytest.mark.parametrize("seq", [1, 3, 4, 5, 6])
def test_mytable_every_snapshot(shared, seq):
    conn, catalog, _ = shared
    snapshot = _snapshots(catalog)[seq]
    got = fetch_arrow(conn, f"SELECT * FROM mydb.mytable FOR VERSION AS OF {snapshot}")
    assert_same_rows(got, _people(MYTABLE[seq]), f"snapshot {seq}")
    count = fetch_arrow(conn, f"SELECT count(*) FROM mydb.mytable FOR VERSION AS OF {snapshot}")
    assert count.column(0).to_pylist() == [len(MYTABLE[seq])]
    filtered = fetch_arrow(
        conn,
        f"SELECT id FROM mydb.mytable FOR VERSION AS OF {snapshot} WHERE bir >= ? ORDER BY id",
        [dt.date(2025, 1, 3)],
    )
    assert filtered.column("id").to_pylist() == [i for i in MYTABLE[seq] if i >= 3]
    scan = conn.session.engine.plan_info[0]["scan"]  # files named relatively: never native
    assert scan == ("pyiceberg_arrow_stream" if seq == 1 else "iceberg_equality_deletes")


def test_mytable_snapshot_2_manifest_list_is_missing(shared):
    """The fixture lacks snapshot 2's manifest list (its metadata names ``snap-...-1-...``;
    only a ``-3-`` file of another content is there): a clear error naming the file, never
    a guess."""
    conn, catalog, _ = shared
    snapshot = _snapshots(catalog)[2]
    with pytest.raises(OperationalError, match=f"snap-{snapshot}-1-"):
        fetch_arrow(conn, f"SELECT * FROM mydb.mytable FOR VERSION AS OF {snapshot}")


def test_mytable_current(shared):
    conn, *_ = shared
    assert_same_rows(fetch_arrow(conn, "SELECT * FROM mydb.mytable"), _people([4, 5]))
    cur = conn.cursor()
    cur.execute("SELECT name FROM mydb.mytable WHERE id > 4")
    assert cur.fetchall() == [("e",)]
    info = conn.session.engine.plan_info[0]
    assert info["scan"] == "iceberg_equality_deletes"
    assert info["equality_delete_files"] >= 1


def test_partitioned(shared):
    conn, *_ = shared
    got = fetch_arrow(conn, "SELECT * FROM mydb.mytable_partitioned")
    assert_same_rows(got, _people([1, 4, 5]))
    assert (
        fetch_arrow(conn, "SELECT count(*) FROM mydb.mytable_partitioned").column(0)[0].as_py() == 3
    )
    one = fetch_arrow(conn, "SELECT id FROM mydb.mytable_partitioned WHERE name IN ('b', 'e')")
    assert one.column("id").to_pylist() == [5]


def test_cross_partition(shared):
    """The README's answer keeps (1, 100): the delete is written with the partitioned spec in
    partition 0, so it reaches partition 0 only (the spec's rule for partitioned deletes)."""
    conn, *_ = shared
    got = fetch_arrow(conn, "SELECT * FROM ns.cross_partition")
    expected = pa.table(
        {
            "part": pa.array([0, 1, 1], pa.int64()),
            "key": pa.array([999, 100, 888], pa.int64()),
            "val": ["p0-k999", "p1-k100", "p1-k888"],
        }
    )
    assert_same_rows(got, expected)
    n = fetch_arrow(conn, "SELECT count(*) FROM ns.cross_partition WHERE key = 100")
    assert n.column(0).to_pylist() == [1]


def test_extra_column(shared):
    conn, *_ = shared
    got = fetch_arrow(conn, "SELECT * FROM ns.extra_column")
    assert_same_rows(got, pa.table({"id": pa.array([1, 3], pa.int64()), "val": ["a", "c"]}))
    assert fetch_arrow(conn, "SELECT count(*) FROM ns.extra_column").column(0)[0].as_py() == 2
    assert fetch_arrow(conn, "SELECT val FROM ns.extra_column WHERE id >= 2").column(
        0
    ).to_pylist() == ["c"]


# -- the spec's rules, on tables pyiceberg creates -------------------------------------------------
@pytest.fixture()
def built(tmp_path):
    from pyiceberg.catalog.sql import SqlCatalog

    catalog = SqlCatalog(
        "default", uri=f"sqlite:///{tmp_path}/catalog.db", warehouse=f"file://{tmp_path}/wh"
    )
    catalog.create_namespace("db")
    conn = iceberg_dbapi.connect(f"iceberg://{tmp_path}/catalog.db?warehouse=file://{tmp_path}/wh")
    yield catalog, conn
    conn.close()


def _rows(conn, sql: str, params=None) -> list[tuple]:
    table = fetch_arrow(conn, sql, params)
    return sorted(tuple(r.values()) for r in table.to_pylist())


def _at(snapshot) -> str:
    return f"FOR VERSION AS OF {snapshot.snapshot_id}"


def test_sequence_numbers_null_keys_and_extra_columns(built):
    """A delete reaches only data with a lower sequence number (not a later append, not data
    committed with it); NULL keys match NULL; extra columns in the delete file (and their
    statistics) play no part."""
    catalog, conn = built
    schema = pa.schema([("id", pa.int64()), ("name", pa.string()), ("note", pa.string())])
    table = catalog.create_table("db.t", schema=schema)
    first = pa.table(
        {"id": [1, 2, None, 3], "name": ["a", "b", "n", None], "note": ["x", "y", "z", "w"]},
        schema,
    )
    table.append(first)
    s1 = table.current_snapshot()
    id_, name = table.schema().find_field("id").field_id, table.schema().find_field("name").field_id
    s2 = commit(
        table, Files().add_equality(pa.table({"id": pa.array([1, None], pa.int64())}), [id_])
    )
    later = pa.table({"id": [1, 3], "name": ["a2", "c2"], "note": ["new", "new"]}, schema)
    s3 = commit(
        table,
        Files().add_data(later).add_equality(pa.table({"id": pa.array([3], pa.int64())}), [id_]),
    )
    extra = pa.table({"name": ["b"], "note": ["nomatch"]})  # equality on name only
    s4 = commit(table, Files().add_equality(extra, [name]))
    q = "SELECT id, name, note FROM db.t"
    assert_same_rows(
        fetch_arrow(conn, f"{q} {_at(s1)}"), table.scan(snapshot_id=s1.snapshot_id).to_arrow()
    )
    assert _rows(conn, f"{q} {_at(s2)}") == [(2, "b", "y"), (3, None, "w")]
    assert _rows(conn, f"{q} {_at(s3)}") == [(1, "a2", "new"), (2, "b", "y"), (3, "c2", "new")]
    assert _rows(conn, q) == [(1, "a2", "new"), (3, "c2", "new")] == _rows(conn, f"{q} {_at(s4)}")
    # the delete file's statistics say note = 'nomatch': it must still reach note = 'y'
    assert _rows(conn, f"{q} WHERE note = ?", ["y"]) == []
    assert _rows(conn, "SELECT count(*) FROM db.t WHERE id IS NULL") == [(0,)]
    info = conn.session.engine.plan_info[0]
    assert info["scan"] == "iceberg_equality_deletes" and info["equality_delete_files"] == 3


def test_partition_scope_global_and_position_deletes(built):
    """A delete written with the partitioned spec reaches its own partition only; one written
    with an unpartitioned spec reaches every partition; position deletes apply beside them."""
    catalog, conn = built
    schema = pa.schema([("id", pa.int64()), ("region", pa.string())])
    table = catalog.create_table("db.p", schema=schema)  # spec 0: unpartitioned
    with table.update_spec() as spec:
        spec.add_identity("region")  # spec 1
    table = catalog.load_table("db.p")
    table.append(
        pa.table({"id": [1, 2, 1, 2, 3], "region": ["eu", "eu", "us", "us", "us"]}, schema)
    )
    s1 = table.current_snapshot()
    us_file = next(
        t.file.file_path
        for t in table.scan(row_filter="region == 'us'", snapshot_id=s1.snapshot_id).plan_files()
    )
    id_ = table.schema().find_field("id").field_id
    one = pa.table({"id": pa.array([1], pa.int64())})
    two = pa.table({"id": pa.array([2], pa.int64())})
    s2 = commit(table, Files().add_equality(one, [id_], partition=["eu"], spec_id=1))
    s3 = commit(table, Files().add_equality(two, [id_], partition=[], spec_id=0))
    s4 = commit(table, Files().add_positions(us_file, [2], partition=["us"], spec_id=1))
    q = "SELECT id, region FROM db.p"
    assert _rows(conn, f"{q} {_at(s2)}") == [(1, "us"), (2, "eu"), (2, "us"), (3, "us")]
    assert _rows(conn, f"{q} {_at(s3)}") == [(1, "us"), (3, "us")]
    assert _rows(conn, f"{q} {_at(s3)} WHERE region = 'us'") == [(1, "us"), (3, "us")]
    assert _rows(conn, f"{q} {_at(s4)}") == [(1, "us")] == _rows(conn, q)
    info = conn.session.engine.plan_info[0]
    assert info["equality_delete_files"] == 2 and info["position_delete_files"] == 1


def test_stops_while_streaming(built):
    """Cursor.cancel stops a read with equality deletes between batches."""
    catalog, conn = built
    schema = pa.schema([("id", pa.int64()), ("name", pa.string())])
    table = catalog.create_table("db.big", schema=schema)
    for part in range(4):
        ids = pa.array(range(part * 50_000, (part + 1) * 50_000), pa.int64())
        table.append(pa.table({"id": ids, "name": pa.array([f"n{i % 97}" for i in range(50_000)])}))
    id_ = table.schema().find_field("id").field_id
    commit(
        table,
        Files().add_equality(pa.table({"id": pa.array(range(0, 200_000, 2), pa.int64())}), [id_]),
    )
    engine = conn.session.engine
    engine.rows_per_batch = 1000
    reader = engine.execute("SELECT id FROM db.big")
    first = reader.read_next_batch()
    assert first.num_rows > 0 and all(i % 2 == 1 for i in first.column(0).to_pylist())
    engine.cancel()
    with pytest.raises(OperationalError, match="canceling statement"):
        while True:
            reader.read_next_batch()
    assert _rows(conn, "SELECT count(*), sum(id % 2) FROM db.big") == [(100_000, 100_000)]


def test_key_column_dropped_later(built):
    """A delete keyed on a column the current schema dropped still applies (read by field id
    under a private name), and the snapshot before the drop shows the column."""
    catalog, conn = built
    schema = pa.schema([("id", pa.int64()), ("name", pa.string())])
    table = catalog.create_table("db.d", schema=schema)
    table.append(pa.table({"id": [1, 2, 3], "name": ["a", "b", "c"]}, schema))
    name = table.schema().find_field("name").field_id
    s2 = commit(table, Files().add_equality(pa.table({"name": ["b"]}), [name]))
    with table.update_schema() as update:
        update.delete_column("name")
    assert _rows(conn, "SELECT * FROM db.d") == [(1,), (3,)]
    assert _rows(conn, f"SELECT * FROM db.d {_at(s2)}") == [(1, "a"), (3, "c")]


@pytest.mark.parametrize(
    "name", ["mydb.mytable", "mydb.mytable_partitioned", "ns.cross_partition", "ns.extra_column"]
)
def test_first_snapshots_equal_pyiceberg(shared, name, monkeypatch):
    """Before any delete, pyiceberg reads these tables too (run from the catalog's home)."""
    conn, catalog, root = shared
    table = catalog.load_table(name)
    first = min(table.snapshots(), key=lambda s: s.sequence_number).snapshot_id
    got = fetch_arrow(conn, f"SELECT * FROM {name} FOR VERSION AS OF {first}")
    monkeypatch.chdir(root)
    assert_same_rows(got, table.scan(snapshot_id=first).to_arrow(), name)
    assert got.num_rows > 0
