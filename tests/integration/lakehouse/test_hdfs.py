"""``hdfs://`` against a real Kerberized HDFS (hadoop-client-minicluster 3.5.0, MIT KDC).

The cluster (tests/servers/hdfs.py) has Kerberos on: SPNEGO on WebHDFS, block access tokens and
SASL on data transfer. Data is written through WebHDFS with a ticket for the reader principal;
every expected answer is DuckDB's own over the same tables written to a local directory.
"""

from __future__ import annotations

import datetime as dt
import io
import struct
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import fastavro
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.fs as pafs
import pyarrow.parquet as pq
import pytest

import sqlgate
from sqlgate.core.errors import CredentialError, OperationalError
from sqlgate.lakehouse.hdfs import read_stats
from tests.servers.base import ServerInfo
from tests.servers.hdfs import client_env, client_url, writer

DAYS = [dt.date(2024, 1, d) for d in (1, 2, 3, 4)]
PARTS = pa.schema([("day", pa.date32()), ("region", pa.string())])


@pytest.fixture(scope="module")
def krb(hdfs_server: ServerInfo) -> Iterator[ServerInfo]:
    """The cluster, with KRB5_CONFIG naming its realm for this module's tests."""
    with client_env(hdfs_server):
        yield hdfs_server


def _events(n: int = 400) -> pa.Table:
    return pa.table(
        {
            "id": pa.array(range(n), pa.int64()),
            "v": pa.array([i * 0.5 for i in range(n)]),
            "day": pa.array([DAYS[i % 4] for i in range(n)], pa.date32()),
            "region": pa.array([("eu", "us")[(i // 4) % 2] for i in range(n)]),
        }
    )


@pytest.fixture(scope="module")
def lake(krb: ServerInfo, tmp_path_factory) -> Iterator[tuple[pafs.FileSystem, Path]]:
    """Seed HDFS (and a local twin): hive Parquet, a wide Parquet file, Avro, a listing dir."""
    with writer(krb) as fs:
        yield _seed(fs, tmp_path_factory.mktemp("hdfs-twin"))


def _seed(fs: pafs.FileSystem, local: Path) -> tuple[pafs.FileSystem, Path]:
    part = ds.partitioning(PARTS, flavor="hive")
    for target, filesystem in ((str(local / "pq" / "events"), None), ("/lake/pq/events", fs)):
        ds.write_dataset(
            _events(),
            target,
            filesystem=filesystem,
            format="parquet",
            partitioning=part,
            existing_data_behavior="overwrite_or_ignore",
        )
    wide = pa.table({"id": pa.array(range(200_000), pa.int64()), "pad": ["x" * 20] * 200_000})
    sink = pa.BufferOutputStream()
    pq.write_table(wide, sink, row_group_size=20_000)
    with fs.open_output_stream("/lake/pq/wide.parquet") as out:
        out.write(sink.getvalue())
    avro = io.BytesIO()
    schema = {
        "type": "record",
        "name": "t",
        "fields": [{"name": "id", "type": "long"}, {"name": "tag", "type": "string"}],
    }
    fastavro.writer(avro, schema, [{"id": i, "tag": f"t{i}"} for i in range(5)])
    with fs.open_output_stream("/lake/avro/tags.avro") as out:
        out.write(avro.getvalue())
    for i in range(5):  # more entries than a LISTSTATUS_BATCH page (dfs.ls.limit=2)
        with fs.open_output_stream(f"/lake/many/t{i}.csv") as out:
            out.write(b"x\n1\n")
    return fs, local


def _run(conn, sql: str) -> list[tuple]:
    cur = conn.cursor()
    cur.execute(sql)
    return [tuple(r) for r in cur.fetchall()]


def test_cluster_listens_on_loopback_only(hdfs_server: ServerInfo) -> None:
    """Every listener of the JVM (NameNode RPC/HTTP, DataNode transfer/HTTP/IPC) is 127.0.0.1."""
    out = subprocess.run(["ss", "-ltnpH"], capture_output=True, text=True, check=True).stdout
    mine = [line for line in out.splitlines() if f"pid={hdfs_server.extra['pid']}," in line]
    addrs = {line.split()[3] for line in mine}
    assert len(addrs) >= 4, out
    assert all(a.startswith(("127.0.0.1:", "[::ffff:127.0.0.1]:")) for a in addrs), addrs
    assert f"127.0.0.1]:{hdfs_server.port}" in " ".join(addrs) or any(
        a.endswith(f":{hdfs_server.port}") for a in addrs
    )


@pytest.mark.parametrize(
    "where",
    ["region = 'eu'", "day = DATE '2024-01-03'", "day >= DATE '2024-01-03' AND region = 'us'"],
)
def test_parquet_partitions_pruned_on_hdfs(lake, krb: ServerInfo, where: str) -> None:
    """Rows as DuckDB reads the local twin; only the matching partitions' files are read."""
    fs, local = lake
    src = f"read_parquet('{local}/pq/events/**/*.parquet', hive_partitioning=true, filename=true)"
    con = duckdb.connect()
    want = con.execute(f"SELECT id, v, day, region FROM {src} WHERE {where} ORDER BY id").fetchall()
    want_files = con.execute(f"SELECT count(DISTINCT filename) FROM {src} WHERE {where}").fetchone()
    assert want and want_files
    with sqlgate.connect(client_url(krb, "pq")) as conn:
        got = _run(conn, f"SELECT id, v, day, region FROM events WHERE {where} ORDER BY id")
        plan = conn.session.engine.plan_info[0]
        stats = read_stats(conn.session.engine.source.root.filesystem)
    assert got == want
    assert plan["files_planned"] == want_files[0] < plan["files_total"] == 8, plan
    assert stats is not None
    read = {p for p in stats.files if "/events/" in p}
    # the planned files, plus at most one footer read for the table's schema
    assert set(plan["files"]) <= read and len(read - set(plan["files"])) <= 1, (read, plan)
    infos = fs.get_file_info(pafs.FileSelector("/lake/pq/events", recursive=True))
    total = sum(i.size for i in infos if i.type == pafs.FileType.File)
    assert 0 < stats.bytes < total


def test_parquet_range_reads_not_whole_files(lake, krb: ServerInfo) -> None:
    """A filtered count over a 10-row-group file fetches its footer and a few row groups."""
    fs, _ = lake
    size = fs.get_file_info("/lake/pq/wide.parquet").size
    with sqlgate.connect(client_url(krb, "pq")) as conn:
        rows = _run(conn, "SELECT count(*), min(id) FROM wide WHERE id >= 190000")
        stats = read_stats(conn.session.engine.source.root.filesystem)
    assert rows == [(10_000, 190_000)]
    assert stats is not None and stats.requests >= 2
    assert stats.bytes < size / 2, (stats.bytes, size)


def test_avro_on_hdfs(lake, krb: ServerInfo) -> None:
    """Avro goes through sqlgate's own reader over the same WebHDFS filesystem."""
    with sqlgate.connect(client_url(krb, "avro", format="avro")) as conn:
        assert _run(conn, "SELECT count(*), max(tag) FROM tags") == [(5, "t4")]


def test_listing_pages_through_liststatus_batch(lake) -> None:
    """Five entries with two per page: the paged listing still returns every one."""
    fs, _ = lake
    names = [i.base_name for i in fs.get_file_info(pafs.FileSelector("/lake/many"))]
    assert names == [f"t{i}.csv" for i in range(5)]


def test_no_ticket_is_a_clean_error(lake, krb: ServerInfo) -> None:
    """Without a ticket the NameNode answers 401: the error names the Kerberos fix."""
    with pytest.raises(OperationalError) as err:
        sqlgate.connect(f"hdfs://{krb.host}:{krb.port}/lake/pq")
    text = str(err.value)
    assert "requires Kerberos" in text and "credential=kerberos" in text


def test_empty_ambient_cache_is_a_clean_error(lake, krb: ServerInfo, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("KRB5CCNAME", f"FILE:{tmp_path}/none")
    with pytest.raises(OperationalError) as err:
        sqlgate.connect(f"hdfs://{krb.host}:{krb.port}/lake/pq?kerberos=true")
    assert "no Kerberos ticket" in str(err.value) and "credential_keytab" in str(err.value)


def test_wrong_realm_keytab_is_a_clean_error(lake, krb: ServerInfo) -> None:
    url = client_url(krb, "pq").replace("KRBTEST.COM", "OTHER.EXAMPLE")
    with pytest.raises(CredentialError) as err:
        sqlgate.connect(url)
    assert "realm" in str(err.value)


def test_sqlalchemy_reflects_and_queries(lake, krb: ServerInfo) -> None:
    """The hdfs dialect: table names reflected from the directory, rows through a Core query."""
    import sqlalchemy as sa

    engine = sa.create_engine(client_url(krb, "pq"))
    try:
        assert {"events", "wide"} <= set(sa.inspect(engine).get_table_names())
        with engine.connect() as conn:
            got = conn.execute(sa.text("SELECT count(*) FROM events WHERE region = 'us'"))
            assert got.scalar() == 200
    finally:
        engine.dispose()


def test_ambient_ticket_cache_reads_rows(lake, krb: ServerInfo, tmp_path, monkeypatch) -> None:
    """``?kerberos=true`` with a ticket in the default cache (as after kinit): rows."""
    from sqlgate.core.credentials import provider_from_url

    cache = f"FILE:{tmp_path}/ccache"
    keytab, principal = krb.extra["keytab"], krb.extra["principal"]
    provider_from_url("kerberos", {"keytab": keytab, "principal": principal, "ccache": cache}).get()
    monkeypatch.setenv("KRB5CCNAME", cache)
    with sqlgate.connect(f"hdfs://{krb.host}:{krb.port}/lake/pq?kerberos=true") as conn:
        assert _run(conn, "SELECT count(*) FROM events WHERE day = DATE '2024-01-02'") == [(100,)]


def _kinit(krb: ServerInfo, cache: Path, *args: str) -> None:
    keytab, principal = str(krb.extra["keytab"]), str(krb.extra["principal"])
    subprocess.run(["kinit", *args, "-kt", keytab, "-c", str(cache), principal], check=True)


def test_expired_ticket_is_a_clean_error(lake, krb: ServerInfo, tmp_path, monkeypatch) -> None:
    """A ticket whose end time has passed: an OperationalError naming renewal, in seconds."""
    cache = tmp_path / "short"
    _kinit(krb, cache, "-l", "1s")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and "Expired" not in _klist(cache):
        time.sleep(0.2)  # bounded: the ticket lives one second
    monkeypatch.setenv("KRB5CCNAME", f"FILE:{cache}")
    started = time.monotonic()
    with pytest.raises(OperationalError) as err:
        sqlgate.connect(f"hdfs://{krb.host}:{krb.port}/lake/pq?kerberos=true")
    assert time.monotonic() - started < 20
    text = str(err.value)
    assert "ticket has expired" in text and "kinit -R" in text, text
    with pytest.raises(OperationalError) as err:  # the provider, reading the same cache
        sqlgate.connect(
            f"hdfs://{krb.host}:{krb.port}/lake/pq?credential=kerberos&credential_ccache={cache}"
        )
    assert "expired" in str(err.value) and "kinit" in str(err.value)


def _klist(cache: Path) -> str:
    out = subprocess.run(["klist", "-c", str(cache)], capture_output=True, text=True)
    return out.stdout + ("Expired" if out.returncode else "")


def _skew(cache: Path, seconds: int) -> None:
    """Rewrite a FILE ccache's header so libkrb5 believes the KDC's clock is ``seconds``
    ahead (the DeltaTime tag kinit records): every authenticator then carries a time that
    far off, a real clock skew without touching the clock."""
    data = cache.read_bytes()
    assert data[:2] == b"\x05\x04", "not a v4 FILE ccache"
    header_len = struct.unpack(">H", data[2:4])[0]
    tag = struct.pack(">HHii", 1, 8, seconds, 0)
    cache.write_bytes(data[:2] + struct.pack(">H", len(tag)) + tag + data[4 + header_len :])


def test_clock_skew_is_a_clean_error(lake, krb: ServerInfo, tmp_path, monkeypatch) -> None:
    """Authenticators an hour off: the KDC refuses the service ticket (its skew limit is 5
    minutes), and the error says clock skew and names NTP, not just "401"."""
    cache = tmp_path / "skewed"
    _kinit(krb, cache)
    monkeypatch.setenv("KRB5CCNAME", f"FILE:{cache}")
    url = f"hdfs://{krb.host}:{krb.port}/lake/pq?kerberos=true"
    with sqlgate.connect(url) as conn:  # the same cache unskewed works
        assert _run(conn, "SELECT count(*) FROM events") == [(400,)]
    _kinit(krb, cache)
    _skew(cache, 3600)
    with pytest.raises(OperationalError) as err:
        sqlgate.connect(url)
    text = str(err.value)
    assert "clocks of this host and the KDC differ" in text and "NTP" in text, text
    assert "Clock skew too great" in text
