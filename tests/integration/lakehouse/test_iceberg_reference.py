"""sqlgate's Iceberg answers equal pyiceberg's, snapshot by snapshot, on real table shapes.

Every table is built here by pyiceberg (and pyarrow for the raw Parquet files a Hive
migration adds): identity partitions of every primitive type whose data files lack the
partition column (the value lives in the manifest), every partition transform with a spec
that evolved, nested renames and fields added later with an ``initial-default``. For every
snapshot, ``SELECT *`` through ``sqlgate.dbapi.iceberg`` equals
``table.scan(snapshot_id=...).to_arrow()`` row for row with types, and filters on partition
columns find the rows pyiceberg's ``row_filter`` finds.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
from collections.abc import Iterator
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

pytest.importorskip("pyiceberg")

from pyiceberg import expressions
from pyiceberg import types as it
from pyiceberg.expressions import BooleanExpression
from pyiceberg.schema import Schema
from pyiceberg.types import NestedField

import sqlgate.dbapi.iceberg as iceberg_dbapi

from .iceberg_tables import (
    HIVE_NULL,
    IDENTITY_TYPES,
    NESTED_SCHEMA,
    TRANSFORM_SCHEMA,
    add_migrated_file,
    append_rows,
    as_format_v3,
    nested_rows,
    transform_rows,
    with_deletion_vector,
)
from .reference import assert_same_rows, fetch_arrow

ex: Any = expressions  # pydantic models mypy cannot construct positionally


class Lake:
    """A pyiceberg SQL catalog in a temporary directory and one sqlgate connection to it."""

    def __init__(self, root: Any) -> None:
        from pyiceberg.catalog import load_catalog

        self.props = {
            "type": "sql",
            "uri": f"sqlite:///{root}/catalog.db",
            "warehouse": f"file://{root}/warehouse",
        }
        self.catalog = load_catalog("default", **self.props)
        self.catalog.create_namespace("db")
        self.conn = iceberg_dbapi.connect(f"iceberg://{root}/catalog.db")

    def scans(self) -> list[str]:
        """How sqlgate read each table of the last statement."""
        return [info["scan"] for info in self.conn.session.engine.plan_info]

    def check_snapshots(self, name: str) -> None:
        """Every snapshot (and the current table) reads as pyiceberg reads it."""
        table = self.catalog.load_table(("db", name))
        assert table.snapshots(), "the table has no snapshot"
        for snap in table.snapshots():
            expected = table.scan(snapshot_id=snap.snapshot_id).to_arrow()
            got = fetch_arrow(
                self.conn, f"SELECT * FROM db.{name} FOR VERSION AS OF {snap.snapshot_id}"
            )
            assert_same_rows(got, expected, f"{name} at snapshot {snap.snapshot_id}")
        got = fetch_arrow(self.conn, f"SELECT * FROM db.{name}")
        assert_same_rows(got, table.scan().to_arrow(), f"{name}, current")

    def check_filter(
        self, name: str, where: str, params: list[Any], row_filter: BooleanExpression
    ) -> None:
        table = self.catalog.load_table(("db", name))
        expected = table.scan(row_filter=row_filter).to_arrow()
        got = fetch_arrow(self.conn, f"SELECT * FROM db.{name} WHERE {where}", params)
        assert_same_rows(got, expected, f"{name} WHERE {where} {params!r}")


@pytest.fixture()
def lake(tmp_path: Any) -> Iterator[Lake]:
    lake = Lake(tmp_path)
    yield lake
    lake.conn.close()


# -- identity partitions whose values live only in the manifests (Hive-migrated tables) ---------
# type, two partition values, how a Hive writer spells them in the directory name
def _migrated_table(lake: Lake, type_name: str) -> tuple[Any, str, list[Any]]:
    """A table identity-partitioned on ``p`` of the type: three snapshots of files without
    ``p`` under Hive directories (two values and NULL), then one written by pyiceberg."""
    iceberg_type, values, spelled = IDENTITY_TYPES[type_name]
    name = f"p_{type_name}"
    schema = Schema(
        NestedField(1, "id", it.LongType(), required=False),
        NestedField(2, "p", iceberg_type, required=False),
    )
    table = lake.catalog.create_table(("db", name), schema=schema)
    with table.update_spec() as spec:
        spec.add_identity("p")
    table = lake.catalog.load_table(("db", name))
    add_migrated_file(table, f"p={spelled[0]}", [1, 2], values[0])
    add_migrated_file(table, f"p={spelled[1]}", [3], values[1])
    add_migrated_file(table, f"p={HIVE_NULL}", [4], None)
    table = lake.catalog.load_table(("db", name))
    if type_name != "uuid":  # pyiceberg 0.12 cannot group rows by a UUID to write them
        # a file written by pyiceberg itself, with the partition column in it
        rows = [{"id": 5, "p": values[1]}]
        table.append(pa.Table.from_pylist(rows, schema=table.schema().as_arrow()))
    return table, name, values


def _count(lake: Lake, name: str, value: Any) -> int:
    got = fetch_arrow(lake.conn, f"SELECT count(*) AS n FROM db.{name} WHERE p = ?", [value])
    return int(got.column("n")[0].as_py())


@pytest.mark.parametrize("type_name", sorted(IDENTITY_TYPES))
def test_identity_partition_values_come_from_the_manifest(lake: Lake, type_name: str) -> None:
    _, name, values = _migrated_table(lake, type_name)
    lake.check_snapshots(name)
    # DuckDB reads the files; p is a typed constant from each file's manifest entry
    assert lake.scans() == ["duckdb_read_parquet"]
    lake.check_filter(name, "p IS NULL", [], ex.IsNull("p"))
    if type_name == "uuid":  # pyiceberg's own filters are wrong there: see the next test
        return
    lake.check_filter(name, "p = ?", [values[0]], ex.EqualTo("p", values[0]))
    low = min(values) if type_name != "boolean" else False
    lake.check_filter(name, "p >= ?", [low], ex.GreaterThanOrEqual("p", low))
    lake.check_filter(name, "p IN (?, ?)", list(values), ex.In("p", values))
    # the manifest's typed value, never the directory's text, finds the two rows
    assert _count(lake, name, values[0]) == 2


def test_uuid_partition_filters_find_their_rows(lake: Lake) -> None:
    """pyiceberg 0.12 prunes every file on ``EqualTo``/``In`` of a UUID identity partition
    (it compares the UUID literal with the manifest's bytes; a range raises): sqlgate does not
    push those conjuncts, and finds the rows a full scan has."""
    table, name, values = _migrated_table(lake, "uuid")
    assert table.scan(row_filter=ex.EqualTo("p", values[0])).to_arrow().num_rows == 0
    assert _count(lake, name, values[0]) == 2
    got = fetch_arrow(lake.conn, f"SELECT id FROM db.{name} WHERE p IN (?, ?)", list(values))
    assert sorted(got.column("id").to_pylist()) == [1, 2, 3]
    got = fetch_arrow(lake.conn, f"SELECT id FROM db.{name} WHERE p >= ?", [min(values)])
    assert sorted(got.column("id").to_pylist()) == [1, 2, 3]


# -- every partition transform, and a spec that evolved (directory depth changes) --------------
def test_every_transform_and_an_evolved_spec(lake: Lake) -> None:
    from pyiceberg.transforms import (
        BucketTransform,
        DayTransform,
        HourTransform,
        MonthTransform,
        TruncateTransform,
        VoidTransform,
        YearTransform,
    )

    name = "transforms"
    table = lake.catalog.create_table(("db", name), schema=TRANSFORM_SCHEMA)
    with table.update_spec() as spec:
        spec.add_identity("cat")
        spec.add_identity("flag")
        spec.add_field("id", BucketTransform(4), "id_bucket")
        spec.add_field("s", TruncateTransform(2), "s_trunc")
    append_rows(table, transform_rows(0))
    with table.update_spec() as spec:
        spec.remove_field("id_bucket")
        spec.add_field("d", YearTransform(), "d_year")
        spec.add_field("ts", HourTransform(), "ts_hour")
    append_rows(table, transform_rows(10))
    with table.update_spec() as spec:
        spec.remove_field("d_year")
        spec.remove_field("s_trunc")
        spec.add_field("tstz", DayTransform(), "tstz_day")
        spec.add_field("n", VoidTransform(), "n_void")
    append_rows(table, transform_rows(20))
    with table.update_spec() as spec:
        spec.add_field("d", MonthTransform(), "d_month")
    append_rows(table, transform_rows(30))
    lake.check_snapshots(name)
    assert lake.scans() == ["duckdb_read_parquet"]  # pyiceberg wrote every column: fast path
    lake.check_filter(name, "cat = ?", ["eu"], ex.EqualTo("cat", "eu"))
    lake.check_filter(name, "flag = ?", [True], ex.EqualTo("flag", True))
    lake.check_filter(name, "cat IS NULL", [], ex.IsNull("cat"))
    lake.check_filter(name, "id IN (?, ?)", [3, 31], ex.In("id", [3, 31]))
    when = dt.datetime(2024, 3, 1)
    lake.check_filter(name, "ts >= ?", [when], ex.GreaterThanOrEqual("ts", when))
    day = dt.date(2025, 1, 1)
    lake.check_filter(name, "d >= ?", [day], ex.GreaterThanOrEqual("d", day))


# -- nested schema evolution: renames and fields added later, resolved by field id --------------
def _build_nested(lake: Lake, name: str) -> Any:
    table = lake.catalog.create_table(("db", name), schema=NESTED_SCHEMA)
    append_rows(table, nested_rows(0, {}))
    with table.update_schema() as update:
        update.rename_column(("info", "a"), "aa")
        update.rename_column(("info", "b", "c"), "bee")  # struct in struct
        update.rename_column(("items", "element", "x"), "xx")  # list of struct
        update.rename_column(("m", "value", "v"), "vv")  # map values
    renamed = {"a": "aa", "c": "bee", "x": "xx", "v": "vv"}
    table = lake.catalog.load_table(("db", name))
    append_rows(table, nested_rows(10, renamed))
    return table


def test_nested_renames_resolved_by_field_id(lake: Lake) -> None:
    _build_nested(lake, "nested")
    lake.check_snapshots("nested")
    got = fetch_arrow(lake.conn, "SELECT info.b.bee AS bee FROM db.nested WHERE id = 1")
    assert got.column("bee").to_pylist() == ["c1"]


@pytest.mark.parametrize("version", [2, 3])
def test_nested_fields_added_later_with_initial_default(lake: Lake, version: int) -> None:
    """pyiceberg 0.12 writes ``initial-default`` (``add_column(default_value=...)``) into the
    metadata of the v2 tables it writes (it refuses to write v3 metadata) and reads it; the
    same metadata upgraded to v3 by hand, where the spec defines the default, reads the same."""
    table = _build_nested(lake, "added")
    with table.update_schema() as update:
        update.add_column(("info", "b", "extra"), it.IntegerType(), default_value=42)
        update.add_column(("items", "element", "y"), it.StringType(), default_value="why")
        update.add_column(("m", "value", "w"), it.LongType())  # no default: NULL
    table = lake.catalog.load_table(("db", "added"))
    metadata = json.loads(table.io.new_input(table.metadata_location).open().read())
    fields = json.dumps(metadata["schemas"][-1])
    assert '"initial-default": 42' in fields and '"initial-default": "why"' in fields
    name = "added"
    if version == 3:
        name = "added_v3"
        table = as_format_v3(lake.catalog, ("db", "added"), ("db", name))
        assert table.format_version == 3
    lake.check_snapshots(name)
    got = fetch_arrow(lake.conn, f"SELECT info.b.extra AS e FROM db.{name} WHERE id = 1")
    assert got.column("e").to_pylist() == [42]


def test_top_level_fields_added_later_read_natively(lake: Lake) -> None:
    """Columns added after files were written read as their ``initial-default`` (or NULL)
    in those files: typed constants beside DuckDB's read of the rest."""
    table = lake.catalog.create_table(("db", "grown"), schema=TRANSFORM_SCHEMA)
    with table.update_spec() as spec:
        spec.add_identity("cat")
    append_rows(table, transform_rows(0))
    defaults: dict[str, tuple[it.PrimitiveType, Any]] = {
        "since": (it.DateType(), dt.date(2020, 2, 29)),
        "price": (it.DecimalType(10, 3), decimal.Decimal("-1.500")),
        "label": (it.StringType(), "it's"),
        "seen": (it.TimestamptzType(), dt.datetime(2021, 5, 6, 7, 8, 9, 10, dt.timezone.utc)),
        "ratio": (it.FloatType(), 0.1),
        "blob": (it.BinaryType(), None),
    }
    with table.update_schema() as update:
        for column, (iceberg_type, default) in defaults.items():
            update.add_column(column, iceberg_type, default_value=default)
    table = lake.catalog.load_table(("db", "grown"))
    rows = [
        {**row, "since": dt.date(2024, 1, 1), "label": "new", "ratio": 2.5}
        for row in transform_rows(10)
    ]
    append_rows(table, rows)
    lake.check_snapshots("grown")
    assert lake.scans() == ["duckdb_read_parquet"]
    lake.check_filter("grown", "label = ?", ["it's"], ex.EqualTo("label", "it's"))
    # pyiceberg 0.12's own row filter fails on a date default (it compares a date with
    # days), so the reference here is its full scan filtered by pyarrow
    since = dt.date(2021, 1, 1)
    full = table.scan().to_arrow()
    expected = full.filter(pc.less(full["since"], pa.scalar(since)))
    got = fetch_arrow(lake.conn, "SELECT * FROM db.grown WHERE since < ?", [since])
    assert_same_rows(got, expected, "grown WHERE since < 2021-01-01")
    assert expected.num_rows == 6
    got = fetch_arrow(lake.conn, "SELECT count(*) AS n FROM db.grown WHERE label = 'it''s'")
    assert got.column("n").to_pylist() == [6]


def test_files_without_field_ids_resolve_through_the_name_mapping(lake: Lake) -> None:
    """``add_files`` of Parquet written without field ids: the table's name mapping gives
    them ids; after a rename the files' old names must still read as the renamed column."""
    import os

    table = lake.catalog.create_table(("db", "added_files"), schema=TRANSFORM_SCHEMA)
    with table.update_spec() as spec:
        spec.add_identity("flag")
    directory = f"{table.location().removeprefix('file://')}/imported"
    os.makedirs(directory)
    paths = []
    for flag in (True, False):
        rows = [r | {"flag": flag} for r in transform_rows(0 if flag else 10)]
        arrow = pa.Table.from_pylist(rows, schema=table.schema().as_arrow())
        path = f"{directory}/flag={str(flag).lower()}.parquet"
        pq.write_table(arrow.replace_schema_metadata(None).cast(_without_ids(arrow.schema)), path)
        paths.append(path)
    table.add_files(paths)
    lake.check_snapshots("added_files")
    assert lake.scans() == ["duckdb_read_parquet"]
    with table.update_schema() as update:
        update.rename_column("s", "text")
    table = lake.catalog.load_table(("db", "added_files"))
    append_rows(table, [r | {"text": r.pop("s")} for r in transform_rows(20)])
    lake.check_snapshots("added_files")
    assert lake.scans() == ["pyiceberg_arrow_stream"]  # old files name the column "s"
    lake.check_filter("added_files", "flag = ?", [False], ex.EqualTo("flag", False))


def _without_ids(schema: pa.Schema) -> pa.Schema:
    return pa.schema([pa.field(f.name, f.type, f.nullable) for f in schema])


def test_deletion_vector_of_a_v3_table(lake: Lake) -> None:
    """A Puffin deletion vector (format v3): the deleted rows are gone, as pyiceberg has it."""
    pytest.importorskip("pyroaring")
    table = lake.catalog.create_table(("db", "v2_source"), schema=TRANSFORM_SCHEMA)
    append_rows(table, transform_rows(0))
    append_rows(table, transform_rows(10))
    table = with_deletion_vector(lake.catalog, ("db", "v2_source"), ("db", "dv"), [1, 3])
    assert table.format_version == 3
    assert table.scan().to_arrow().num_rows == 12 - 2  # pyiceberg applies the vector
    lake.check_snapshots("dv")
    assert lake.scans() == ["pyiceberg_arrow_stream"]
    lake.check_filter("dv", "cat = ?", ["eu"], ex.EqualTo("cat", "eu"))
