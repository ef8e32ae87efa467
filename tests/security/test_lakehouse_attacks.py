"""Red team against the lakehouse family (issue #7, classes 2, 6 and 7), on real lake files.

Every lake here is written by the formats' own writers (pyarrow, deltalake, pyiceberg) into a
tmp directory, next to an ``outside`` directory the lake must never reach: its files hold
``MARKER``. An attack passes only if it is refused with a sqlgate error (or, for the harmless
spellings, returns rows of the query's own making), and ``MARKER``, DuckDB's settings and its
catalog never show up in a row or in an error message.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

pytest.importorskip("duckdb")
pytest.importorskip("deltalake")

import duckdb

import sqlgate
from sqlgate.core.errors import Error, InterfaceError, ProgrammingError, ReadOnlyError
from sqlgate.lakehouse import DeltaRootSource, FileSource, HudiRootSource, LakehouseEngine
from sqlgate.lakehouse.compiler import CompiledStatement, TableRef
from sqlgate.lakehouse.guard import vet_with_duckdb
from sqlgate.lakehouse.sandbox import settings

MARKER = "MARKER-7f3c-outside-the-lake"
#: what DuckDB's catalog and settings would show, were they reachable (values, not names: a
#: refusal may echo the name the attacker typed)
ENGINE_LEAKS = (
    "stored_secrets",
    "/.duckdb",
    "access mode of the database",
    "sqlgate-duckdb-",
    "allowed_directories",
    "extension_directory",
    "'memory'",
    "root:x:0:0",
)
ROWS = pa.table({"id": pa.array([1, 2], pa.int64()), "name": ["a", "b"]})
SECRET_ROWS = pa.table({"id": pa.array([9], pa.int64()), "name": [MARKER]})


def _link(link: Path, target: Path) -> None:
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(target)


@pytest.fixture(scope="module")
def lake(tmp_path_factory) -> dict[str, Path]:
    """``lake/{files,csv,json,delta,...}`` beside ``outside/`` (the marker's home)."""
    from deltalake import write_deltalake

    base = tmp_path_factory.mktemp("attack")
    out, lake = base / "outside", base / "lake"
    out.mkdir()
    (out / "secret.txt").write_text(MARKER + "\n")
    (out / "secret.csv").write_text(f"id,name\n9,{MARKER}\n")
    (out / "secret.json").write_text(json.dumps({"id": 9, "name": MARKER}) + "\n")
    pq.write_table(SECRET_ROWS, out / "secret.parquet")
    (out / "secretdir").mkdir()
    pq.write_table(SECRET_ROWS, out / "secretdir" / "part-0.parquet")
    write_deltalake(str(out / "delta_src"), SECRET_ROWS)
    # plain Parquet: a linked file, a linked directory, a link inside a table directory
    files = lake / "files"
    (files / "items").mkdir(parents=True)
    pq.write_table(ROWS, files / "items" / "part-0.parquet")
    _link(files / "linked_file.parquet", out / "secret.parquet")
    _link(files / "linked_dir", out / "secretdir")
    (files / "mixed").mkdir()
    pq.write_table(ROWS, files / "mixed" / "part-0.parquet")
    _link(files / "mixed" / "part-1.parquet", out / "secret.parquet")
    _link(files / "deep" / "a" / "b", out / "secretdir")
    # CSV and JSON
    (lake / "csv").mkdir()
    (lake / "csv" / "people.csv").write_text("id,name\n1,a\n2,b\n")
    _link(lake / "csv" / "leak.csv", out / "secret.csv")
    _link(lake / "csv" / "passwd.csv", Path("/etc/passwd"))
    (lake / "json").mkdir()
    (lake / "json" / "events.json").write_text('{"id": 1, "name": "a"}\n')
    _link(lake / "json" / "leak.json", out / "secret.json")
    # Delta: a linked log, a linked data file, a linked table
    delta = lake / "delta"
    write_deltalake(str(delta / "items"), ROWS)
    (delta / "linked_log").mkdir()
    _link(delta / "linked_log" / "_delta_log", out / "delta_src" / "_delta_log")
    write_deltalake(str(delta / "linked_data"), ROWS)
    part = next((delta / "linked_data").glob("*.parquet"))
    part.unlink()
    _link(part, out / "secret.parquet")
    _link(delta / "linked_table", out / "delta_src")
    return {"base": base, "out": out, "lake": lake}


def _clean(text: str) -> None:
    assert MARKER not in text
    for word in ENGINE_LEAKS:
        assert word not in text.lower(), word


def _sa_connect(url: str) -> None:
    """Open and close one SQLAlchemy connection (options are read at create_engine or at
    connect, depending on the option)."""
    from sqlalchemy import create_engine

    engine = None
    try:
        engine = create_engine(url)
        engine.connect().close()
    finally:
        if engine is not None:
            engine.dispose()


def _sqlgate_error(exc: BaseException, kind: type[Error]) -> bool:
    return isinstance(exc, kind) or isinstance(getattr(exc, "orig", None), kind)


def _refused(conn, sql: str, error: type[Error] = Error) -> Error:
    """The statement fails with a sqlgate error that shows neither the marker nor the engine."""
    cur = conn.cursor()
    with pytest.raises(error) as err:
        cur.execute(sql)
        _clean(repr(cur.fetchall()))  # reached only when nothing was raised: still no leak
    _clean(str(err.value))
    return err.value


# ------------------------------------------------------------------ class 2: DuckDB's catalog
CATALOG_ATTACKS = [
    # a CTE named like a catalog view, in every spelling and nesting
    "WITH pg_settings AS (SELECT * FROM pg_settings) SELECT * FROM pg_settings",
    'WITH "Pg_Settings" AS (SELECT * FROM PG_SETTINGS) SELECT * FROM pg_settings',
    'WITH "pg_settings" AS (SELECT * FROM "pg_settings") SELECT name FROM "pg_settings"',
    "WITH duckdb_settings AS (SELECT * FROM duckdb_settings) SELECT * FROM duckdb_settings",
    "WITH duckdb_databases AS (SELECT * FROM duckdb_databases) SELECT * FROM duckdb_databases",
    "WITH duckdb_secrets AS (SELECT * FROM duckdb_secrets) SELECT * FROM duckdb_secrets",
    "WITH duckdb_views AS (SELECT * FROM duckdb_views) SELECT * FROM duckdb_views",
    "WITH a AS (SELECT 1) SELECT * FROM (WITH pg_settings AS (SELECT * FROM pg_settings) "
    "SELECT * FROM pg_settings)",
    "WITH pg_settings AS MATERIALIZED (SELECT * FROM pg_settings) SELECT * FROM pg_settings",
    "WITH RECURSIVE pg_settings AS (SELECT * FROM pg_settings) SELECT * FROM pg_settings",
    "WITH a AS (SELECT * FROM b), b AS (SELECT 1 AS x) SELECT * FROM a",  # forward reference
    "WITH x AS (SELECT 1) SELECT (SELECT count(*) FROM duckdb_tables)",
    "SELECT * FROM items WHERE id IN (WITH pg_settings AS (SELECT * FROM pg_settings) "
    "SELECT 1 FROM pg_settings)",
    # schema- and catalog-qualified
    "SELECT * FROM information_schema.tables",
    "SELECT * FROM information_schema.columns",
    "SELECT * FROM pg_catalog.pg_settings",
    "SELECT * FROM pg_catalog.pg_namespace",
    "SELECT * FROM main.duckdb_settings",
    "SELECT * FROM system.main.duckdb_settings",
    "SELECT * FROM temp.main.duckdb_tables",
    "SELECT * FROM memory.main.duckdb_tables",
    'SELECT * FROM "system"."main"."duckdb_secrets"',
    # table functions, string tables, file readers
    "SELECT * FROM duckdb_settings()",
    "SELECT * FROM duckdb_secrets()",
    "SELECT * FROM duckdb_functions()",
    "SELECT * FROM pragma_database_list()",
    "SELECT * FROM read_text('{out}/secret.txt')",
    "SELECT * FROM read_blob('{out}/secret.txt')",
    "SELECT * FROM glob('{out}/*')",
    "SELECT * FROM read_csv('{out}/secret.csv')",
    "SELECT * FROM read_parquet('{out}/secret.parquet')",
    "SELECT * FROM parquet_scan('{out}/secret.parquet')",
    "SELECT * FROM '{out}/secret.csv'",
    'SELECT * FROM "{out}/secret.csv"',
    "SELECT * FROM 'items/../../../outside/secret.csv'",
    "SELECT * FROM query('SELECT * FROM pg_settings')",
    "SELECT * FROM query_table('pg_settings')",
    "SELECT * FROM histogram_values('pg_settings', name)",
    "SELECT * FROM sniff_csv('{out}/secret.csv')",
    "SELECT * FROM items, LATERAL (SELECT * FROM duckdb_settings())",
    "WITH s AS (SELECT * FROM duckdb_settings()) SELECT * FROM s",
    "SELECT * FROM (SUMMARIZE SELECT * FROM pg_settings)",
    # scalar functions and macros that read the engine, the environment or files
    "SELECT current_setting('secret_directory')",
    "SELECT 'secret_directory'.current_setting()",
    "SELECT system.main.current_setting('secret_directory')",
    "SELECT getenv('HOME')",
    "SELECT current_query()",
    "SELECT current_schemas(true)",
    "SELECT pg_get_viewdef(1)",
    "SELECT get_block_size('memory')",
    "SELECT format_type(1, 1)",
    "SELECT json_serialize_sql('SELECT 1')",
    "SELECT which_secret('s3://b/k', 's3')",
    "SELECT sleep_ms(100000)",
    "SELECT pg_sleep(1000)",
    "SELECT content FROM read_text(['{out}/secret.txt'])",
    # statements that are no query
    "COPY (SELECT 1) TO '{out}/written.csv'",
    "ATTACH '{out}/x.duckdb' AS x",
    "PRAGMA database_list",
    "SET enable_external_access = true",
    "RESET lock_configuration",
    "LOAD httpfs",
    "INSTALL httpfs",
    "CALL duckdb_settings()",
    "SELECT 1; SELECT * FROM pg_settings",
    "DESCRIBE pg_settings",
    "SHOW ALL TABLES",
    "EXPORT DATABASE '{out}/dump'",
]


@pytest.fixture(scope="module", params=["file", "delta", "iceberg"])
def any_lake(request, lake, tmp_path_factory):
    kind = request.param
    if kind == "file":
        yield f"file://{lake['lake']}/files"
    elif kind == "delta":
        yield f"delta://{lake['lake']}/delta"
    else:
        pytest.importorskip("pyiceberg.catalog.sql")
        from pyiceberg.catalog.sql import SqlCatalog

        root = tmp_path_factory.mktemp("ice")
        catalog = SqlCatalog(
            "default", uri=f"sqlite:///{root}/catalog.db", warehouse=f"file://{root}/warehouse"
        )
        catalog.create_namespace("default")
        catalog.create_table("default.items", schema=ROWS.schema).append(ROWS)
        yield f"iceberg://{root}/catalog.db"


@pytest.mark.parametrize("sql", CATALOG_ATTACKS)
def test_engine_catalog_settings_and_files_are_unreachable(any_lake, lake, sql):
    with sqlgate.connect(any_lake) as conn:
        _refused(conn, sql.format(out=lake["out"]))
        assert not (lake["out"] / "written.csv").exists()
        # the connection still answers, from the lake only
        cur = conn.cursor()
        cur.execute("SELECT count(*) FROM items")
        assert cur.fetchall() == [(2,)]


def test_real_ctes_still_work_and_see_only_themselves(lake):
    with sqlgate.connect(f"file://{lake['lake']}/files") as conn:
        cur = conn.cursor()
        cur.execute("WITH pg_settings AS (SELECT 42 AS v) SELECT v FROM pg_settings")
        assert cur.fetchall() == [(42,)]
        cur.execute(
            "WITH a AS (SELECT id FROM items), b AS (SELECT * FROM a) SELECT count(*) FROM b"
        )
        assert cur.fetchall() == [(2,)]
        cur.execute(
            "WITH RECURSIVE r AS (SELECT 1 AS x UNION ALL SELECT x + 1 FROM r "
            "WHERE x < 4) SELECT max(x) FROM r"
        )
        assert cur.fetchall() == [(4,)]


@pytest.mark.parametrize(
    "sql",
    [
        "WITH pg_settings AS (SELECT * FROM pg_settings) SELECT * FROM pg_settings",
        "WITH t AS MATERIALIZED (SELECT * FROM t) SELECT * FROM t",
        "WITH RECURSIVE duckdb_settings AS (SELECT * FROM duckdb_settings) "
        "SELECT * FROM duckdb_settings",
        "WITH RECURSIVE r AS (SELECT * FROM r UNION ALL SELECT 1) SELECT * FROM r",
        "WITH a AS (SELECT * FROM b), b AS (SELECT 1) SELECT * FROM a",
        "WITH x AS (SELECT 1) SELECT * FROM (WITH pg_settings AS (SELECT * FROM pg_settings) "
        "SELECT * FROM pg_settings)",
        "SELECT * FROM (WITH pg_settings AS (SELECT 1) SELECT 1), pg_settings",
        "SELECT * FROM pg_catalog.pg_settings",
        "SELECT * FROM main.__sqlgate_rel_1",
        "SELECT pg_catalog.current_setting('threads')",
        "SELECT current_schemas(true)",
        "SELECT pg_get_viewdef(1)",
    ],
)
def test_duckdb_layer_alone_refuses_out_of_scope_names(lake, sql):
    """The second line, fed SQL the first line never lets through: DuckDB's own parse, scoped
    as DuckDB binds it, refuses every name that is neither a relation nor a CTE in scope."""
    with LakehouseEngine(FileSource(str(lake["lake"] / "files"))) as engine:
        compiled = CompiledStatement(sql, [TableRef("__sqlgate_rel_1", "t")], 0, [])
        with pytest.raises(ReadOnlyError) as err:
            vet_with_duckdb(engine._connection(), compiled)
        _clean(str(err.value).replace("__sqlgate_rel_1", ""))


def test_duckdb_is_boxed_in_and_locked(lake):
    """Below every guard: the engine's own DuckDB reads only the lake and cannot be reset."""
    root = lake["lake"] / "files"
    with LakehouseEngine(FileSource(str(root))) as engine:
        con = engine._connection()
        got = settings(con)
        assert got["enable_external_access"] == "false"
        assert got["lock_configuration"] == "true"
        assert got["python_enable_replacements"] == "false"
        assert f"{os.path.realpath(root)}/" in got["allowed_directories"]
        assert str(lake["out"]) not in got["allowed_directories"]
        for statement in (
            "SET enable_external_access = true",
            "RESET allowed_directories",
            f"SET allowed_directories = ['{lake['out']}/']",
            "SET lock_configuration = false",
            "SET GLOBAL allowed_paths = ['/']",
        ):
            with pytest.raises(duckdb.Error, match="locked"):
                con.execute(statement)
        for path in (
            lake["out"] / "secret.txt",
            Path("/etc/passwd"),
            root / "linked_file.parquet",
            root / "items" / ".." / ".." / ".." / "outside" / "secret.csv",
        ):
            with pytest.raises(duckdb.PermissionException):
                con.sql("SELECT * FROM read_text($1)", params=[str(path)]).fetchall()
        for statement in (
            f"ATTACH '{lake['out']}/x.duckdb'",
            "LOAD httpfs",
            f"COPY (SELECT 1) TO '{lake['out']}/copied.csv'",
        ):
            with pytest.raises(duckdb.Error):
                con.execute(statement)
        assert not (lake["out"] / "copied.csv").exists()
        assert not (lake["out"] / "x.duckdb").exists()
        # what the lake needs still works with external access off
        path = str(root / "items" / "part-0.parquet")
        assert con.sql("SELECT count(*) FROM read_parquet($1)", params=[path]).fetchall() == [(2,)]
        assert engine.execute("SELECT count(*) AS n FROM items").read_all().to_pylist() == [
            {"n": 2}
        ]


# ------------------------------------------------------------------ class 7: out of the root
@pytest.mark.parametrize(
    ("source", "table"),
    [
        ("files", "linked_file"),
        ("files", "linked_dir"),
        ("files", "mixed"),
        ("files", "deep"),
        ("csv", "leak"),
        ("csv", "passwd"),
        ("json", "leak"),
        ("delta", "linked_log"),
        ("delta", "linked_data"),
        ("delta", "linked_table"),
    ],
)
def test_symlinks_out_of_the_root_are_refused(lake, source, table):
    fmt = {"files": "", "csv": "?format=csv", "json": "?format=json"}.get(source)
    url = f"delta://{lake['lake']}/delta" if fmt is None else f"file://{lake['lake']}/{source}{fmt}"
    with sqlgate.connect(url) as conn:
        err = _refused(conn, f"SELECT * FROM {table}", ProgrammingError)
        assert table in str(err)
        assert "outside the lake root" in str(err)


def test_links_out_of_the_root_are_not_listed(lake):
    files = FileSource(str(lake["lake"] / "files"))
    assert "linked_file" not in files.list_tables("main")
    assert "linked_dir" not in files.list_tables("main")
    assert DeltaRootSource(str(lake["lake"] / "delta")).list_tables("main") == [
        "items",
        "linked_data",
        "linked_log",
    ]


def test_links_inside_the_root_are_followed(tmp_path):
    """A link that stays in the lake is fine: containment is by real path, not by link."""
    pq.write_table(ROWS, tmp_path / "real.parquet")
    _link(tmp_path / "alias.parquet", tmp_path / "real.parquet")
    with LakehouseEngine(FileSource(str(tmp_path))) as engine:
        assert engine.execute("SELECT count(*) AS n FROM alias").read_all().to_pylist() == [
            {"n": 2}
        ]


def test_hudi_table_with_a_link_out_is_refused_before_hudi_reads(lake, tmp_path):
    pytest.importorskip("hudi")
    table = tmp_path / "hudi" / "t"
    (table / ".hoodie").mkdir(parents=True)
    _link(table / "part" / "base.parquet", lake["out"] / "secret.parquet")
    with pytest.raises(ProgrammingError, match=r"main\.t .*outside the lake root") as err:
        HudiRootSource(str(tmp_path / "hudi")).open("main", "t")
    _clean(str(err.value))


def test_csv_options_cannot_paste_sql(lake):
    base = f"file://{lake['lake']}/csv?format=csv"
    attacks = {
        "csv_files": "'{0}/secret.csv'",
        "csv_delim=';', filename=true, files": "x",
        "csv_header) UNION ALL SELECT * FROM read_text('/etc/passwd') --": "true",
        "csv_delim": "';'), read_text('{0}/secret.txt'",
        "csv_header": "true), (SELECT 1",
        "csv_skip": "1; SELECT 1",
        "csv_sample_size": "all of them",
        "csv_encoding": "utf-8' || '",
        "json_format": "array', files='x",
    }
    for name, value in attacks.items():
        query = {name: value.format(lake["out"])}
        from urllib.parse import urlencode

        with pytest.raises(InterfaceError) as err:
            sqlgate.connect(f"{base}&{urlencode(query)}")
        assert name.split(")")[0].split(";")[0].split("=")[0] in str(err.value)
        _clean(str(err.value))
    # a quote inside an allowed value stays inside its literal
    with sqlgate.connect(base + "&csv_nullstr=x'%20files%3D'%2Fetc%2Fpasswd") as conn:
        cur = conn.cursor()
        cur.execute("SELECT * FROM people ORDER BY id")
        assert cur.fetchall() == [(1, "a"), (2, "b")]
    with sqlgate.connect(base + "&csv_delim=,&csv_header=true&csv_skip=0") as conn:
        cur = conn.cursor()
        cur.execute("SELECT name FROM people ORDER BY id")
        assert cur.fetchall() == [("a",), ("b",)]


@pytest.mark.parametrize("option", ["password", "host", "user", "port", "database"])
def test_url_parts_in_the_query_string_are_named(lake, option):
    url = f"file://{lake['lake']}/files?{option}=x"
    with pytest.raises(InterfaceError, match=option):
        sqlgate.connect(url)
    with pytest.raises(Exception, match=option) as err:
        _sa_connect(url)
    assert _sqlgate_error(err.value, InterfaceError)


@pytest.mark.parametrize(
    ("query", "option"),
    [
        ("max_retries=99999999", "max_retries"),
        ("max_retries=-1", "max_retries"),
        ("max_retries=abc", "max_retries"),
        ("timeout=abc", "timeout"),
        ("timeout=1e12", "timeout"),
        ("connect_timeout=nan", "connect_timeout"),
        ("connect_timeout=0", "connect_timeout"),
        ("retry_timeout=-5s", "retry_timeout"),
    ],
)
def test_network_options_are_bounded_and_named(query, option):
    start = time.monotonic()
    with pytest.raises(InterfaceError, match=option):
        sqlgate.connect(f"s3://k:s@bucket/prefix?endpoint=http://127.0.0.1:1&{query}")
    assert time.monotonic() - start < 5


def test_bad_lakehouse_options_are_named(lake):
    files = f"file://{lake['lake']}/files"
    for query, option in (
        ("rows_per_batch=abc", "rows_per_batch"),
        ("rows_per_batch=0", "rows_per_batch"),
    ):
        with pytest.raises(InterfaceError, match=option):
            sqlgate.connect(f"{files}?{query}")
    for ttl in ("abc", "-1", "nan"):
        with pytest.raises(Exception, match="schema_cache_ttl") as err:
            _sa_connect(f"{files}?schema_cache_ttl={ttl}")
        assert _sqlgate_error(err.value, InterfaceError)
    _sa_connect(f"{files}?schema_cache_ttl=0")
    from sqlgate.lakehouse import storage

    for key in ("aws_skip_signature", "aws_virtual_hosted_style_request"):
        with pytest.raises(InterfaceError, match="not a boolean"):
            storage.s3_options({key: "ture"})
    with pytest.raises(InterfaceError, match="not a boolean"):
        storage.azure_options({"azure_storage_use_emulator": "yes please"}, "acct")


def test_iceberg_files_out_of_the_warehouse_are_refused(lake, tmp_path):
    pytest.importorskip("pyiceberg.catalog.sql")
    from pyiceberg.catalog.sql import SqlCatalog

    out = lake["out"]
    catalog = SqlCatalog(
        "default", uri=f"sqlite:///{tmp_path}/catalog.db", warehouse=f"file://{tmp_path}/warehouse"
    )
    catalog.create_namespace("default")
    catalog.create_table("default.items", schema=ROWS.schema).append(ROWS)
    # a data file registered by absolute path outside the lake
    catalog.create_table("default.foreign", schema=ROWS.schema).add_files(
        [str(out / "secret.parquet")]
    )
    # a data file, a manifest and a metadata file replaced by links out of the lake
    for name in ("linked_data", "linked_manifest", "linked_metadata", "moved_metadata"):
        catalog.create_table(f"default.{name}", schema=ROWS.schema).append(ROWS)
    _swap(
        next((tmp_path / "warehouse" / "default" / "linked_data" / "data").glob("*.parquet")),
        out / "ice_data.parquet",
        SECRET_ROWS,
    )
    manifests = [
        p
        for p in (tmp_path / "warehouse/default/linked_manifest/metadata").glob("*.avro")
        if not p.name.startswith("snap-")
    ]
    _swap(manifests[0], out / "ice_manifest.avro")
    meta = catalog.load_table("default.linked_metadata").metadata_location.removeprefix("file://")
    _swap(Path(meta), out / "ice_metadata.json")
    # the catalog pointed at a metadata file outside the lake
    moved = catalog.load_table("default.moved_metadata").metadata_location.removeprefix("file://")
    shutil.copy(moved, out / "moved.metadata.json")
    with sqlite3.connect(tmp_path / "catalog.db") as db:
        db.execute(
            "UPDATE iceberg_tables SET metadata_location = ? WHERE table_name = ?",
            (f"file://{out}/moved.metadata.json", "moved_metadata"),
        )
    with sqlgate.connect(f"iceberg://{tmp_path}/catalog.db") as conn:
        cur = conn.cursor()
        cur.execute("SELECT count(*) FROM items")
        assert cur.fetchall() == [(2,)]
        for name in (
            "foreign",
            "linked_data",
            "linked_manifest",
            "linked_metadata",
            "moved_metadata",
        ):
            err = _refused(conn, f"SELECT * FROM {name}", ProgrammingError)
            assert f"default.{name}" in str(err) and "outside the lake root" in str(err)


def _swap(path: Path, outside: Path, rows: pa.Table | None = None) -> None:
    """Move ``path`` out of the lake (or write ``rows`` there) and leave a link behind."""
    if rows is None:
        shutil.move(path, outside)
    else:
        pq.write_table(rows, outside)
        path.unlink()
    path.symlink_to(outside)


def test_delta_paths_in_the_log_stay_in_the_table(lake, tmp_path):
    """A log naming absolute or climbing paths: delta-rs keeps them under the table, and what
    it hands over is checked again; the outside file is never read."""
    from deltalake import write_deltalake

    size = (lake["out"] / "secret.parquet").stat().st_size
    for i, path in enumerate(
        [
            f"file://{lake['out']}/secret.parquet",
            str(lake["out"] / "secret.parquet"),
            "../../../outside/secret.parquet",
        ]
    ):
        table = tmp_path / f"t{i}"
        write_deltalake(str(table), ROWS)
        add = {
            "add": {
                "path": path,
                "partitionValues": {},
                "size": size,
                "modificationTime": 0,
                "dataChange": True,
            }
        }
        (table / "_delta_log" / "00000000000000000001.json").write_text(
            json.dumps({"commitInfo": {"timestamp": 1, "operation": "WRITE"}})
            + "\n"
            + json.dumps(add)
            + "\n"
        )
    with sqlgate.connect(f"delta://{tmp_path}") as conn:
        for i in range(3):
            _refused(conn, f"SELECT * FROM t{i}")
