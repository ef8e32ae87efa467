"""Hudi: every Spark-written sample table, our SQL vs. hudi-rs read directly."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pyarrow as pa
import pytest

pytest.importorskip("hudi")

import itertools

from sqlgate.core.errors import ProgrammingError
from sqlgate.lakehouse import HudiRootSource, LakehouseEngine
from sqlgate.lakehouse.hudi import commits
from tests.shared_data import shared_fixture, shared_fixtures


def _zips() -> list[Path]:
    """The Spark-written sample tables; the test fails when they are missing."""
    zips = sorted(shared_fixture("hudi").glob("*.zip"))
    if not zips:
        pytest.fail("no Hudi sample tables (*.zip) in ../shared/fixtures/hudi", pytrace=False)
    return zips


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    base = tmp_path_factory.mktemp("hudi")
    for z in _zips():
        target = base / "unzipped" / z.stem
        with zipfile.ZipFile(z) as archive:
            archive.extractall(target)
        top = next(p for p in target.iterdir() if p.name != "__MACOSX")
        (base / "tables").mkdir(exist_ok=True)
        top.rename(base / "tables" / z.stem)  # a symlink out of the root would be refused
    return base / "tables"


def _sorted(table: pa.Table) -> list:
    return sorted(table.to_pylist(), key=repr)


# collected from the shared folder; a missing folder still collects one test, which fails
_NAMES = sorted(p.stem for p in (shared_fixtures() / "hudi").glob("*.zip")) or ["missing"]


@pytest.mark.parametrize("name", _NAMES)
def test_matches_hudi_rs(root, name):
    from hudi import HudiQueryType, HudiReadOptions, HudiTable

    direct = HudiTable(str(root / name))
    engine = LakehouseEngine(HudiRootSource(str(root)))
    instants = commits(direct)
    got = engine.execute(f"SELECT * FROM {name}").read_all()
    want = direct.read()
    assert _sorted(got) == _sorted(pa.Table.from_batches(want)) if want else got.num_rows == 0
    for instant in instants:
        got = engine.execute(f"SELECT * FROM {name} FOR VERSION AS OF '{instant}'").read_all()
        want = pa.Table.from_batches(direct.read(HudiReadOptions().with_as_of_timestamp(instant)))
        assert _sorted(got) == _sorted(want), instant
        # Hudi's Spark SQL spelling: the instant itself, not a misread ISO text
        stamped = engine.execute(f"SELECT * FROM {name} FOR TIMESTAMP AS OF '{instant}'")
        assert engine.plan_info[0]["as_of"] == instant
        assert _sorted(stamped.read_all()) == _sorted(got), instant
    for start, end in itertools.pairwise(instants):
        got = engine.execute(f"SELECT * FROM hudi_changes('{name}', ?, ?)", [start, end]).read_all()
        opts = (
            HudiReadOptions()
            .with_query_type(HudiQueryType.Incremental)
            .with_start_timestamp(start)
            .with_end_timestamp(end)
        )
        batches = direct.read(opts)
        assert _sorted(got) == (_sorted(pa.Table.from_batches(batches)) if batches else [])
    if instants:
        with pytest.raises(ProgrammingError, match="no completed instant"):
            engine.execute(f"SELECT * FROM {name} FOR VERSION AS OF '19990101000000000'")
        with pytest.raises(ProgrammingError, match="before"):
            engine.execute(f"SELECT * FROM {name} FOR TIMESTAMP AS OF '2001-01-01 00:00:00'")
    engine.close()


def test_partition_pruning(root):
    name = "cow_v9_txns_simple_meta"
    engine = LakehouseEngine(HudiRootSource(str(root)))
    got = engine.execute(f"SELECT count(*) FROM {name} WHERE region = 'eu'").read_all()
    info = engine.plan_info[0]
    assert info["filter"] == [("region", "=", "eu")]
    assert info["files_planned"] < info["files_total"]
    all_rows = engine.execute(f"SELECT region FROM {name}").read_all().column(0).to_pylist()
    assert got.column(0)[0].as_py() == all_rows.count("eu")
