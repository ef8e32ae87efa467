"""Iceberg delete files applied by DuckDB over its own ``read_parquet`` (no pyiceberg reader).

Tables pyiceberg creates here get position and equality delete files committed with
pyiceberg's manifest writers (``iceberg_delete_files``); the answers are checked against
pyiceberg's own reader (position deletes) and against the rows computed in Python, and the
plan must say DuckDB read the data.
"""

from __future__ import annotations

import pyarrow as pa
import pytest

pytest.importorskip("pyiceberg")

import sqlgate.dbapi.iceberg as iceberg_dbapi
from tests.integration.lakehouse.iceberg_delete_files import Files, commit
from tests.integration.lakehouse.reference import assert_same_rows, fetch_arrow


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


def _part(start: int, n: int) -> pa.Table:
    ids = list(range(start, start + n))
    return pa.table(
        {
            "id": pa.array(ids, pa.int64()),
            "name": pa.array([f"n{i}" for i in ids], pa.string()),
            "amount": pa.array([i * 0.5 for i in ids], pa.float64()),
        }
    )


def _plan(conn) -> dict:
    return conn.session.engine.plan_info[0]


def test_position_deletes_by_duckdb_equal_pyiceberg(built):
    catalog, conn = built
    table = catalog.create_table("db.t", schema=_part(0, 1).schema)
    for start in (0, 100, 200):
        table.append(_part(start, 100))
    files = [t.file.file_path for t in table.scan().plan_files()]
    deleted = Files().add_positions(files[0], [0, 5, 99]).add_positions(files[2], [50])
    commit(table, deleted)
    commit(table, Files().add_positions(files[0], [6]))  # a second delete file, same data file
    got = fetch_arrow(conn, "SELECT id, name, amount FROM db.t")
    assert _plan(conn)["scan"] == "iceberg_position_deletes"
    assert _plan(conn)["data_read"] == "duckdb_read_parquet"
    assert _plan(conn)["position_delete_files"] == 3  # one file per add_positions
    assert got.num_rows == 300 - 5
    reference = catalog.load_table("db.t").scan().to_arrow()  # pyiceberg applies them itself
    assert_same_rows(got, reference)
    cur = conn.cursor()
    cur.execute("SELECT count(*), sum(id) FROM db.t WHERE amount >= 50")
    kept = [r for r in reference.to_pylist() if r["amount"] >= 50]
    assert cur.fetchall() == [(len(kept), sum(r["id"] for r in kept))]


def test_position_and_equality_deletes_by_duckdb(built):
    catalog, conn = built
    table = catalog.create_table("db.t", schema=_part(0, 1).schema)
    for start in (0, 1000):
        table.append(_part(start, 1000))
    tasks = list(table.scan().plan_files())
    positions = Files()
    for task in tasks:
        positions.add_positions(task.file.file_path, list(range(3, 1000, 10)))
    commit(table, positions)
    id_ = table.schema().find_field("id").field_id
    gone = pa.table({"id": pa.array(list(range(7, 2000, 100)), pa.int64())})
    commit(table, Files().add_equality(gone, [id_]))
    table.append(_part(7, 1))  # appended after the delete: id 7 is back once
    # each file holds 1000 ascending ids, so position p of the file from id s is id s + p
    removed = {s + p for s in (0, 1000) for p in range(3, 1000, 10)}
    removed |= set(range(7, 2000, 100))
    want = sorted([i for i in range(2000) if i not in removed] + [7])
    cur = conn.cursor()
    cur.execute("SELECT id FROM db.t ORDER BY id")
    assert [r[0] for r in cur.fetchall()] == want
    assert _plan(conn)["scan"] == "iceberg_equality_deletes"
    assert _plan(conn)["data_read"] == "duckdb_read_parquet"
    # the key column is not selected: it is read under a hidden name and still applied
    cur.execute("SELECT name FROM db.t")
    assert sorted(r[0] for r in cur.fetchall()) == sorted(f"n{i}" for i in want)
    cur.execute("SELECT count(*), sum(amount) FROM db.t")
    assert cur.fetchall() == [(len(want), sum(i * 0.5 for i in want))]
