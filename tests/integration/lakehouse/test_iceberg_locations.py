"""Relative Iceberg file locations resolve against the catalog's home, never the working
directory, and a relative path that climbs out of the lake is refused naming the table.

Writers leave such paths (the Spark-written shared fixtures name every file relative to their
folder; ``file://data/...`` with the first directory as the URI's "host" also exists). Tables
here are created by pyiceberg; data files with such names are committed with pyiceberg's
manifest writers (``iceberg_delete_files``).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

pytest.importorskip("pyiceberg")

import sqlgate.dbapi.iceberg as iceberg_dbapi
from sqlgate.core.errors import ProgrammingError
from sqlgate.lakehouse.containment import Jail
from sqlgate.lakehouse.iceberg_io import relative_part, resolve_location
from tests.integration.lakehouse.iceberg_delete_files import Files, commit
from tests.integration.lakehouse.reference import assert_same_rows, fetch_arrow
from tests.shared_data import shared_fixture

SCHEMA = pa.schema([("id", pa.int64()), ("name", pa.string())])


@pytest.fixture()
def home(tmp_path):
    """A SQL catalog in ``tmp/home`` (its home) with one table ``db.t``; reads run from
    another working directory."""
    from pyiceberg.catalog.sql import SqlCatalog

    root = tmp_path / "home"
    root.mkdir()
    catalog = SqlCatalog("default", uri=f"sqlite:///{root}/catalog.db", warehouse=f"file://{root}")
    catalog.create_namespace("db")
    table = catalog.create_table("db.t", schema=SCHEMA)
    table.append(pa.table({"id": [1], "name": ["absolute"]}, SCHEMA))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    conn = iceberg_dbapi.connect(f"iceberg://{root}/catalog.db?warehouse=file://{root}")
    yield root, catalog, catalog.load_table("db.t"), conn, elsewhere
    conn.close()


def test_resolution_rules(tmp_path):
    assert relative_part("data/x.parquet") == "data/x.parquet"
    assert relative_part("file://data/x.parquet") == "data/x.parquet"
    assert relative_part("file:data/x.parquet") == "data/x.parquet"
    for absolute in ["/lake/x.parquet", "file:///lake/x.parquet", "s3://b/k", "file://localhost/x"]:
        assert relative_part(absolute) is None
    assert resolve_location("data/x.parquet", "/home/cat") == "/home/cat/data/x.parquet"
    assert resolve_location("file://data/x.parquet", "/home/cat") == "/home/cat/data/x.parquet"
    assert resolve_location("../../etc/passwd", "/home/cat") == "/etc/passwd"
    assert resolve_location("s3://b/k", "/home/cat") == "s3://b/k"


def test_relative_and_host_form_locations(home, monkeypatch):
    root, catalog, table, conn, elsewhere = home
    # the table's own location is <home>/db/t: its files must lie under it
    rows = {
        "relative": ("db/t/data/a.parquet", 2),
        "file-host": ("file://db/t/data/b.parquet", 3),
        "file-opaque": ("file:db/t/data/c.parquet", 4),
    }
    files = Files()
    for name, (uri, i) in rows.items():
        local = str(root / relative_part(uri))
        files.add_data(pa.table({"id": [i], "name": [name]}, SCHEMA), named=(uri, local))
    commit(table, files)
    monkeypatch.chdir(elsewhere)  # pyiceberg alone would look here
    got = fetch_arrow(conn, "SELECT id, name FROM db.t")
    expected = pa.table(
        {"id": [1, 2, 3, 4], "name": ["absolute", "relative", "file-host", "file-opaque"]}, SCHEMA
    )
    assert_same_rows(got, expected)
    filtered = fetch_arrow(conn, "SELECT name FROM db.t WHERE id >= 3 ORDER BY id")
    assert filtered.column(0).to_pylist() == ["file-host", "file-opaque"]
    info = conn.session.engine.plan_info[0]
    assert set(info["files"]) >= {uri for uri, _ in rows.values()}
    # pyiceberg run from the catalog's home gives the same answer
    monkeypatch.chdir(root)
    assert_same_rows(got, catalog.load_table("db.t").scan().to_arrow())


def test_shared_fixture_read_from_anywhere(tmp_path, monkeypatch):
    """The Spark-written tables (every path relative) read the same from any directory."""
    from pyiceberg.catalog.sql import SqlCatalog

    root = tmp_path / "lake"
    shutil.copytree(shared_fixture("iceberg") / "data", root / "data")
    catalog = SqlCatalog("default", uri=f"sqlite:///{root}/catalog.db", warehouse=f"file://{root}")
    catalog.create_namespace("ns")
    folder = root / "data/persistent/equality_delete_extra_column/warehouse/ns/t/metadata"
    catalog.register_table("ns.t", str(folder / "vfinal.metadata.json"))
    monkeypatch.chdir(tmp_path)
    with iceberg_dbapi.connect(f"iceberg://{root}/catalog.db?warehouse=file://{root}") as conn:
        got = fetch_arrow(conn, "SELECT id, val FROM ns.t ORDER BY id")
    assert got.to_pylist() == [{"id": 1, "val": "a"}, {"id": 3, "val": "c"}]


def test_relative_path_climbing_out_is_refused(home, tmp_path):
    _, _, table, conn, _ = home
    secret = tmp_path / "outside"
    secret.mkdir()
    commit(
        table,
        Files().add_data(
            pa.table({"id": [99], "name": ["secret"]}, SCHEMA),
            named=("../outside/secret.parquet", str(secret / "secret.parquet")),
        ),
    )
    assert pq.read_table(secret / "secret.parquet").num_rows == 1  # it is there to be read
    with pytest.raises(ProgrammingError, match=r"db\.t .*'\.\./outside/secret\.parquet'.*outside"):
        fetch_arrow(conn, "SELECT * FROM db.t")
    cur = conn.cursor()
    with pytest.raises(ProgrammingError, match=r"db\.t"):
        cur.execute("SELECT count(*) FROM db.t WHERE name = 'secret'")
    # the table's own, earlier snapshot still reads
    first = table.snapshots()[0].snapshot_id
    got = fetch_arrow(conn, f"SELECT name FROM db.t FOR VERSION AS OF {first}")
    assert got.column(0).to_pylist() == ["absolute"]


def test_relative_metadata_climbing_out_is_refused(home, tmp_path):
    """A manifest list named ``../../...`` in the metadata is never opened."""
    import json

    root, catalog, table, conn, _ = home
    with open(table.metadata_location.removeprefix("file://")) as f:
        metadata = json.load(f)
    decoy = tmp_path / "decoy.avro"
    shutil.copy(metadata["snapshots"][0]["manifest-list"].removeprefix("file://"), decoy)
    rel = "../" * (len(root.parts) - 1) + str(decoy).lstrip("/")  # climbs to / then down
    metadata["snapshots"][0]["manifest-list"] = rel
    forged = Path(table.metadata_location.removeprefix("file://")).parent / "forged.metadata.json"
    forged.write_text(json.dumps(metadata))
    catalog.register_table("db.forged", str(forged))
    with pytest.raises(ProgrammingError, match=r"db\.forged .*outside the lake"):
        fetch_arrow(conn, "SELECT * FROM db.forged")


@pytest.mark.parametrize(
    "properties",
    [
        {"py-io-impl": "pyiceberg.io.pyarrow.PyArrowFileIO"},  # a FileIO with no jail
        {"sqlgate.jail": Jail.of("/").to_json()},  # a jail as wide as the disk
    ],
    ids=["py-io-impl", "sqlgate.jail"],
)
def test_table_properties_cannot_choose_the_file_io(home, tmp_path, properties):
    """A table's metadata properties override the catalog's when pyiceberg builds the
    table's FileIO: a writer must not switch sqlgate's containment off that way."""
    import json

    _, catalog, table, conn, _ = home
    with open(table.metadata_location.removeprefix("file://")) as f:
        metadata = json.load(f)
    decoy = tmp_path / "decoy.avro"  # outside the lake, a real manifest list
    shutil.copy(metadata["snapshots"][0]["manifest-list"].removeprefix("file://"), decoy)
    metadata["snapshots"][0]["manifest-list"] = f"file://{decoy}"
    metadata["properties"] = {**metadata.get("properties", {}), **properties}
    # beside the table's own metadata: only the properties make it hostile
    hostile = Path(table.metadata_location.removeprefix("file://")).parent / "hostile.metadata.json"
    hostile.write_text(json.dumps(metadata))
    catalog.register_table("db.hostile", str(hostile))
    # pyiceberg itself honours the table's choice ...
    assert catalog.load_table("db.hostile").io.properties.get(next(iter(properties)))
    # ... sqlgate does not
    with pytest.raises(ProgrammingError, match=r"db\.hostile .*outside the lake"):
        fetch_arrow(conn, "SELECT * FROM db.hostile")
