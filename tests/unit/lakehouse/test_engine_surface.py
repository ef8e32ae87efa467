"""LakehouseEngine on its own (no read-only gate in front): what it refuses, how it counts
parameters, how it binds schema-qualified columns, and how several results stream at once."""

from __future__ import annotations

import gc

import pyarrow as pa
import pytest

pytest.importorskip("duckdb")
pytest.importorskip("deltalake")

from sqlgate.core.errors import (
    NotSupportedError,
    ProgrammingError,
    ReadOnlyError,
)
from sqlgate.lakehouse import DeltaRootSource, FileSource, LakehouseEngine
from sqlgate.lakehouse.compiler import CompiledStatement, TableRef
from sqlgate.lakehouse.guard import vet_with_duckdb
from sqlgate.lakehouse.timetravel import canonical_sql


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    from deltalake import write_deltalake

    base = tmp_path_factory.mktemp("delta")
    orders = pa.table(
        {
            "id": pa.array([1, 2, 3], pa.int64()),
            "day": ["2024-01-01", "2024-01-02", "2024-01-01"],
            "tags": [["a"], ["b", "c"], []],
        }
    )
    write_deltalake(
        str(base / "orders"),
        orders,
        partition_by=["day"],
        name="orders",
        description="Customer orders",
    )
    write_deltalake(str(base / "orders"), orders.slice(0, 1), mode="append")
    write_deltalake(str(base / "customers"), pa.table({"customer": ["c1", "c2"]}))
    (base / "secret.csv").write_text("a,b\n1,2\n")
    return base


@pytest.fixture()
def engine(root):
    with LakehouseEngine(DeltaRootSource(str(root)), rows_per_batch=2) as eng:
        yield eng


def _rows(engine, sql, params=None):
    return engine.execute(sql, params).read_all().to_pylist()


REFUSED = [
    ("SELECT * FROM orders, LATERAL read_csv('{root}/secret.csv')", "table function read_csv"),
    ("SELECT * FROM orders CROSS JOIN LATERAL read_text('/etc/passwd')", "read_text"),
    ("SELECT * FROM orders t JOIN LATERAL glob('/etc/*') ON true", "glob"),
    ("SELECT * FROM orders POSITIONAL JOIN read_csv('{root}/secret.csv')", "read_csv"),
    ("SELECT * FROM read_csv_auto('{root}/secret.csv')", "read_csv"),
    ("SELECT * FROM read_parquet('{root}/x.parquet')", "read_parquet"),
    ("SELECT * FROM parquet_scan('{root}/x.parquet')", "parquet_scan"),
    ("SELECT * FROM sniff_csv('{root}/secret.csv')", "sniff_csv"),
    ("SELECT * FROM query('SELECT 1')", "query"),
    ("SELECT * FROM query_table('orders')", "query_table"),
    ("SELECT * FROM duckdb_settings()", "duckdb_settings"),
    ("SELECT * FROM duckdb_secrets()", "duckdb_secrets"),
    ("SELECT (SELECT count(*) FROM read_blob('/etc/passwd'))", "read_blob"),
    ("SELECT * FROM orders WHERE id IN (SELECT a FROM read_csv('{root}/secret.csv'))", "read_csv"),
    ("WITH x AS (SELECT * FROM read_csv('{root}/secret.csv')) SELECT * FROM x", "read_csv"),
    ("SELECT * FROM orders UNION ALL SELECT * FROM read_json('/etc/passwd')", "read_json"),
    ("SELECT * FROM orders, LATERAL (SELECT * FROM read_csv('{root}/secret.csv'))", "read_csv"),
    ("SELECT getenv('HOME')", "function getenv"),
    ("SELECT 'HOME'.getenv()", "getenv"),
    ("SELECT current_setting('home_directory')", "current_setting"),
    ("SELECT * FROM '{root}/secret.csv'", "file path as a table"),
    ('SELECT * FROM "../delta/orders"', "file path as a table"),
    # a CTE named like a file: were DuckDB to see it out of scope, it would read the file
    ('WITH "secret.csv" AS (SELECT 1) SELECT * FROM "secret.csv"', "file path as a table"),
]


@pytest.mark.parametrize("sql, kind", REFUSED)
def test_engine_refuses_what_reaches_outside(engine, root, sql, kind):
    with pytest.raises(ReadOnlyError, match=kind):
        engine.execute(sql.format(root=root))


@pytest.mark.parametrize(
    "sql",
    [
        "ATTACH '{root}/other.duckdb' AS other",
        "COPY (SELECT 1) TO '{root}/leak.csv'",
        "EXPORT DATABASE '{root}/export'",
        "INSTALL httpfs",
        "LOAD httpfs",
        "PRAGMA version",
        "SET threads = 1",
        "RESET threads",
        "CALL pragma_version()",
        "CREATE SECRET (TYPE s3, KEY_ID 'k', SECRET 's')",
        "CHECKPOINT",
        "SELECT 1; SELECT 2",
    ],
)
def test_engine_runs_queries_only(engine, root, sql):
    before = sorted(p.name for p in root.iterdir())
    with pytest.raises((ProgrammingError, NotSupportedError)):
        engine.execute(sql.format(root=root))
    assert sorted(p.name for p in root.iterdir()) == before


def test_duckdb_parse_is_vetted_too(engine):
    """The second layer: DuckDB's own parse of the SQL that would run."""
    con = engine._connection()
    ok = CompiledStatement(
        'SELECT * FROM "__sqlgate_rel_1" AS t', [TableRef("__sqlgate_rel_1", "t")], 0, []
    )
    vet_with_duckdb(con, ok)
    for sql, kind in [
        ("SELECT * FROM read_csv('/etc/passwd')", "read_csv"),
        ("SELECT * FROM t, LATERAL glob('/etc/*')", "glob"),
        ("SELECT getenv('HOME')", "getenv"),
        ("SELECT * FROM '/etc/passwd'", "outside the lakehouse"),
        ("SELECT * FROM other_table", "outside the lakehouse"),
        ("SELECT * FROM main.__sqlgate_rel_1", "outside the lakehouse"),
        ("SELECT * FROM (SUMMARIZE SELECT 1)", "SUMMARIZE"),
        ("PRAGMA version", "cannot vet"),
    ]:
        with pytest.raises(ReadOnlyError, match=kind):
            vet_with_duckdb(con, CompiledStatement(sql, [], 0, []))


def test_harmless_table_functions_and_ctes(engine):
    assert _rows(engine, "SELECT * FROM range(3) t(x)") == [{"x": 0}, {"x": 1}, {"x": 2}]
    assert len(_rows(engine, "SELECT * FROM generate_series(1, 3)")) == 3
    assert _rows(engine, "SELECT * FROM unnest([1, 2]) AS u(v)") == [{"v": 1}, {"v": 2}]
    got = _rows(
        engine,
        "SELECT o.id, t.tag FROM orders FOR VERSION AS OF 0 o, "
        "unnest(o.tags) AS t(tag) ORDER BY 1, 2",
    )
    assert got == [{"id": 1, "tag": "a"}, {"id": 2, "tag": "b"}, {"id": 2, "tag": "c"}]
    assert _rows(engine, "SELECT key FROM json_each('{\"a\": 1}')") == [{"key": "a"}]
    assert _rows(engine, "SELECT repeat('ab', 2) AS r") == [{"r": "abab"}]
    assert _rows(engine, "WITH orders AS (SELECT 42 AS id) SELECT id FROM orders") == [{"id": 42}]
    got = _rows(
        engine,
        "WITH RECURSIVE r AS (SELECT 1 AS x UNION ALL SELECT x + 1 FROM r "
        "WHERE x < 3) SELECT count(*) AS n FROM r",
    )
    assert got == [{"n": 3}]


def test_out_of_scope_cte_is_a_table(engine):
    with pytest.raises(ProgrammingError, match=r"main\.secret\.csv does not exist"):
        engine.execute('SELECT * FROM (WITH "secret.csv" AS (SELECT 1) SELECT 1), "secret.csv"')


def test_python_variables_are_never_tables(engine):
    secret = pa.table({"x": [1]})  # noqa: F841 - DuckDB's replacement scan would find it
    with pytest.raises(ProgrammingError):
        engine.execute("SELECT * FROM secret")


def test_path_like_table_names_never_reach_a_source(root):
    source = DeltaRootSource(str(root))
    for name in ("../delta", "/etc", "a/../orders", ".."):
        with pytest.raises(ProgrammingError, match="not a plain table name"):
            source.open("main", name)
    files = FileSource(str(root / "orders"), "parquet")
    with pytest.raises(ProgrammingError, match="not a plain table name"):
        files.open("main", "../customers")


# ----------------------------------------------------------------------------- parameters
@pytest.mark.parametrize(
    "sql, params, match",
    [
        ("SELECT count(*) FROM orders WHERE id = ?", [1, 2], "takes 1 parameter"),
        ("SELECT count(*) FROM orders", [1], "takes 0 parameter"),
        ("SELECT count(*) FROM orders FOR VERSION AS OF ?", [0, 1], "takes 1 parameter"),
        (
            "SELECT count(*) FROM orders WHERE id = ? AND day = ?",
            [1],
            "missing value for parameter 2",
        ),
        ("SELECT count(*) FROM orders FOR VERSION AS OF ? WHERE id = ?", [0], "parameter 2"),
        ("SELECT '?' AS q FROM orders WHERE id = ?", [], "parameter 1"),
    ],
)
def test_parameter_count_must_match(engine, sql, params, match):
    with pytest.raises(ProgrammingError, match=match):
        engine.execute(sql, params)


def test_parameters_after_time_travel_are_renumbered(engine):
    sql = "SELECT count(*) AS n FROM orders FOR VERSION AS OF ? WHERE id > ? AND '?' = '?'"
    assert _rows(engine, sql, [0, 1]) == [{"n": 2}]
    assert _rows(engine, sql, [1, 0]) == [{"n": 4}]  # one compiled statement, new values
    assert _rows(engine, "SELECT $2 - $1 AS d", [1, 5]) == [{"d": 4}]


# ---------------------------------------------------------------- schema-qualified columns
def test_schema_qualified_columns_bind(engine):
    assert _rows(
        engine,
        "SELECT main.orders.id FROM main.orders FOR VERSION AS OF 0 "
        "WHERE main.orders.id > 1 ORDER BY 1",
    ) == [{"id": 2}, {"id": 3}]
    got = _rows(
        engine,
        "SELECT main.orders.id FROM main.orders FOR VERSION AS OF 0 AS orders "
        "WHERE main.orders.id < 2",
    )
    assert got == [{"id": 1}]
    got = _rows(
        engine, "SELECT main.orders.* FROM main.orders FOR VERSION AS OF 0 WHERE main.orders.id = 3"
    )
    assert [r["id"] for r in got] == [3]
    got = _rows(
        engine,
        "SELECT count(*) AS n FROM main.orders JOIN main.customers "
        "ON main.orders.id > 0 WHERE main.customers.customer = 'c1'",
    )
    assert got == [{"n": 4}]
    assert engine.plan_info[1]["filter"] == "(\"customer\" = 'c1')"


# ------------------------------------------------------------------ concurrent results
def test_results_stream_side_by_side(engine):
    first = engine.execute("SELECT id FROM orders FOR VERSION AS OF 0 ORDER BY id")
    assert first.read_next_batch().to_pylist() == [{"id": 1}, {"id": 2}]
    second = engine.execute("SELECT count(*) AS n FROM customers")
    third = engine.execute("SELECT id FROM orders WHERE id = ? ORDER BY id", [1])
    assert second.read_all().to_pylist() == [{"n": 2}]
    assert first.read_next_batch().to_pylist() == [{"id": 3}]
    assert third.read_all().to_pylist() == [{"id": 1}, {"id": 1}]
    with pytest.raises(StopIteration):
        first.read_next_batch()
    assert len(engine._open) == 0  # every exhausted result gave its DuckDB cursor back


def test_an_abandoned_result_releases_its_cursor(engine):
    reader = engine.execute("SELECT * FROM range(100000)")
    reader.read_next_batch()
    assert len(engine._open) == 1
    del reader
    gc.collect()
    assert len(engine._open) == 0


def test_closing_the_engine_closes_open_results(root):
    engine = LakehouseEngine(DeltaRootSource(str(root)), rows_per_batch=2)
    reader = engine.execute("SELECT id FROM orders")
    reader.read_next_batch()
    statement = next(iter(engine._open))
    engine.close()
    assert statement.cursor is None and len(engine._open) == 0
    with pytest.raises(StopIteration):
        reader.read_next_batch()
    with pytest.raises(ProgrammingError, match="closed"):
        engine.execute("SELECT 1")


def test_failed_execute_leaves_nothing_open(engine):
    with pytest.raises(ProgrammingError):
        engine.execute("SELECT no_such_column FROM orders")
    assert len(engine._open) == 0
    assert _rows(engine, "SELECT count(*) AS n FROM customers") == [{"n": 2}]


def test_delta_comment_and_name(engine):
    props = engine.table_properties("main", "orders")
    assert props["description"] == "Customer orders"
    assert props["name"] == "orders"
    assert "description" not in engine.table_properties("main", "customers")


# ------------------------------------------------------------------ SYSTEM_* spellings
def test_canonical_sql_rewrites_system_spellings_only():
    sql = (
        "SELECT 'FOR SYSTEM_TIME AS OF 1', \"system_time\" FROM t -- FOR SYSTEM_VERSION AS OF\n"
        "FOR system_version AS OF ? JOIN u FOR SYSTEM_TIME AS OF '2024-01-01' ON true"
    )
    assert canonical_sql(sql) == (
        "SELECT 'FOR SYSTEM_TIME AS OF 1', \"system_time\" FROM t -- FOR SYSTEM_VERSION AS OF\n"
        "FOR VERSION AS OF ? JOIN u FOR TIMESTAMP AS OF '2024-01-01' ON true"
    )
    plain = "SELECT system_version, system_time FROM t WHERE x = ?"
    assert canonical_sql(plain) is plain
    assert canonical_sql("SELECT 1") == "SELECT 1"


def test_system_spellings_run(engine):
    assert _rows(engine, "SELECT count(*) AS n FROM orders FOR SYSTEM_VERSION AS OF 0") == [
        {"n": 3}
    ]
