"""Files and Delta on Azure Blob (Azurite), bad input for every store, URL -> options.

The S3-compatible sources (S3, MinIO, OSS, COS, Ozone) run on a real S3 server, SeaweedFS,
in test_seaweedfs_s3.py / test_seaweedfs_tables.py, which share this module's helpers and
data; Azure Blob runs against Azurite here. Every table is written by its own format library
(pyarrow, deltalake) or uploaded as-is (Spark-written Hudi fixtures); every read goes through
``sqlgate.connect(url)`` or ``create_engine(url)``. GCS has no emulator here: its URL ->
options mapping is unit-tested. Only 127.0.0.1 is ever contacted: every URL carries an
endpoint and explicit credentials.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import os
import socket
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote, urlencode

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.fs as pafs
import pytest

import sqlgate
from sqlgate.core.errors import InterfaceError, OperationalError, ProgrammingError
from sqlgate.core.params import ConnectParams
from sqlgate.core.registry import get_source
from sqlgate.lakehouse import storage, stores
from tests.servers import azurite
from tests.servers.base import ServerInfo, free_port

SALES = pa.table(
    {
        "id": pa.array([1, 2, 3, 4, 5, 6], pa.int64()),
        "region": ["eu", "us", "eu", "apac", "us", "eu"],
        "amount": [1.5, 2.5, 3.5, 4.5, 5.5, 6.5],
    }
)
PEOPLE_CSV = "id,name,city\n1,Ann,Paris\n2,Bo,Lima\n3,Cy,Oslo\n"
EVENTS = [{"id": 1, "kind": "click", "tags": ["a", "b"]}, {"id": 2, "kind": "view", "tags": []}]
BUCKET = "lake"
HUDI_FIXTURES = Path(os.environ.get("SQLGATE_HUDI_FIXTURES", "/work/shared/fixtures/hudi"))
HUDI_TABLES = ("cow_v9_txns_simple_meta", "mor_parquet_v6_complexkeygen_hivestyle")
BOUND = 30.0  # seconds an unreachable endpoint may take to fail, retries included


# ---------------------------------------------------------------------------- helpers
def _boto(info: ServerInfo, service: str, **keys: str):
    import boto3

    return boto3.client(
        service,
        endpoint_url=info.extra["endpoint_url"],
        region_name="us-east-1",
        aws_access_key_id=keys.get("key", info.user),
        aws_secret_access_key=keys.get("secret", info.password),
    )


def _s3fs(info: ServerInfo) -> pafs.S3FileSystem:
    return pafs.S3FileSystem(
        endpoint_override=f"{info.host}:{info.port}",
        scheme="http",
        access_key=info.user,
        secret_key=info.password,
        region="us-east-1",
        allow_bucket_creation=True,
    )


def _delta_options(info: ServerInfo) -> dict[str, str]:
    return {
        "AWS_ENDPOINT_URL": info.extra["endpoint_url"],
        "AWS_ALLOW_HTTP": "true",
        "AWS_ACCESS_KEY_ID": info.user,
        "AWS_SECRET_ACCESS_KEY": info.password,
        "AWS_REGION": "us-east-1",
    }


def _write_files(fs: pafs.FileSystem, base: str) -> None:
    """Hive-partitioned Parquet, one CSV and one JSON-lines table under ``base``."""
    ds.write_dataset(
        SALES,
        f"{base}/files/sales",
        filesystem=fs,
        format="parquet",
        partitioning=["region"],
        partitioning_flavor="hive",
        existing_data_behavior="overwrite_or_ignore",
    )
    fs.create_dir(f"{base}/csv")
    with fs.open_output_stream(f"{base}/csv/people.csv") as out:
        out.write(PEOPLE_CSV.encode())
    fs.create_dir(f"{base}/json")
    with fs.open_output_stream(f"{base}/json/events.jsonl") as out:
        out.write("".join(json.dumps(e) + "\n" for e in EVENTS).encode())


def _rows(conn, sql: str, params=None) -> list[tuple]:
    cur = conn.cursor()
    cur.execute(sql, params)
    return [tuple(r) for r in cur.fetchall()]


def _plan(conn) -> dict:
    return conn.session.engine.plan_info[0]


def _s3_url(scheme: str, info: ServerInfo, path: str, **query: str) -> str:
    query = {"endpoint": info.extra["endpoint_url"], "region": "us-east-1", **query}
    return f"{scheme}://{info.user}:{info.password}@{path}?{urlencode(query)}"


def _moto_auth(info: ServerInfo, count: str) -> None:
    """Enforce IAM auth on moto after ``count`` more requests ("inf" turns it off); kept for
    the Glue tests (test_catalogs.py): moto serves the AWS control plane SeaweedFS has not."""
    req = urllib.request.Request(
        info.extra["endpoint_url"] + "/moto-api/reset-auth",
        data=count.encode(),
        method="POST",
        headers={"Content-Type": "text/plain"},
    )
    with urllib.request.urlopen(req, timeout=10):
        pass


def _account_sas(key: str, account: str, perms: str = "rl", expired: bool = False) -> str:
    """An Azure account SAS (blob service, container+object), signed like the SDKs do."""
    when = dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=-1 if expired else 1)
    expiry = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    version = "2020-12-06"
    to_sign = "\n".join([account, perms, "b", "sco", "", expiry, "", "https,http", version, "", ""])
    sig = base64.b64encode(
        hmac.new(base64.b64decode(key), to_sign.encode(), hashlib.sha256).digest()
    ).decode()
    return urlencode(
        {
            "sv": version,
            "ss": "b",
            "srt": "sco",
            "sp": perms,
            "se": expiry,
            "spr": "https,http",
            "sig": sig,
        }
    )


def _azure_url(
    scheme: str, info: ServerInfo, path: str, key: str | None = None, **query: str
) -> str:
    query = {"endpoint": info.extra["endpoint"], **query}
    auth = info.user if key is None else f"{info.user}:{quote(key, safe='')}"
    return f"{scheme}://{auth}@{path}?{urlencode(query)}"


# ---------------------------------------------------------------------------- Azure (Azurite)
@pytest.fixture()
def azure_lake(azurite_server: ServerInfo):
    container = f"c{uuid.uuid4().hex[:12]}"
    fs = azurite.filesystem(azurite_server)
    fs.create_dir(container)
    _write_files(fs, container)
    yield azurite_server, container
    fs.delete_dir(container)


def test_azure_files_with_account_key(azure_lake):
    info, container = azure_lake
    url = _azure_url("azure", info, f"{container}/files", key=info.password)
    with sqlgate.connect(url) as conn:
        assert _rows(conn, "SELECT id FROM sales WHERE region = 'eu' ORDER BY id") == [
            (1,),
            (3,),
            (6,),
        ]
        assert (_plan(conn)["files_planned"], _plan(conn)["files_total"]) == (1, 3)
    url = _azure_url("azure", info, f"{container}/csv", key=info.password, format="csv")
    with sqlgate.connect(url) as conn:
        assert _rows(conn, "SELECT count(*) FROM people") == [(3,)]
    url = _azure_url("azure", info, f"{container}/json", key=info.password, format="json")
    with sqlgate.connect(url) as conn:
        assert _rows(conn, "SELECT kind FROM events ORDER BY id") == [("click",), ("view",)]


def test_azure_files_with_sas_token(azure_lake, monkeypatch):
    from sqlalchemy import create_engine, text

    info, container = azure_lake
    sas = _account_sas(info.password, info.user)
    url = _azure_url("azure", info, f"{container}/files", sas_token=sas)
    with sqlgate.connect(url) as conn:
        assert _rows(conn, "SELECT sum(amount) FROM sales WHERE region = 'us'") == [(8.0,)]
        assert _plan(conn)["files_planned"] == 1
    # the same token from a credential provider (it must not be taken for an account key)
    monkeypatch.setenv("SQLGATE_TEST_AZURE_SAS", sas)
    engine = create_engine(
        _azure_url(
            "azure", info, f"{container}/files", credential="azure-sas:env:SQLGATE_TEST_AZURE_SAS"
        )
    )
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM sales")).scalar() == 6
    finally:
        engine.dispose()


def test_delta_on_azurite(azure_lake):
    from deltalake import write_deltalake

    info, container = azure_lake
    opts = {
        "azure_storage_account_name": info.user,
        "azure_storage_account_key": info.password,
        "azure_storage_endpoint": info.extra["endpoint"],
        "azure_allow_http": "true",
    }
    uri = f"az://{container}/delta/orders"
    write_deltalake(uri, SALES.slice(0, 3), partition_by=["region"], storage_options=opts)
    write_deltalake(uri, SALES.slice(3), mode="append", storage_options=opts)
    url = _azure_url("delta", info, f"{container}/delta", key=info.password, store="azure")
    with sqlgate.connect(url) as conn:
        assert _rows(conn, "SELECT id FROM orders WHERE region = 'us' ORDER BY id") == [(2,), (5,)]
        assert (_plan(conn)["files_planned"], _plan(conn)["files_total"]) == (2, 5)
        assert _rows(conn, "SELECT count(*) FROM orders FOR VERSION AS OF 0") == [(3,)]
    sas = _account_sas(info.password, info.user)
    url = _azure_url("delta", info, f"{container}/delta", store="azure", sas_token=sas)
    with sqlgate.connect(url) as conn:
        assert _rows(conn, "SELECT count(*) FROM orders") == [(6,)]


def test_azure_wrong_key_and_bad_sas(azure_lake):
    info, container = azure_lake
    wrong = base64.b64encode(b"not the key" * 6).decode()
    with pytest.raises(OperationalError) as err:
        sqlgate.connect(_azure_url("azure", info, f"{container}/files", key=wrong))
    assert wrong not in str(err.value) and "access refused" in str(err.value)
    for sas in (
        _account_sas(wrong, info.user),
        _account_sas(info.password, info.user, expired=True),
    ):
        with pytest.raises(OperationalError) as err:
            sqlgate.connect(_azure_url("azure", info, f"{container}/files", sas_token=sas))
        assert sas.split("sig=")[1] not in str(err.value)


def test_unreachable_endpoints_fail_fast():
    closed = f"http://127.0.0.1:{free_port()}"
    urls = [
        f"s3://k:secret-value@{BUCKET}/files?endpoint={closed}",
        f"minio://k:secret-value@127.0.0.1:{closed.rsplit(':', 1)[1]}/{BUCKET}/x?secure=false",
        f"delta://k:secret-value@{BUCKET}/delta?store=s3&endpoint={closed}&connect_timeout=2",
        f"hudi://k:secret-value@{BUCKET}/hudi?store=s3&endpoint={closed}&max_retries=1",
        f"azure://{azurite.ACCOUNT}:{quote(azurite.ACCOUNT_KEY, safe='')}@c/x"
        f"?endpoint={closed}/{azurite.ACCOUNT}",
    ]
    for url in urls:
        start = time.monotonic()
        with pytest.raises(OperationalError, match="cannot reach the endpoint"):
            sqlgate.connect(url)
        assert time.monotonic() - start < BOUND, url


@contextmanager
def stalled() -> Iterator[str]:
    """An endpoint that accepts TCP connections and never answers (a hung server)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        sock.close()


@pytest.fixture()
def stalled_endpoint() -> Iterator[str]:
    with stalled() as endpoint:
        yield endpoint


def test_stalled_endpoints_time_out(stalled_endpoint):
    """The URL's timeouts bound a server that never answers; Azure (no pyarrow timeouts)
    is bounded by the connect-time probe's deadline (connect_timeout + timeout)."""
    ep = stalled_endpoint
    fast = "connect_timeout=1&timeout=1&max_retries=1"
    key = quote(azurite.ACCOUNT_KEY, safe="")
    for url in (
        f"s3://k:secret-value@{BUCKET}/files?endpoint={ep}&{fast}",
        f"delta://k:secret-value@{BUCKET}/delta?store=s3&endpoint={ep}&{fast}",
        f"azure://{azurite.ACCOUNT}:{key}@c/x?endpoint={ep}/{azurite.ACCOUNT}&{fast}",
    ):
        start = time.monotonic()
        with pytest.raises(OperationalError, match="cannot reach the endpoint"):
            sqlgate.connect(url)
        assert time.monotonic() - start < 15, url


def test_missing_container_and_table(azure_lake):
    info, container = azure_lake
    with pytest.raises(ProgrammingError, match="does not exist"):
        sqlgate.connect(_azure_url("azure", info, "nocontainer/files", key=info.password))
    with pytest.raises(ProgrammingError, match="does not exist"):
        sqlgate.connect(_azure_url("azure", info, f"{container}/no/such/prefix", key=info.password))
    url = _azure_url("azure", info, f"{container}/files", key=info.password)
    with (
        sqlgate.connect(url) as conn,
        pytest.raises(ProgrammingError, match=r"main\.missing does not exist"),
    ):
        _rows(conn, "SELECT * FROM missing")


@pytest.mark.parametrize(
    "url",
    [
        "s3://k:s@bucket/p?endpoint=http://127.0.0.1:1&bogus=1",
        "minio://k:s@127.0.0.1:1/bucket?secure=false&regoin=us-east-1",
        "oss://k:s@bucket/p?region=cn-hangzhou&endpiont=x",
        "azure://acct:key@container/p?endpoint=http://127.0.0.1:1/acct&sas=x",
        "gcs://bucket/p?project=x",
        "delta://k:s@bucket/p?store=s3&endpoint=http://127.0.0.1:1&typo=1",
        "hudi://k:s@bucket/p?store=s3&endpoint=http://127.0.0.1:1&typo=1",
        "iceberg://127.0.0.1:1/?catalog=rest&typo=1",
        "s3://k:s@bucket/p?endpoint=http://127.0.0.1:1&timeout=soon",
    ],
)
def test_unknown_or_bad_options_are_interface_errors(url):
    with pytest.raises(InterfaceError):
        sqlgate.connect(url)


# ---------------------------------------------------------------------------- URL -> options
def _locate(url: str):
    spec = get_source(url.split("://", 1)[0])
    params = ConnectParams.from_url(spec, url)
    options = dict(params.options)
    location = stores.locate(spec.load_dbapi().flavor.store, params, options)
    return location, options


def test_derived_endpoints_without_network():
    loc, left = _locate("oss://AK:SK@my-bucket/data/x?region=cn-hangzhou")
    assert left == {}
    assert loc.uri == "s3://my-bucket/data/x"
    opts = loc.storage_options
    assert opts["aws_endpoint_url"] == "https://my-bucket.oss-cn-hangzhou.aliyuncs.com"
    assert opts["aws_virtual_hosted_style_request"] == "true"
    assert opts["aws_region"] == "cn-hangzhou"
    assert (opts["aws_access_key_id"], opts["aws_secret_access_key"]) == ("AK", "SK")
    assert "aws_allow_http" not in opts
    pa_kwargs = storage.s3_options(opts, "my-bucket")
    assert pa_kwargs["endpoint_override"] == "oss-cn-hangzhou.aliyuncs.com"
    assert pa_kwargs["force_virtual_addressing"] is True and pa_kwargs["scheme"] == "https"

    loc, _ = _locate("cos://AK:SK@bkt-1250000000/p?region=ap-guangzhou")
    assert loc.storage_options["aws_endpoint_url"] == (
        "https://bkt-1250000000.cos.ap-guangzhou.myqcloud.com"
    )
    assert storage.s3_options(loc.storage_options, "bkt-1250000000")["endpoint_override"] == (
        "cos.ap-guangzhou.myqcloud.com"
    )

    loc, _ = _locate("minio://AK:SK@minio.internal:9000/bucket/prefix")
    assert loc.uri == "s3://bucket/prefix"
    assert loc.storage_options["aws_endpoint_url"] == "https://minio.internal:9000"
    assert "aws_virtual_hosted_style_request" not in loc.storage_options
    loc, _ = _locate("minio://AK:SK@127.0.0.1:9000/bucket?secure=false")
    assert loc.storage_options["aws_endpoint_url"] == "http://127.0.0.1:9000"
    assert loc.storage_options["aws_allow_http"] == "true"

    # an emulator endpoint on an IP means path style; virtual_hosted= decides explicitly
    loc, _ = _locate("oss://AK:SK@b/p?region=cn-hangzhou&endpoint=http://127.0.0.1:9000")
    assert loc.storage_options["aws_endpoint_url"] == "http://127.0.0.1:9000"
    assert "aws_virtual_hosted_style_request" not in loc.storage_options
    loc, _ = _locate(
        "oss://AK:SK@b/p?endpoint=oss-cn-beijing-internal.aliyuncs.com&virtual_hosted=true"
    )
    assert loc.storage_options["aws_endpoint_url"] == (
        "https://b.oss-cn-beijing-internal.aliyuncs.com"
    )
    loc, _ = _locate("cos://AK:SK@b/p?region=ap-guangzhou&virtual_hosted=false")
    assert loc.storage_options["aws_endpoint_url"] == "https://cos.ap-guangzhou.myqcloud.com"
    assert "aws_virtual_hosted_style_request" not in loc.storage_options

    loc, _ = _locate("s3://AK:SK@bucket/p")
    assert "aws_endpoint_url" not in loc.storage_options
    assert loc.storage_options["aws_region"] == "us-east-1"
    # bounded network behaviour by default, overridable
    assert {k: loc.storage_options[k] for k in stores.TIMEOUT_DEFAULTS} == {
        "connect_timeout": "5s",
        "timeout": "30s",
        "max_retries": "3",
        "retry_timeout": "60s",
    }
    loc, _ = _locate("s3://AK:SK@bucket/p?timeout=2.5&connect_timeout=1s&max_retries=0")
    pa_kwargs = storage.s3_options(loc.storage_options, "bucket")
    assert (pa_kwargs["request_timeout"], pa_kwargs["connect_timeout"]) == (2.5, 1.0)
    assert loc.storage_options["timeout"] == "2500ms"

    with pytest.raises(InterfaceError, match="region"):
        _locate("oss://AK:SK@bucket/p")
    with pytest.raises(InterfaceError, match="bucket"):
        _locate("minio://AK:SK@host:9000/")


def test_azure_and_gcs_options_without_network():
    key = quote(azurite.ACCOUNT_KEY, safe="")
    loc, _ = _locate(f"azure://acct:{key}@cont/some/prefix")
    assert loc.uri == "az://cont/some/prefix"
    assert loc.storage_options["azure_storage_account_key"] == azurite.ACCOUNT_KEY
    kwargs = storage.azure_options(loc.storage_options)
    assert kwargs == {"account_name": "acct", "account_key": azurite.ACCOUNT_KEY}

    loc, _ = _locate(
        "azure://acct@cont/p?sas_token=%3Fsv%3D2020-12-06%26sig%3Dabc"
        "&endpoint=http://127.0.0.1:10000/acct"
    )
    opts = loc.storage_options
    assert opts["azure_storage_sas_token"] == "sv=2020-12-06&sig=abc"
    assert opts["azure_allow_http"] == "true"
    kwargs = storage.azure_options(opts)
    assert kwargs["sas_token"] == "?sv=2020-12-06&sig=abc" and "account_key" not in kwargs
    assert (kwargs["blob_storage_authority"], kwargs["blob_storage_scheme"]) == (
        "127.0.0.1:10000",
        "http",
    )

    loc, _ = _locate("azure://acct:k3y=@cont/p?endpoint=https://acct.blob.core.chinacloudapi.cn")
    kwargs = storage.azure_options(loc.storage_options)
    assert kwargs["blob_storage_authority"] == ".blob.core.chinacloudapi.cn"
    assert kwargs["dfs_storage_authority"] == ".dfs.core.chinacloudapi.cn"
    with pytest.raises(InterfaceError, match="not both"):
        _locate("azure://acct:key@cont/p?sas_token=sv%3Dx")
    with pytest.raises(InterfaceError, match="account"):
        _locate("azure://cont/p")

    loc, left = _locate(
        "gcs://:ya29.token@bucket/dir?endpoint=http://127.0.0.1:4443&project_id=proj"
    )
    assert left == {}
    assert loc.uri == "gs://bucket/dir"
    opts = loc.storage_options
    assert (opts["google_access_token"], opts["google_project_id"]) == ("ya29.token", "proj")
    kwargs = storage.gcs_options(opts)
    assert (kwargs["endpoint_override"], kwargs["scheme"]) == ("127.0.0.1:4443", "http")
    assert kwargs["access_token"] == "ya29.token" and kwargs["project_id"] == "proj"
    assert kwargs["credential_token_expiration"] > dt.datetime.now(dt.timezone.utc)
    assert kwargs["retry_time_limit"] == dt.timedelta(seconds=60)
    with pytest.raises(InterfaceError, match="bucket"):
        _locate("gcs:///dir")
