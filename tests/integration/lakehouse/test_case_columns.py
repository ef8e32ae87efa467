"""Columns whose names differ only by case (issue #10, item 3) on every lakehouse format.

Iceberg and Parquet are case-sensitive: ``user_id``, ``uSeR_Id`` and ``USER_ID`` can be three
columns of one table. The embedded DuckDB binds names case-insensitively, so without care one
column's values come back under every spelling. Every table here is written by the format's
own writer, and every answer is compared (names, types, rows) with what that format's own
reader returns for the same question.

The rule under test (docs/lakehouse.md): a name that several columns of a table share up to
case selects exactly the column spelled that way, quoted or not; a spelling that matches
several of them only by case is a ``ProgrammingError`` naming them. Other names are unchanged.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

pytest.importorskip("duckdb")

import sqlalchemy as sa

import sqlgate
from sqlgate.core.errors import ProgrammingError

# three columns equal up to case, with different types and values, around plain ones
SCHEMA = pa.schema(
    [("id", pa.int64()), ("user_id", pa.int64()), ("uSeR_Id", pa.string()),
     ("USER_ID", pa.int32()), ("day", pa.date32())]
)  # fmt: skip
ROWS = [
    (1, 100, "b", 7, dt.date(2024, 1, 1)),
    (2, 200, "a", 7, dt.date(2024, 1, 2)),
    (3, 300, "c", 8, dt.date(2024, 1, 3)),
    (4, 400, "a", 8, dt.date(2024, 1, 4)),
    (5, None, None, 9, None),
]
# built column by column: exact names, no dict in between
DATA = pa.Table.from_arrays(
    [pa.array([r[i] for r in ROWS], f.type) for i, f in enumerate(SCHEMA)], schema=SCHEMA
)


_OTHER = pa.table({"user_id": pa.array([100, 300]), "label": ["hundred", "three hundred"]})
FORMATS = ["iceberg", "file", "orc", "hive"]


# ------------------------------------------------------------------------------ fixtures
def _catalog(base: Path) -> Any:
    """A pyiceberg SQL catalog in ``base`` with namespace ``default`` (skips on SQLAlchemy 1.4,
    which pyiceberg's SQL catalog cannot use)."""
    try:
        import pyiceberg.catalog.sql  # noqa: F401 - needs SQLAlchemy 2 (DeclarativeBase)
    except ImportError as exc:
        pytest.skip(f"pyiceberg's SQL catalog is unavailable: {exc}")
    from pyiceberg.catalog import load_catalog

    catalog = load_catalog(
        "default", type="sql", uri=f"sqlite:///{base}/catalog.db", warehouse=f"file://{base}/warehouse"
    )  # fmt: skip
    catalog.create_namespace("default")
    return catalog


@pytest.fixture(scope="module")
def lakes(tmp_path_factory) -> dict[str, Any]:
    """One lake per format, each holding the same colliding table ``people`` (and ``other``
    without collisions, for joins), written by the format's own writer."""
    base: Path = tmp_path_factory.mktemp("case_columns")
    lakes: dict[str, Any] = {}
    try:
        catalog = _catalog(base)
    except pytest.skip.Exception:
        pass
    else:
        people = catalog.create_table("default.people", schema=SCHEMA)
        with people.update_spec() as spec:  # partitioned by one of the colliding columns
            spec.add_identity("USER_ID")
        people.append(DATA.slice(0, 3))
        people.append(DATA.slice(3))  # two commits: several files, several partitions
        catalog.create_table("default.other", schema=_OTHER.schema).append(_OTHER)
        lakes["iceberg"] = {
            "url": f"iceberg://{base}/catalog.db",
            "reference": lambda: catalog.load_table("default.people").scan().to_arrow(),
        }
    files = base / "files"
    files.mkdir()
    pq.write_table(DATA, files / "people.parquet")
    pq.write_table(_OTHER, files / "other.parquet")
    lakes["file"] = {
        "url": f"file://{files}?format=parquet",
        "reference": lambda: pq.read_table(files / "people.parquet"),
    }
    # ORC: a pyarrow dataset registered in DuckDB (an Arrow plan, as remote files are)
    from pyarrow import orc

    (base / "orc").mkdir()
    orc.write_table(DATA, base / "orc" / "people.orc")
    orc.write_table(_OTHER, base / "orc" / "other.orc")
    lakes["orc"] = {
        "url": f"file://{base / 'orc'}?format=orc",
        "reference": lambda: orc.read_table(base / "orc" / "people.orc"),
    }
    # a hive-partitioned directory whose partition column collides with data columns
    hive = base / "hive"
    for value in (7, 8, 9):
        part = hive / "people" / f"USER_ID={value}"
        part.mkdir(parents=True)
        rows = DATA.filter(pc.equal(DATA["USER_ID"], value)).drop_columns(["USER_ID"])
        # the files of one partition list the colliding columns in another order
        if value == 8:
            rows = rows.select([2, 1, 0, 3])
        pq.write_table(rows, part / "part-0.parquet")
    pq.write_table(_OTHER, hive / "other.parquet")
    lakes["hive"] = {
        "url": f"file://{hive}?format=parquet",
        # partition values typed as the file source types them (integers as BIGINT, as
        # DuckDB's hive reader does); the values are pyarrow's
        "reference": lambda: pq.read_table(
            hive / "people", partitioning=ds.HivePartitioning(pa.schema([("USER_ID", pa.int64())]))
        ),
    }
    return lakes


@pytest.fixture(params=FORMATS)
def lake(request, lakes) -> dict[str, Any]:
    if request.param not in lakes:
        pytest.skip("pyiceberg's SQL catalog needs SQLAlchemy 2")
    return lakes[request.param]


def _fetch(url: str, sql: str, params: list[Any] | None = None) -> pa.Table:
    with sqlgate.connect(url) as conn:
        cur = conn.cursor()
        cur.execute(sql, params)
        table: pa.Table = cur.fetch_arrow_table()
        return table


def _same(got: pa.Table, expected: pa.Table, ordered: bool = False) -> None:
    """Same column names (exact case), same types, same rows (as a multiset unless
    ``ordered``)."""
    assert got.schema.names == expected.schema.names
    assert [str(t) for t in got.schema.types] == [str(t) for t in expected.schema.types]
    got_rows = list(zip(*(c.to_pylist() for c in got.columns), strict=True))
    want_rows = list(zip(*(c.to_pylist() for c in expected.columns), strict=True))
    if not ordered:
        got_rows, want_rows = sorted(got_rows, key=repr), sorted(want_rows, key=repr)
    assert got_rows == want_rows


def _select(reference: pa.Table, *names: str) -> pa.Table:
    """Columns of the reference table by exact name, in the order asked."""
    return pa.Table.from_arrays(
        [reference.column(reference.schema.get_field_index(n)) for n in names], names=list(names)
    )


# ------------------------------------------------------------------------------ reads
def test_select_star_keeps_every_column(lake):
    reference = lake["reference"]()
    got = _fetch(lake["url"], "SELECT * FROM people")
    _same(got, reference)


@pytest.mark.parametrize(
    "sql, names",
    [
        ('SELECT "uSeR_Id" FROM people', ["uSeR_Id"]),
        ('SELECT "USER_ID", "user_id" FROM people', ["USER_ID", "user_id"]),
        ("SELECT USER_ID, uSeR_Id, user_id FROM people", ["USER_ID", "uSeR_Id", "user_id"]),
        ('SELECT p."uSeR_Id", p.id FROM people AS p', ["uSeR_Id", "id"]),
        ('SELECT "uSeR_Id" FROM (SELECT * FROM people) AS s', ["uSeR_Id"]),
        ('WITH c AS (SELECT "USER_ID", id FROM people) SELECT c."USER_ID" FROM c', ["USER_ID"]),
    ],
)
def test_each_spelling_selects_its_own_column(lake, sql, names):
    got = _fetch(lake["url"], sql)
    _same(got, _select(lake["reference"](), *names))


def test_derived_tables_renames_and_unions(lake):
    reference = lake["reference"]()
    # a derived table naming its own output after a colliding column: that name is its own
    got = _fetch(lake["url"], 'SELECT user_id FROM (SELECT "uSeR_Id" AS user_id FROM people) s')
    assert got.column_names == ["user_id"]
    assert sorted(got["user_id"].to_pylist(), key=repr) == sorted(
        reference["uSeR_Id"].to_pylist(), key=repr
    )
    got = _fetch(
        lake["url"],
        'SELECT "USER_ID" FROM (SELECT "USER_ID" FROM people UNION ALL '
        'SELECT "USER_ID" FROM people WHERE user_id > 100) AS u',
    )
    want = reference["USER_ID"].to_pylist()
    want += reference.filter(pc.greater(reference["user_id"], 100))["USER_ID"].to_pylist()
    assert got.column_names == ["USER_ID"]
    assert sorted(got["USER_ID"].to_pylist()) == sorted(want)


def test_filters_use_the_right_column(lake):
    reference = lake["reference"]()
    column = reference.column
    times30 = pc.multiply(column("USER_ID"), 30)
    cases = [
        ("SELECT id FROM people WHERE \"uSeR_Id\" = 'a'", pc.equal(column("uSeR_Id"), "a")),
        ("SELECT id FROM people WHERE user_id >= 300", pc.greater_equal(column("user_id"), 300)),
        ('SELECT id FROM people WHERE "USER_ID" = 8', pc.equal(column("USER_ID"), 8)),
        ("SELECT id FROM people WHERE USER_ID IN (7, 9)", pc.is_in(column("USER_ID"), _ints(7, 9))),
        ('SELECT id FROM people WHERE "uSeR_Id" IS NULL', pc.is_null(column("uSeR_Id"))),
        ("SELECT id FROM people WHERE user_id < USER_ID * 30", pc.less(column("user_id"), times30)),
    ]  # fmt: skip
    for sql, mask in cases:
        _same(_fetch(lake["url"], sql), reference.filter(mask).select(["id"]))
    # a parameter compared with the colliding column, pushed down or not
    got = _fetch(lake["url"], 'SELECT id FROM people WHERE "USER_ID" = ?', [7])
    _same(got, reference.filter(pc.equal(column("USER_ID"), 7)).select(["id"]))


def _ints(*values: int) -> pa.Array:
    return pa.array(values, pa.int64())


def test_order_by_and_aggregates(lake):
    reference = lake["reference"]()
    got = _fetch(
        lake["url"],
        'SELECT id, "uSeR_Id" FROM people WHERE "uSeR_Id" IS NOT NULL ORDER BY "uSeR_Id", id DESC',
    )
    want = reference.filter(pc.is_valid(reference["uSeR_Id"])).sort_by(
        [("uSeR_Id", "ascending"), ("id", "descending")]
    )
    _same(got, _select(want, "id", "uSeR_Id"), ordered=True)

    got = _fetch(
        lake["url"],
        'SELECT "USER_ID", count(*) AS n, sum(user_id) AS total, max("uSeR_Id") AS top '
        'FROM people GROUP BY "USER_ID" ORDER BY "USER_ID"',
    )
    want = (
        reference.group_by("USER_ID")
        .aggregate([("id", "count"), ("user_id", "sum"), ("uSeR_Id", "max")])
        .sort_by("USER_ID")
    )
    assert got.column_names == ["USER_ID", "n", "total", "top"]
    assert got.column("USER_ID").to_pylist() == want.column("USER_ID").to_pylist()
    assert got.column("n").to_pylist() == want.column("id_count").to_pylist()
    assert got.column("total").to_pylist() == want.column("user_id_sum").to_pylist()
    assert got.column("top").to_pylist() == want.column("uSeR_Id_max").to_pylist()


def test_join_on_a_colliding_column(lake):
    reference = lake["reference"]()
    got = _fetch(
        lake["url"],
        "SELECT p.id, o.label FROM people AS p JOIN other AS o ON o.user_id = p.user_id",
    )
    ids = {100: "hundred", 300: "three hundred"}
    pairs = zip(reference["id"].to_pylist(), reference["user_id"].to_pylist(), strict=True)
    want = [(i, ids[u]) for i, u in pairs if u in ids]
    assert sorted(zip(*(c.to_pylist() for c in got.columns), strict=True)) == sorted(want)


def test_ambiguous_spelling_names_the_candidates(lake):
    with pytest.raises(ProgrammingError) as info:
        _fetch(lake["url"], "SELECT User_Id FROM people")
    message = str(info.value)
    for name in ("user_id", "uSeR_Id", "USER_ID"):
        assert f'"{name}"' in message
    with pytest.raises(ProgrammingError, match="uSeR_Id"):
        _fetch(lake["url"], "SELECT id FROM people WHERE \"User_ID\" = 'a'")


def test_errors_name_the_columns_own_spelling(lake):
    """DuckDB's error about a colliding column names it as the table does, never by the
    internal name it is read under."""
    with pytest.raises(ProgrammingError) as info:
        _fetch(lake["url"], 'SELECT "uSeR_Id", count(*) FROM people')
    assert "uSeR_Id" in str(info.value)
    assert "__sqlgate_col" not in str(info.value)


def test_pushdown_prunes_on_the_right_column(lake):
    """A filter on one colliding column prunes by that column's values only: pruning by a
    namesake's values would drop the very files holding the answer."""
    with sqlgate.connect(lake["url"]) as conn:
        cur = conn.cursor()
        cur.execute('SELECT id FROM people WHERE "USER_ID" = 9')
        assert cur.fetchall() == [(5,)]
        by_partition = dict(conn.session.engine.plan_info[0])
        cur.execute("SELECT id FROM people WHERE user_id = 400")
        assert cur.fetchall() == [(4,)]
        cur.execute("SELECT id FROM people WHERE \"uSeR_Id\" = 'c'")
        assert cur.fetchall() == [(3,)]
    if by_partition.get("files_total", 0) > 1:  # partitioned: only USER_ID=9's file is read
        assert by_partition["files_planned"] == 1, by_partition


def test_reflection_lists_every_column(lake):
    engine = sa.create_engine(lake["url"])
    try:
        columns = sa.inspect(engine).get_columns("people")
    finally:
        engine.dispose()
    assert [c["name"] for c in columns] == lake["reference"]().schema.names


def test_tables_without_collisions_are_unchanged(lake):
    """Elsewhere names still match case-insensitively and come back as the table has them."""
    got = _fetch(lake["url"], 'SELECT USER_ID, "LABEL" FROM other ORDER BY 1')
    assert got.to_pylist() == [
        {"user_id": 100, "label": "hundred"},
        {"user_id": 300, "label": "three hundred"},
    ]


def test_delta_writer_refuses_case_colliding_columns(tmp_path):
    """Delta's schemas are case-insensitive: delta-rs refuses such a table outright, so a
    Delta lake never holds one (documented in docs/lakehouse.md)."""
    deltalake = pytest.importorskip("deltalake")
    with pytest.raises(Exception, match=r"(?i)duplicate"):
        deltalake.write_deltalake(str(tmp_path / "people"), DATA)
    assert not (tmp_path / "people" / "_delta_log").exists() or not any(
        (tmp_path / "people" / "_delta_log").glob("*.json")
    )


# ------------------------------------------------------------------------------ more shapes
def _upper_plus_one(ref: pa.Table) -> pa.Table:
    one = pa.scalar(1, ref.schema.field("USER_ID").type)
    upper, plus = pc.utf8_upper(ref["uSeR_Id"]), pc.add(ref["USER_ID"], one)
    return pa.table({"upper(uSeR_Id)": upper, "(USER_ID + 1)": plus})


@pytest.mark.parametrize(
    "sql, expected",
    [
        (
            'SELECT * EXCLUDE ("uSeR_Id", day) FROM people',
            lambda r: _select(r, "id", "user_id", "USER_ID"),
        ),
        (
            'SELECT p.*, q."uSeR_Id" AS other FROM people p JOIN people q ON p.id = q.id',
            lambda r: r.append_column("other", r["uSeR_Id"]),
        ),
        # a relation name inside a string: the engine exposes the tables as views
        (
            'SELECT "uSeR_Id", \'x"__sqlgate_rel_1"\' AS s FROM people',
            lambda r: _select(r, "uSeR_Id").append_column(
                "s", pa.array(['x"__sqlgate_rel_1"'] * len(r))
            ),
        ),
        # expressions are named as DuckDB names them, with the columns' own names
        ('SELECT upper("uSeR_Id"), USER_ID + 1 FROM people', _upper_plus_one),
    ],
)
def test_more_statement_shapes(lake, sql, expected):
    _same(_fetch(lake["url"], sql), expected(lake["reference"]()))


def test_sqlalchemy_core_reads_each_column(lake):
    engine = sa.create_engine(lake["url"])
    try:
        people = sa.Table("people", sa.MetaData(), autoload_with=engine)
        assert [c.name for c in people.columns] == lake["reference"]().schema.names
        query = (
            sa.select(people.c.id, people.c["uSeR_Id"], people.c["USER_ID"])
            .where(people.c["uSeR_Id"] == "a")
            .order_by(people.c.id)
        )
        with engine.connect() as conn:
            rows = [tuple(r) for r in conn.execute(query)]
    finally:
        engine.dispose()
    reference = lake["reference"]()
    want = [
        (r["id"], r["uSeR_Id"], r["USER_ID"])
        for r in sorted(reference.to_pylist(), key=lambda r: r["id"])
        if r["uSeR_Id"] == "a"
    ]
    assert rows == want


# ------------------------------------------------------------------------------ Iceberg: evolution
def test_iceberg_rename_into_a_collision_streams_exactly(tmp_path):
    """A column renamed to differ from another only by case: the table's files no longer say
    its name, so pyiceberg's own reader streams it (an Arrow plan), by field id; an earlier
    snapshot (time travel) has no collision and reads as before."""
    catalog = _catalog(tmp_path)
    table = catalog.create_table(
        "default.evolving", schema=pa.schema([("code", pa.int64()), ("score", pa.string())])
    )
    table.append(pa.table({"code": pa.array([1, 2], pa.int64()), "score": ["x", "y"]}))
    before = table.current_snapshot().snapshot_id
    with table.update_schema() as update:
        update.rename_column("score", "CODE")
    table = catalog.load_table("default.evolving")
    table.append(pa.table({"code": pa.array([3], pa.int64()), "CODE": ["z"]}))
    reference = catalog.load_table("default.evolving").scan().to_arrow()
    url = f"iceberg://{tmp_path}/catalog.db"
    with sqlgate.connect(url) as conn:
        cur = conn.cursor()
        cur.execute("SELECT * FROM evolving")
        _same(cur.fetch_arrow_table(), reference)
        assert conn.session.engine.plan_info[0]["scan"] == "pyiceberg_arrow_stream"
        cur.execute('SELECT "CODE" FROM evolving WHERE code >= 2 ORDER BY code')
        assert cur.fetchall() == [("y",), ("z",)]
        cur.execute(f"SELECT * FROM evolving FOR VERSION AS OF {before} ORDER BY code")
        assert cur.fetchall() == [(1, "x"), (2, "y")]
        assert [d[0] for d in cur.description] == ["code", "score"]


def test_iceberg_empty_table_keeps_every_name(tmp_path):
    catalog = _catalog(tmp_path)
    catalog.create_table("default.people", schema=SCHEMA)
    got = _fetch(f"iceberg://{tmp_path}/catalog.db", "SELECT * FROM people")
    assert got.num_rows == 0 and got.schema.names == SCHEMA.names
