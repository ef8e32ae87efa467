"""The ``snowflake+sqlgate://`` SQLAlchemy dialect against fakesnow: reflection with Snowflake's
upper-case folding, Core queries, pandas; and the same under SQLAlchemy 1.4 with Superset 6.1's
own SnowflakeEngineSpec (in Superset's venv, where Superset picks that spec for the backend).
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.sql.elements import quoted_name

from tests.servers.base import server_unavailable
from tests.servers.snowflake import SnowflakeServerInfo, admin_execute

pytest.importorskip("snowflake.connector")
ROOT = Path(__file__).resolve().parents[2]
SUPERSET_PYTHON = ROOT / ".cache" / "superset-venv" / "bin" / "python"


@pytest.fixture(scope="module")
def catalog(fakesnow_server: SnowflakeServerInfo) -> SnowflakeServerInfo:
    admin_execute(
        fakesnow_server,
        "CREATE OR REPLACE TABLE orders (id INT PRIMARY KEY, total NUMBER(12,2), "
        "placed TIMESTAMP_NTZ, meta VARIANT, tags ARRAY)",
        "COMMENT ON TABLE orders IS 'all orders'",
        'CREATE OR REPLACE TABLE "MixedCase" ("Id" INT, "lower" INT, plain INT)',
        'CREATE OR REPLACE TABLE "quoted_lower" (x INT)',
        "CREATE OR REPLACE VIEW recent_orders AS SELECT id, total FROM orders",
        "INSERT INTO orders SELECT 1, 10.5, '2026-01-01 10:00:00', PARSE_JSON('{\"a\": 1}'), "
        "ARRAY_CONSTRUCT('x', 'y')",
        "INSERT INTO orders SELECT 2, 20.25, '2026-02-01 10:00:00', NULL, NULL",
    )
    return fakesnow_server


@pytest.fixture
def engine(catalog: SnowflakeServerInfo) -> sa.engine.Engine:
    return sa.create_engine(catalog.url("snowflake+sqlgate"))


def test_names_are_normalised_like_oracles(engine: sa.engine.Engine) -> None:
    inspector = sa.inspect(engine)
    assert inspector.default_schema_name == "public"
    tables = inspector.get_table_names()
    assert {"orders", "MixedCase", "quoted_lower"} <= set(tables)
    assert "recent_orders" in inspector.get_view_names()
    lower = next(t for t in tables if t == "quoted_lower")
    assert isinstance(lower, quoted_name) and lower.quote is True  # stays quoted on the way back
    columns = [c["name"] for c in inspector.get_columns("MixedCase")]
    assert columns == ["Id", "lower", "plain"]
    assert inspector.has_table("orders") and not inspector.has_table("no_such_table")


def test_reflected_types_keys_and_comments(engine: sa.engine.Engine) -> None:
    from sqlgate.dbapi.snowflake_types import ARRAY, VARIANT

    inspector = sa.inspect(engine)
    types = {c["name"]: c["type"] for c in inspector.get_columns("orders")}
    assert isinstance(types["total"], sa.Numeric) and (
        types["total"].precision,
        types["total"].scale,
    ) == (12, 2)
    assert isinstance(types["placed"], sa.DateTime) and not types["placed"].timezone
    # fakesnow reports every semi-structured column as VARIANT in information_schema
    assert isinstance(types["meta"], VARIANT) and isinstance(types["tags"], (ARRAY, VARIANT))
    assert inspector.get_pk_constraint("orders")["constrained_columns"] == ["id"]
    assert inspector.get_table_comment("orders")["text"] == "all orders"
    assert "ORDERS" in (inspector.get_view_definition("recent_orders") or "").upper()


def test_core_queries_on_reflected_tables(engine: sa.engine.Engine) -> None:
    orders = sa.Table("orders", sa.MetaData(), autoload_with=engine)
    mixed = sa.Table("MixedCase", sa.MetaData(), autoload_with=engine)
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(orders.c.id, orders.c.meta, orders.c.tags)
            .where(orders.c.total > 15)
            .order_by(orders.c.id)
        ).all()
        assert rows == [(2, None, None)]
        meta = conn.execute(sa.select(orders.c.meta).where(orders.c.id == 1)).scalar()
        assert meta == {"a": 1}  # VARIANT parsed from its JSON text
        assert conn.execute(sa.select(sa.func.count()).select_from(mixed)).scalar() == 0
        assert conn.execute(sa.select(orders.c.id).order_by(orders.c.id).offset(1)).all() == [(2,)]


def test_pandas_read_sql(engine: sa.engine.Engine) -> None:
    pd = pytest.importorskip("pandas")
    frame = pd.read_sql("SELECT id, total FROM orders ORDER BY id", engine)
    assert [c.lower() for c in frame.columns] == ["id", "total"]
    assert frame.iloc[:, 0].tolist() == [1, 2]
    chunks = list(pd.read_sql("SELECT id FROM orders ORDER BY id", engine, chunksize=1))
    assert [len(c) for c in chunks] == [1, 1]


def test_writes_through_the_engine_are_refused(engine: sa.engine.Engine) -> None:
    from sqlgate.core import errors

    orders = sa.Table("orders", sa.MetaData(), autoload_with=engine)
    with engine.connect() as conn, pytest.raises(sa.exc.DBAPIError) as info:
        conn.execute(orders.delete())
    assert isinstance(info.value.orig, errors.ReadOnlyError)
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(orders)).scalar() == 2


PROBE = """
import json, sys
import sqlalchemy as sa
from superset.app import create_app
with create_app().app_context():
    from superset.db_engine_specs import get_engine_spec
    url = sa.engine.url.make_url(sys.argv[1])
    spec = get_engine_spec(url.get_backend_name(), url.get_driver_name())
    adjusted, _ = spec.adjust_engine_params(url, {}, schema="PUBLIC")
    engine = sa.create_engine(url, connect_args={"application": "Superset"})
    inspector = sa.inspect(engine)
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT id, total FROM orders ORDER BY id")).fetchall()
    print("PROBE" + json.dumps({
        "sqlalchemy": sa.__version__,
        "spec": spec.__name__,
        "schema": spec.get_schema_from_engine_params(url, {}),
        "adjusted": adjusted.database,
        "schemas": sorted(spec.get_schema_names(inspector)),
        "tables": sorted(inspector.get_table_names("public")),
        "columns": [c["name"] for c in inspector.get_columns("orders", "public")],
        "rows": [[r[0], str(r[1])] for r in rows],
        "limited": str(sa.select(sa.column("id")).select_from(sa.table("orders"))
                       .limit(5).compile(engine)),
    }))
"""


def test_superset_own_spec_with_sqlalchemy_14(catalog: SnowflakeServerInfo, tmp_path: Path) -> None:
    if not SUPERSET_PYTHON.exists():
        server_unavailable(
            "superset", f"{SUPERSET_PYTHON} missing: run scripts/install-superset.sh"
        )
    (tmp_path / "config.py").write_text(
        f"SECRET_KEY = 'sqlgate-snowflake-probe-{os.getpid()}' * 2\n"
        f"SQLALCHEMY_DATABASE_URI = 'sqlite:///{tmp_path}/superset.db'\n"
    )
    env = {
        **os.environ,
        "SUPERSET_CONFIG_PATH": str(tmp_path / "config.py"),
        "SUPERSET_HOME": str(tmp_path),
    }
    done = subprocess.run(
        [str(SUPERSET_PYTHON), "-c", PROBE, catalog.url("snowflake+sqlgate")],
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    line = next((x for x in done.stdout.splitlines() if x.startswith("PROBE")), None)
    assert line is not None, done.stderr[-3000:]
    got = json.loads(line.removeprefix("PROBE"))
    assert got["sqlalchemy"].startswith("1.4.")
    assert got["spec"] == "SnowflakeEngineSpec"
    assert got["schema"] == "PUBLIC" and got["adjusted"] == "SQLGATE_TEST/PUBLIC"
    assert "public" in got["schemas"] and "orders" in got["tables"]
    assert got["columns"][:2] == ["id", "total"]
    assert got["rows"] == [[1, "10.50"], [2, "20.25"]]
    assert "LIMIT" in got["limited"].upper() and "orders" in got["limited"]


def test_as_of_compiles_to_snowflakes_at_and_reaches_the_server(engine: sa.engine.Engine) -> None:
    """``as_of()`` is Snowflake's ``AT(TIMESTAMP => …)`` / ``AT(STATEMENT => <query id>)``
    with the value bound; the gate admits it and fakesnow (DuckDB: no time travel) answers
    with its own error, which proves the clause reached the server."""
    import datetime

    from sqlgate.core import errors
    from sqlgate.dialects.timetravel import as_of

    orders = sa.Table("orders", sa.MetaData(), sa.Column("id", sa.Integer))
    then = as_of(orders, timestamp=datetime.datetime(2026, 1, 1))
    before = as_of(orders, version="01b2c3d4-0000-1111-2222-333344445555").alias("old")
    sent: list[str] = []
    sa.event.listen(engine, "before_cursor_execute", lambda *a: sent.append(a[2]))
    with engine.connect() as conn:
        answers = {  # DuckDB's: its tables have no time travel, and no AT(STATEMENT => ...)
            "does not support time travel": sa.select(then.c.id),
            'syntax error at or near "STATEMENT"': sa.select(before.c.id),
        }
        for answer, query in answers.items():
            with pytest.raises(sa.exc.DBAPIError) as info:
                conn.execute(query)
            assert not isinstance(info.value.orig, errors.ReadOnlyError)
            assert answer in str(info.value.orig)
    assert (
        "FROM orders AT (TIMESTAMP => CAST(%(timestamp_as_of_1)s AS TIMESTAMP_LTZ)) AS orders"
        in sent[0]
    )
    assert "FROM orders AT (STATEMENT => %(version_as_of_1)s) AS old" in sent[1]
    with pytest.raises(sa.exc.CompileError, match="no table version numbers"):
        sa.select(as_of(orders, version=3).c.id).compile(dialect=engine.dialect)


def test_an_autoincrement_primary_key_is_filled_by_the_server(catalog: SnowflakeServerInfo) -> None:
    """SQLAlchemy leaves an autoincrement key out of INSERT; the DDL must say AUTOINCREMENT
    (found by SQLAlchemy's compliance suite: every such INSERT failed on NOT NULL)."""
    from tests.servers.snowflake import admin_execute

    engine = sa.create_engine(catalog.url("snowflake+sqlgate") + "&read_only=false")
    table = sa.Table(
        "sa_autoinc", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("label", sa.String(10)),
    )  # fmt: skip
    try:
        table.drop(engine, checkfirst=True)
        table.create(engine)
        with engine.begin() as conn:
            conn.execute(table.insert(), [{"label": "a"}, {"label": "b"}])
    finally:
        engine.dispose()
    rows = admin_execute(
        catalog, "SELECT id, label FROM sa_autoinc ORDER BY id", "DROP TABLE sa_autoinc"
    )
    assert rows[0] == [(1, "a"), (2, "b")]
