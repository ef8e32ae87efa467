"""One damaged table never breaks its root, and every lakehouse error names its table.

Each root (Delta written by deltalake, Spark-written Hudi, pyarrow-written files, an Iceberg
SQL catalog, Delta on SeaweedFS's S3) holds healthy tables next to damaged ones: a truncated
``_delta_log`` JSON, a missing data file, garbage Parquet, a corrupted manifest list. The
healthy ones list and read; each damaged one fails alone with a PEP 249 error that names it
(and its file where known) in plain text: no ANSI colour codes, no backtrace, no internal
relation name.
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path
from urllib.parse import urlencode

import pyarrow as pa
import pyarrow.fs as pafs
import pyarrow.parquet as pq
import pytest

import sqlgate
from sqlgate.core.errors import DataError, Error, OperationalError
from tests.servers.base import ServerInfo
from tests.shared_data import shared_fixture

ROWS = pa.table({"id": pa.array([1, 2, 3], pa.int64()), "name": ["a", "b", "c"]})
NOISE = ("\x1b[", "stack backtrace", "__sqlgate_rel_", "<unknown>", "Traceback", "RUST_BACKTRACE")


def _count(conn, table: str) -> int:
    cur = conn.cursor()
    cur.execute(f"SELECT count(*) FROM {table}")
    return int(cur.fetchall()[0][0])


def _fails(conn, table: str, *names: str) -> Error:
    """The query on ``table`` fails with a PEP 249 data/operational error naming ``names``."""
    cur = conn.cursor()
    with pytest.raises(Error) as caught:
        cur.execute(f"SELECT * FROM {table}")
        cur.fetchall()
    err = caught.value
    assert isinstance(err, (OperationalError, DataError)), repr(err)
    text = str(err)
    for name in names:
        assert name in text, text
    for noise in NOISE:
        assert noise not in text, text
    assert "\n" not in text, text
    return err


def _healthy(conn, tables: dict[str, int]) -> None:
    assert all(_count(conn, t) == n for t, n in tables.items())


# ---------------------------------------------------------------------------- Delta
@pytest.fixture()
def delta_root(tmp_path: Path) -> Path:
    from deltalake import write_deltalake

    for name in ("alpha", "bad_log", "bad_missing", "bad_parquet", "omega"):
        write_deltalake(tmp_path / name, ROWS)
    for name in ("bad_log", "bad_missing", "bad_parquet"):
        write_deltalake(tmp_path / name, ROWS, mode="append")
    log = sorted((tmp_path / "bad_log" / "_delta_log").glob("*.json"))[-1]
    text = log.read_text()
    log.write_text(text[: len(text) // 2])  # a commit cut short mid-record
    next((tmp_path / "bad_missing").glob("*.parquet")).unlink()
    next((tmp_path / "bad_parquet").glob("*.parquet")).write_bytes(b"PAR1 not parquet PAR1")
    return tmp_path


def test_delta_root_isolates_damaged_tables(delta_root):
    with sqlgate.connect(f"delta://{delta_root}") as conn:
        tables = conn.session.engine.list_tables("main")
        assert tables == ["alpha", "bad_log", "bad_missing", "bad_parquet", "omega"]
        for bad in ("bad_log", "bad_missing", "bad_parquet"):
            _fails(conn, bad, f"main.{bad}")
            _healthy(conn, {"alpha": 3, "omega": 3})  # still fine after every failure
        # the file a damaged table's log names is in its message
        err = _fails(conn, "bad_missing", "main.bad_missing", ".parquet")
        assert "No files found" in str(err) or "not found" in str(err).lower()
        cur = conn.cursor()
        cur.execute("SELECT count(*) FROM alpha a JOIN omega o ON a.id = o.id")
        assert cur.fetchall()[0][0] == 3


def test_delta_reflection_past_a_damaged_table(delta_root):
    from sqlalchemy import create_engine, inspect

    engine = create_engine(f"delta://{delta_root}")
    try:
        insp = inspect(engine)
        assert "bad_log" in insp.get_table_names()
        assert [c["name"] for c in insp.get_columns("alpha")] == ["id", "name"]
        with pytest.raises(Exception) as caught:
            insp.get_columns("bad_log")
        text = str(caught.value)
        assert "main.bad_log" in text
        assert not any(noise in text for noise in NOISE), text
    finally:
        engine.dispose()


# ---------------------------------------------------------------------------- Hudi
HUDI = "cow_v9_txns_simple_meta"


@pytest.fixture()
def hudi_root(tmp_path: Path) -> Path:
    pytest.importorskip("hudi")
    from hudi import HudiTable

    archive = shared_fixture("hudi") / f"{HUDI}.zip"
    for name in ("good", "bad_timeline", "bad_missing", "bad_parquet"):
        target = tmp_path / "unzipped" / name
        with zipfile.ZipFile(archive) as zf:
            zf.extractall(target)
        top = next(p for p in target.iterdir() if p.name != "__MACOSX")
        top.rename(tmp_path / name)
    shutil.rmtree(tmp_path / "unzipped")
    for commit in (tmp_path / "bad_timeline" / ".hoodie").rglob("*.commit"):
        commit.write_bytes(b"{truncated")
    for name, damage in (("bad_missing", None), ("bad_parquet", b"garbage")):
        base = HudiTable(str(tmp_path / name)).get_file_slices()[0].base_file_relative_path()
        path = tmp_path / name / base
        if damage is None:
            path.unlink()
        else:
            path.write_bytes(damage)
    return tmp_path


def test_hudi_root_isolates_damaged_tables(hudi_root):
    with sqlgate.connect(f"hudi://{hudi_root}") as conn:
        tables = conn.session.engine.list_tables("main")
        assert tables == ["bad_missing", "bad_parquet", "bad_timeline", "good"]
        good = _count(conn, "good")
        assert good > 0
        for bad in ("bad_timeline", "bad_missing", "bad_parquet"):
            _fails(conn, bad, f"main.{bad}")
            assert _count(conn, "good") == good


# ---------------------------------------------------------------------------- files
@pytest.fixture()
def files_root(tmp_path: Path) -> Path:
    for name in ("alpha", "bad_garbage", "bad_truncated", "omega"):
        (tmp_path / name).mkdir()
        pq.write_table(ROWS, tmp_path / name / "part-0.parquet")
    pq.write_table(ROWS, tmp_path / "single.parquet")
    (tmp_path / "bad_garbage" / "part-1.parquet").write_bytes(b"garbage, not Parquet")
    whole = (tmp_path / "bad_truncated" / "part-0.parquet").read_bytes()
    (tmp_path / "bad_truncated" / "part-0.parquet").write_bytes(whole[: len(whole) // 2])
    return tmp_path


def test_files_root_isolates_damaged_tables(files_root):
    with sqlgate.connect(f"file://{files_root}") as conn:
        tables = conn.session.engine.list_tables("main")
        assert tables == ["alpha", "bad_garbage", "bad_truncated", "omega", "single"]
        for bad, file in (("bad_garbage", "part-1.parquet"), ("bad_truncated", "part-0.parquet")):
            _fails(conn, bad, f"main.{bad}", file)
            _healthy(conn, {"alpha": 3, "omega": 3, "single": 3})


# ---------------------------------------------------------------------------- Iceberg
@pytest.fixture()
def iceberg_catalog(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    pytest.importorskip("pyiceberg")
    from pyiceberg.catalog import load_catalog

    props = {
        "type": "sql",
        "uri": f"sqlite:///{tmp_path}/catalog.db",
        "warehouse": f"file://{tmp_path}/warehouse",
    }
    catalog = load_catalog("default", **props)
    catalog.create_namespace("db")
    files: dict[str, str] = {}
    for name in ("good", "bad_list", "bad_manifest"):
        table = catalog.create_table(f"db.{name}", schema=ROWS.schema)
        table.append(ROWS)
        snapshot = table.current_snapshot()
        assert snapshot is not None
        if name == "bad_list":
            files[name] = snapshot.manifest_list
        elif name == "bad_manifest":
            files[name] = snapshot.manifests(table.io)[0].manifest_path
    for path in files.values():
        Path(path.removeprefix("file://")).write_bytes(b"\xff\xfe not an Avro file" * 8)
    return tmp_path, files


def test_iceberg_corrupted_manifests_name_table_and_file(iceberg_catalog):
    root, files = iceberg_catalog
    with sqlgate.connect(f"iceberg://{root}/catalog.db?default_namespace=db") as conn:
        assert conn.session.engine.list_tables("db") == ["bad_list", "bad_manifest", "good"]
        for bad, file in files.items():
            err = _fails(conn, bad, f"db.{bad}", file)
            assert "planning failed" not in str(err)
            assert _count(conn, "good") == 3


# ---------------------------------------------------------------------------- S3
def test_missing_s3_object_names_the_table(seaweedfs_clean: ServerInfo):
    from deltalake import write_deltalake

    info = seaweedfs_clean
    fs = pafs.S3FileSystem(
        endpoint_override=f"{info.host}:{info.port}",
        scheme="http",
        access_key=info.user,
        secret_key=info.password,
        region="us-east-1",
        allow_bucket_creation=True,
    )
    fs.create_dir("isolation")
    options = {
        "AWS_ENDPOINT_URL": info.extra["endpoint_url"],
        "AWS_ALLOW_HTTP": "true",
        "AWS_ACCESS_KEY_ID": info.user,
        "AWS_SECRET_ACCESS_KEY": info.password,
        "AWS_REGION": "us-east-1",
    }
    for name in ("good", "gone"):
        write_deltalake(f"s3://isolation/lake/{name}", ROWS, storage_options=options)
    lost = next(
        f.path
        for f in fs.get_file_info(pafs.FileSelector("isolation/lake/gone"))
        if f.path.endswith(".parquet")
    )
    fs.delete_file(lost)
    query = urlencode(
        {"store": "s3", "endpoint": info.extra["endpoint_url"], "region": "us-east-1"}
    )
    url = f"delta://{info.user}:{info.password}@isolation/lake?{query}"
    with sqlgate.connect(url) as conn:
        assert _count(conn, "good") == 3
        err = _fails(conn, "gone", "main.gone", lost.rsplit("/", 1)[-1])
        assert info.password not in str(err) or info.password == info.user
        cur = conn.cursor()
        with pytest.raises(Error) as caught:  # the damaged table in a join is named too
            cur.execute("SELECT count(*) FROM good g JOIN gone x ON g.id = x.id")
            cur.fetchall()
        assert "main.gone" in str(caught.value)
        assert "__sqlgate_rel_" not in str(caught.value)
        assert _count(conn, "good") == 3
