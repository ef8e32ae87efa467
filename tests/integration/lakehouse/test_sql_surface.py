"""The lakehouse sources as users meet them: ``sqlgate.connect(url)`` and ``create_engine(url)``.

Every table is written by the format's own writer (pyiceberg, deltalake, pyarrow) into a tmp
directory, or is a Spark-written Hudi table from ``shared/fixtures/hudi``. Runs on SQLAlchemy
2.x and 1.4; pyiceberg's SQL catalog needs SQLAlchemy 2, so the Iceberg tests skip on 1.4.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import textwrap
import time
import zipfile
from pathlib import Path

import pyarrow as pa
import pytest

pytest.importorskip("duckdb")
pytest.importorskip("deltalake")

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

import sqlgate
from sqlgate.core.sqltypes import MAP, STRUCT
from sqlgate.dialects.timetravel import AsOf, as_of, hudi_changes

SA2 = int(sa.__version__.split(".")[0]) >= 2
HUDI_FIXTURES = Path(os.environ.get("SQLGATE_HUDI_FIXTURES", "/work/shared/fixtures/hudi"))
HUDI_ZIP = HUDI_FIXTURES / "cow_v9_txns_simple_meta.zip"

# Rows of the streaming table: 16 Parquet files of 250k rows, ~140 bytes a row in Arrow.
BIG_FILES, BIG_ROWS_PER_FILE, PAYLOAD = 16, 250_000, 120
BIG_ROWS = BIG_FILES * BIG_ROWS_PER_FILE


def _iceberg_sql_catalog() -> str | None:
    """Why pyiceberg's SQL catalog cannot run here, or None when it can."""
    try:
        import pyiceberg.catalog.sql  # noqa: F401 - needs SQLAlchemy 2 (DeclarativeBase)
    except ImportError as exc:
        return f"pyiceberg's SQL catalog is unavailable: {exc}"
    return None


def _need(reason: str | None) -> None:
    if reason is not None:
        pytest.skip(reason)


# ------------------------------------------------------------------------------ fixtures
SALES = pa.schema(
    [
        ("id", pa.int64()),
        ("region", pa.string()),
        ("amount", pa.float64()),
        ("tags", pa.list_(pa.string())),
        ("attrs", pa.struct([("color", pa.string()), ("size", pa.int32())])),
        ("props", pa.map_(pa.string(), pa.string())),
    ]
)


def _sales(ids, regions, amounts) -> pa.Table:
    return pa.table(
        {
            "id": pa.array(ids, pa.int64()),
            "region": regions,
            "amount": amounts,
            "tags": [[f"t{i}"] for i in ids],
            "attrs": [{"color": "red", "size": i} for i in ids],
            "props": pa.array([[("k", str(i))] for i in ids], pa.map_(pa.string(), pa.string())),
        },
        schema=SALES,
    )


@pytest.fixture(scope="module")
def ice(tmp_path_factory):
    """An Iceberg SQL catalog: default.sales (2 snapshots, partitioned by region, nested
    columns, a comment), default.regions, default.evolving (3 schemas), archive.sales_2023."""
    _need(_iceberg_sql_catalog())
    from pyiceberg.catalog import load_catalog

    base = tmp_path_factory.mktemp("iceberg")
    catalog = load_catalog(
        "default",
        type="sql",
        uri=f"sqlite:///{base}/catalog.db",
        warehouse=f"file://{base}/warehouse",
    )
    catalog.create_namespace("default")
    catalog.create_namespace("archive")
    sales = catalog.create_table(
        "default.sales", schema=SALES, properties={"comment": "Sales facts"}
    )
    with sales.update_spec() as spec:
        spec.add_identity("region")
    with sales.update_schema() as update:
        update.update_column("amount", doc="Amount in EUR")
    sales.append(_sales([1, 2, 3, 4], ["eu", "us", "eu", "apac"], [10.0, 20.0, 30.0, 40.0]))
    s1 = sales.current_snapshot()
    time.sleep(0.05)
    sales.append(_sales([5], ["us"], [50.0]))
    s2 = sales.current_snapshot()

    catalog.create_table(
        "default.regions", schema=pa.schema([("region", pa.string()), ("name", pa.string())])
    ).append(pa.table({"region": ["eu", "us", "apac"], "name": ["Europe", "Americas", "Asia"]}))

    evolving = catalog.create_table(
        "default.evolving",
        schema=pa.schema([("id", pa.int64()), ("a", pa.string()), ("b", pa.int32())]),
    )
    evolving.append(
        pa.table(
            {
                "id": pa.array([1, 2], pa.int64()),
                "a": ["x", "y"],
                "b": pa.array([10, 20], pa.int32()),
            }
        )
    )
    e1 = evolving.current_snapshot().snapshot_id
    from pyiceberg.types import DoubleType

    with evolving.update_schema() as update:
        update.add_column("c", DoubleType())
    evolving.append(
        pa.table(
            {
                "id": pa.array([3], pa.int64()),
                "a": ["z"],
                "b": pa.array([30], pa.int32()),
                "c": [3.5],
            }
        )
    )
    e2 = evolving.current_snapshot().snapshot_id
    with evolving.update_schema() as update:
        update.rename_column("a", "label")
    with evolving.update_schema() as update:
        update.delete_column("b")
    evolving.append(pa.table({"id": pa.array([4], pa.int64()), "label": ["w"], "c": [4.5]}))

    catalog.create_table(
        "archive.sales_2023", schema=pa.schema([("id", pa.int64()), ("amount", pa.float64())])
    ).append(pa.table({"id": pa.array([100], pa.int64()), "amount": [1.0]}))
    return {
        "url": f"iceberg://{base}/catalog.db",
        "catalog": catalog,
        "s1": s1.snapshot_id,
        "s2": s2.snapshot_id,
        "s1_time": dt.datetime.fromtimestamp(s1.timestamp_ms / 1000, dt.timezone.utc),
        "s2_time": dt.datetime.fromtimestamp(s2.timestamp_ms / 1000, dt.timezone.utc),
        "e1": e1,
        "e2": e2,
    }


@pytest.fixture(scope="module")
def delta(tmp_path_factory):
    """A Delta root: orders (v0 3 rows, v1 +1 row, v2 overwrite with one qty changed;
    partitioned by day, described) and customers."""
    from deltalake import DeltaTable, write_deltalake

    root = tmp_path_factory.mktemp("delta")
    schema = pa.schema(
        [("id", pa.int64()), ("customer", pa.string()), ("day", pa.string()), ("qty", pa.int32())]
    )

    def orders(rows):
        return pa.Table.from_pylist(
            [dict(zip(schema.names, r, strict=True)) for r in rows], schema=schema
        )

    v0 = [(1, "c1", "2024-01-01", 10), (2, "c2", "2024-01-01", 20), (3, "c1", "2024-01-02", 30)]
    write_deltalake(
        str(root / "orders"), orders(v0), partition_by=["day"], description="Customer orders"
    )
    time.sleep(0.05)
    write_deltalake(str(root / "orders"), orders([(4, "c3", "2024-01-03", 40)]), mode="append")
    time.sleep(0.05)
    v2 = [(1, "c1", "2024-01-01", 11), *v0[1:], (4, "c3", "2024-01-03", 40)]
    write_deltalake(str(root / "orders"), orders(v2), mode="overwrite")
    write_deltalake(
        str(root / "customers"),
        pa.table({"customer": ["c1", "c2", "c3"], "name": ["Ann", "Bob", "Cy"]}),
    )
    history = sorted(DeltaTable(str(root / "orders")).history(), key=lambda h: h["version"])
    return {
        "url": f"delta://{root}",
        "root": root,
        "times": [
            dt.datetime.fromtimestamp(h["timestamp"] / 1000, dt.timezone.utc) for h in history
        ],
    }


@pytest.fixture(scope="module")
def hudi(tmp_path_factory):
    """The Spark-written ``txns`` table (12 commits: inserts, updates, deletes) as ``txns``."""
    pytest.importorskip("hudi")
    if not HUDI_ZIP.is_file():
        msg = f"Hudi fixture missing: {HUDI_ZIP}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(msg)
        pytest.skip(msg)
    from hudi import HudiTable

    from sqlgate.lakehouse.hudi import commits

    base = tmp_path_factory.mktemp("hudi")
    with zipfile.ZipFile(HUDI_ZIP) as archive:
        archive.extractall(base / "unzipped")
    top = next(p for p in (base / "unzipped").iterdir() if p.name != "__MACOSX")
    (base / "root").mkdir()
    top = top.rename(base / "root" / "txns")  # a symlink out of the root would be refused
    table = HudiTable(str(top))
    return {"url": f"hudi://{base / 'root'}", "table": table, "instants": commits(table)}


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    """A directory of Parquet files: table ``wide``, BIG_ROWS rows of ~140 bytes."""
    import numpy as np
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    root = tmp_path_factory.mktemp("files")
    (root / "wide").mkdir()
    for i in range(BIG_FILES):
        ids = pa.array(
            np.arange(i * BIG_ROWS_PER_FILE, (i + 1) * BIG_ROWS_PER_FILE, dtype=np.int64)
        )
        payload = pc.utf8_lpad(pc.cast(ids, pa.string()), PAYLOAD, "x")
        pq.write_table(
            pa.table({"id": ids, "value": pc.multiply(ids, 0.5), "payload": payload}),
            root / "wide" / f"part-{i:02d}.parquet",
            row_group_size=65_536,
        )
    return {"url": f"file://{root}?format=parquet", "root": root}


def _all(conn, sql, params=None):
    cur = conn.cursor()
    cur.execute(sql, params)
    return cur.fetchall()


# ------------------------------------------------------------------ time travel: SQL text
def test_iceberg_time_travel_dbapi(ice):
    with sqlgate.connect(ice["url"]) as conn:
        assert len(_all(conn, "SELECT id FROM sales")) == 5
        assert sorted(_all(conn, f"SELECT id FROM sales FOR VERSION AS OF {ice['s1']}")) == [
            (1,),
            (2,),
            (3,),
            (4,),
        ]
        got = _all(
            conn, "SELECT id FROM default.sales FOR VERSION AS OF ? WHERE id > ?", [ice["s1"], 2]
        )
        assert sorted(got) == [(3,), (4,)]
        between = ice["s1_time"] + (ice["s2_time"] - ice["s1_time"]) / 2
        got = _all(conn, "SELECT count(*) FROM sales FOR TIMESTAMP AS OF ?", [between])
        assert got == [(4,)]
        got = _all(
            conn, f"SELECT count(*) FROM sales FOR TIMESTAMP AS OF '{ice['s2_time'].isoformat()}'"
        )
        assert got == [(5,)]


def test_system_version_spelling(delta):
    with sqlgate.connect(delta["url"]) as conn:
        assert _all(conn, "SELECT count(*) FROM orders FOR SYSTEM_VERSION AS OF 0") == [(3,)]


def test_delta_time_travel_dbapi(delta):
    with sqlgate.connect(delta["url"]) as conn:
        assert _all(conn, "SELECT count(*) FROM orders FOR VERSION AS OF 0") == [(3,)]
        assert _all(conn, "SELECT count(*) FROM orders FOR VERSION AS OF ?", [1]) == [(4,)]
        assert _all(conn, "SELECT qty FROM orders FOR VERSION AS OF 1 WHERE id = 1") == [(10,)]
        assert _all(conn, "SELECT qty FROM orders WHERE id = 1") == [(11,)]
        t0, t1, _ = delta["times"]
        got = _all(conn, "SELECT count(*) FROM orders FOR TIMESTAMP AS OF ?", [t0 + (t1 - t0) / 2])
        assert got == [(3,)]


def test_hudi_time_travel_and_changes_dbapi(hudi):
    from hudi import HudiQueryType, HudiReadOptions

    table, instants = hudi["table"], hudi["instants"]
    assert len(instants) >= 3
    with sqlgate.connect(hudi["url"]) as conn:
        for instant in (instants[0], instants[len(instants) // 2], instants[-1]):
            want = sum(
                b.num_rows for b in table.read(HudiReadOptions().with_as_of_timestamp(instant))
            )
            got = _all(conn, "SELECT count(*) FROM txns FOR VERSION AS OF ?", [instant])
            assert got == [(want,)], instant
        assert _all(conn, "SELECT count(*) FROM txns") == [(sum(b.num_rows for b in table.read()),)]
        start, end = instants[1], instants[4]
        opts = (
            HudiReadOptions()
            .with_query_type(HudiQueryType.Incremental)
            .with_start_timestamp(start)
            .with_end_timestamp(end)
        )
        want = sorted(r["txn_id"] for b in table.read(opts) for r in b.to_pylist())
        got = _all(conn, "SELECT txn_id FROM hudi_changes('main.txns', ?, ?)", [start, end])
        assert sorted(r[0] for r in got) == want


# ------------------------------------------------------------ time travel: SQLAlchemy
def _sales_table(md: sa.MetaData, schema: str | None = None) -> sa.Table:
    return sa.Table(
        "sales",
        md,
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("region", sa.String),
        sa.Column("amount", sa.Float),
        schema=schema,
    )


def _orders_table(md: sa.MetaData) -> sa.Table:
    return sa.Table(
        "orders",
        md,
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("customer", sa.String),
        sa.Column("day", sa.String),
        sa.Column("qty", sa.Integer),
    )


def test_text_time_travel_through_engine(ice, delta):
    engine = sa.create_engine(ice["url"])
    with engine.connect() as conn:
        got = conn.execute(
            sa.text("SELECT count(*) FROM sales FOR VERSION AS OF :v"), {"v": ice["s1"]}
        ).scalar()
        assert got == 4
    engine.dispose()
    engine = sa.create_engine(delta["url"])
    with engine.connect() as conn:
        assert (
            conn.execute(
                sa.text("SELECT count(*) FROM orders FOR VERSION AS OF :v"), {"v": 0}
            ).scalar()
            == 3
        )
    engine.dispose()


def test_as_of_core_iceberg(ice):
    sales = _sales_table(sa.MetaData())
    engine = sa.create_engine(ice["url"])
    with engine.connect() as conn:
        v1 = as_of(sales, version=ice["s1"])
        assert sorted(conn.execute(sa.select(v1.c.id)).scalars()) == [1, 2, 3, 4]
        # the snapshot stands in for the table: the table's own columns read it
        stmt = sa.select(sales.c.id).select_from(v1).where(sales.c.amount > 15)
        assert sorted(conn.execute(stmt).scalars()) == [2, 3, 4]
        got = conn.execute(
            sa.select(sa.func.count()).select_from(
                as_of(sales, timestamp=ice["s1_time"] + dt.timedelta(milliseconds=1))
            )
        ).scalar()
        assert got == 4
        # one cached compilation serves every version; the version is a bound parameter
        stmt = lambda v: sa.select(sa.func.count()).select_from(as_of(sales, version=v))  # noqa: E731
        r1 = conn.execute(stmt(ice["s1"]))
        n1 = r1.scalar()
        r2 = conn.execute(stmt(ice["s2"]))
        assert (n1, r2.scalar()) == (4, 5)
        assert r1.context.compiled is r2.context.compiled
        # a snapshot joined to the current table; and to another table of the catalog
        old = as_of(sales, version=ice["s1"]).alias("old")
        stmt = (
            sa.select(old.c.id, sales.c.id.label("now"))
            .join_from(sales, old, old.c.id == sales.c.id, isouter=True)
            .order_by(sales.c.id)
        )
        assert conn.execute(stmt).fetchall() == [(1, 1), (2, 2), (3, 3), (4, 4), (None, 5)]
        regions = sa.Table(
            "regions", sa.MetaData(), sa.Column("region", sa.String), sa.Column("name", sa.String)
        )
        stmt = (
            sa.select(regions.c.name, sa.func.sum(v1.c.amount))
            .join_from(v1, regions, v1.c.region == regions.c.region)
            .group_by(regions.c.name)
            .order_by(regions.c.name)
        )
        assert conn.execute(stmt).fetchall() == [
            ("Americas", 20.0),
            ("Asia", 40.0),
            ("Europe", 40.0),
        ]
    engine.dispose()


def test_as_of_core_delta(delta):
    orders = _orders_table(sa.MetaData())
    engine = sa.create_engine(delta["url"])
    with engine.connect() as conn:
        v0 = as_of(orders, version=0)
        assert conn.execute(sa.select(sa.func.count()).select_from(v0)).scalar() == 3
        assert (
            conn.execute(
                sa.select(orders.c.qty)
                .select_from(as_of(orders, version=1))
                .where(orders.c.id == 1)
            ).scalar()
            == 10
        )
        # what changed between version 0 and now: two snapshots of one table, joined
        old = as_of(orders, version=0).alias("before")
        stmt = (
            sa.select(orders.c.id, old.c.qty, orders.c.qty)
            .join_from(orders, old, old.c.id == orders.c.id, isouter=True)
            .where(sa.or_(old.c.id.is_(None), old.c.qty != orders.c.qty))
            .order_by(orders.c.id)
        )
        assert conn.execute(stmt).fetchall() == [(1, 10, 11), (4, None, 40)]
        t0, t1, _ = delta["times"]
        got = conn.execute(
            sa.select(sa.func.count()).select_from(as_of(orders, timestamp=t0 + (t1 - t0) / 2))
        ).scalar()
        assert got == 3
        customers = sa.Table(
            "customers",
            sa.MetaData(),
            sa.Column("customer", sa.String),
            sa.Column("name", sa.String),
        )
        stmt = (
            sa.select(customers.c.name, sa.func.sum(v0.c.qty).label("qty"))
            .join_from(v0, customers, v0.c.customer == customers.c.customer)
            .group_by(customers.c.name)
            .order_by(customers.c.name)
        )
        assert conn.execute(stmt).fetchall() == [("Ann", 40), ("Bob", 20)]
        bound = sa.select(sa.func.count()).select_from(as_of(orders, version=sa.bindparam("v")))
        assert [conn.execute(bound, {"v": v}).scalar() for v in (0, 1, 2)] == [3, 4, 4]
    engine.dispose()


def test_as_of_orm(delta):
    from sqlalchemy.orm import Session, aliased, registry

    reg = registry()

    class Order:
        pass

    reg.map_imperatively(Order, _orders_table(reg.metadata))
    engine = sa.create_engine(delta["url"])
    with Session(engine) as session:
        snapshot = (
            session.execute(
                sa.select(Order).select_from(as_of(Order, version=0)).order_by(Order.id)
            )
            .scalars()
            .all()
        )
        assert [(o.id, o.qty) for o in snapshot] == [(1, 10), (2, 20), (3, 30)]
        old = aliased(Order, as_of(Order, version=0).alias("old"))
        rows = session.execute(
            sa.select(Order.id, old.qty, Order.qty)
            .join(old, old.id == Order.id)
            .where(old.qty != Order.qty)
        ).all()
        assert [tuple(r) for r in rows] == [(1, 10, 11)]
        legacy = session.query(old).order_by(old.id).all()
        assert [o.qty for o in legacy] == [10, 20, 30]
    engine.dispose()


def test_as_of_and_changes_hudi(hudi):
    instants = hudi["instants"]
    txns = sa.Table(
        "txns",
        sa.MetaData(),
        sa.Column("txn_id", sa.String),
        sa.Column("amount", sa.Numeric(15, 2)),
        sa.Column("region", sa.String),
    )
    engine = sa.create_engine(hudi["url"])
    with sqlgate.connect(hudi["url"]) as raw, engine.connect() as conn:
        for instant in (instants[0], instants[-1]):
            want = _all(raw, "SELECT count(*) FROM txns FOR VERSION AS OF ?", [instant])[0][0]
            got = conn.execute(
                sa.select(sa.func.count()).select_from(as_of(txns, version=instant))
            ).scalar()
            assert got == want
        start, end = instants[1], instants[4]
        want = sorted(_all(raw, "SELECT txn_id FROM hudi_changes('txns', ?, ?)", [start, end]))
        changes = hudi_changes(txns, start, end)
        got = conn.execute(sa.select(changes.c.txn_id)).fetchall()
        assert sorted(tuple(r) for r in got) == want
        everything_after = hudi_changes(txns, instants[-2])
        assert (
            conn.execute(sa.select(sa.func.count()).select_from(everything_after)).scalar()
            == _all(raw, "SELECT count(*) FROM hudi_changes('txns', ?)", [instants[-2]])[0][0]
        )
        by_name = hudi_changes("main.txns", start, end, columns=["txn_id"])
        assert sorted(tuple(r) for r in conn.execute(sa.select(by_name.c.txn_id))) == want
    engine.dispose()


def test_as_of_compiles_only_on_lakehouse_dialects():
    from sqlalchemy.dialects import postgresql, sqlite

    from sqlgate.dialects.delta import DeltaDialect

    t = sa.Table("t", sa.MetaData(), sa.Column("id", sa.Integer), schema="db")
    stmt = sa.select(as_of(t, version=3))
    for dialect in (postgresql.dialect(), sqlite.dialect()):
        with pytest.raises(sa_exc.CompileError, match="lakehouse"):
            stmt.compile(dialect=dialect)
        with pytest.raises(sa_exc.CompileError, match="lakehouse"):
            sa.select(hudi_changes(t, "1")).compile(dialect=dialect)
    assert "FOR VERSION AS OF" in str(stmt)  # str() renders, for reading
    compiled = stmt.compile(dialect=DeltaDialect())
    assert " ".join(str(compiled).split()) == "SELECT t.id FROM db.t FOR VERSION AS OF ? AS t"
    literal = stmt.compile(dialect=DeltaDialect(), compile_kwargs={"literal_binds": True})
    assert "FOR VERSION AS OF 3 AS t" in str(literal)
    stamp = sa.select(as_of(t, timestamp="2024-01-01").alias()).compile(dialect=DeltaDialect())
    assert "FROM db.t FOR TIMESTAMP AS OF ? AS t_1" in " ".join(str(stamp).split())


def test_as_of_construct_contract():
    t = sa.Table("t", sa.MetaData(), sa.Column("id", sa.Integer), sa.Column("x", sa.String))
    a = as_of(t, version=1)
    assert isinstance(a, AsOf) and a.c.keys() == ["id", "x"]
    assert a.corresponding_column(t.c.id) is a.c.id and a.is_derived_from(t)
    key = lambda s: s._generate_cache_key()  # noqa: E731
    same = [key(sa.select(as_of(t, version=v))) for v in (1, 2)]
    assert same[0] == same[1] and [b.value for b in same[1].bindparams] == [2]
    assert key(sa.select(as_of(t, version=1))) != key(sa.select(as_of(t, timestamp="2024")))
    assert key(sa.select(a)) != key(sa.select(a.alias("other")))
    alias = a.alias("old")
    assert isinstance(alias, AsOf) and alias.name == "old" and alias.value is a.value
    for bad in (
        lambda: as_of(t),
        lambda: as_of(t, version=1, timestamp="2024"),
        lambda: as_of(t.alias("x"), version=1),
        lambda: as_of(t, version=1.5),
        lambda: as_of(t, version=True),
        lambda: as_of(t, timestamp=object()),
    ):
        with pytest.raises(sa_exc.ArgumentError):
            bad()


# ------------------------------------------------------------------------------- pandas
def test_pandas_read_sql(ice, delta):
    pd = pytest.importorskip("pandas")
    engine = sa.create_engine(delta["url"])
    orders = _orders_table(sa.MetaData())
    df = pd.read_sql(sa.select(orders).order_by(orders.c.id), engine)
    assert list(df.columns) == ["id", "customer", "day", "qty"] and len(df) == 4
    old = pd.read_sql(sa.select(as_of(orders, version=0)), engine)
    assert sorted(old["id"]) == [1, 2, 3]
    with engine.connect() as conn:
        df = pd.read_sql(
            sa.text("SELECT * FROM orders FOR VERSION AS OF :v"), conn, params={"v": 1}
        )
    assert len(df) == 4 and int(df.loc[df.id == 1, "qty"].iloc[0]) == 10
    engine.dispose()
    engine = sa.create_engine(ice["url"])
    df = pd.read_sql(
        sa.text(
            "SELECT s.id, r.name FROM sales s JOIN regions r ON s.region = r.region ORDER BY s.id"
        ),
        engine,
    )
    assert df.to_dict("list") == {
        "id": [1, 2, 3, 4, 5],
        "name": ["Europe", "Americas", "Europe", "Asia", "Americas"],
    }
    engine.dispose()


# ---------------------------------------------------------------------------- inspector
def test_inspector_iceberg(ice):
    engine = sa.create_engine(ice["url"])
    insp = sa.inspect(engine)
    assert insp.get_schema_names() == ["archive", "default"]
    assert insp.default_schema_name == "default"
    assert insp.get_table_names() == ["evolving", "regions", "sales"]
    assert insp.get_table_names(schema="archive") == ["sales_2023"]
    assert insp.has_table("sales") and not insp.has_table("nope")
    cols = {c["name"]: c for c in insp.get_columns("sales")}
    assert list(cols) == SALES.names
    assert isinstance(cols["id"]["type"], sa.BigInteger)
    assert isinstance(cols["region"]["type"], sa.String)
    assert isinstance(cols["amount"]["type"], sa.Float)
    assert cols["amount"]["comment"] == "Amount in EUR"
    tags = cols["tags"]["type"]
    assert isinstance(tags, sa.ARRAY) and isinstance(tags.item_type, sa.String)
    attrs = cols["attrs"]["type"]
    assert isinstance(attrs, STRUCT)
    assert [(name, type(t)) for name, t in attrs.fields] == [
        ("color", sa.String),
        ("size", sa.Integer),
    ]
    props = cols["props"]["type"]
    assert isinstance(props, MAP)
    assert isinstance(props.key_type, sa.String) and isinstance(props.value_type, sa.String)
    assert insp.get_indexes("sales") == [
        {"name": "partition", "column_names": ["region"], "unique": False}
    ]
    assert insp.get_indexes("regions") == []
    assert insp.get_table_comment("sales") == {"text": "Sales facts"}
    options = insp.get_table_options("sales")
    assert options["iceberg_format-version"] == "2"
    assert options["iceberg_current-snapshot-id"] == str(ice["s2"])
    assert insp.get_pk_constraint("sales")["constrained_columns"] == []
    assert insp.get_foreign_keys("sales") == [] and insp.get_view_names() == []
    with pytest.raises(sa_exc.NoSuchTableError):
        insp.get_columns("nope")
    engine.dispose()


def test_inspector_delta_and_hudi(delta, hudi):
    engine = sa.create_engine(delta["url"])
    insp = sa.inspect(engine)
    assert insp.get_schema_names() == ["main"]
    assert insp.get_table_names() == ["customers", "orders"]
    assert [c["name"] for c in insp.get_columns("orders")] == ["id", "customer", "day", "qty"]
    assert insp.get_indexes("orders")[0]["column_names"] == ["day"]
    assert insp.get_table_options("orders")["delta_version"] == "2"
    engine.dispose()
    engine = sa.create_engine(hudi["url"])
    insp = sa.inspect(engine)
    assert insp.get_table_names() == ["txns"]
    cols = {c["name"]: c["type"] for c in insp.get_columns("txns")}
    assert isinstance(cols["amount"], sa.Numeric) and cols["amount"].scale == 2
    assert isinstance(cols["txn_datetime"], sa.DateTime) and cols["txn_datetime"].timezone
    assert insp.get_indexes("txns") == [
        {"name": "partition", "column_names": ["region"], "unique": False}
    ]
    engine.dispose()


def test_delta_table_comment(delta):
    engine = sa.create_engine(delta["url"])
    assert sa.inspect(engine).get_table_comment("orders") == {"text": "Customer orders"}
    engine.dispose()


def test_table_autoload(delta):
    engine = sa.create_engine(delta["url"])
    orders = sa.Table("orders", sa.MetaData(), autoload_with=engine)
    assert orders.c.keys() == ["id", "customer", "day", "qty"]
    with engine.connect() as conn:
        assert (
            conn.execute(sa.select(sa.func.count()).select_from(as_of(orders, version=0))).scalar()
            == 3
        )
    engine.dispose()


def test_schema_cache_ttl_and_invalidation(tmp_path):
    _need(_iceberg_sql_catalog())
    from pyiceberg.catalog import load_catalog

    catalog = load_catalog(
        "default",
        type="sql",
        uri=f"sqlite:///{tmp_path}/catalog.db",
        warehouse=f"file://{tmp_path}/warehouse",
    )
    catalog.create_namespace("default")
    first = catalog.create_table("default.first", schema=pa.schema([("id", pa.int64())]))
    cached = sa.create_engine(f"iceberg://{tmp_path}/catalog.db?schema_cache_ttl=3600")
    short = sa.create_engine(f"iceberg://{tmp_path}/catalog.db?schema_cache_ttl=0.3")
    assert sa.inspect(cached).get_table_names() == ["first"]
    assert [c["name"] for c in sa.inspect(cached).get_columns("first")] == ["id"]
    assert sa.inspect(short).get_table_names() == ["first"]
    catalog.create_table("default.second", schema=pa.schema([("id", pa.int64())]))
    from pyiceberg.types import StringType

    with first.update_schema() as update:
        update.add_column("name", StringType())
    # a fresh Inspector each time: only the dialect's cache can hide the change
    assert sa.inspect(cached).get_table_names() == ["first"]
    assert [c["name"] for c in sa.inspect(cached).get_columns("first")] == ["id"]
    time.sleep(0.4)
    assert sa.inspect(short).get_table_names() == ["first", "second"]
    assert sa.inspect(cached).get_table_names() == ["first"]  # a long TTL has not expired
    cached.dialect.invalidate_schema_cache()
    assert sa.inspect(cached).get_table_names() == ["first", "second"]
    assert [c["name"] for c in sa.inspect(cached).get_columns("first")] == ["id", "name"]
    cached.dispose()
    short.dispose()


# ------------------------------------------------------------------------ schema evolution
def test_iceberg_schema_evolution(ice):
    with sqlgate.connect(ice["url"]) as conn:
        cur = conn.cursor()
        cur.execute("SELECT * FROM evolving FOR VERSION AS OF ? ORDER BY id", [ice["e1"]])
        assert [d[0] for d in cur.description] == ["id", "a", "b"]
        assert cur.fetchall() == [(1, "x", 10), (2, "y", 20)]
        cur.execute("SELECT * FROM evolving FOR VERSION AS OF ? ORDER BY id", [ice["e2"]])
        assert [d[0] for d in cur.description] == ["id", "a", "b", "c"]
        assert cur.fetchall() == [(1, "x", 10, None), (2, "y", 20, None), (3, "z", 30, 3.5)]
        cur.execute("SELECT * FROM evolving ORDER BY id")
        assert [d[0] for d in cur.description] == ["id", "label", "c"]
        assert cur.fetchall() == [(1, "x", None), (2, "y", None), (3, "z", 3.5), (4, "w", 4.5)]
        with pytest.raises(sqlgate.ProgrammingError):
            cur.execute("SELECT b FROM evolving")  # dropped: gone from the current schema
        cur.execute("SELECT a FROM evolving FOR VERSION AS OF ? ORDER BY id", [ice["e1"]])
        assert cur.fetchall() == [("x",), ("y",)]
    engine = sa.create_engine(ice["url"])
    assert [c["name"] for c in sa.inspect(engine).get_columns("evolving")] == ["id", "label", "c"]
    engine.dispose()


# -------------------------------------------------------------------------------- joins
def test_join_two_tables_of_one_catalog(ice):
    with sqlgate.connect(ice["url"]) as conn:
        got = _all(
            conn,
            "SELECT r.name, count(*), sum(s.amount) FROM default.sales s "
            "JOIN default.regions r ON s.region = r.region "
            "WHERE s.amount > ? GROUP BY r.name ORDER BY r.name",
            [5],
        )
        assert got == [("Americas", 2, 70.0), ("Asia", 1, 40.0), ("Europe", 2, 40.0)]
        got = _all(
            conn, "SELECT count(*) FROM default.sales s JOIN archive.sales_2023 a ON a.id > s.id"
        )
        assert got == [(5,)]
    sales, regions = (
        _sales_table(sa.MetaData()),
        sa.Table(
            "regions", sa.MetaData(), sa.Column("region", sa.String), sa.Column("name", sa.String)
        ),
    )
    engine = sa.create_engine(ice["url"])
    with engine.connect() as conn:
        stmt = (
            sa.select(regions.c.name, sa.func.count().label("n"))
            .join_from(sales, regions, sales.c.region == regions.c.region)
            .group_by(regions.c.name)
            .order_by(regions.c.name)
        )
        assert conn.execute(stmt).fetchall() == [("Americas", 2), ("Asia", 1), ("Europe", 2)]
    engine.dispose()


def test_schema_qualified_core_columns(ice):
    archive = sa.Table(
        "sales_2023",
        sa.MetaData(),
        sa.Column("id", sa.BigInteger),
        sa.Column("amount", sa.Float),
        schema="archive",
    )
    sales = _sales_table(sa.MetaData(), schema="default")
    engine = sa.create_engine(ice["url"])
    with engine.connect() as conn:
        assert conn.execute(sa.select(archive.c.id).where(archive.c.amount > 0)).fetchall() == [
            (100,)
        ]
        stmt = sa.select(sales.c.id).select_from(as_of(sales, version=ice["s1"]))
        assert sorted(conn.execute(stmt).scalars()) == [1, 2, 3, 4]
    engine.dispose()


# --------------------------------------------------------------------- streaming memory
_STREAM = textwrap.dedent("""
    import json, sys
    import sqlgate

    def hwm_kb():
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])

    url, mode = sys.argv[1], sys.argv[2]
    conn = sqlgate.connect(url)
    cur = conn.cursor()
    cur.execute("SELECT * FROM wide LIMIT 10")  # warm up DuckDB and the dataset reader
    cur.fetchall()
    before = hwm_kb()
    cur.execute("SELECT id, value, payload FROM wide")
    rows = nbytes = total = 0
    if mode == "fetchmany":
        while True:
            chunk = cur.fetchmany(10_000)
            if not chunk:
                break
            rows += len(chunk)
            total += sum(r[0] for r in chunk)
    else:
        for batch in cur.fetch_record_batch(65_536):
            rows += batch.num_rows
            nbytes += batch.nbytes
            total += batch.column(0).to_numpy().sum()
    print(json.dumps({"before_kb": before, "after_kb": hwm_kb(), "rows": rows,
                      "arrow_bytes": nbytes, "id_sum": int(total)}))
""")


@pytest.mark.parametrize("mode", ["fetchmany", "fetch_record_batch"])
def test_streaming_keeps_memory_bounded(big, mode):
    if not Path("/proc/self/status").exists():
        pytest.skip("needs /proc/self/status (Linux) to read the peak RSS")
    out = subprocess.run(
        [sys.executable, "-c", _STREAM, big["url"], mode],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    stats = json.loads(out.stdout.strip().splitlines()[-1])
    assert stats["rows"] == BIG_ROWS
    assert stats["id_sum"] == BIG_ROWS * (BIG_ROWS - 1) // 2
    result_bytes = BIG_ROWS * (8 + 8 + 4 + PAYLOAD)  # the result as Arrow: ~560 MB
    if mode == "fetch_record_batch":
        assert stats["arrow_bytes"] >= result_bytes
    growth = (stats["after_kb"] - stats["before_kb"]) * 1024
    print(
        f"{mode}: {BIG_ROWS} rows, result {result_bytes / 2**20:.0f} MiB, "
        f"peak RSS growth {growth / 2**20:.0f} MiB"
    )
    assert growth < result_bytes * 0.4, stats


def test_fetch_methods_agree(big):
    with sqlgate.connect(big["url"]) as conn:
        cur = conn.cursor()
        cur.execute("SELECT id, payload FROM wide WHERE id < ? ORDER BY id", [150_000])
        reader = cur.fetch_record_batch(10_000)
        assert reader.schema.names == ["id", "payload"]
        batches = list(reader)
        assert max(b.num_rows for b in batches) <= 10_000
        assert sum(b.num_rows for b in batches) == 150_000
        assert cur.fetchall() == []
        cur.execute("SELECT id FROM wide WHERE id < ? ORDER BY id", [100_000])
        assert cur.fetchone() == (0,)
        assert cur.fetchmany(3) == [(1,), (2,), (3,)]
        assert cur.fetch_arrow_table().column("id").to_pylist() == list(range(4, 100_000))
        cur.execute("SELECT id FROM wide WHERE id BETWEEN 10 AND 19")
        assert cur.fetch_df()["id"].tolist() == list(range(10, 20))


def test_fetch_record_batch_after_fetchone_respects_batch_size(big):
    with sqlgate.connect(big["url"]) as conn:
        cur = conn.cursor()
        cur.execute("SELECT id FROM wide WHERE id < ? ORDER BY id", [100_000])
        assert cur.fetchone() == (0,)
        sizes = [b.num_rows for b in cur.fetch_record_batch(1_000)]
        assert sum(sizes) == 100_000 - 1 and max(sizes) <= 1_000


def test_two_open_cursors(delta):
    with sqlgate.connect(delta["url"]) as conn:
        first, second = conn.cursor(), conn.cursor()
        first.execute("SELECT id FROM orders ORDER BY id")
        assert first.fetchone() == (1,)
        second.execute("SELECT count(*) FROM customers")
        assert second.fetchall() == [(3,)]
        assert first.fetchall() == [(2,), (3,), (4,)]


# ------------------------------------------------------------------------------ read-only
REFUSED = [
    "INSERT INTO orders VALUES (9, 'c9', '2024-01-09', 90)",
    "UPDATE orders SET qty = 0",
    "DELETE FROM orders",
    "MERGE INTO orders o USING customers c ON o.customer = c.customer WHEN MATCHED THEN DELETE",
    "CREATE TABLE x AS SELECT * FROM orders",
    "CREATE VIEW v AS SELECT 1",
    "DROP TABLE orders",
    "ALTER TABLE orders ADD COLUMN z INT",
    "TRUNCATE orders",
    "COPY orders TO '{tmp}/leak.csv'",
    "COPY (SELECT * FROM orders) TO '{tmp}/leak.parquet' (FORMAT PARQUET)",
    "EXPORT DATABASE '{tmp}/export'",
    "ATTACH '{tmp}/other.duckdb' AS other",
    "INSTALL httpfs",
    "LOAD httpfs",
    "PRAGMA version",
    "SET threads = 1",
    "CALL pragma_version()",
    "SELECT 1; DROP TABLE orders",
    "SELECT * FROM read_csv('/etc/passwd')",
    "SELECT * FROM read_csv_auto('/etc/passwd')",
    "SELECT * FROM read_text('/etc/passwd')",
    "SELECT * FROM read_parquet('{tmp}/x.parquet')",
    "SELECT * FROM glob('/etc/*')",
    "SELECT * FROM '/etc/passwd'",
    "SELECT (SELECT count(*) FROM read_blob('/etc/passwd'))",
    "WITH x AS (SELECT * FROM read_csv('/etc/passwd')) SELECT * FROM x",
    "SELECT * FROM orders UNION ALL SELECT * FROM read_json('/etc/passwd')",
    "SELECT * FROM query('SELECT 1')",
    "SELECT * FROM duckdb_settings()",
]


@pytest.mark.parametrize("sql", REFUSED)
def test_read_only_refusals(delta, tmp_path, sql):
    sql = sql.format(tmp=tmp_path)
    with sqlgate.connect(delta["url"]) as conn:
        with pytest.raises(sqlgate.ProgrammingError) as info:
            conn.cursor().execute(sql)
        assert isinstance(info.value, (sqlgate.ReadOnlyError, sqlgate.ProgrammingError))
        assert _all(conn, "SELECT count(*) FROM orders") == [(4,)]
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM orders, LATERAL read_csv('/etc/passwd')",
        "SELECT * FROM orders CROSS JOIN LATERAL read_text('/etc/passwd')",
        "SELECT * FROM orders, LATERAL glob('/etc/*')",
    ],
)
def test_read_only_refuses_lateral_table_functions(delta, sql):
    with sqlgate.connect(delta["url"]) as conn, pytest.raises(sqlgate.ProgrammingError):
        conn.cursor().execute(sql)


def test_read_only_through_sqlalchemy(delta):
    engine = sa.create_engine(delta["url"])
    with engine.connect() as conn:
        for sql in ("DROP TABLE orders", "SELECT * FROM read_csv('/etc/passwd')"):
            with pytest.raises(sa_exc.ProgrammingError) as info:
                conn.execute(sa.text(sql))
            assert isinstance(info.value.orig, sqlgate.ProgrammingError)
        with pytest.raises(sa_exc.DBAPIError) as info:
            conn.execute(sa.text("DROP TABLE orders"))
        assert isinstance(info.value.orig, sqlgate.ReadOnlyError)
        assert conn.execute(sa.text("SELECT count(*) FROM orders")).scalar() == 4
    engine.dispose()


# ------------------------------------------------------------------------------ bad input
def test_bad_input_errors(ice, delta, hudi, tmp_path):
    with sqlgate.connect(ice["url"]) as conn:
        cur = conn.cursor()
        for sql, params, match in [
            ("SELECT * FROM nope", None, "does not exist"),
            ("SELECT * FROM nowhere.sales", None, "does not exist"),
            ("SELECT * FROM sales FOR VERSION AS OF 12345", None, "no snapshot 12345"),
            ("SELECT * FROM sales FOR VERSION AS OF ?", ["no-such-branch"], "no snapshot"),
            ("SELECT * FROM sales FOR TIMESTAMP AS OF '2001-01-01'", None, "no snapshot"),
            ("SELECT * FROM sales FOR TIMESTAMP AS OF 'yesterday'", None, "cannot parse"),
            ("SELECT * FROM sales WHERE id = ?", None, "missing value for parameter 1"),
            ("SELECT * FROM sales WHERE id = ? AND region = ?", [1], "parameter 2"),
            ("SELECT * FROM sales FOR VERSION AS OF ?", [], "parameter 1"),
            ("SELECT * FROM sales WHERE id = ?", {"id": 1}, "sequence"),
            ("SELEC * FROM sales", None, "SELEC"),
            ("SELECT no_such_column FROM sales", None, "no_such_column"),
        ]:
            with pytest.raises(sqlgate.ProgrammingError, match=match):
                cur.execute(sql, params)
    with sqlgate.connect(delta["url"]) as conn:
        cur = conn.cursor()
        with pytest.raises(sqlgate.ProgrammingError, match="no version 9"):
            cur.execute("SELECT * FROM orders FOR VERSION AS OF 9")
        with pytest.raises(sqlgate.ProgrammingError, match="before the first commit"):
            cur.execute("SELECT * FROM orders FOR TIMESTAMP AS OF '2001-01-01'")
        with pytest.raises(sqlgate.ProgrammingError, match="does not exist"):
            cur.execute("SELECT * FROM missing")
    with sqlgate.connect(hudi["url"]) as conn:
        cur = conn.cursor()
        with pytest.raises(sqlgate.ProgrammingError, match="no completed instant"):
            cur.execute("SELECT * FROM txns FOR VERSION AS OF '19990101000000000'")
        with pytest.raises(sqlgate.ProgrammingError, match="before"):
            cur.execute("SELECT * FROM txns FOR TIMESTAMP AS OF '2001-01-01 00:00:00'")
    # corrupt data files: a clear DatabaseError naming the file, never a crash
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "part-0.parquet").write_bytes(b"PAR1 this is not parquet PAR1")
    with (
        sqlgate.connect(f"file://{tmp_path}?format=parquet") as conn,
        pytest.raises(sqlgate.DatabaseError, match=r"part-0\.parquet"),
    ):
        _all(conn, "SELECT * FROM broken")


def test_corrupt_delta_data_file(delta, tmp_path):
    import shutil

    root = tmp_path / "copy"
    shutil.copytree(delta["root"], root)
    for victim in (root / "orders").rglob("*.parquet"):
        victim.write_bytes(os.urandom(256))
    with sqlgate.connect(f"delta://{root}") as conn:
        with pytest.raises(sqlgate.DatabaseError, match=r"(?i)magic bytes|parquet"):
            _all(conn, "SELECT * FROM orders FOR VERSION AS OF 0")
        assert _all(conn, "SELECT count(*) FROM customers") == [(3,)]  # the rest still works


@pytest.mark.parametrize(
    "sql, params",
    [
        ("SELECT count(*) FROM orders WHERE id = ?", [1, 2]),
        ("SELECT count(*) FROM orders", [1]),
        ("SELECT count(*) FROM orders FOR VERSION AS OF ?", [0, 1]),
    ],
)
def test_surplus_parameters_are_refused(delta, sql, params):
    with sqlgate.connect(delta["url"]) as conn, pytest.raises(sqlgate.ProgrammingError):
        conn.cursor().execute(sql, params)
