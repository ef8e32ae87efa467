"""``file://`` and ``s3://`` trees: Hive partitions typed as DuckDB types them, files pruned by
their Parquet footer statistics at planning.

Every tree is written by pyarrow (``write_dataset`` with hive partitioning); every expected
answer is DuckDB's own ``read_parquet(..., hive_partitioning=true)`` over the same local files,
compared row for row and type for type.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from urllib.parse import urlencode

import duckdb
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.fs as pafs
import pyarrow.parquet as pq
import pytest

import sqlgate
from tests.servers.base import ServerInfo

BUCKET = "parts"
DAYS = [dt.date(2024, 1, d) for d in (1, 2, 3, 4, 5)]
PARTITIONS = pa.schema(
    [("day", pa.date32()), ("bucket", pa.int32()), ("region", pa.string()), ("flag", pa.bool_())]
)
QUERIES = [
    "day BETWEEN DATE '2024-01-02' AND DATE '2024-01-03'",
    "day >= DATE '2024-01-04'",
    "day = DATE '2024-01-05'",
    "bucket = 2",
    "bucket IN (0, 2)",
    "region = 'eu'",
    "region IN ('eu', 'apac')",
    "flag = 'true'",
    "day IS NULL",
    "region IS NULL",
    "bucket > 0 AND day < DATE '2024-01-03' AND region = 'us'",
]
COLUMNS = "id, v, day, bucket, region, flag"


def _events(n: int = 120) -> pa.Table:
    """Every partition key with NULLs (``__HIVE_DEFAULT_PARTITION__``) but ``bucket``."""
    return pa.table(
        {
            "id": pa.array(range(n), pa.int64()),
            "v": pa.array([i * 0.5 for i in range(n)]),
            "day": pa.array([DAYS[i % 5] if i % 11 else None for i in range(n)], pa.date32()),
            "bucket": pa.array([i % 3 for i in range(n)], pa.int32()),
            "region": pa.array([("eu", "us", "apac", None)[i % 4] for i in range(n)]),
            "flag": pa.array([i % 2 == 0 for i in range(n)]),
        }
    )


def _write(base: str, fs: pafs.FileSystem | None = None) -> None:
    ds.write_dataset(
        _events(),
        base,
        filesystem=fs,
        format="parquet",
        partitioning=ds.partitioning(PARTITIONS, flavor="hive"),
        existing_data_behavior="overwrite_or_ignore",
    )


def _duckdb(path: Path, where: str | None) -> tuple[list[tuple], list[str], int]:
    """DuckDB's own answer: rows, column types, and how many files hold them."""
    con = duckdb.connect()
    src = f"read_parquet('{path}/**/*.parquet', hive_partitioning=true, filename=true)"
    cond = f" WHERE {where}" if where else ""
    rel = con.sql(f"SELECT {COLUMNS} FROM {src}{cond} ORDER BY id")
    types = [str(t) for t in rel.types]
    rows = rel.fetchall()
    files = con.execute(f"SELECT count(DISTINCT filename) FROM {src}{cond}").fetchall()
    return rows, types, int(files[0][0])


def _ours(conn, where: str | None) -> tuple[list[tuple], list[str], dict]:
    cur = conn.cursor()
    cond = f" WHERE {where}" if where else ""
    cur.execute(f"SELECT {COLUMNS} FROM events{cond} ORDER BY id")
    rows = [tuple(r) for r in cur.fetchall()]
    types = [d[1] for d in cur.description]
    return rows, types, conn.session.engine.plan_info[0]


@pytest.fixture(scope="module")
def local_tree(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("hive")
    _write(str(root / "events"))
    return root


def test_partition_types_follow_duckdb(local_tree):
    """DATE, BIGINT and VARCHAR as DuckDB's hive autocast gives them; reflection agrees."""
    rows, types, _ = _duckdb(local_tree / "events", None)
    assert types == ["BIGINT", "DOUBLE", "DATE", "BIGINT", "VARCHAR", "VARCHAR"]
    with sqlgate.connect(f"file://{local_tree}") as conn:
        got_rows, got_types, info = _ours(conn, None)
        assert (got_rows, got_types) == (rows, types)
        assert info["files_planned"] == info["files_total"]
        # SELECT * keeps the table's column order (DuckDB alone would sort the keys)
        cur = conn.cursor()
        cur.execute("SELECT * FROM events LIMIT 1")
        assert [d[0] for d in cur.description] == COLUMNS.split(", ")
        schema = conn.session.engine.table_schema("main", "events")
        assert schema.field("day").type == pa.date32()
        assert schema.field("bucket").type == pa.int64()
        assert conn.session.engine.partition_columns("main", "events") == PARTITIONS.names


def test_directory_spellings_typed_as_duckdb_types_them(tmp_path):
    """Timestamps, negative numbers, leading zeros and mixed kinds: DuckDB's autocast."""
    keys = [
        ("2024-01-01 10:00", "-1", "01", "2024-01-01"),
        ("2024-01-01T10:00:05", "0", "02", "x"),
        ("2024-01-02 11:00:00.123456", "7", "10", "2024-01-02"),
    ]
    for i, (ts, n, month, mixed) in enumerate(keys):
        folder = tmp_path / "t" / f"ts={ts}" / f"n={n}" / f"month={month}" / f"mixed={mixed}"
        folder.mkdir(parents=True)
        pq.write_table(pa.table({"x": [i]}), folder / "f.parquet")
    con = duckdb.connect()
    rel = con.sql(
        f"SELECT x, ts, n, month, mixed FROM read_parquet('{tmp_path}/t/**/*.parquet', "
        "hive_partitioning=true) ORDER BY x"
    )
    want_types, want = [str(t) for t in rel.types], rel.fetchall()
    assert want_types == ["BIGINT", "TIMESTAMP", "BIGINT", "VARCHAR", "VARCHAR"]
    with sqlgate.connect(f"file://{tmp_path}") as conn:
        cur = conn.cursor()
        cur.execute("SELECT x, ts, n, month, mixed FROM t ORDER BY x")
        assert [tuple(r) for r in cur.fetchall()] == want
        assert [d[1] for d in cur.description] == want_types


@pytest.mark.parametrize("where", QUERIES)
def test_partition_predicates_match_duckdb(local_tree, where):
    want_rows, want_types, want_files = _duckdb(local_tree / "events", where)
    assert want_rows, where  # every predicate selects something
    with sqlgate.connect(f"file://{local_tree}") as conn:
        rows, types, info = _ours(conn, where)
    assert rows == want_rows
    assert types == want_types
    # pruned by the typed partition values, to the very files DuckDB reads
    assert info["files_planned"] == want_files < info["files_total"], info["filter"]


def test_object_store_tree_types_and_prunes_alike(local_tree, seaweedfs_clean: ServerInfo):
    info = seaweedfs_clean
    import boto3

    boto3.client(
        "s3",
        endpoint_url=info.extra["endpoint_url"],
        region_name="us-east-1",
        aws_access_key_id=info.user,
        aws_secret_access_key=info.password,
    ).create_bucket(Bucket=BUCKET)
    fs = pafs.S3FileSystem(
        endpoint_override=f"{info.host}:{info.port}",
        scheme="http",
        access_key=info.user,
        secret_key=info.password,
        region="us-east-1",
    )
    _write(f"{BUCKET}/lake/events", fs)
    query = urlencode({"endpoint": info.extra["endpoint_url"], "region": "us-east-1"})
    url = f"s3://{info.user}:{info.password}@{BUCKET}/lake?{query}"
    with sqlgate.connect(url) as conn:
        for where in [None, *QUERIES]:
            want_rows, want_types, want_files = _duckdb(local_tree / "events", where)
            rows, types, plan = _ours(conn, where)
            assert plan["scan"] == "pyarrow_dataset"
            assert (rows, types) == (want_rows, want_types), where
            assert plan["files_planned"] == want_files, where


# ------------------------------------------------------------------ statistics pruning
FILES = 160
PER_FILE = 2_000


@pytest.fixture(scope="module")
def sorted_tree(tmp_path_factory) -> Path:
    """160 files, ids ascending across them: each file's footer holds a disjoint id range."""
    root = tmp_path_factory.mktemp("sorted")
    (root / "ids").mkdir()
    for i in range(FILES):
        ids = pa.array(range(i * PER_FILE, (i + 1) * PER_FILE), pa.int64())
        table = pa.table({"id": ids, "amount": pa.array([x * 0.25 for x in range(PER_FILE)])})
        pq.write_table(table, root / "ids" / f"part-{i:04d}.parquet")
    return root


def _native(root: Path, where: str) -> list[tuple]:
    sql = f"SELECT id, amount FROM read_parquet('{root}/ids/*.parquet') WHERE {where} ORDER BY id"
    return duckdb.connect().sql(sql).fetchall()


@pytest.mark.parametrize(
    ("where", "planned"),
    [
        ("id BETWEEN 200100 AND 200200", 1),
        ("id >= 200100 AND id < 200150", 1),
        ("id = 7", 1),
        ("id IN (5, 319999)", 2),
        ("id BETWEEN 3900 AND 4100", 2),  # across a file boundary
        ("id < 0", 0),
        ("id > 100 AND amount < 1.0", 160),  # amount is float: no pruning by it
    ],
)
def test_statistics_prune_files_at_planning(sorted_tree, where, planned):
    with sqlgate.connect(f"file://{sorted_tree}") as conn:
        cur = conn.cursor()
        cur.execute(f"SELECT id, amount FROM ids WHERE {where} ORDER BY id")
        rows = [tuple(r) for r in cur.fetchall()]
        info = conn.session.engine.plan_info[0]
    assert rows == _native(sorted_tree, where)
    assert (info["files_planned"], info["files_total"]) == (planned, FILES)


def test_statistics_follow_a_rewritten_file(tmp_path):
    """A file rewritten with other ids is planned from its new footer, not a stale one."""
    (tmp_path / "ids").mkdir()
    for i in range(3):
        pq.write_table(pa.table({"id": [i * 10, i * 10 + 1]}), tmp_path / "ids" / f"{i}.parquet")
    with sqlgate.connect(f"file://{tmp_path}") as conn:
        cur = conn.cursor()
        cur.execute("SELECT id FROM ids WHERE id >= 100")
        assert cur.fetchall() == []
        assert conn.session.engine.plan_info[0]["files_planned"] == 0
        target = tmp_path / "ids" / "1.parquet"
        pq.write_table(pa.table({"id": [100, 101, 102]}), target)
        os.utime(target, ns=(1, 1))  # a different mtime even on a coarse clock
        cur.execute("SELECT id FROM ids WHERE id >= 100 ORDER BY id")
        assert [r[0] for r in cur.fetchall()] == [100, 101, 102]
        assert conn.session.engine.plan_info[0]["files_planned"] == 1
