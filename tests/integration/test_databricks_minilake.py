"""Databricks source against minilake (a real process speaking the Statement Execution API).

What is verified here is the protocol: submit, both result dispositions, chunked streaming,
statement ids, errors, reflection through ``information_schema``, SQLAlchemy (2.x here, 1.4
in Superset's venv), pandas and Superset's ``test-db``. minilake runs statements as DuckDB SQL,
so Databricks SQL semantics are not (see docs/support-matrix.md).
"""

from __future__ import annotations

import decimal
import tracemalloc

import pyarrow as pa
import pytest
import sqlalchemy as sa

import sqlgate.dbapi.databricks as dbx
from sqlgate.core import errors
from tests.conftest import SEED_ROWS
from tests.integration.test_superset import (  # noqa: F401 - superset_env is a fixture
    assert_superset_can_browse,
    run_test_db,
    superset_env,
)
from tests.servers.base import ServerInfo
from tests.servers.databricks import admin_sql, statement_state

CHECKSUM = "SELECT count(*), sum(id), max(name), sum(amount) FROM items"


def url(info: ServerInfo, **options: str) -> str:
    query = "&".join(f"{k}={v}" for k, v in options.items())
    return info.url("databricks+sqlgate") + (f"?{query}" if query else "")


def history(info: ServerInfo) -> list[str]:
    """The statements minilake recorded (its query history), oldest first."""
    import json
    import urllib.request

    with urllib.request.urlopen(
        info.extra["base_url"] + "/api/2.0/sql/history/queries?max_results=1000", timeout=10
    ) as response:
        entries = json.loads(response.read())["res"] or []
    return [e["query_text"] for e in reversed(entries)]


@pytest.mark.parametrize(
    "write",
    [
        "INSERT INTO items VALUES (99, 'x', 1, NULL)",
        "DELETE FROM items",
        "DROP TABLE items",
        "CREATE TABLE copy AS SELECT * FROM items",
        "MERGE INTO items a USING items b ON a.id = b.id WHEN MATCHED THEN DELETE",
        "COPY INTO items FROM 's3://bucket/x' FILEFORMAT = CSV",
        "SELECT * FROM read_files('/etc/passwd')",
        "OPTIMIZE items",
    ],
)
def test_refused_writes_never_reach_the_server(seeded_databricks: ServerInfo, write: str) -> None:
    before, sent_before = admin_sql(seeded_databricks, CHECKSUM), len(history(seeded_databricks))
    with dbx.connect(url(seeded_databricks)) as conn, pytest.raises(errors.ReadOnlyError):
        conn.cursor().execute(write)
    assert admin_sql(seeded_databricks, CHECKSUM) == before
    # the two admin statements above are the only new ones: sqlgate sent nothing
    assert history(seeded_databricks)[sent_before:] == [CHECKSUM]


def test_both_dispositions_give_one_answer(seeded_databricks: ServerInfo) -> None:
    sql = "SELECT id, name, amount, created FROM items ORDER BY id"
    tables = []
    for disposition in ("external_links", "inline"):
        with dbx.connect(url(seeded_databricks, disposition=disposition)) as conn:
            cur = conn.cursor().execute(sql)
            assert cur.rowcount == len(SEED_ROWS)
            tables.append(cur.fetch_arrow_table())
    assert tables[0].equals(tables[1])
    assert tables[0].column("amount").to_pylist()[:3] == [
        decimal.Decimal(r[2]) for r in SEED_ROWS[:3]
    ]
    assert tables[0].schema.field("created").type == pa.timestamp("us", "UTC")


def test_large_result_streams_chunk_by_chunk(seeded_databricks: ServerInfo) -> None:
    """500,000 rows in five 100,000-row chunks: at most two chunks' bytes are held at once
    (the batches are views of a chunk's bytes, which tracemalloc sees), never all five."""
    sql = "SELECT range AS id, repeat('x', 40) AS pad FROM range(500000)"
    with dbx.connect(url(seeded_databricks)) as conn:
        reader = conn.cursor().execute(sql).fetch_record_batch(rows_per_batch=50_000)
        rows, whole = 0, 0
        tracemalloc.start()
        try:
            for batch in reader:
                rows += batch.num_rows
                whole += batch.nbytes
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert rows == 500_000
    assert peak < whole * 0.6, (peak, whole)  # about two chunks' bytes, not five


def test_statement_ids_are_the_servers(
    seeded_databricks: ServerInfo, caplog: pytest.LogCaptureFixture
) -> None:
    with (
        caplog.at_level("INFO", logger="sqlgate.databricks"),
        dbx.connect(url(seeded_databricks)) as conn,
    ):
        cur = conn.cursor().execute("SELECT count(*) FROM items")
        assert cur.fetchone() == (len(SEED_ROWS),)
    assert cur.query_id and statement_state(seeded_databricks, cur.query_id) == "SUCCEEDED"
    assert any(f"query_id={cur.query_id}" in r.getMessage() for r in caplog.records)


def test_missing_objects_and_bad_sql_are_programming_errors(seeded_databricks: ServerInfo) -> None:
    with dbx.connect(url(seeded_databricks)) as conn:
        cur = conn.cursor()
        with pytest.raises(errors.ProgrammingError, match="no_such_table"):
            cur.execute("SELECT * FROM no_such_table")
        with pytest.raises(errors.DataError):
            cur.execute("SELECT CAST('x' AS DECIMAL(10,2))")
        assert cur.execute("SELECT 2").fetchall() == [(2,)]  # the session goes on


def test_sqlalchemy_reflection_core_and_pandas(seeded_databricks: ServerInfo) -> None:
    import pandas as pd

    engine = sa.create_engine(url(seeded_databricks))
    inspector = sa.inspect(engine)
    assert "main" in inspector.get_schema_names()
    assert "items" in inspector.get_table_names()
    assert inspector.has_table("items") and not inspector.has_table("nope")
    columns = {c["name"]: c["type"] for c in inspector.get_columns("items")}
    assert isinstance(columns["id"], sa.Integer) and isinstance(columns["name"], sa.String)
    assert isinstance(columns["amount"], sa.Numeric) and columns["amount"].scale == 2
    assert isinstance(columns["created"], sa.DateTime)
    # Unity Catalog's three-level names: catalog.schema as the schema
    catalog = admin_sql(seeded_databricks, "SELECT current_catalog()")[0][0]
    assert "items" in inspector.get_table_names(schema=f"{catalog}.main")
    assert [c["name"] for c in inspector.get_columns("items", schema=f"{catalog}.main")] == list(
        columns
    )
    three = sa.Table("items", sa.MetaData(), schema=f"{catalog}.main", autoload_with=engine)
    with engine.connect() as conn:  # FROM <catalog>.main.items
        assert conn.execute(sa.select(sa.func.count()).select_from(three)).scalar() == len(
            SEED_ROWS
        )
    items = sa.Table("items", sa.MetaData(), autoload_with=engine)
    with engine.connect() as conn:
        rows = conn.execute(sa.select(items.c.id, items.c.name).order_by(items.c.id).limit(2))
        assert rows.fetchall() == [(1, "alpha"), (2, "beta")]
    frame = pd.read_sql("SELECT id, name FROM items ORDER BY id", engine)
    assert frame["id"].tolist() == [r[0] for r in SEED_ROWS]
    engine.dispose()


def test_superset_test_db_on_sqlalchemy_14(
    seeded_databricks: ServerInfo, request: pytest.FixtureRequest
) -> None:
    """Superset 6.1's ``test-db`` (SQLAlchemy 1.4) picks sqlgate's spec and browses minilake."""
    info = seeded_databricks
    target = (
        f"databricks+sqlgate://token@{info.host}:{info.port}/{info.database}"
        "?credential=env:SQLGATE_DBX_TOKEN"
    )
    env = request.getfixturevalue("superset_env")
    output = run_test_db(target, {**env, "SQLGATE_DBX_TOKEN": info.password})
    assert_superset_can_browse(output, "sqlgate.dbapi.databricks")
    assert info.password not in output
