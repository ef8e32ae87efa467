"""Shortcuts on real pyiceberg- and deltalake-written tables: each equals the scanned answer.

``count(*)`` answered from the manifests / the Delta log (``scan="metadata_count"``) must
equal DuckDB's count over the very rows written, and fall back to a scan whenever the
metadata cannot decide (deletes, a non-partition column, a comparison DuckDB casts, a spec
the column was not partitioned by). A point query with a new literal each time is pruned
from the snapshot's plan in Python: same rows as a full scan, few files planned.
"""

from __future__ import annotations

from typing import Any

import duckdb
import pyarrow as pa
import pytest

pytest.importorskip("pyiceberg")
pytest.importorskip("deltalake")

from sqlgate.lakehouse import DeltaRootSource, IcebergCatalogSource, LakehouseEngine

from .iceberg_tables import TRANSFORM_SCHEMA, transform_rows, with_deletion_vector

# decided by partition values alone (cat, d, flag, n are identity partitions)
METADATA = [
    "SELECT count(*) FROM {t}",
    "SELECT COUNT(*) AS total FROM {t} WHERE cat = 'eu'",
    "SELECT count(*) FROM {t} WHERE cat != 'eu'",  # NULL partitions are not counted
    "SELECT count(*) FROM {t} WHERE NOT (cat = 'eu')",
    "SELECT count(*) FROM {t} WHERE cat IS NULL",
    "SELECT count(*) FROM {t} WHERE cat IS NOT NULL AND flag = true",
    "SELECT count(*) FROM {t} WHERE d >= DATE '2024-06-01'",
    "SELECT count(*) FROM {t} WHERE d BETWEEN DATE '2024-01-01' AND DATE '2025-06-01'",
    "SELECT count(*) FROM {t} WHERE n IN (10, 20, 70) OR cat = 'us'",
    "SELECT count(*) FROM {t} x WHERE x.n > 30 AND NOT (x.flag = false)",
]
# the metadata cannot decide: planned and scanned as usual
SCANNED = [
    "SELECT count(*) FROM {t} WHERE id > 3",  # not a partition column
    "SELECT count(*) FROM {t} WHERE d = '2024-02-09'",  # DuckDB casts the string
    "SELECT count(*) FROM {t} WHERE cat = 'eu' OR id = 1",
    "SELECT count(*) FROM {t} WHERE cat = 'eu' AND upper(s) = 'AB3'",
    "SELECT count(*) FROM {t} WHERE (cat = 'eu' AND upper(s) = 'AB3') OR cat = 'us'",
    "SELECT count(*) FROM {t} WHERE n > 2.5",  # int partition, decimal literal
]
# not a bare count(*): never the shortcut, still the right answer
OTHER_SHAPES = [
    "SELECT count(s) FROM {t}",
    "SELECT count(*) FROM {t} LIMIT 0",
    "SELECT count(*) FROM {t} GROUP BY cat",
    "SELECT count(*), 1 FROM {t}",
    "SELECT count(*) FROM {t} WHERE cat IN (SELECT 'eu')",
    "SELECT count(*) FROM {t} TABLESAMPLE 100%",
]


def rows_table(start: int) -> pa.Table:
    return pa.Table.from_pylist(transform_rows(start), schema=TRANSFORM_SCHEMA.as_arrow())


def truth(rows: pa.Table, sql: str) -> list[tuple]:
    """DuckDB's answer over the rows written (the full scan every shortcut must equal)."""
    con = duckdb.connect()
    con.register("rows_written", rows)
    return sorted(con.sql(sql.format(t="rows_written")).fetchall())


def run(engine: LakehouseEngine, sql: str) -> tuple[list[tuple], pa.Schema, str]:
    result = engine.execute(sql).read_all()
    rows = sorted(tuple(r.values()) for r in result.to_pylist())
    return rows, result.schema, engine.plan_info[0]["scan"]


def check_counts(engine: LakehouseEngine, table: str, rows: pa.Table) -> None:
    for sql in METADATA + SCANNED + OTHER_SHAPES:
        got, schema, scan = run(engine, sql.format(t=table))
        assert got == truth(rows, sql), sql
        assert (scan == "metadata_count") == (sql in METADATA), (sql, scan)
        if sql in METADATA:  # same column name and type as DuckDB's own count(*)
            plain = duckdb.connect().sql(sql.format(t="range(1)").split(" WHERE")[0])
            assert schema.names == plain.columns and schema.types == [pa.int64()], sql


@pytest.fixture()
def iceberg(tmp_path: Any):
    from pyiceberg.catalog import load_catalog

    props = {
        "type": "sql",
        "uri": f"sqlite:///{tmp_path}/catalog.db",
        "warehouse": f"file://{tmp_path}/warehouse",
    }
    catalog = load_catalog("test", **props)
    catalog.create_namespace("db")
    table = catalog.create_table(("db", "t"), schema=TRANSFORM_SCHEMA)
    with table.update_spec() as spec:
        for column in ("cat", "d", "flag", "n"):
            spec.add_identity(column)
    table.append(rows_table(0))
    snapshot = table.current_snapshot()
    assert snapshot is not None
    first = snapshot.snapshot_id
    table.append(rows_table(6))
    engine = LakehouseEngine(IcebergCatalogSource("test", **props))
    yield engine, catalog, first
    engine.close()


def test_iceberg_count_from_manifests_equals_scan(iceberg):
    engine, _catalog, first = iceberg
    check_counts(engine, "db.t", pa.concat_tables([rows_table(0), rows_table(6)]))
    got, _s, scan = run(engine, f"SELECT count(*) FROM db.t FOR VERSION AS OF {first}")
    assert (got, scan) == ([(6,)], "metadata_count")
    sql = f"SELECT count(*) FROM db.t FOR VERSION AS OF {first} WHERE cat = 'us'"
    assert run(engine, sql)[::2] == (
        truth(rows_table(0), "SELECT count(*) FROM {t} WHERE cat = 'us'"),
        "metadata_count",
    )


def test_count_with_parameters(iceberg):
    engine, _catalog, _first = iceberg
    rows = pa.concat_tables([rows_table(0), rows_table(6)])
    for value in ("us", "eu", "nowhere"):
        got = engine.execute("SELECT count(*) FROM db.t WHERE cat = $1", [value]).read_all()
        assert engine.plan_info[0]["scan"] == "metadata_count"
        want = truth(rows, f"SELECT count(*) FROM {{t}} WHERE cat = '{value}'")
        assert [tuple(r.values()) for r in got.to_pylist()] == want


def test_iceberg_count_falls_back_for_deletes_and_older_specs(iceberg):
    engine, catalog, _first = iceberg
    source = catalog.create_table(("db", "plain"), schema=TRANSFORM_SCHEMA)
    source.append(rows_table(0))
    source.append(rows_table(6))
    with_deletion_vector(catalog, ("db", "plain"), ("db", "dv"), [1, 3])
    got, _s, scan = run(engine, "SELECT count(*) FROM db.dv")
    assert (got, scan) == ([(10,)], "pyiceberg_arrow_stream")
    # files written before cat was a partition: their rows are not decided by the manifest
    with source.update_spec() as spec:
        spec.add_identity("cat")
    source.append(rows_table(12))
    rows = pa.concat_tables([rows_table(0), rows_table(6), rows_table(12)])
    for sql in ("SELECT count(*) FROM {t} WHERE cat = 'eu'", "SELECT count(*) FROM {t}"):
        got, _s, scan = run(engine, sql.format(t="db.plain"))
        assert got == truth(rows, sql)
        assert (scan == "metadata_count") == ("WHERE" not in sql), sql


def test_iceberg_point_queries_prune_the_kept_plan(iceberg):
    engine, _catalog, _first = iceberg
    rows = pa.concat_tables([rows_table(0), rows_table(6)])
    total = len(engine.execute("SELECT * FROM db.t").read_all())
    for i in (0, 4, 7, 11, 99):  # a new literal each time
        sql = f"SELECT id, cat, d, n FROM {{t}} WHERE id = {i}"
        got, _s, _scan = run(engine, sql.format(t="db.t"))
        assert got == truth(rows, sql)
        assert engine.plan_info[0]["files_planned"] <= 1 < engine.plan_info[0]["files_total"]
    sql = "SELECT id FROM {t} WHERE cat = 'eu' AND id >= 3"
    assert run(engine, sql.format(t="db.t"))[0] == truth(rows, sql)
    assert total == 12


@pytest.fixture()
def delta(tmp_path: Any):
    from deltalake import DeltaTable, write_deltalake

    rows = [rows_table(0).drop_columns(["tstz"]), rows_table(6).drop_columns(["tstz"])]
    for part in rows:
        write_deltalake(tmp_path / "t", part, partition_by=["cat", "d", "flag", "n"], mode="append")
        write_deltalake(tmp_path / "p", part, partition_by=["id"], mode="append")
        write_deltalake(
            tmp_path / "dv",
            part,
            mode="append",
            configuration={"delta.enableDeletionVectors": "true"},
        )
    DeltaTable(tmp_path / "dv").delete("id = 2")
    engine = LakehouseEngine(DeltaRootSource(str(tmp_path)))
    yield engine, pa.concat_tables(rows)
    engine.close()


def test_delta_count_from_log_equals_scan(delta):
    engine, rows = delta
    check_counts(engine, "t", rows)
    got, _s, scan = run(engine, "SELECT count(*) FROM t FOR VERSION AS OF 0 WHERE cat = 'eu'")
    assert (got, scan) == (
        truth(rows.slice(0, 6), "SELECT count(*) FROM {t} WHERE cat = 'eu'"),
        "metadata_count",
    )


def test_delta_count_falls_back_for_deletion_vectors(delta):
    engine, _rows = delta
    got, _s, scan = run(engine, "SELECT count(*) FROM dv")
    assert (got, scan) == ([(11,)], "deltalake_querybuilder_stream")


def check_limits(engine: LakehouseEngine, table: str, rows: pa.Table, leading: bool = True) -> None:
    """A bare LIMIT plans only the leading files (``leading``); the rows are the table's."""
    written = {(r["id"], r["cat"]) for r in rows.to_pylist()}
    for sql, want in [
        ("SELECT * FROM {t} LIMIT 3", 3),
        ("SELECT id, cat AS c FROM {t} LIMIT 2 OFFSET 4", 2),
    ]:
        got = engine.execute(sql.format(t=table)).read_all()
        info = engine.plan_info[0]
        assert got.num_rows == want, sql
        assert {(r["id"], r.get("cat", r.get("c"))) for r in got.to_pylist()} <= written
        if not leading:
            assert "first_rows" not in info
            continue
        assert info["first_rows"] == want + (4 if "OFFSET" in sql else 0)
        assert info["files_planned"] < info["files_total"], sql
    for sql, want in [
        ("SELECT * FROM {t} LIMIT 1000", rows.num_rows),  # every file is needed
        ("SELECT * FROM {t} WHERE id > 1 LIMIT 1000", rows.num_rows - 2),
        ("SELECT id + 1 FROM {t} LIMIT 1000", rows.num_rows),
        ("SELECT DISTINCT cat FROM {t} LIMIT 1000", 3),
    ]:
        assert engine.execute(sql.format(t=table)).read_all().num_rows == want, sql
        assert "first_rows" not in engine.plan_info[0], sql


def test_iceberg_limit_reads_the_leading_files(iceberg):
    engine, catalog, _first = iceberg
    check_limits(engine, "db.t", pa.concat_tables([rows_table(0), rows_table(6)]))
    source = catalog.create_table(("db", "plain"), schema=TRANSFORM_SCHEMA)
    source.append(rows_table(0))
    source.append(rows_table(6))
    with_deletion_vector(catalog, ("db", "plain"), ("db", "dv"), [0, 1, 2])
    kept = engine.execute("SELECT id FROM db.dv").read_all().column("id").to_pylist()
    assert len(kept) == 9
    got = engine.execute("SELECT id FROM db.dv LIMIT 5").read_all().column("id").to_pylist()
    assert len(got) == 5 and set(got) <= set(kept)  # never a deleted row
    assert "first_rows" not in engine.plan_info[0]


def test_delta_limit_reads_the_leading_files(delta):
    engine, rows = delta
    check_limits(engine, "p", rows)
    check_limits(engine, "t", rows, leading=False)  # NULL partitions: not read by DuckDB
    got = engine.execute("SELECT id FROM dv LIMIT 20").read_all()
    assert sorted(got.column("id").to_pylist()) == [i for i in range(12) if i != 2]
    assert "first_rows" not in engine.plan_info[0]
