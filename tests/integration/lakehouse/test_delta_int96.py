"""Delta tables whose data files store timestamps as Parquet INT96 (Spark's usual encoding):
sqlgate returns the declared types (``timestamp`` is UTC, ``timestamp_ntz`` naive), equal to
what delta-rs reads, and keeps pruning partitions and filtering."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

pytest.importorskip("deltalake")

from sqlgate.lakehouse import DeltaRootSource, LakehouseEngine

UTC = dt.timezone.utc
ROWS = pa.table(
    {
        "id": pa.array([1, 2, 3, 4], pa.int64()),
        "region": ["eu", "us", "eu", "us"],
        "ts": pa.array(
            [
                dt.datetime(2025, 12, 20, 21, 1, 23, 755000, tzinfo=UTC),
                dt.datetime(1999, 1, 1, tzinfo=UTC),
                None,
                dt.datetime(1969, 7, 20, 20, 17, 40, 1, tzinfo=UTC),
            ],
            pa.timestamp("us", tz="UTC"),
        ),
        "ntz": pa.array(
            [dt.datetime(2025, 1, 1, 12), None, dt.datetime(2000, 2, 29, 23, 59, 59, 1), None],
            pa.timestamp("us"),
        ),
    }
)


def _int96_table(path: Path, partition_by: list[str] | None) -> None:
    """delta-rs writes the table and its log; its data files are then rewritten with INT96
    timestamps and the log's ``size`` of each file corrected (Spark's layout, a real table)."""
    from deltalake import write_deltalake

    write_deltalake(path, ROWS, partition_by=partition_by)
    log = path / "_delta_log" / "00000000000000000000.json"
    actions = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    for action in actions:
        add = action.get("add")
        if add is None:
            continue
        data = path / add["path"]
        rows = pq.ParquetFile(data).read()
        pq.write_table(rows, data, use_deprecated_int96_timestamps=True)
        assert (
            str(pq.ParquetFile(data).schema.column(rows.schema.get_field_index("ts")).physical_type)
            == "INT96"
        )
        add["size"] = data.stat().st_size
    log.write_text("".join(json.dumps(a) + "\n" for a in actions))


@pytest.fixture()
def engine(tmp_path):
    _int96_table(tmp_path / "flat", None)
    _int96_table(tmp_path / "parts", ["region"])
    eng = LakehouseEngine(DeltaRootSource(str(tmp_path)))
    yield eng
    eng.close()


def _by_id(table: pa.Table) -> list[dict]:
    return sorted(table.to_pylist(), key=lambda r: r["id"])


@pytest.mark.parametrize("name", ["flat", "parts"])
def test_int96_timestamps_read_as_declared(engine, tmp_path, name):
    from deltalake import DeltaTable

    want = DeltaTable(str(tmp_path / name)).to_pyarrow_table()
    assert want.schema.field("ts").type == pa.timestamp("us", tz="UTC")
    got = engine.execute(f"SELECT id, region, ts, ntz FROM {name}").read_all()
    assert engine.plan_info[0]["scan"] == "duckdb_read_parquet"
    assert got.schema.field("ts").type == pa.timestamp("us", tz="UTC")
    assert got.schema.field("ntz").type == pa.timestamp("us")  # timestamp_ntz stays naive
    assert _by_id(got) == _by_id(want.select(got.column_names))
    first = _by_id(got)[0]["ts"]
    assert first.utcoffset() == dt.timedelta(0) and first.hour == 21


def test_int96_filters_and_pruning(engine):
    got = engine.execute(
        "SELECT id FROM parts WHERE region = 'eu' AND ts >= TIMESTAMPTZ '2025-01-01 00:00:00+00'"
    ).read_all()
    assert got.column("id").to_pylist() == [1]
    info = engine.plan_info[0]
    assert (info["files_planned"], info["files_total"]) == (1, 2)
    got = engine.execute("SELECT id FROM flat WHERE ntz < TIMESTAMP '2001-01-01'").read_all()
    assert got.column("id").to_pylist() == [3]
