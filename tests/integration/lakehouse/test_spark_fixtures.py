"""``engine=spark`` on the Spark-written Iceberg tables of ``../shared/fixtures/iceberg``.

Those tables (Spark + Iceberg 1.8, equality deletes) name every file by a path relative to
the fixture folder. Spark resolves a relative path against its own working directory and
sqlgate against the catalog's home, so ``engine=spark`` refuses them (a different file than
the one sqlgate held to the lake could be read): tested as is. To compare the engines on
the very same Spark-written data and delete files, the test also makes a copy whose metadata,
manifest lists and manifests name those files by absolute paths (the Parquet files are not
touched): there Spark's Iceberg runtime applies the equality deletes itself, and its answer
must equal the embedded engine's and the fixture README's, row for row, at every snapshot.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

pytest.importorskip("pyiceberg")
pytest.importorskip("fastavro")
pytest.importorskip("pyspark.sql.connect")

import sqlgate.dbapi.iceberg as iceberg_dbapi
from sqlgate.core.errors import NotSupportedError, OperationalError
from tests.integration.lakehouse.reference import assert_same_rows, fetch_arrow
from tests.integration.lakehouse.test_iceberg_equality_deletes import (
    CROSS,
    EQ,
    EXTRA,
    MYTABLE,
    _newest,
    _people,
)
from tests.shared_data import shared_fixture

TABLES = {
    "mydb.mytable": f"{EQ}/mytable",
    "mydb.mytable_partitioned": f"{EQ}/mytable_partitioned",
    "ns.cross_partition": CROSS,
    "ns.extra_column": EXTRA,
}
#: the README's current answers
ANSWERS = {
    "mydb.mytable": _people([4, 5]),
    "mydb.mytable_partitioned": _people([1, 4, 5]),
    "ns.cross_partition": pa.table(
        {
            "part": pa.array([0, 1, 1], pa.int64()),
            "key": pa.array([999, 100, 888], pa.int64()),
            "val": ["p0-k999", "p1-k100", "p1-k888"],
        }
    ),
    "ns.extra_column": pa.table({"id": pa.array([1, 3], pa.int64()), "val": ["a", "c"]}),
}

#: tables whose metadata Spark cannot parse (snapshot id 9876543210123456789 > 2**63 - 1)
OUT_OF_RANGE = {"ns.cross_partition", "ns.extra_column"}


def _absolute(value: str, root: Path) -> str:
    return value if value.startswith(("/", "file:")) else f"file://{root}/{value}"


def _rewrite_avro(path: Path, root: Path) -> None:
    """A manifest list or manifest again, its file paths made absolute; the schema, codec and
    Iceberg's key-value metadata kept as the writer left them."""
    import fastavro

    with path.open("rb") as fo:
        reader = fastavro.reader(fo)
        schema, records = reader.writer_schema, list(reader)
        meta = dict(reader.metadata)
    for record in records:
        if "manifest_path" in record:
            record["manifest_path"] = _absolute(record["manifest_path"], root)
        else:
            record["data_file"]["file_path"] = _absolute(record["data_file"]["file_path"], root)
    codec = meta.pop("avro.codec", "null")
    extra = {k: v for k, v in meta.items() if not k.startswith("avro.")}
    with path.open("wb") as fo:
        fastavro.writer(fo, schema, records, codec=codec, metadata=extra)
    _drop_checksum(path)


def _drop_checksum(path: Path) -> None:
    """Hadoop's ``.<name>.crc`` beside a rewritten file would fail Spark's read."""
    path.with_name(f".{path.name}.crc").unlink(missing_ok=True)


def _absolutize(table_dir: Path, root: Path) -> str:
    """The table's newest metadata with absolute locations; returns its path."""
    for avro in (table_dir / "metadata").glob("*.avro"):
        _rewrite_avro(avro, root)
    newest = Path(_newest(table_dir))
    meta = json.loads(newest.read_text())
    meta["location"] = _absolute(meta["location"], root)
    for snapshot in meta.get("snapshots", []):
        snapshot["manifest-list"] = _absolute(snapshot["manifest-list"], root)
    meta["metadata-log"] = []  # earlier metadata files still name relative paths
    newest.write_text(json.dumps(meta))
    _drop_checksum(newest)
    return str(newest)


def _lake(root: Path, absolute: bool) -> tuple[str, dict[int, int]]:
    """The fixture's ``data/`` copied under ``root`` and registered in a SQL catalog: its
    URL and mytable's snapshot ids by sequence number."""
    from pyiceberg.catalog.sql import SqlCatalog

    shutil.copytree(shared_fixture("iceberg") / "data", root / "data")
    catalog = SqlCatalog("default", uri=f"sqlite:///{root}/catalog.db", warehouse=f"file://{root}")
    catalog.create_namespace("mydb")
    catalog.create_namespace("ns")
    for name, folder in TABLES.items():
        meta = _absolutize(root / folder, root) if absolute else _newest(root / folder)
        catalog.register_table(name, meta)
    snapshots = catalog.load_table("mydb.mytable").snapshots()
    return f"iceberg://{root}/catalog.db?warehouse=file://{root}", {
        s.sequence_number: s.snapshot_id for s in snapshots
    }


def _pair(url: str, remote: str) -> tuple[Any, Any]:
    """An embedded and an ``engine=spark`` connection on ``url``."""
    return iceberg_dbapi.connect(url), iceberg_dbapi.connect(
        f"{url}&engine=spark&spark_remote={remote}"
    )


@pytest.fixture(scope="module")
def engines(
    tmp_path_factory: pytest.TempPathFactory, spark_connect: Any
) -> Iterator[tuple[Any, Any, dict[int, int]]]:
    """(embedded, engine=spark, mytable's snapshots) over the absolute-path copy."""
    url, snapshots = _lake(tmp_path_factory.mktemp("spark_absolute"), True)
    duck, spark = _pair(url, spark_connect.extra["remote"])
    yield duck, spark, snapshots
    spark.close()
    duck.close()


def test_relative_paths_are_refused(
    tmp_path_factory: pytest.TempPathFactory, spark_connect: Any
) -> None:
    """The fixture as written: the embedded engine answers, engine=spark refuses (naming the
    relative path and the fix) before Spark reads a file."""
    url, _ = _lake(tmp_path_factory.mktemp("spark_relative"), False)
    duck, spark = _pair(url, spark_connect.extra["remote"])
    try:
        for table, answer in ANSWERS.items():
            assert_same_rows(fetch_arrow(duck, f"SELECT * FROM {table}"), answer, table)
            with pytest.raises(NotSupportedError, match=r"relative paths.*engine=duckdb"):
                fetch_arrow(spark, f"SELECT * FROM {table}")
    finally:
        spark.close()
        duck.close()


@pytest.mark.parametrize("table", list(TABLES))
def test_current_answers(engines: tuple, table: str) -> None:
    duck, spark, _ = engines
    embedded = fetch_arrow(duck, f"SELECT * FROM {table}")
    assert_same_rows(embedded, ANSWERS[table], f"duckdb {table}")
    if table in OUT_OF_RANGE:
        # the fixture's hand-set snapshot id exceeds a Java long: Iceberg's Java reader
        # cannot parse the metadata at all (pyiceberg, with Python's ints, can)
        with pytest.raises(OperationalError, match="9876543210123456789"):
            fetch_arrow(spark, f"SELECT * FROM {table}")
        return
    # a count first, then the rows: another projection of the same delete files (Iceberg's
    # executor cache once answered the second with deleted rows: SESSION_CONF)
    count = f"SELECT count(*) AS n FROM {table}"
    assert fetch_arrow(spark, count).to_pylist() == [{"n": len(ANSWERS[table])}]
    assert_same_rows(fetch_arrow(spark, f"SELECT * FROM {table}"), embedded, f"spark {table}")
    assert fetch_arrow(duck, count).to_pylist() == [{"n": len(ANSWERS[table])}]
    assert spark.session.engine.plan_info[0]["engine"] == "spark"


def test_filters_and_parameters(engines: tuple) -> None:
    duck, spark, _ = engines
    sql = "SELECT id FROM mydb.mytable_partitioned WHERE name IN (?, ?) ORDER BY id"
    assert fetch_arrow(spark, sql, ["b", "e"]).to_pylist() == [{"id": 5}]
    assert fetch_arrow(duck, sql, ["b", "e"]).to_pylist() == [{"id": 5}]
    sql = "SELECT name, count(*) AS n FROM mydb.mytable_partitioned GROUP BY name ORDER BY name"
    expected = [{"name": n, "n": 1} for n in ("a", "d", "e")]
    assert fetch_arrow(spark, sql).to_pylist() == fetch_arrow(duck, sql).to_pylist() == expected
    sql = "SELECT max(bir) AS d FROM mydb.mytable WHERE id < ?"
    assert fetch_arrow(spark, sql, [5]).to_pylist() == fetch_arrow(duck, sql, [5]).to_pylist()


@pytest.mark.parametrize("seq", [1, 3, 4, 5, 6])
def test_time_travel_every_snapshot(engines: tuple, seq: int) -> None:
    """``FOR VERSION AS OF`` each snapshot: the README's rows, the same on both engines."""
    duck, spark, snapshots = engines
    sql = f"SELECT * FROM mydb.mytable FOR VERSION AS OF {snapshots[seq]}"
    got = fetch_arrow(spark, sql)
    assert_same_rows(got, _people(MYTABLE[seq]), f"spark snapshot {seq}")
    assert_same_rows(got, fetch_arrow(duck, sql), f"duckdb snapshot {seq}")


def test_missing_manifest_list_is_an_error_on_both(engines: tuple) -> None:
    """Snapshot 2's manifest list is missing from the fixture: both engines fail plainly."""
    duck, spark, snapshots = engines
    sql = f"SELECT * FROM mydb.mytable FOR VERSION AS OF {snapshots[2]}"
    for conn in (duck, spark):
        with pytest.raises(OperationalError, match=f"snap-{snapshots[2]}-1-"):
            fetch_arrow(conn, sql)
