"""Iceberg catalogs over emulated stores, read through sqlgate's SQL.

* SQL catalog (SQLite file) with its warehouse on S3 (SeaweedFS);
* REST catalog: tests/servers/iceberg_rest.py serving that SQL catalog over HTTP, vending the
  S3 FileIO settings in each LoadTableResult the way real REST catalogs do;
* Glue catalog on moto (Glue and S3 from the same emulator).

Tables are written by pyiceberg itself; reads go through ``sqlgate.connect(url)`` or
``create_engine(url)``. Only 127.0.0.1 is contacted: every URL names its endpoint and region.
"""

from __future__ import annotations

import json
import time
from urllib.parse import urlencode

import pyarrow as pa
import pytest

pytest.importorskip("pyiceberg")

import sqlgate
from sqlgate.core.errors import InterfaceError, OperationalError, ProgrammingError
from tests.integration.lakehouse.test_object_stores import (
    BOUND,
    BUCKET,
    SALES,
    _boto,
    _moto_auth,
    _plan,
    _rows,
    stalled,
)
from tests.servers.base import ServerInfo, free_port
from tests.servers.iceberg_rest import running_iceberg_rest

CATALOG = "lake"  # the SQL catalog's name (sqlgate's ?catalog_name=)


def _s3_props(info: ServerInfo) -> dict[str, str]:
    return {
        "s3.endpoint": info.extra["endpoint_url"],
        "s3.region": "us-east-1",
        "s3.access-key-id": info.user,
        "s3.secret-access-key": info.password,
    }


def _fill(catalog) -> dict[str, int]:
    """db.sales (partitioned by region, two snapshots) and db.regions; returns snapshot ids."""
    catalog.create_namespace("db")
    sales = catalog.create_table("db.sales", schema=SALES.schema)
    with sales.update_spec() as spec:
        spec.add_identity("region")
    sales.append(SALES.slice(0, 4))
    first = sales.current_snapshot().snapshot_id
    sales.append(SALES.slice(4))
    catalog.create_table(
        "db.regions", schema=pa.schema([("region", pa.string()), ("name", pa.string())])
    ).append(pa.table({"region": ["eu", "us", "apac"], "name": ["Europe", "USA", "Asia"]}))
    return {"first": first, "current": sales.current_snapshot().snapshot_id}


def _check_lake(conn, snapshots: dict[str, int]) -> None:
    engine = conn.session.engine
    assert engine.list_schemas() == ["db"]
    assert engine.list_tables("db") == ["regions", "sales"]
    assert _rows(conn, "SELECT id FROM db.sales WHERE region = 'eu' ORDER BY id") == [
        (1,),
        (3,),
        (6,),
    ]
    info = _plan(conn)
    assert info["files"] and all(f.startswith(f"s3://{BUCKET}/") for f in info["files"])
    assert (info["files_planned"], info["files_total"]) == (2, 5)  # eu in both snapshots
    assert info["snapshot_id"] == snapshots["current"]
    assert info["scan"] == "pyiceberg_arrow_stream"  # remote files: not DuckDB-native
    got = _rows(
        conn,
        "SELECT r.name, sum(s.amount) FROM db.sales s JOIN db.regions r "
        "ON s.region = r.region GROUP BY r.name ORDER BY r.name",
    )
    assert got == [("Asia", 4.5), ("Europe", 11.5), ("USA", 8.0)]
    old = _rows(conn, f"SELECT count(*) FROM db.sales FOR VERSION AS OF {snapshots['first']}")
    assert old == [(4,)]
    with pytest.raises(ProgrammingError, match="does not exist"):
        _rows(conn, "SELECT * FROM db.missing")


@pytest.fixture()
def sql_lake(seaweedfs_clean, tmp_path):
    """A SQL catalog in tmp_path whose warehouse is s3://lake/wh on SeaweedFS."""
    from pyiceberg.catalog import load_catalog

    _boto(seaweedfs_clean, "s3").create_bucket(Bucket=BUCKET)
    catalog = load_catalog(
        CATALOG,
        type="sql",
        uri=f"sqlite:///{tmp_path}/catalog.db",
        warehouse=f"s3://{BUCKET}/wh",
        **_s3_props(seaweedfs_clean),
    )
    snapshots = _fill(catalog)
    return seaweedfs_clean, tmp_path / "catalog.db", catalog, snapshots


# ---------------------------------------------------------------------------- SQL catalog
def test_sql_catalog_with_warehouse_on_s3(sql_lake):
    info, path, _, snapshots = sql_lake
    query = urlencode(
        {
            "catalog_name": CATALOG,
            "warehouse": f"s3://{BUCKET}/wh",
            "endpoint": info.extra["endpoint_url"],
            "region": "us-east-1",
        }
    )
    url = f"iceberg://{info.user}:{info.password}@{path}?{query}"
    with sqlgate.connect(url) as conn:
        _check_lake(conn, snapshots)


def test_sql_catalog_through_sqlalchemy(sql_lake):
    from sqlalchemy import create_engine, inspect, text

    info, path, _, _ = sql_lake
    query = urlencode(
        {"catalog_name": CATALOG, "endpoint": info.extra["endpoint_url"], "region": "us-east-1"}
    )
    engine = create_engine(f"iceberg://{info.user}:{info.password}@{path}?{query}")
    try:
        insp = inspect(engine)
        assert "db" in insp.get_schema_names()
        assert insp.get_table_names(schema="db") == ["regions", "sales"]
        assert [c["name"] for c in insp.get_columns("sales", schema="db")] == [
            "id",
            "region",
            "amount",
        ]
        with engine.connect() as conn:
            n = conn.execute(text("SELECT count(*) FROM db.sales WHERE region = 'us'")).scalar()
            assert n == 2
    finally:
        engine.dispose()


# ---------------------------------------------------------------------------- REST catalog
def test_rest_catalog_with_vended_s3_config_and_token(sql_lake):
    info, _, catalog, snapshots = sql_lake
    token = "rest-token-0123456789"
    with running_iceberg_rest(catalog, token=token, table_config=_s3_props(info)) as server:
        # the client names only the server: the S3 settings come with each loaded table
        with sqlgate.connect(f"iceberg://:{token}@127.0.0.1:{server.port}/?catalog=rest") as conn:
            _check_lake(conn, snapshots)
        assert ("GET", "/v1/namespaces/db/tables/sales") in server.requests
        for wrong in ("wrong-token-value", None):
            auth = f":{wrong}@" if wrong else ""
            with pytest.raises(OperationalError, match="access refused") as err:
                sqlgate.connect(f"iceberg://{auth}127.0.0.1:{server.port}/?catalog=rest")
            assert token not in str(err.value)
            if wrong:
                assert wrong not in str(err.value)


def test_rest_catalog_with_client_side_s3_settings(sql_lake):
    """A server that vends nothing: the URL carries the FileIO settings (pyiceberg names)."""
    info, _, catalog, snapshots = sql_lake
    with running_iceberg_rest(catalog) as server:
        query = urlencode(
            {
                "catalog": "rest",
                "endpoint": info.extra["endpoint_url"],
                "region": "us-east-1",
                "s3.access-key-id": info.user,
                "s3.secret-access-key": info.password,
            }
        )
        with sqlgate.connect(f"iceberg://127.0.0.1:{server.port}/?{query}") as conn:
            _check_lake(conn, snapshots)
            with pytest.raises(ProgrammingError):
                _rows(conn, "SELECT * FROM nowhere.sales")


def test_rest_catalog_through_sqlalchemy(sql_lake):
    from sqlalchemy import create_engine, inspect, text

    info, _, catalog, _ = sql_lake
    with running_iceberg_rest(catalog, table_config=_s3_props(info)) as server:
        engine = create_engine(f"iceberg://127.0.0.1:{server.port}/?catalog=rest")
        try:
            assert inspect(engine).get_table_names(schema="db") == ["regions", "sales"]
            with engine.connect() as conn:
                assert conn.execute(text("SELECT max(id) FROM db.sales")).scalar() == 6
        finally:
            engine.dispose()


@pytest.fixture()
def stalled_endpoint():
    with stalled() as endpoint:
        yield endpoint


def test_rest_and_glue_unreachable_or_stalled_fail_fast(stalled_endpoint):
    port = stalled_endpoint.rsplit(":", 1)[1]
    for url in (
        f"iceberg://127.0.0.1:{free_port()}/?catalog=rest&connect_timeout=2",
        f"iceberg://127.0.0.1:{port}/?catalog=rest&timeout=1",
        f"iceberg://k:s3cr3t-value@/?catalog=glue&region=us-east-1&endpoint={stalled_endpoint}"
        "&timeout=1&max_retries=1",
    ):
        start = time.monotonic()
        with pytest.raises(OperationalError, match="cannot reach the endpoint"):
            sqlgate.connect(url)
        assert time.monotonic() - start < 15, url
    with pytest.raises(InterfaceError, match="name the server"):
        sqlgate.connect("iceberg:///?catalog=rest")


# ---------------------------------------------------------------------------- Glue (moto)
def _glue_catalog(info: ServerInfo):
    from pyiceberg.catalog import load_catalog

    return load_catalog(
        "glue",
        **{
            "type": "glue",
            "glue.endpoint": info.extra["endpoint_url"],
            "glue.region": "us-east-1",
            "client.access-key-id": info.user,
            "client.secret-access-key": info.password,
            "client.region": "us-east-1",
            "s3.endpoint": info.extra["endpoint_url"],
            "warehouse": f"s3://{BUCKET}/glue",
        },
    )


def _glue_url(info: ServerInfo, key: str | None = None, secret: str | None = None) -> str:
    query = urlencode(
        {"catalog": "glue", "region": "us-east-1", "endpoint": info.extra["endpoint_url"]}
    )
    return f"iceberg://{key or info.user}:{secret or info.password}@/?{query}"


@pytest.fixture()
def glue_lake(moto_clean):
    _boto(moto_clean, "s3").create_bucket(Bucket=BUCKET)
    snapshots = _fill(_glue_catalog(moto_clean))
    return moto_clean, snapshots


def test_glue_catalog_on_moto(glue_lake):
    info, snapshots = glue_lake
    with sqlgate.connect(_glue_url(info)) as conn:
        _check_lake(conn, snapshots)


def test_glue_wrong_credentials_and_unreachable(glue_lake):
    info, _ = glue_lake
    iam = _boto(info, "iam")
    iam.create_user(UserName="reader")
    iam.put_user_policy(
        UserName="reader",
        PolicyName="all",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
            }
        ),
    )
    key = iam.create_access_key(UserName="reader")["AccessKey"]
    wrong = "Wr0ngGlueSecret0123456789abcdefXYZ"
    _moto_auth(info, "0")
    try:
        with sqlgate.connect(_glue_url(info, key["AccessKeyId"], key["SecretAccessKey"])) as c:
            assert _rows(c, "SELECT count(*) FROM db.sales") == [(6,)]
        for key_id in (key["AccessKeyId"], "AKIAUNKNOWNKEY000000"):
            with pytest.raises(OperationalError, match="access refused") as err:
                sqlgate.connect(_glue_url(info, key_id, wrong))
            assert wrong not in str(err.value)
    finally:
        _moto_auth(info, "inf")
    closed = f"http://127.0.0.1:{free_port()}"
    start = time.monotonic()
    with pytest.raises(OperationalError, match="cannot reach the endpoint"):
        sqlgate.connect(
            f"iceberg://k:s3cr3t-value@/?catalog=glue&region=us-east-1&endpoint={closed}"
        )
    assert time.monotonic() - start < BOUND
