"""Iceberg through a third-party REST catalog: SeaweedFS' own, beside the project's test server.

SeaweedFS serves the Iceberg REST catalog API over its S3 Table Buckets (each table bucket is
one catalog, ``warehouse=s3://<table-bucket>``) and checks AWS SigV4 on every catalog request,
as Amazon S3 Tables does. pyiceberg creates the namespace and table through that catalog and
is the reference reader; sqlgate reads the same table through ``iceberg://…?catalog=rest``
with pyiceberg's SigV4 properties passed through the URL.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pyarrow as pa
import pytest

import sqlgate
from sqlgate.core.errors import OperationalError
from tests.integration.lakehouse.reference import assert_same_rows, fetch_arrow
from tests.servers.base import ServerInfo
from tests.servers.seaweedfs import KEEP_PREFIX, bucket_traffic

pytest.importorskip("pyiceberg")

NAMESPACE = "sales"
ORDERS = pa.table(
    {
        "id": pa.array([1, 2, 3, 4, 5, 6], pa.int64()),
        "region": ["eu", "us", "eu", "apac", "us", "eu"],
        "amount": [1.5, 2.5, 3.5, 4.5, 5.5, 6.5],
        "at": pa.array([dt.datetime(2026, 1, d, 12, 0) for d in range(1, 7)], pa.timestamp("us")),
        "tags": pa.array([["a"], [], ["b", "c"], None, ["d"], ["e"]], pa.list_(pa.string())),
    }
)


def _properties(info: ServerInfo, secret: str | None = None) -> dict[str, str]:
    """pyiceberg's names: SigV4 for the catalog (service ``s3tables``), keys for the data."""
    secret = secret or info.password
    return {
        "rest.sigv4-enabled": "true",
        "rest.signing-region": "us-east-1",
        "rest.signing-name": "s3tables",
        "client.access-key-id": info.user,
        "client.secret-access-key": secret,
        "client.region": "us-east-1",
        "s3.endpoint": info.extra["endpoint_url"],
        "s3.access-key-id": info.user,
        "s3.secret-access-key": secret,
        "s3.region": "us-east-1",
    }


def _url(info: ServerInfo, warehouse: str, secret: str | None = None) -> str:
    port = str(info.extra["iceberg_url"]).rsplit(":", 1)[1]
    query = {"catalog": "rest", "warehouse": warehouse, **_properties(info, secret)}
    return f"iceberg://{info.host}:{port}/?{urlencode(query)}"


@pytest.fixture(scope="module")
def rest_lake(seaweedfs_server: ServerInfo) -> Iterator[tuple[ServerInfo, str, Any, list[int]]]:
    """A table bucket holding ``sales.orders`` (partitioned by region) in two snapshots."""
    import boto3
    from pyiceberg.catalog.rest import RestCatalog

    info = seaweedfs_server
    if not info.extra.get("iceberg_url"):
        pytest.skip("this SeaweedFS (an override URL) names no Iceberg REST port")
    name = f"{KEEP_PREFIX}wh-{uuid.uuid4().hex[:10]}"
    tables = boto3.client(
        "s3tables",
        endpoint_url=info.extra["endpoint_url"],
        region_name="us-east-1",
        aws_access_key_id=info.user,
        aws_secret_access_key=info.password,
    )
    tables.create_table_bucket(name=name)
    warehouse = f"s3://{name}"
    catalog = RestCatalog(
        "seaweedfs", uri=info.extra["iceberg_url"], warehouse=warehouse, **_properties(info)
    )
    catalog.create_namespace(NAMESPACE)
    table = catalog.create_table(f"{NAMESPACE}.orders", schema=ORDERS.schema)
    with table.update_spec() as update:
        update.add_identity("region")
    table.append(ORDERS.slice(0, 3))
    table.append(ORDERS.slice(3))
    table = catalog.load_table(f"{NAMESPACE}.orders")
    snapshots = [s.snapshot_id for s in table.snapshots()]
    yield info, warehouse, catalog, snapshots


def test_read_matches_pyiceberg_through_the_rest_catalog(rest_lake):
    info, warehouse, catalog, snapshots = rest_lake
    reference = catalog.load_table(f"{NAMESPACE}.orders")
    with sqlgate.connect(_url(info, warehouse)) as conn:
        assert conn.session.engine.list_tables(NAMESPACE) == ["orders"]
        got = fetch_arrow(conn, f"SELECT * FROM {NAMESPACE}.orders")
        assert_same_rows(got, reference.scan().to_arrow(), "current snapshot")
        assert got.num_rows == 6

        pruned = fetch_arrow(conn, f"SELECT id, amount FROM {NAMESPACE}.orders WHERE region = 'eu'")
        want = reference.scan(row_filter="region == 'eu'", selected_fields=("id", "amount"))
        assert_same_rows(pruned, want.to_arrow(), "region = 'eu'")
        plan = conn.session.engine.plan_info[0]
        assert plan["files_planned"] < plan["files_total"], plan

        first = fetch_arrow(
            conn, f"SELECT * FROM {NAMESPACE}.orders FOR VERSION AS OF {snapshots[0]}"
        )
        assert_same_rows(first, reference.scan(snapshot_id=snapshots[0]).to_arrow(), "v1")
        assert sorted(first.column("id").to_pylist()) == [1, 2, 3]


def test_sqlalchemy_reflects_the_rest_catalog(rest_lake):
    from sqlalchemy import create_engine, inspect, text

    info, warehouse, _, _ = rest_lake
    engine = create_engine(_url(info, warehouse))
    try:
        insp = inspect(engine)
        assert NAMESPACE in insp.get_schema_names()
        assert insp.get_table_names(schema=NAMESPACE) == ["orders"]
        columns = {c["name"] for c in insp.get_columns("orders", schema=NAMESPACE)}
        assert columns == set(ORDERS.column_names)
        with engine.connect() as conn:
            total = conn.execute(text(f"SELECT sum(amount) FROM {NAMESPACE}.orders")).scalar()
            assert total == pytest.approx(sum(ORDERS.column("amount").to_pylist()))
    finally:
        engine.dispose()


def test_wrong_signature_is_refused_at_connect(rest_lake):
    """The catalog checks SigV4 itself: a wrong secret is refused by the server in
    ``connect()`` (SeaweedFS answers ``/v1/config`` unsigned, so sqlgate asks one signed
    question there), as a PEP 249 OperationalError naming the credential fix, with the
    server's reason and without the secret."""
    info, warehouse, catalog, _ = rest_lake
    wrong = "Wr0ngSecretValue0123456789abcdefGHIJ"
    with pytest.raises(OperationalError) as err:
        sqlgate.connect(_url(info, warehouse, secret=wrong))
    message = str(err.value)
    assert "access refused, check the credentials" in message, message
    assert "signature" in message.lower(), message
    assert wrong not in message and info.password not in message
    # the table is untouched and still readable with the right key
    assert catalog.load_table(f"{NAMESPACE}.orders").scan().to_arrow().num_rows == 6


def test_wrong_signature_refused_through_sqlalchemy(rest_lake):
    """Reflection with a wrong secret is an access refusal naming the fix, not an "unknown
    namespace" (the namespace exists)."""
    import sqlalchemy

    info, warehouse, _catalog, _ = rest_lake
    wrong = "Wr0ngSecretValue0123456789abcdefGHIJ"
    engine = sqlalchemy.create_engine(_url(info, warehouse, secret=wrong))
    try:
        with pytest.raises(sqlalchemy.exc.OperationalError) as err:
            sqlalchemy.inspect(engine).get_table_names(schema=NAMESPACE)
    finally:
        engine.dispose()
    message = str(err.value)
    assert "access refused, check the credentials" in message, message
    assert "unknown Iceberg namespace" not in message
    assert wrong not in message and info.password not in message


def test_right_secret_still_connects_after_the_probe(rest_lake):
    """The connect-time probe is one signed listing: the right key passes it, and it sees the
    namespace pyiceberg created."""
    info, warehouse, _catalog, _ = rest_lake
    with sqlgate.connect(_url(info, warehouse)) as conn:
        assert NAMESPACE in conn.session.engine.list_schemas()


def test_partition_pruning_saves_the_skipped_files_bytes(rest_lake):
    """Counted by the server: the pruned scan fetches at least the skipped data files less."""

    info, warehouse, catalog, _ = rest_lake
    bucket = warehouse.removeprefix("s3://")
    files = catalog.load_table(f"{NAMESPACE}.orders").inspect.files().to_pylist()
    skipped = sum(f["file_size_in_bytes"] for f in files if f["partition"]["region"] != "eu")
    assert skipped > 0 and len(files) == 5  # 3 regions in the second append, 2 in the first
    sent = {}
    for name, where in (("pruned", " WHERE region = 'eu'"), ("full", "")):
        with sqlgate.connect(_url(info, warehouse)) as conn:  # a cold connection each: no cache
            before = bucket_traffic(info, bucket)["bytes_sent"]
            fetch_arrow(conn, f"SELECT * FROM {NAMESPACE}.orders{where}")
            sent[name] = bucket_traffic(info, bucket)["bytes_sent"] - before
    assert sent["pruned"] > 0 and sent["full"] - sent["pruned"] >= skipped, (sent, skipped)
