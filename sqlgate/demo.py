"""A local lakehouse in a directory, queried with SQLAlchemy and pandas: ``python -m sqlgate.demo``.

Builds, in ``--dir`` (default ``./demo-lakehouse``, recreated on every run):

* ``iceberg/`` an Iceberg SQL catalog (SQLite) with ``orders``, partitioned by region, in two
  snapshots (4 orders, then 2 more);
* ``delta/`` a Delta table ``customers`` in two versions (version 1 upgrades one customer and
  adds another);
* ``files/events/day=…/`` date-partitioned Parquet files.

Then it reads them back with ``create_engine("iceberg:///…")``, ``create_engine("delta:///…")``
and ``create_engine("file:///…")``: reflection, time travel (``FOR VERSION AS OF`` in SQL text
and :func:`sqlgate.dialects.timetravel.as_of` in SQLAlchemy Core), a join of two versions of one
table, and ``pandas.read_sql``. No server, no network; it needs ``pip install 'sqlgate[demo]'``.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

MARKER = ".sqlgate-demo"


def _print_table(out: TextIO, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    cells = [[str(h) for h in headers]] + [
        ["NULL" if v is None else f"{v:.2f}" if isinstance(v, float) else str(v) for v in row]
        for row in rows
    ]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    for n, row in enumerate(cells):
        out.write(
            "    " + "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() + "\n"
        )
        if n == 0:
            out.write("    " + "  ".join("-" * w for w in widths) + "\n")


def _frame(out: TextIO, df: Any) -> None:
    for line in df.to_string(index=False).splitlines():
        out.write("    " + line.rstrip() + "\n")


def _section(out: TextIO, title: str) -> None:
    out.write(f"\n== {title}\n")


def _prepare(directory: Path) -> Path:
    """Recreate ``directory``; refuse to wipe a non-empty directory the demo did not make."""
    directory = directory.resolve()
    if directory.exists():
        if not directory.is_dir():
            raise SystemExit(f"sqlgate demo: {directory} exists and is not a directory")
        if any(directory.iterdir()) and not (directory / MARKER).exists():
            raise SystemExit(
                f"sqlgate demo: {directory} is not empty and was not made by the "
                "demo; choose another --dir"
            )
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
    (directory / MARKER).write_text("made by python -m sqlgate.demo; recreated on every run\n")
    return directory


# ------------------------------------------------------------------------------- building
def build(directory: Path) -> dict[str, Any]:
    """Write the three sources with their own writers; return their URLs and versions."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    from deltalake import write_deltalake
    from pyiceberg.catalog import load_catalog

    # Iceberg: a SQL catalog in SQLite, the warehouse beside it (sqlgate's default layout)
    ice = directory / "iceberg"
    ice.mkdir()
    catalog = load_catalog(
        "default",
        type="sql",
        uri=f"sqlite:///{ice}/catalog.db",
        warehouse=f"file://{ice}/warehouse",
    )
    catalog.create_namespace("default")
    schema = pa.schema(
        [
            ("order_id", pa.int64()),
            ("customer", pa.string()),
            ("region", pa.string()),
            ("amount", pa.float64()),
        ]
    )
    orders = catalog.create_table(
        "default.orders", schema=schema, properties={"comment": "Orders of the demo shop"}
    )
    with orders.update_spec() as spec:
        spec.add_identity("region")

    def rows(*values: tuple[Any, ...]) -> pa.Table:
        return pa.Table.from_pylist(
            [dict(zip(schema.names, v, strict=True)) for v in values], schema=schema
        )

    def snapshot_id() -> int:
        snapshot = orders.current_snapshot()
        if snapshot is None:  # an append always commits a snapshot
            raise RuntimeError("the demo's Iceberg table has no snapshot after an append")
        return snapshot.snapshot_id

    orders.append(
        rows(
            (1, "c1", "eu", 120.0),
            (2, "c2", "us", 80.0),
            (3, "c1", "eu", 45.5),
            (4, "c3", "apac", 300.0),
        )
    )
    first = snapshot_id()
    time.sleep(0.01)
    orders.append(rows((5, "c2", "us", 60.0), (6, "c4", "eu", 99.9)))
    second = snapshot_id()

    # Delta: one table per sub-directory; version 0, then an overwrite as version 1
    delta = directory / "delta"
    customers = pa.schema([("customer", pa.string()), ("name", pa.string()), ("tier", pa.string())])
    v0 = [("c1", "Ada", "gold"), ("c2", "Brian", "silver"), ("c3", "Chen", "silver")]
    v1 = [
        ("c1", "Ada", "gold"),
        ("c2", "Brian", "gold"),
        ("c3", "Chen", "silver"),
        ("c4", "Dana", "bronze"),
    ]

    def people(values: list[tuple[str, str, str]]) -> pa.Table:
        return pa.Table.from_pylist(
            [dict(zip(customers.names, v, strict=True)) for v in values], schema=customers
        )

    write_deltalake(str(delta / "customers"), people(v0), description="Demo shop customers")
    write_deltalake(str(delta / "customers"), people(v1), mode="overwrite")

    # Plain Parquet files, hive-partitioned by day
    files = directory / "files"
    events = {
        "2024-05-01": [("view", "c1", 3), ("buy", "c1", 1), ("view", "c2", 5)],
        "2024-05-02": [("view", "c3", 2), ("buy", "c2", 1), ("view", "c4", 7)],
    }
    for day, values in events.items():
        part = files / "events" / f"day={day}"
        part.mkdir(parents=True)
        pq.write_table(
            pa.table(
                {
                    "event": [v[0] for v in values],
                    "customer": [v[1] for v in values],
                    "clicks": pa.array([v[2] for v in values], pa.int32()),
                }
            ),
            part / "part-0.parquet",
        )
    return {
        "iceberg": f"iceberg://{ice}/catalog.db",
        "delta": f"delta://{delta}",
        "files": f"file://{files}?format=parquet",
        "snapshots": (first, second),
    }


# ------------------------------------------------------------------------------- querying
def query(lake: dict[str, Any], out: TextIO) -> None:
    import pandas as pd
    import sqlalchemy as sa

    from sqlgate.dialects.timetravel import as_of

    first, second = lake["snapshots"]
    iceberg = sa.create_engine(lake["iceberg"])
    delta = sa.create_engine(lake["delta"])
    files = sa.create_engine(lake["files"])

    _section(out, f'1. Reflection  create_engine("{lake["iceberg"].split("///")[0]}///…")')
    insp = sa.inspect(iceberg)
    out.write(
        f"    schemas {insp.get_schema_names()}, tables {insp.get_table_names()}, "
        f"comment {insp.get_table_comment('orders')['text']!r}\n"
    )
    _print_table(
        out,
        ("column", "SQLAlchemy type"),
        [(c["name"], repr(c["type"])) for c in insp.get_columns("orders")],
    )
    partition = insp.get_indexes("orders")
    out.write(f"    partitioned by {partition[0]['column_names'] if partition else []}\n")

    _section(out, "2. Iceberg time travel, SQL text: FOR VERSION AS OF <snapshot id>")
    sql = sa.text(
        "SELECT count(*) AS orders, sum(amount) AS revenue FROM orders FOR VERSION AS OF :snapshot"
    )
    with iceberg.connect() as conn:
        rows = [
            (label, snap, *conn.execute(sql, {"snapshot": snap}).one())
            for label, snap in (("first", first), ("current", second))
        ]
    _print_table(out, ("snapshot", "id", "orders", "revenue"), rows)

    _section(out, "3. Iceberg time travel, SQLAlchemy Core: as_of(orders, version=…)")
    orders = sa.Table(
        "orders",
        sa.MetaData(),
        sa.Column("order_id", sa.BigInteger),
        sa.Column("customer", sa.String),
        sa.Column("region", sa.String),
        sa.Column("amount", sa.Float),
    )
    old = as_of(orders, version=first)
    stmt = (
        sa.select(
            old.c.region,
            sa.func.count().label("orders"),
            sa.func.sum(old.c.amount).label("revenue"),
        )
        .group_by(old.c.region)
        .order_by(old.c.region)
    )
    out.write("    " + " ".join(str(stmt.compile(iceberg)).split()) + "\n")
    with iceberg.connect() as conn:
        _print_table(out, ("region", "orders", "revenue"), conn.execute(stmt).fetchall())

    _section(out, "4. Delta time travel: SELECT * FROM customers FOR VERSION AS OF 0")
    with delta.connect() as conn:
        for version in (0, 1):
            out.write(f"    version {version}:\n")
            _print_table(
                out,
                ("customer", "name", "tier"),
                conn.execute(
                    sa.text(
                        "SELECT customer, name, tier FROM customers FOR VERSION AS OF :v "
                        "ORDER BY customer"
                    ),
                    {"v": version},
                ).fetchall(),
            )

    _section(out, "5. A join of two versions of one Delta table: what changed since version 0")
    customers = sa.Table(
        "customers",
        sa.MetaData(),
        sa.Column("customer", sa.String),
        sa.Column("name", sa.String),
        sa.Column("tier", sa.String),
    )
    before = as_of(customers, version=0).alias("before")
    stmt = (
        sa.select(
            customers.c.name, before.c.tier.label("tier_v0"), customers.c.tier.label("tier_now")
        )
        .join_from(customers, before, before.c.customer == customers.c.customer, isouter=True)
        .where(sa.or_(before.c.tier.is_(None), before.c.tier != customers.c.tier))
        .order_by(customers.c.name)
    )
    with delta.connect() as conn:
        _print_table(out, ("name", "tier_v0", "tier_now"), conn.execute(stmt).fetchall())

    _section(out, "6. pandas.read_sql over date-partitioned Parquet files")
    df = pd.read_sql(
        sa.text(
            "SELECT day, count(*) AS events, CAST(sum(clicks) AS INTEGER) "
            "AS clicks FROM events GROUP BY day ORDER BY day"
        ),
        files,
    )
    _frame(out, df)

    _section(out, "7. pandas: revenue per customer tier (Iceberg orders + Delta customers)")
    orders_df = pd.read_sql(sa.select(orders.c.customer, orders.c.amount), iceberg)
    tiers_df = pd.read_sql(sa.select(customers.c.customer, customers.c.tier), delta)
    merged = orders_df.merge(tiers_df, on="customer", how="left")
    summary = (
        merged.groupby("tier", as_index=False)
        .agg(orders=("amount", "size"), revenue=("amount", "sum"))
        .sort_values("revenue", ascending=False)
    )
    summary["revenue"] = summary["revenue"].round(2)
    _frame(out, summary)

    for engine in (iceberg, delta, files):
        engine.dispose()


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sqlgate.demo", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--dir",
        default="demo-lakehouse",
        help="where to build the lakehouse (recreated; default ./demo-lakehouse)",
    )
    args = parser.parse_args(argv)
    out = out or sys.stdout
    started = time.perf_counter()
    try:
        import deltalake  # noqa: F401
        import duckdb  # noqa: F401
        import pandas  # noqa: F401
        import pyiceberg.catalog.sql  # noqa: F401
    except ImportError as exc:
        out.write(f"sqlgate demo needs the demo extra: pip install 'sqlgate[demo]' ({exc})\n")
        return 2
    directory = _prepare(Path(args.dir))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # writer libraries' notices are not the demo's output
        lake = build(directory)
        out.write(f"sqlgate demo: a local lakehouse in {directory} (no server, no network)\n")
        _print_table(
            out,
            ("source", "URL", "contents"),
            [
                ("iceberg", lake["iceberg"], "orders: 2 snapshots (4 rows, then 6), by region"),
                ("delta", lake["delta"], "customers: versions 0 (3 rows) and 1 (4 rows)"),
                ("parquet", lake["files"], "events: 2 day partitions, 6 rows"),
            ],
        )
        query(lake, out)
    out.write(
        f"\nDone in {time.perf_counter() - started:.1f}s. Explore further, e.g.\n"
        f"    sqlgate query '{lake['delta']}' "
        f'"SELECT * FROM customers FOR VERSION AS OF 0"\n'
    )
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:  # `python -m sqlgate.demo | head`
        sys.stderr.close()
        sys.exit(1)
