"""Avro object container files read with fastavro into Arrow (``sqlgate.lakehouse.avro``).

Every file is written by fastavro into a tmp dir and read back through a pyarrow filesystem;
what comes out is compared with what went in.
"""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.fs as pafs
import pytest

fastavro = pytest.importorskip("fastavro")

import sqlgate  # noqa: E402
from sqlgate.core.errors import (  # noqa: E402
    DataError,
    NotSupportedError,
    OperationalError,
)
from sqlgate.lakehouse.avro import (  # noqa: E402
    AvroDataset,
    AvroScan,
    avro_dataset_reader,
    avro_schema,
    avro_to_arrow,
)

LOCAL = pafs.LocalFileSystem()
UTC = dt.timezone.utc


def write(path: Path, schema: dict, records: Any, **kw: Any) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as out:
        fastavro.writer(out, fastavro.parse_schema(schema), records, **kw)
    return str(path)


def read_all(paths: list[str], fs: pafs.FileSystem = LOCAL, **kw: Any) -> pa.Table:
    schema, reader = avro_dataset_reader(paths, fs, **kw)
    table = reader.read_all()
    assert table.schema == schema
    return table


# ----------------------------------------------------------------------------- type mapping
POINT = {
    "type": "record",
    "name": "Point",
    "fields": [{"name": "x", "type": "double"}, {"name": "y", "type": "double"}],
}
RICH = {
    "type": "record",
    "name": "Rich",
    "namespace": "com.example",
    "fields": [
        {"name": "b", "type": "boolean"},
        {"name": "i", "type": "int"},
        {"name": "l", "type": "long"},
        {"name": "f", "type": "float"},
        {"name": "d", "type": "double"},
        {"name": "s", "type": "string"},
        {"name": "by", "type": "bytes"},
        {"name": "day", "type": {"type": "int", "logicalType": "date"}},
        {"name": "tms", "type": {"type": "int", "logicalType": "time-millis"}},
        {"name": "tus", "type": {"type": "long", "logicalType": "time-micros"}},
        {"name": "tsm", "type": {"type": "long", "logicalType": "timestamp-millis"}},
        {"name": "tsu", "type": {"type": "long", "logicalType": "timestamp-micros"}},
        {"name": "tsn", "type": {"type": "long", "logicalType": "timestamp-nanos"}},
        {"name": "ltm", "type": {"type": "long", "logicalType": "local-timestamp-millis"}},
        {"name": "ltu", "type": {"type": "long", "logicalType": "local-timestamp-micros"}},
        {
            "name": "dec",
            "type": {"type": "bytes", "logicalType": "decimal", "precision": 10, "scale": 2},
        },
        {
            "name": "decf",
            "type": {
                "type": "fixed",
                "name": "Money",
                "size": 9,
                "logicalType": "decimal",
                "precision": 20,
                "scale": 4,
            },
        },
        {
            "name": "big",
            "type": {"type": "bytes", "logicalType": "decimal", "precision": 50, "scale": 0},
        },
        {"name": "u", "type": {"type": "string", "logicalType": "uuid"}},
        {"name": "fu", "type": {"type": "fixed", "name": "Uid", "size": 16, "logicalType": "uuid"}},
        {"name": "opt", "type": ["null", "string"], "default": None},
        {"name": "optlast", "type": ["long", "null"]},
        {
            "name": "addr",
            "type": {
                "type": "record",
                "name": "Address",
                "fields": [
                    {"name": "street", "type": "string"},
                    {"name": "zip", "type": ["null", "int"]},
                    {"name": "id", "type": ["null", {"type": "string", "logicalType": "uuid"}]},
                ],
            },
        },
        {"name": "maybe_addr", "type": ["null", "Address"]},
        {"name": "tags", "type": {"type": "array", "items": "string"}},
        {"name": "scores", "type": {"type": "map", "values": ["null", "long"]}},
        {"name": "points", "type": {"type": "array", "items": POINT}},
        {"name": "origin", "type": "com.example.Point"},
        {"name": "paths", "type": {"type": "map", "values": {"type": "array", "items": "Point"}}},
        {
            "name": "ids",
            "type": {"type": "array", "items": {"type": "string", "logicalType": "uuid"}},
        },
        {"name": "color", "type": {"type": "enum", "name": "Color", "symbols": ["RED", "GREEN"]}},
        {"name": "fx", "type": {"type": "fixed", "name": "Four", "size": 4}},
        {
            "name": "dur",
            "type": {"type": "fixed", "name": "Dur", "size": 12, "logicalType": "duration"},
        },
        {"name": "odd", "type": {"type": "string", "logicalType": "made-up"}},
    ],
}
EXPECTED_TYPES = {
    "b": pa.bool_(),
    "i": pa.int32(),
    "l": pa.int64(),
    "f": pa.float32(),
    "d": pa.float64(),
    "s": pa.string(),
    "by": pa.binary(),
    "day": pa.date32(),
    "tms": pa.time32("ms"),
    "tus": pa.time64("us"),
    "tsm": pa.timestamp("ms", tz="UTC"),
    "tsu": pa.timestamp("us", tz="UTC"),
    "tsn": pa.timestamp("ns", tz="UTC"),
    "ltm": pa.timestamp("ms"),
    "ltu": pa.timestamp("us"),
    "dec": pa.decimal128(10, 2),
    "decf": pa.decimal128(20, 4),
    "big": pa.string(),
    "u": pa.string(),
    "fu": pa.string(),
    "opt": pa.string(),
    "optlast": pa.int64(),
    "addr": pa.struct(
        [pa.field("street", pa.string(), False), ("zip", pa.int32()), ("id", pa.string())]
    ),
    "tags": pa.list_(pa.field("item", pa.string(), False)),
    "scores": pa.map_(pa.string(), pa.field("value", pa.int64(), True)),
    "points": pa.list_(
        pa.field(
            "item",
            pa.struct([pa.field("x", pa.float64(), False), pa.field("y", pa.float64(), False)]),
            False,
        )
    ),
    "color": pa.string(),
    "fx": pa.binary(4),
    "dur": pa.binary(12),
    "odd": pa.string(),
}


def rich_record(n: int) -> dict:
    return {
        "b": n % 2 == 0,
        "i": -n,
        "l": 2**40 + n,
        "f": 1.5,
        "d": n / 3,
        "s": f"héllo {n}",
        "by": bytes([n % 256]) * 3,
        "day": dt.date(2024, 2, 29) + dt.timedelta(days=n),
        "tms": dt.time(1, 2, 3, 4000),
        "tus": dt.time(23, 59, 59, 999999),
        "tsm": dt.datetime(2024, 1, 1, 12, 0, 0, 123000, tzinfo=UTC) + dt.timedelta(hours=n),
        "tsu": dt.datetime(1969, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
        "tsn": 1_700_000_000_123_456_789 + n,
        "ltm": dt.datetime(2024, 5, 6, 7, 8, 9, 10000),
        "ltu": dt.datetime(2000, 1, 1, 0, 0, 0, 1),
        "dec": decimal.Decimal("-12345678.90"),
        "decf": decimal.Decimal("1234567890123456.7890"),
        "big": decimal.Decimal("1" * 50),
        "u": uuid.UUID(int=n),
        "fu": uuid.UUID(int=n + 1).bytes,
        "opt": None if n % 2 else f"o{n}",
        "optlast": None if n % 3 == 0 else n,
        "addr": {"street": "Main", "zip": None if n % 2 else 12345, "id": str(uuid.UUID(int=7))},
        "maybe_addr": None if n % 2 else {"street": "Side", "zip": 1, "id": None},
        "tags": ["a", "b"][: n % 3],
        "scores": {"x": n, "y": None},
        "points": [{"x": 1.0, "y": 2.0}] * (n % 2 + 1),
        "origin": {"x": 0.0, "y": -1.0},
        "paths": {"p": [{"x": 3.0, "y": 4.0}]},
        "ids": [uuid.UUID(int=9)],
        "color": "GREEN",
        "fx": b"abcd",
        "dur": b"\x01" * 12,
        "odd": "ok",
    }


def test_rich_schema_maps_and_values_round_trip(tmp_path):
    path = write(tmp_path / "rich.avro", RICH, [rich_record(n) for n in range(5)])
    schema = avro_schema([path], LOCAL)
    for name, kind in EXPECTED_TYPES.items():
        assert schema.field(name).type == kind, name
    assert not schema.field("i").nullable and schema.field("opt").nullable
    assert schema.field("optlast").nullable and schema.field("maybe_addr").nullable
    assert schema.field("maybe_addr").type == schema.field("addr").type  # a named reference
    assert schema.field("origin").type == EXPECTED_TYPES["points"].value_type

    table = read_all([path])
    nanos = table.column("tsn").cast(pa.int64()).to_pylist()
    assert nanos == [rich_record(n)["tsn"] for n in range(5)]  # nanoseconds kept
    rows = table.drop_columns(["tsn"]).to_pylist()
    assert len(rows) == 5
    for n, got in enumerate(rows):
        want = rich_record(n)
        for key in (
            "b",
            "i",
            "l",
            "d",
            "s",
            "by",
            "day",
            "tms",
            "tus",
            "tsm",
            "tsu",
            "ltm",
            "ltu",
            "dec",
            "decf",
            "opt",
            "optlast",
            "tags",
            "points",
            "origin",
            "color",
            "fx",
            "dur",
            "odd",
        ):
            assert got[key] == want[key], key
        assert got["f"] == pytest.approx(1.5)
        assert got["tsm"].tzinfo is not None and got["ltm"].tzinfo is None
        assert got["u"] == str(uuid.UUID(int=n)) and got["fu"] == str(uuid.UUID(int=n + 1))
        assert got["big"] == "1" * 50  # wider than decimal128: an exact string
        assert got["addr"] == want["addr"]
        assert got["maybe_addr"] == want["maybe_addr"]
        assert dict(got["scores"]) == want["scores"]
        assert dict(got["paths"]) == want["paths"]
        assert got["ids"] == [str(uuid.UUID(int=9))]


def test_rich_table_queries_in_duckdb(tmp_path):
    path = write(tmp_path / "rich.avro", RICH, [rich_record(n) for n in range(4)])
    scan = AvroScan([path], LOCAL, avro_schema([path], LOCAL))
    con = duckdb.connect()
    con.register("rich", scan)
    got = con.sql(
        "SELECT i, addr.street, scores['x'], points[1].y, dec, u, tsm "
        "FROM rich WHERE opt IS NOT NULL ORDER BY i"
    ).fetchall()
    assert [r[0] for r in got] == [-2, 0]
    assert got[0][1:5] == ("Main", 2, 2.0, decimal.Decimal("-12345678.90"))
    assert got[0][5] == str(uuid.UUID(int=2))
    # re-scannable: a CTE used twice reads the files twice instead of failing
    assert con.execute(
        "WITH c AS (SELECT i FROM rich) SELECT count(*) FROM c a JOIN c b USING (i)"
    ).fetchone() == (4,)
    assert pa.table(scan).num_rows == 4


def test_top_level_non_record_and_codecs(tmp_path):
    plain = write(tmp_path / "longs.avro", "long", [1, 2, 3])
    assert read_all([plain]).to_pydict() == {"value": [1, 2, 3]}
    rows = [{"id": n, "s": "x" * (n % 7)} for n in range(1000)]
    schema = {
        "type": "record",
        "name": "R",
        "fields": [{"name": "id", "type": "long"}, {"name": "s", "type": "string"}],
    }
    deflated = write(tmp_path / "deflate.avro", schema, rows, codec="deflate")
    assert read_all([deflated]).to_pylist() == rows
    pytest.importorskip("cramjam")
    snappy = write(tmp_path / "snappy.avro", schema, rows, codec="snappy")
    assert read_all([snappy]).to_pylist() == rows


def test_unions_and_recursion_are_refused_naming_the_field(tmp_path):
    union = {
        "type": "record",
        "name": "U",
        "fields": [
            {"name": "id", "type": "long"},
            {
                "name": "inner",
                "type": {
                    "type": "record",
                    "name": "In",
                    "fields": [{"name": "either", "type": ["null", "string", "long"]}],
                },
            },
        ],
    }
    path = write(tmp_path / "u.avro", union, [{"id": 1, "inner": {"either": 2}}])
    with pytest.raises(NotSupportedError, match=r"'inner\.either'.*u\.avro.*union"):
        avro_schema([path], LOCAL)
    linked = {
        "type": "record",
        "name": "Node",
        "fields": [{"name": "v", "type": "long"}, {"name": "next", "type": ["null", "Node"]}],
    }
    with pytest.raises(NotSupportedError, match=r"'next'.*recursive"):
        avro_to_arrow(linked)


# ----------------------------------------------------------------------------- tables
EVENT_V1 = {
    "type": "record",
    "name": "Event",
    "fields": [
        {"name": "id", "type": "int"},
        {"name": "name", "type": "string"},
        {"name": "at", "type": {"type": "long", "logicalType": "timestamp-millis"}},
        {
            "name": "meta",
            "type": {
                "type": "record",
                "name": "Meta",
                "fields": [{"name": "source", "type": "string"}],
            },
        },
    ],
}
EVENT_V2 = {
    "type": "record",
    "name": "Event",
    "fields": [
        {"name": "id", "type": "long"},  # int -> long: an Avro promotion
        {"name": "name", "type": "string"},
        {"name": "at", "type": {"type": "long", "logicalType": "timestamp-micros"}},
        {
            "name": "meta",
            "type": {
                "type": "record",
                "name": "Meta",
                "fields": [
                    {"name": "source", "type": "string"},
                    {"name": "version", "type": ["null", "int"], "default": None},
                ],
            },
        },
        {"name": "email", "type": ["null", "string"], "default": None},
    ],
}
T0 = dt.datetime(2024, 1, 1, tzinfo=UTC)


def event(n: int, v2: bool = False) -> dict:
    rec = {"id": n, "name": f"e{n}", "at": T0 + dt.timedelta(seconds=n), "meta": {"source": "web"}}
    if v2:
        rec["meta"]["version"] = 2
        rec["email"] = f"u{n}@x.org"
    return rec


@pytest.fixture()
def events(tmp_path) -> Path:
    """``events/year=YYYY/region=R/*.avro``: five files, two schema versions."""
    root = tmp_path / "events"
    write(root / "year=2023/region=eu/part-0.avro", EVENT_V1, [event(n) for n in range(0, 3)])
    write(root / "year=2023/region=us/part-0.avro", EVENT_V1, [event(n) for n in range(3, 5)])
    write(root / "year=2024/region=eu/part-0.avro", EVENT_V1, [event(n) for n in range(5, 6)])
    write(root / "year=2024/region=eu/part-1.avro", EVENT_V2, [event(n, True) for n in range(6, 9)])
    write(root / "year=2024/region=a%2Fb/part-0.avro", EVENT_V2, [event(9, True)])
    (root / "_SUCCESS").write_text("")
    (root / ".hidden").mkdir()
    (root / ".hidden" / "junk.avro").write_bytes(b"not avro")
    return root


def test_partitioned_table_with_evolved_schema(events):
    table = AvroDataset(str(events), LOCAL, is_dir=True)
    assert len(table.files) == 5  # _SUCCESS and .hidden/ are skipped
    assert table.schema.names == ["id", "name", "at", "meta", "email", "year", "region"]
    assert table.schema.field("id").type == pa.int64()
    assert table.schema.field("at").type == pa.timestamp("us", tz="UTC")
    assert table.schema.field("email").nullable
    assert table.schema.field("meta").type == pa.struct(
        [pa.field("source", pa.string(), False), pa.field("version", pa.int32())]
    )
    assert table.schema.field("year").type == pa.int32()  # pyarrow's hive inference
    assert table.schema.field("region").type == pa.string()
    assert table.partitioning.schema.names == ["year", "region"]

    rows = sorted(pa.table(table.scan()).to_pylist(), key=lambda r: r["id"])
    assert [r["id"] for r in rows] == list(range(10))
    assert [(r["year"], r["region"]) for r in rows[:6]] == (
        [(2023, "eu")] * 3 + [(2023, "us")] * 2 + [(2024, "eu")]
    )
    assert rows[9]["region"] == "a/b"  # hive values are URL-decoded
    assert [r["email"] for r in rows[4:8]] == [None, None, "u6@x.org", "u7@x.org"]
    assert rows[0]["meta"] == {"source": "web", "version": None}
    assert rows[7]["meta"] == {"source": "web", "version": 2}
    assert rows[3]["at"] == T0 + dt.timedelta(seconds=3)


def test_partition_pruning_opens_only_planned_files(events):
    table = AvroDataset(str(events), LOCAL)
    frags = list(
        table.get_fragments(
            filter=(ds.field("year") == 2024) & (ds.field("region") == "eu") & (ds.field("id") > 0)
        )
    )
    assert sorted(Path(f.path).name for f in frags) == ["part-0.avro", "part-1.avro"]
    # the pruned-away files are never opened: break them and read again
    for path in table.files:
        if "year=2023" in path:
            Path(path).write_bytes(b"garbage")
    got = pa.table(table.scan(frags))
    assert sorted(got.column("id").to_pylist()) == [5, 6, 7, 8]
    assert set(got.column("year").to_pylist()) == {2024}
    assert len(list(table.get_fragments(filter=ds.field("year") == 1999))) == 0


def test_reader_with_caller_pruned_paths_and_raw_partition_values(events):
    paths = sorted(str(p) for p in events.glob("year=2024/region=eu/*.avro"))
    values = {p: {"year": "2024", "region": "eu"} for p in paths}
    schema, reader = avro_dataset_reader(paths, LOCAL, values, batch_size=2)
    assert schema.field("year").type == pa.int32()
    batches = list(reader)
    assert [b.num_rows for b in batches] == [1, 2, 1]  # per file, at most batch_size rows
    got = pa.Table.from_batches(batches)
    assert got.column("id").to_pylist() == [5, 6, 7, 8]
    assert set(got.column("year").to_pylist()) == {2024}


def test_single_file_table_and_empty_directory(tmp_path):
    path = write(tmp_path / "one.avro", EVENT_V1, [event(1)])
    table = AvroDataset(path, LOCAL, is_dir=False)
    assert table.partitioning is None and table.files == [path]
    assert pa.table(table.scan()).column("name").to_pylist() == ["e1"]
    (tmp_path / "empty").mkdir()
    empty = AvroDataset(str(tmp_path / "empty"), LOCAL)
    assert empty.files == [] and len(empty.schema) == 0


def test_incompatible_schemas_are_a_clear_error(tmp_path):
    write(tmp_path / "t/a.avro", EVENT_V1, [event(1)])
    bad = {"type": "record", "name": "Event", "fields": [{"name": "id", "type": "string"}]}
    write(tmp_path / "t/b.avro", bad, [{"id": "x"}])
    with pytest.raises(OperationalError, match=r"field id is int32 .* string.*b\.avro"):
        AvroDataset(str(tmp_path / "t"), LOCAL)


# ----------------------------------------------------------------------------- failures
def test_corrupt_files_raise_errors_naming_the_file(tmp_path):
    garbage = tmp_path / "garbage.avro"
    garbage.write_bytes(b"PAR1 this is not avro at all")
    with pytest.raises(OperationalError, match=r"cannot read Avro file .*garbage\.avro"):
        avro_schema([str(garbage)], LOCAL)

    # a good header, then a damaged data block
    rows = [{"id": n, "s": f"row {n}" * 10} for n in range(2000)]
    schema = {
        "type": "record",
        "name": "R",
        "fields": [{"name": "id", "type": "long"}, {"name": "s", "type": "string"}],
    }
    good = write(tmp_path / "good.avro", schema, rows, sync_interval=4000)
    raw = bytearray(Path(good).read_bytes())
    raw[len(raw) // 2 : len(raw) // 2 + 64] = b"\xff" * 64
    broken = tmp_path / "broken.avro"
    broken.write_bytes(bytes(raw))
    assert avro_schema([str(broken)], LOCAL).names == ["id", "s"]  # the header is fine
    _, reader = avro_dataset_reader([str(broken)], LOCAL, batch_size=100)
    with pytest.raises((OperationalError, DataError), match=r"broken\.avro"):
        reader.read_all()
    # truncated file
    truncated = tmp_path / "truncated.avro"
    truncated.write_bytes(bytes(raw[: len(raw) // 3]))
    _, reader = avro_dataset_reader([str(truncated)], LOCAL, schema=avro_schema([good], LOCAL))
    with pytest.raises(OperationalError, match=r"truncated\.avro"):
        reader.read_all()
    # and through DuckDB, the file is still named
    con = duckdb.connect()
    con.register("t", AvroScan([str(truncated)], LOCAL, avro_schema([good], LOCAL)))
    with pytest.raises(duckdb.Error, match=r"truncated\.avro"):
        con.sql("SELECT count(*) FROM t").fetchall()


def test_missing_file_is_an_operational_error(tmp_path):
    with pytest.raises(OperationalError, match=r"nope\.avro"):
        avro_schema([str(tmp_path / "nope.avro")], LOCAL)


# ----------------------------------------------------------------------------- streaming
class CountingHandler(pafs.FileSystemHandler):
    """A non-local pyarrow filesystem (like S3/Azure) that counts the bytes read."""

    def __init__(self) -> None:
        self.fs = LOCAL
        self.read = 0

    def __eq__(self, other: object) -> bool:
        return self is other

    def __ne__(self, other: object) -> bool:
        return self is not other

    def get_type_name(self) -> str:
        return "counting"

    def normalize_path(self, path: str) -> str:
        return path

    def get_file_info(self, paths: list[str]) -> list[pafs.FileInfo]:
        return self.fs.get_file_info(paths)

    def get_file_info_selector(self, selector: pafs.FileSelector) -> list[pafs.FileInfo]:
        return self.fs.get_file_info(selector)

    def open_input_stream(self, path: str) -> pa.NativeFile:
        handler = self
        raw = open(path, "rb")  # noqa: SIM115 - closed by the NativeFile

        class Counted:
            closed = False

            def read(self, n: int = -1) -> bytes:
                data = raw.read(n)
                handler.read += len(data)
                return data

            def close(self) -> None:
                raw.close()
                self.closed = True

        return pa.PythonFile(Counted(), mode="r")

    def open_input_file(self, path: str) -> pa.NativeFile:  # pragma: no cover
        return self.fs.open_input_file(path)

    def create_dir(self, *a: Any) -> None:
        raise NotImplementedError

    def delete_dir(self, *a: Any) -> None:
        raise NotImplementedError

    def delete_dir_contents(self, *a: Any) -> None:
        raise NotImplementedError

    def delete_root_dir_contents(self) -> None:
        raise NotImplementedError

    def delete_file(self, *a: Any) -> None:
        raise NotImplementedError

    def move(self, *a: Any) -> None:
        raise NotImplementedError

    def copy_file(self, *a: Any) -> None:
        raise NotImplementedError

    def open_output_stream(self, *a: Any) -> None:
        raise NotImplementedError

    def open_append_stream(self, *a: Any) -> None:
        raise NotImplementedError


@pytest.mark.timeout(600)
def test_large_file_streams_in_bounded_batches(tmp_path):
    n_rows, batch = 1_000_000, 65_536
    schema = {
        "type": "record",
        "name": "Big",
        "fields": [
            {"name": "id", "type": "long"},
            {"name": "name", "type": "string"},
            {"name": "at", "type": {"type": "long", "logicalType": "timestamp-micros"}},
        ],
    }
    rows = ({"id": n, "name": f"name-{n}", "at": n} for n in range(n_rows))
    path = write(tmp_path / "big/part=1/big.avro", schema, rows)
    size = Path(path).stat().st_size

    handler = CountingHandler()
    fs = pafs.PyFileSystem(handler)
    table = AvroDataset(str(tmp_path / "big"), fs)
    assert handler.read < 256 * 1024  # opening the table reads the header only
    reader = table.scan().to_reader()
    pool = pa.default_memory_pool()
    base = pool.bytes_allocated()
    counts, first_bytes, peak, expected_id = [], None, 0, 0
    for rb in reader:
        counts.append(rb.num_rows)
        if first_bytes is None:
            first_bytes = handler.read
        ids = rb.column("id")
        assert ids[0].as_py() == expected_id  # in order, no row lost or repeated
        expected_id += rb.num_rows
        peak = max(peak, pool.bytes_allocated() - base)
        del rb, ids
    assert sum(counts) == n_rows
    assert max(counts) == batch and len(counts) == -(-n_rows // batch)
    assert first_bytes is not None and first_bytes < size / 4  # the file is streamed
    one_batch = batch * (8 + 8 + 8 + 16)  # ids, timestamps, string offsets + data
    assert peak < 4 * one_batch, (peak, one_batch)  # never more than a few batches held


# ----------------------------------------------------------------------------- end to end
def test_connect_file_url_with_format_avro(events):
    with sqlgate.connect(f"file://{events.parent}?format=avro") as conn:
        cur = conn.cursor()
        cur.execute("SELECT count(*), max(id) FROM events WHERE year = 2024 AND region = 'eu'")
        assert cur.fetchall() == [(4, 8)]
        cur.execute("SELECT meta.version, email FROM events WHERE id = 7")
        assert cur.fetchall() == [(2, "u7@x.org")]
