"""Hudi: every Spark-written sample table, our SQL vs. hudi-rs read directly."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pyarrow as pa
import pytest

pytest.importorskip("hudi")

import itertools

from sqlgate.core.errors import ProgrammingError
from sqlgate.lakehouse import HudiRootSource, LakehouseEngine
from sqlgate.lakehouse.hudi import commits

FIXTURES = Path(os.environ.get("SQLGATE_HUDI_FIXTURES", "/work/shared/fixtures/hudi"))
ZIPS = sorted(FIXTURES.glob("*.zip")) if FIXTURES.is_dir() else []


def _require_fixtures() -> None:
    if not ZIPS:
        msg = f"Hudi fixtures missing in {FIXTURES}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(msg)
        pytest.skip(msg)


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    _require_fixtures()
    base = tmp_path_factory.mktemp("hudi")
    for z in ZIPS:
        target = base / "unzipped" / z.stem
        with zipfile.ZipFile(z) as archive:
            archive.extractall(target)
        top = next(p for p in target.iterdir() if p.name != "__MACOSX")
        (base / "tables").mkdir(exist_ok=True)
        top.rename(base / "tables" / z.stem)  # a symlink out of the root would be refused
    return base / "tables"


def _sorted(table: pa.Table) -> list:
    return sorted(table.to_pylist(), key=repr)


@pytest.mark.parametrize("zip_path", ZIPS or [None], ids=lambda p: p.stem if p else "none")
def test_matches_hudi_rs(root, zip_path):
    from hudi import HudiQueryType, HudiReadOptions, HudiTable

    name = zip_path.stem
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
