"""The S3-compatible sources (S3, MinIO, OSS, COS, Ozone's gateway) on a real S3 server.

SeaweedFS (``weed mini``, tests/servers/seaweedfs.py) checks SigV4 signatures for real, so a
wrong secret is refused by the server, not by an emulator's toggle. Every suite runs once per
source, each URL written the way that source's users write it (bucket-as-host with an
endpoint for S3/OSS/COS, server-as-host for MinIO/Ozone). What the server itself counted
(requests, bytes sent) shows what partition pruning saved.
"""

from __future__ import annotations

import datetime as dt
import io
import time
import uuid
import zipfile
from collections.abc import Iterator

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import sqlgate
from sqlgate.core.errors import InterfaceError, OperationalError, ProgrammingError
from tests.integration.lakehouse.test_object_stores import (
    BUCKET,
    EVENTS,
    HUDI_FIXTURES,
    HUDI_TABLES,
    PEOPLE_CSV,
    SALES,
    _delta_options,
    _plan,
    _rows,
    _s3fs,
    _write_files,
)
from tests.servers.base import ServerInfo, server_unavailable
from tests.servers.seaweedfs import (
    KEEP_PREFIX,
    S3_LIKE_SOURCES,
    bucket_traffic,
    delete_bucket,
    s3_client,
    store_url,
)

pytestmark = pytest.mark.usefixtures("seaweedfs_server")
WRONG_SECRET = "Wr0ngSecretValue0123456789abcdefGHIJ"


@pytest.fixture(scope="module")
def lake(seaweedfs_server: ServerInfo) -> Iterator[tuple[ServerInfo, str]]:
    """A bucket holding the shared Parquet/CSV/JSON trees (test_object_stores.py); the tests
    only read it, so one per module (creating a bucket costs SeaweedFS ~1-2 s)."""
    bucket = f"{KEEP_PREFIX}lake-{uuid.uuid4().hex[:10]}"
    s3_client(seaweedfs_server).create_bucket(Bucket=bucket)
    _write_files(_s3fs(seaweedfs_server), bucket)
    yield seaweedfs_server, bucket
    delete_bucket(seaweedfs_server, bucket)


# ---------------------------------------------------------------------------- every S3 source
@pytest.mark.parametrize("store", S3_LIKE_SOURCES)
def test_parquet_hive_partitions_pruned(lake, store):
    info, bucket = lake
    with sqlgate.connect(store_url(store, info, f"{bucket}/files", format="parquet")) as conn:
        assert conn.session.engine.list_tables("main") == ["sales"]
        got = _rows(conn, "SELECT id, amount FROM sales WHERE region = ? ORDER BY id", ["eu"])
        assert got == [(1, 1.5), (3, 3.5), (6, 6.5)]
        plan = _plan(conn)
        assert (plan["files_planned"], plan["files_total"]) == (1, 3)
        assert plan["files"] == [f"{bucket}/files/sales/region=eu/part-0.parquet"]
        totals = _rows(
            conn, "SELECT region, count(*), sum(amount) FROM sales GROUP BY region ORDER BY region"
        )
        assert totals == [("apac", 1, 4.5), ("eu", 3, 11.5), ("us", 2, 8.0)]
        assert _plan(conn)["files_planned"] == 3


@pytest.mark.parametrize("store", S3_LIKE_SOURCES)
def test_csv_and_json(lake, store):
    info, bucket = lake
    with sqlgate.connect(store_url(store, info, f"{bucket}/csv", format="csv")) as conn:
        assert _rows(conn, "SELECT name FROM people WHERE city <> 'Lima' ORDER BY id") == [
            ("Ann",),
            ("Cy",),
        ]
    with sqlgate.connect(store_url(store, info, f"{bucket}/json", format="json")) as conn:
        got = _rows(conn, "SELECT id, kind, len(tags) FROM events ORDER BY id")
        assert got == [(e["id"], e["kind"], len(e["tags"])) for e in EVENTS]
    assert PEOPLE_CSV.count("\n") == 4  # the seeded file: a header and three rows


@pytest.mark.parametrize("store", S3_LIKE_SOURCES)
def test_through_sqlalchemy(lake, store):
    from sqlalchemy import create_engine, inspect, text

    info, bucket = lake
    engine = create_engine(store_url(store, info, f"{bucket}/files"))
    try:
        assert inspect(engine).get_table_names() == ["sales"]
        with engine.connect() as conn:
            n = conn.execute(text("SELECT count(*) FROM sales WHERE region = 'us'")).scalar()
            assert n == 2
            plan = conn.connection.dbapi_connection.session.engine.plan_info[0]
            assert plan["files_planned"] == 1
    finally:
        engine.dispose()


@pytest.mark.parametrize("store", S3_LIKE_SOURCES)
def test_wrong_secret_and_unknown_key_are_refused_by_the_server(lake, store):
    """SigV4 checked by the server: SignatureDoesNotMatch and InvalidAccessKeyId become a
    clean OperationalError that names the fix and never carries the secret."""
    info, bucket = lake
    with sqlgate.connect(store_url(store, info, f"{bucket}/files")) as conn:  # the real pair works
        assert _rows(conn, "SELECT count(*) FROM sales") == [(6,)]
    for key in (info.user, "AKIAUNKNOWNKEY000000"):
        url = store_url(store, info, f"{bucket}/files", key=key, secret=WRONG_SECRET)
        with pytest.raises(OperationalError) as err:
            sqlgate.connect(url)
        message = str(err.value)
        assert WRONG_SECRET not in message and info.password not in message
        assert "access refused" in message and "credentials" in message, message
    # the server saw the refused requests: its answer, not a client-side check
    with pytest.raises(Exception, match="SignatureDoesNotMatch"):
        s3_client(info, secret=WRONG_SECRET).list_objects_v2(Bucket=bucket)


@pytest.mark.parametrize("store", S3_LIKE_SOURCES)
def test_missing_bucket_prefix_and_table(lake, store):
    info, bucket = lake
    with pytest.raises(ProgrammingError, match="does not exist"):
        sqlgate.connect(store_url(store, info, "nobucket0/files"))
    with pytest.raises(ProgrammingError, match="does not exist"):
        sqlgate.connect(store_url(store, info, f"{bucket}/no/such/prefix"))
    with (
        sqlgate.connect(store_url(store, info, f"{bucket}/files")) as conn,
        pytest.raises(ProgrammingError, match=r"main\.missing does not exist"),
    ):
        _rows(conn, "SELECT * FROM missing")


def test_endpoint_override_forms(lake):
    """MinIO with an explicit endpoint (the URL host unused) and S3 with the same endpoint."""
    info, bucket = lake
    endpoint = info.extra["endpoint_url"]
    auth = f"{info.user}:{info.password}"
    for url in (
        f"minio://{auth}@minio.invalid:9000/{bucket}/files?endpoint={endpoint}",
        f"ozone://{auth}@ozone.invalid/{bucket}/files?endpoint={endpoint}",
    ):
        with sqlgate.connect(url) as conn:
            assert _rows(conn, "SELECT id FROM sales WHERE region = 'apac'") == [(4,)]
            assert _plan(conn)["files_planned"] == 1


# ---------------------------------------------------------------------------- bytes read
def _wide_sales(rows: int, region: str) -> pa.Table:
    """A few hundred KB per partition: big enough that skipped files show in the byte count."""
    return pa.table(
        {
            "id": pa.array(range(rows), pa.int64()),
            "amount": pa.array([i * 0.5 for i in range(rows)], pa.float64()),
            "note": pa.array([f"{region}-{i:08d}-padding-text" for i in range(rows)]),
        }
    )


def _chunk_bytes(buf: io.BytesIO) -> dict[str, int]:
    """Compressed bytes per column over all row groups, from the file's own footer."""
    meta = pq.read_metadata(pa.BufferReader(buf.getvalue()))
    out: dict[str, int] = {}
    for g in range(meta.num_row_groups):
        group = meta.row_group(g)
        for c in range(group.num_columns):
            col = group.column(c)
            out[col.path_in_schema] = out.get(col.path_in_schema, 0) + col.total_compressed_size
    return out


@pytest.mark.parametrize("store", ["s3", "ozone"])
def test_pruning_reads_fewer_bytes_counted_by_the_server(seaweedfs_bucket, store):
    """Partition pruning and column projection, in requests and bytes the server sent."""
    info, bucket = seaweedfs_bucket
    s3 = s3_client(info)
    sizes: dict[str, int] = {}
    chunks: dict[str, dict[str, int]] = {}
    for region in ("apac", "eu", "us"):
        buf = io.BytesIO()
        pq.write_table(_wide_sales(40_000, region), buf, row_group_size=10_000)
        sizes[region] = len(buf.getvalue())
        chunks[region] = _chunk_bytes(buf)
        key = f"big/sales/region={region}/part-0.parquet"
        s3.put_object(Bucket=bucket, Key=key, Body=buf.getvalue())
    with sqlgate.connect(store_url(store, info, f"{bucket}/big")) as conn:
        before = bucket_traffic(info, bucket)
        assert _rows(conn, "SELECT count(*), sum(amount) FROM sales WHERE region = 'eu'") == [
            (40_000, sum(i * 0.5 for i in range(40_000)))
        ]
        pruned = bucket_traffic(info, bucket)
        assert _rows(conn, "SELECT count(*), max(note) FROM sales") == [
            (120_000, "us-00039999-padding-text")
        ]
        full = bucket_traffic(info, bucket)
    pruned_bytes = pruned["bytes_sent"] - before["bytes_sent"]
    full_bytes = full["bytes_sent"] - pruned["bytes_sent"]
    # Exact accounting: the pruned query fetched the `amount` chunks of the eu file and its
    # footer (pyarrow reads a 64 KiB tail, at planning and at scan), no chunk of another column
    # or file (each of those is >= 220 KB, more than the footer allowance); the full scan
    # fetched the `note` chunks of all three files and footers, and no `id`/`amount` chunk.
    footers = 200_000
    assert chunks["eu"]["amount"] <= pruned_bytes < chunks["eu"]["amount"] + footers, (
        pruned_bytes,
        chunks,
    )
    notes = sum(c["note"] for c in chunks.values())
    assert notes <= full_bytes < notes + footers, (full_bytes, chunks)
    assert min(min(c.values()) for c in chunks.values()) > footers
    assert 0 < pruned["gets"] - before["gets"] < full["gets"] - pruned["gets"]


# ---------------------------------------------------------------------------- Ozone specifics
def test_ozone_s3v_volume_and_bucket_links(lake):
    info, bucket = lake
    auth = f"{info.user}:{info.password}"
    where = f"{info.host}:{info.port}"
    # the Ozone path of an S3 bucket (/s3v/bucket) is the same bucket
    with sqlgate.connect(f"ozone://{auth}@{where}/s3v/{bucket}/files?secure=false") as conn:
        assert _rows(conn, "SELECT count(*) FROM sales WHERE region = 'eu'") == [(3,)]
    with sqlgate.connect(f"ozone://{auth}@{where}/{bucket}/files?secure=false&volume=s3v") as c:
        assert _rows(c, "SELECT count(*) FROM sales") == [(6,)]
    # another volume is not served by the gateway: the error names the bucket link to make
    with pytest.raises(InterfaceError, match=r"bucket link /vol1/BUCKET /s3v/BUCKET"):
        sqlgate.connect(f"ozone://{auth}@{where}/{bucket}/files?secure=false&volume=vol1")


def test_ozone_default_gateway_ports():
    """No port: 9878 (plain HTTP) or 9879 (HTTPS), Ozone's S3 gateway defaults."""
    from sqlgate.core.params import ConnectParams
    from sqlgate.core.registry import get_source
    from sqlgate.lakehouse import stores

    spec = get_source("ozone")
    for url, endpoint in (
        ("ozone://k:s@s3g.example/b/p?secure=false", "http://s3g.example:9878"),
        ("ozone://k:s@s3g.example/b/p", "https://s3g.example:9879"),
        ("ozone://k:s@s3g.example:1234/s3v/b/p", "https://s3g.example:1234"),
    ):
        params = ConnectParams.from_url(spec, url)
        loc = stores.locate("ozone", params, dict(params.options))
        assert loc.storage_options["aws_endpoint_url"] == endpoint
        assert loc.uri == "s3://b/p"
        assert "aws_virtual_hosted_style_request" not in loc.storage_options


# ---------------------------------------------------------------------------- tables on S3
@pytest.mark.parametrize("store", ["s3", "ozone"])
def test_delta_on_s3_versions_timestamps_and_pruning(seaweedfs_clean, store):
    """Also the ``seaweedfs_clean`` drop-in for ``moto_clean``: a fixed bucket name, made anew."""
    from deltalake import write_deltalake

    info, bucket = seaweedfs_clean, BUCKET
    s3_client(info).create_bucket(Bucket=bucket)  # a leftover log would show in the versions
    uri = f"s3://{bucket}/delta/orders"
    options = {**_delta_options(info), "AWS_REGION": "us-east-1"}
    write_deltalake(uri, SALES.slice(0, 3), partition_by=["region"], storage_options=options)
    time.sleep(1.1)  # timestamp travel reads the log files' LastModified (1-second resolution)
    between = dt.datetime.now(dt.timezone.utc)
    time.sleep(1.1)
    write_deltalake(uri, SALES.slice(3), mode="append", storage_options=options)

    with sqlgate.connect(store_url(store, info, f"{bucket}/delta", scheme="delta")) as conn:
        assert conn.session.engine.list_tables("main") == ["orders"]
        assert _rows(conn, "SELECT id FROM orders WHERE region = 'eu' ORDER BY id") == [
            (1,),
            (3,),
            (6,),
        ]
        plan = _plan(conn)
        assert (plan["version"], plan["files_planned"], plan["files_total"]) == (1, 2, 5)
        assert _rows(conn, "SELECT count(*) FROM orders FOR VERSION AS OF 0") == [(3,)]
        ts = between.isoformat(sep=" ")
        assert _rows(conn, f"SELECT count(*) FROM orders FOR TIMESTAMP AS OF '{ts}'") == [(3,)]
        with pytest.raises(ProgrammingError, match="no version 7"):
            _rows(conn, "SELECT * FROM orders FOR VERSION AS OF 7")
    wrong = store_url(store, info, f"{bucket}/delta", scheme="delta", secret=WRONG_SECRET)
    with pytest.raises(OperationalError) as err:
        sqlgate.connect(wrong)
    assert "access refused" in str(err.value) and WRONG_SECRET not in str(err.value)


@pytest.fixture()
def hudi_lake(seaweedfs_bucket, tmp_path):
    """The Spark-written Hudi fixtures, unzipped locally and uploaded as-is to the bucket."""
    info, bucket = seaweedfs_bucket
    zips = [HUDI_FIXTURES / f"{name}.zip" for name in HUDI_TABLES]
    if not all(z.exists() for z in zips):
        server_unavailable("hudi fixtures", f"missing in {HUDI_FIXTURES}")
    local = tmp_path / "tables"
    local.mkdir()
    s3 = s3_client(info)
    for z in zips:
        target = tmp_path / "unzipped" / z.stem
        with zipfile.ZipFile(z) as archive:
            archive.extractall(target)
        top = next(p for p in target.iterdir() if p.name != "__MACOSX")
        top = top.rename(local / z.stem)  # a symlink out of the root would be refused
        for f in top.rglob("*"):
            if f.is_file() and "__MACOSX" not in f.parts:
                s3.upload_file(str(f), bucket, f"hudi/{z.stem}/{f.relative_to(top).as_posix()}")
    return info, bucket, local


@pytest.mark.parametrize("store", ["s3", "ozone"])
def test_hudi_on_s3_equals_local_copy(hudi_lake, store):
    info, bucket, local = hudi_lake
    remote = sqlgate.connect(store_url(store, info, f"{bucket}/hudi", scheme="hudi"))
    here = sqlgate.connect(f"hudi:///{local}")
    try:
        assert remote.session.engine.list_tables("main") == sorted(HUDI_TABLES)
        for name in HUDI_TABLES:
            got, want = _rows(remote, f"SELECT * FROM {name}"), _rows(here, f"SELECT * FROM {name}")
            assert want and sorted(map(repr, got)) == sorted(map(repr, want)), name
            assert [d[0] for d in remote.cursor().execute(f"SELECT * FROM {name}").description] == [
                d[0] for d in here.cursor().execute(f"SELECT * FROM {name}").description
            ]
        name = "cow_v9_txns_simple_meta"
        sql = f"SELECT count(*) FROM {name} WHERE region = 'eu'"
        assert _rows(remote, sql) == _rows(here, sql)
        remote_plan, local_plan = _plan(remote), _plan(here)
        assert remote_plan["files_planned"] == local_plan["files_planned"]
        assert remote_plan["files_planned"] < remote_plan["files_total"]
    finally:
        remote.close()
        here.close()
