"""``engine=spark`` on a Delta table in a real S3 server (SeaweedFS, which checks SigV4).

The endpoint and the key pair come from the sqlgate URL and reach the Spark session as its own
S3A settings (hadoop-aws 3.4.1 + the AWS SDK bundle in the test server): the Spark answer
must equal the embedded DuckDB's row for row, time travel included; a wrong secret must be
refused by the server without the secret showing in the error; and formats Spark cannot read
from a store yet are refused before Spark is asked.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

pytest.importorskip("deltalake")
pytest.importorskip("pyspark.sql.connect")

import sqlgate
from sqlgate.core.errors import NotSupportedError, OperationalError
from tests.integration.lakehouse.reference import assert_same_rows, fetch_arrow
from tests.integration.lakehouse.test_object_stores import SALES, _delta_options
from tests.servers.base import ServerInfo
from tests.servers.seaweedfs import delete_bucket, s3_client, store_url

WRONG_SECRET = "Wr0ngSparkSecret0123456789abcdefGHIJ"


@pytest.fixture(scope="module")
def s3_delta(seaweedfs_server: ServerInfo) -> Iterator[tuple[ServerInfo, str]]:
    """A bucket holding one Delta table (``orders``) in two versions."""
    from deltalake import write_deltalake

    bucket = f"spark{uuid.uuid4().hex[:10]}"
    s3_client(seaweedfs_server).create_bucket(Bucket=bucket)
    uri, options = f"s3://{bucket}/delta/orders", _delta_options(seaweedfs_server)
    write_deltalake(uri, SALES.slice(0, 3), partition_by=["region"], storage_options=options)
    write_deltalake(uri, SALES.slice(3), mode="append", storage_options=options)
    yield seaweedfs_server, bucket
    delete_bucket(seaweedfs_server, bucket)


def _urls(info: ServerInfo, bucket: str, remote: str, **kw: Any) -> tuple[str, str]:
    url = store_url("s3", info, f"{bucket}/delta", scheme="delta", **kw)
    return url, f"{url}&engine=spark&spark_remote={remote}"


QUERIES = [
    "SELECT * FROM orders",
    "SELECT region, count(*) AS n, sum(amount) AS s FROM orders GROUP BY region",
    "SELECT id FROM orders WHERE region = 'eu'",
    "SELECT * FROM orders FOR VERSION AS OF 0",
]


def test_delta_on_s3_equals_embedded(s3_delta: tuple, spark_connect: ServerInfo) -> None:
    info, bucket = s3_delta
    duck_url, spark_url = _urls(info, bucket, spark_connect.extra["remote"])
    with sqlgate.connect(duck_url) as duck, sqlgate.connect(spark_url) as spark:
        for sql in QUERIES:
            expected = fetch_arrow(duck, sql)
            assert expected.num_rows > 0, sql
            assert_same_rows(fetch_arrow(spark, sql), expected, sql)
        info_ = spark.session.engine.plan_info[0]
        assert info_["engine"] == "spark" and info_["options"] == {"versionAsOf": "0"}
        n = fetch_arrow(spark, "SELECT count(*) AS n FROM orders").to_pylist()
        assert n == [{"n": SALES.num_rows}]


def test_wrong_secret_refused_by_the_server(s3_delta: tuple, spark_connect: ServerInfo) -> None:
    """The embedded engine checks the key at connect; past that (a key revoked later, the
    same here) Spark's S3A read is refused by the server, and the secret is not echoed."""
    info, bucket = s3_delta
    good, _ = _urls(info, bucket, spark_connect.extra["remote"])
    with sqlgate.connect(f"{good}&engine=spark&spark_remote={spark_connect.extra['remote']}") as c:
        engine = c.session.engine
        engine.source._static["aws_secret_access_key"] = WRONG_SECRET  # the key revoked
        with pytest.raises(OperationalError) as err:
            fetch_arrow(c, "SELECT count(*) FROM orders FOR VERSION AS OF 1")
    message = str(err.value)
    assert WRONG_SECRET not in message
    assert any(word in message.lower() for word in ("403", "forbidden", "denied")), message


def test_other_stores_and_formats_refused(spark_connect: ServerInfo, s3_delta: tuple) -> None:
    """Parquet trees on a store are not read by Spark yet: refused before Spark is asked."""
    info, bucket = s3_delta
    url = store_url("s3", info, f"{bucket}/delta", scheme="s3")
    remote = spark_connect.extra["remote"]
    with (
        sqlgate.connect(f"{url}&engine=spark&spark_remote={remote}") as c,
        pytest.raises(NotSupportedError, match="engine=duckdb"),
    ):
        fetch_arrow(c, "SELECT * FROM orders")
