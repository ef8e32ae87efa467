"""``file://`` Parquet trees: ``count(*)`` from the footers' row counts, a bare ``LIMIT`` from
the leading files; each checked against DuckDB's own ``read_parquet`` over the same files."""

from __future__ import annotations

import os

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import sqlgate


@pytest.fixture()
def tree(tmp_path):
    parts = {"2026-01-01": [3, 2], "2026-01-02": [4], "__HIVE_DEFAULT_PARTITION__": [5]}
    start = 0
    for day, sizes in parts.items():
        os.makedirs(tmp_path / "t" / f"day={day}")
        for n, size in enumerate(sizes):
            ids = pa.array(range(start, start + size), pa.int64())
            table = pa.table({"id": ids, "v": pa.array([i % 3 for i in range(size)], pa.int32())})
            pq.write_table(table, tmp_path / "t" / f"day={day}" / f"p{n}.parquet", row_group_size=2)
            start += size
    conn = sqlgate.connect(f"file://{tmp_path}")
    yield conn, f"read_parquet('{tmp_path}/t/*/*.parquet', hive_partitioning = true)"
    conn.close()


def _both(conn, native: str, sql: str) -> tuple[list, list, dict]:
    cur = conn.cursor()
    cur.execute(sql.format(t="t"))
    ours = cur.fetchall()
    theirs = duckdb.sql(sql.format(t=native)).fetchall()
    return ours, theirs, conn.session.engine.plan_info[0]


@pytest.mark.parametrize(
    "where",
    [
        "",
        "WHERE day = DATE '2026-01-01'",
        "WHERE day IS NULL",
        "WHERE day IS NOT NULL AND day <> DATE '2026-01-02'",
        "WHERE day IN (DATE '2026-01-02', DATE '2026-01-09')",
    ],
)
def test_count_from_footers(tree, where):
    conn, native = tree
    ours, theirs, plan = _both(conn, native, f"SELECT count(*) FROM {{t}} {where}")
    assert ours == theirs
    assert plan["scan"] == "metadata_count" and plan["files_read"] == 0


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT count(*) FROM {t} WHERE id > 4",  # a data column: the footers cannot say
        "SELECT count(*) FROM {t} WHERE v = 1 AND day = DATE '2026-01-01'",
        "SELECT count(id) FROM {t}",
        "SELECT count(*) FROM {t} LIMIT 0",
    ],
)
def test_count_needs_the_data(tree, sql):
    conn, native = tree
    ours, theirs, plan = _both(conn, native, sql)
    assert ours == theirs
    assert plan.get("scan") != "metadata_count"


def test_limit_reads_the_leading_files(tree):
    conn, native = tree
    cur = conn.cursor()
    every = set(duckdb.sql(f"SELECT id, v, day FROM {native}").fetchall())
    for n, files in ((1, 1), (3, 1), (4, 2), (9, 3), (14, 4)):
        cur.execute(f"SELECT * FROM t LIMIT {n}")
        got = cur.fetchall()
        assert len(got) == n and set(got) <= every
        plan = conn.session.engine.plan_info[0]
        if files < 4:
            assert plan["first_rows"] == n and plan["files_planned"] == files
        else:  # every file is needed: the plain plan
            assert "first_rows" not in plan and plan["files_planned"] == 4


def test_a_changed_file_changes_the_count(tree, tmp_path):
    conn, native = tree
    cur = conn.cursor()
    cur.execute("SELECT count(*) FROM t")
    assert cur.fetchall() == [(14,)]
    pq.write_table(
        pa.table({"id": pa.array([100], pa.int64()), "v": pa.array([0], pa.int32())}),
        tmp_path / "t" / "day=2026-01-02" / "p0.parquet",
    )
    cur.execute("SELECT count(*) FROM t")
    assert cur.fetchall() == duckdb.sql(f"SELECT count(*) FROM {native}").fetchall() == [(11,)]
