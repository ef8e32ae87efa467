"""The light Iceberg reading (stdlib metadata and manifests, no pyiceberg) for a bare LIMIT.

It must plan exactly what the full pyiceberg handle plans, or step aside: delete files, time
travel, nested columns and files outside the lake all go to the full handle. Its Avro reader
must decode pyiceberg's manifests as fastavro does.
"""

from __future__ import annotations

import glob
from pathlib import Path

import pyarrow as pa
import pytest

pytest.importorskip("pyiceberg")

import sqlgate.dbapi.iceberg as iceberg_dbapi
from sqlgate.lakehouse.avro_lite import AvroLiteError, read_records
from tests.integration.lakehouse.iceberg_delete_files import Files, commit


@pytest.fixture()
def built(tmp_path):
    from pyiceberg.catalog.sql import SqlCatalog

    catalog = SqlCatalog(
        "default", uri=f"sqlite:///{tmp_path}/catalog.db", warehouse=f"file://{tmp_path}/wh"
    )
    catalog.create_namespace("db")
    conn = iceberg_dbapi.connect(f"iceberg://{tmp_path}/catalog.db")
    yield catalog, conn, tmp_path
    conn.close()


def _rows(start: int, n: int) -> pa.Table:
    return pa.table(
        {
            "id": pa.array(range(start, start + n), pa.int64()),
            "name": pa.array([f"n{i}" for i in range(start, start + n)], pa.string()),
            "price": pa.array([i / 4 for i in range(start, start + n)], pa.float64()),
        }
    )


def _plan(conn) -> dict:
    return conn.session.engine.plan_info[0]


def _fresh(tmp_path: Path):
    return iceberg_dbapi.connect(f"iceberg://{tmp_path}/catalog.db")


def test_light_plan_is_the_full_plan(built):
    catalog, conn, tmp_path = built
    table = catalog.create_table("db.t", schema=_rows(0, 1).schema)
    for start in (0, 100, 200, 300):
        table.append(_rows(start, 100))
    cur = conn.cursor()
    cur.execute("SELECT * FROM db.t LIMIT 150")
    got = cur.fetchall()
    light = _plan(conn)
    assert light["planner"] == "light" and light["files_planned"] == 2
    assert light["files_total"] == 4
    every = {tuple(r.values()) for r in catalog.load_table("db.t").scan().to_arrow().to_pylist()}
    assert len(got) == 150 and set(got) <= every
    handle = conn.session.engine.source.open("db", "t")
    full = handle.full()
    assert handle.schema == full.schema
    assert handle.scan_first(150).sql == full.scan_first(150).sql
    # the same answer once pyiceberg holds the table (a count loads it)
    cur.execute("SELECT count(*) FROM db.t")
    assert cur.fetchall() == [(400,)]
    cur.execute("SELECT * FROM db.t LIMIT 150")
    assert cur.fetchall() == got and "planner" not in _plan(conn)
    # a commit is seen: the catalog row moves to a new metadata file
    table.append(_rows(400, 100))
    with _fresh(tmp_path) as other:
        c = other.cursor()
        c.execute("SELECT * FROM db.t LIMIT 1000")
        assert len(c.fetchall()) == 500


def test_light_steps_aside(built):
    catalog, conn, tmp_path = built
    table = catalog.create_table("db.t", schema=_rows(0, 1).schema)
    for start in (0, 100):
        table.append(_rows(start, 100))
    first = table.current_snapshot()
    path = next(iter(table.scan().plan_files())).file.file_path
    commit(table, Files().add_positions(path, list(range(0, 100, 2))))
    nested = catalog.create_table(
        "db.n", schema=pa.schema([("id", pa.int64()), ("s", pa.struct([("a", pa.int32())]))])
    )
    nested.append(pa.table({"id": [1, 2], "s": [{"a": 1}, {"a": 2}]}, nested.schema().as_arrow()))
    cur = conn.cursor()
    cur.execute("SELECT * FROM db.t LIMIT 300")  # position deletes: pyiceberg plans
    assert len(cur.fetchall()) == 150 and _plan(conn).get("planner") is None
    cur.execute(f"SELECT * FROM db.t FOR VERSION AS OF {first.snapshot_id} LIMIT 1000")
    assert len(cur.fetchall()) == 200 and _plan(conn).get("planner") is None
    with _fresh(tmp_path) as other:
        c = other.cursor()
        c.execute("SELECT * FROM db.n LIMIT 1")
        assert len(c.fetchall()) == 1 and _plan(other).get("planner") is None


def test_avro_lite_reads_manifests_as_fastavro(built):
    fastavro = pytest.importorskip("fastavro")
    catalog, _conn, tmp_path = built
    table = catalog.create_table("db.t", schema=_rows(0, 1).schema)
    for start in (0, 100, 200):
        table.append(_rows(start, 100))
    files = glob.glob(f"{tmp_path}/wh/db/t/metadata/*.avro")
    assert len(files) >= 6  # manifest lists and manifests

    def plain(value):  # fastavro gives maps of records as (key, value) pairs too
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        if isinstance(value, list):
            return [plain(v) for v in value]
        return value

    for name in files:
        with open(name, "rb") as fh:
            data = fh.read()
        meta, records = read_records(data)
        with open(name, "rb") as fh:
            expected = list(fastavro.reader(fh))
        assert plain(records) == plain(expected), name
        assert b"schema" in meta["avro.schema"] or meta["avro.schema"].startswith(b"{")
    with pytest.raises(AvroLiteError):
        read_records(b"not avro")
    with pytest.raises(AvroLiteError):
        read_records(data[: len(data) // 2])  # truncated


def test_light_schema_is_pyicebergs(built):
    """Every type the light reading maps, with a column comment: the same Arrow schema as
    pyiceberg's (reflection reads it), and the same rows as the full plan."""
    import datetime as dt
    import decimal

    from pyiceberg.schema import Schema
    from pyiceberg.types import (
        BinaryType,
        BooleanType,
        DateType,
        DecimalType,
        DoubleType,
        FloatType,
        IntegerType,
        LongType,
        NestedField,
        StringType,
        TimestampType,
        TimestamptzType,
    )

    catalog, conn, _tmp = built
    types = [BooleanType(), IntegerType(), LongType(), FloatType(), DoubleType(), DateType()]
    types += [StringType(), BinaryType(), TimestampType(), TimestamptzType(), DecimalType(9, 2)]
    fields = [
        NestedField(i + 1, f"c{i}", t, required=i == 2, doc="the key" if i == 2 else None)
        for i, t in enumerate(types)
    ]
    table = catalog.create_table("db.all", schema=Schema(*fields))
    when = dt.datetime(2026, 1, 2, 3, 4, 5, 6)
    row = [True, 1, 2, 1.5, 2.5, dt.date(2026, 1, 2), "s", b"b", when]
    row += [when.replace(tzinfo=dt.timezone.utc), decimal.Decimal("1.25")]
    arrow = table.schema().as_arrow()
    table.append(pa.Table.from_pylist([dict(zip(arrow.names, row, strict=True))], arrow))
    table.append(pa.Table.from_pylist([dict(zip(arrow.names, row, strict=True))], arrow))
    handle = conn.session.engine.source.open("db", "all")
    cur = conn.cursor()
    cur.execute("SELECT * FROM db.all LIMIT 1")
    light = cur.fetchall()
    assert _plan(conn)["planner"] == "light"
    assert handle.schema == handle.full().schema
    assert handle.schema.field("c2").metadata == {b"doc": b"the key"}
    cur.execute("SELECT count(*) FROM db.all")  # pyiceberg now holds the table
    cur.execute("SELECT * FROM db.all LIMIT 1")
    assert cur.fetchall() == light and "planner" not in _plan(conn)
