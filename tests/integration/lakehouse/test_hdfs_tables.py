"""Table formats on the Kerberized HDFS: Delta through delta-rs over HDFS' own RPC, Iceberg
through pyiceberg over sqlgate's WebHDFS filesystem.

delta-rs reaches ``hdfs://`` with hdfs-native (RPC to the NameNode with SASL/GSSAPI, SASL on
data transfer), so the URL names the RPC port (``rpc_port=``) beside the WebHDFS port that
lists the lake. hdfs-native takes its ticket from ``KRB5CCNAME``: the provider fills that
cache (``credential_ccache=``). Every expected answer is sqlgate's own over the same table
files on local disk. The Iceberg table is written twice by pyiceberg (same rows, same
commits): into a local warehouse, and into an HDFS warehouse through a test-only FileIO on the
seeding filesystem; sqlgate reads both through SQL catalog files.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pyarrow as pa
import pytest

import sqlgate
from sqlgate.core.errors import NotSupportedError
from tests.servers.base import ServerInfo
from tests.servers.hdfs import client_env, writer

deltalake = pytest.importorskip("deltalake")
pyiceberg_io = pytest.importorskip("pyiceberg.io.pyarrow")
PyArrowFileIO = pyiceberg_io.PyArrowFileIO

QUERIES = (
    "SELECT id, v, region FROM t ORDER BY id",
    "SELECT id, v FROM t WHERE region = 'us' ORDER BY id",
    "SELECT region, count(*), sum(v) FROM t GROUP BY region ORDER BY region",
    "SELECT count(*), max(id) FROM t FOR VERSION AS OF 0",
)


def _batch(start: int, n: int) -> pa.Table:
    ids = range(start, start + n)
    return pa.table(
        {
            "id": pa.array(ids, pa.int64()),
            "v": pa.array([i * 1.5 for i in ids]),
            "region": pa.array([("eu", "us")[i % 2] for i in ids]),
        }
    )


@pytest.fixture(scope="module")
def delta_twins(hdfs_server: ServerInfo, tmp_path_factory) -> Iterator[tuple[ServerInfo, Path]]:
    """A partitioned Delta table in two commits, on local disk and the same files on HDFS."""
    local = tmp_path_factory.mktemp("hdfs-delta")
    table = local / "t"
    deltalake.write_deltalake(str(table), _batch(0, 40), partition_by=["region"])
    deltalake.write_deltalake(str(table), _batch(40, 20), partition_by=["region"], mode="append")
    with client_env(hdfs_server), writer(hdfs_server) as fs:
        for path in sorted(p for p in table.rglob("*") if p.is_file()):
            with fs.open_output_stream(f"/lake/delta/{path.relative_to(local)}") as out:
                out.write(path.read_bytes())
        yield hdfs_server, local


def _url(info: ServerInfo, **options: str) -> str:
    query = {"store": "hdfs", "rpc_port": str(info.extra["rpc"]), **options}
    return f"delta://{info.host}:{info.port}/lake/delta?{urlencode(query)}"


def _keytab(info: ServerInfo) -> dict[str, str]:
    return {
        "credential": "kerberos",
        "credential_keytab": str(info.extra["keytab"]),
        "credential_principal": str(info.extra["principal"]),
    }


def _answers(url: str) -> list[tuple[list[tuple], list[str]]]:
    with sqlgate.connect(url) as conn:
        out = []
        for sql in QUERIES:
            cur = conn.cursor()
            cur.execute(sql)
            out.append(([tuple(r) for r in cur.fetchall()], [str(d[1]) for d in cur.description]))
        return out


@pytest.mark.timeout(120)
def test_delta_on_kerberized_hdfs_equals_local_copy(delta_twins, tmp_path, monkeypatch) -> None:
    """Rows, types, partition filter and time travel as the local copy answers them."""
    info, local = delta_twins
    cache = f"FILE:{tmp_path}/ccache"
    monkeypatch.setenv("KRB5CCNAME", cache)
    want = _answers(f"delta://{local}")
    assert want[0][0] and len(want[0][0]) == 60 and want[3][0] == [(40, 39)]
    with client_env(info):
        got = _answers(_url(info, credential_ccache=cache, **_keytab(info)))
    assert got == want
    assert os.path.getsize(cache.removeprefix("FILE:")) > 0  # the provider's ticket was used


@pytest.mark.timeout(60)
def test_delta_with_a_private_ticket_cache_names_the_fix(delta_twins, tmp_path, monkeypatch):
    """delta-rs cannot see the provider's private cache: refused at connect, with the fix."""
    info, _ = delta_twins
    monkeypatch.setenv("KRB5CCNAME", f"FILE:{tmp_path}/elsewhere")
    with client_env(info), pytest.raises(NotSupportedError) as err:
        sqlgate.connect(_url(info, **_keytab(info)))
    assert "credential_ccache" in str(err.value) and "KRB5CCNAME" in str(err.value)


@pytest.mark.timeout(60)
def test_delta_without_ticket_is_refused_cleanly(delta_twins, tmp_path, monkeypatch) -> None:
    """No ticket at all: the WebHDFS probe at connect answers 401, named, no hang."""
    info, _ = delta_twins
    monkeypatch.setenv("KRB5CCNAME", f"FILE:{tmp_path}/none")
    with client_env(info), pytest.raises(sqlgate.OperationalError) as err:
        sqlgate.connect(_url(info, kerberos="true"))
    assert "no Kerberos ticket" in str(err.value), err.value


# -- Iceberg ---------------------------------------------------------------------------------
_WRITER_FS: list[Any] = []  # the seeding filesystem, for WriterIO (built by pyiceberg by name)


class WriterIO(PyArrowFileIO):
    """pyiceberg's FileIO writing ``hdfs://`` through the seeding WebHDFS filesystem."""

    def _initialize_hdfs_fs(self, scheme: str, netloc: str | None) -> Any:
        return _WRITER_FS[-1]


def _write_iceberg(catalog_db: Path, warehouse: str, io_impl: str | None) -> str:
    """``sales.orders`` (partitioned by region) in two appends; its metadata location."""
    from pyiceberg.catalog.sql import SqlCatalog

    props = {"uri": f"sqlite:///{catalog_db}", "warehouse": warehouse}
    if io_impl:
        props["py-io-impl"] = io_impl
    catalog = SqlCatalog("default", **props)
    catalog.create_namespace("sales")
    table = catalog.create_table("sales.orders", schema=_batch(0, 1).schema)
    with table.update_spec() as update:
        update.add_identity("region")
    table = catalog.load_table("sales.orders")
    table.append(_batch(0, 40))
    table.append(_batch(40, 20))
    return catalog.load_table("sales.orders").metadata_location


@pytest.fixture(scope="module")
def iceberg_twins(hdfs_server: ServerInfo, tmp_path_factory) -> Iterator[tuple[str, str]]:
    """The sqlgate URLs of the local and of the HDFS copy."""
    pytest.importorskip("pyiceberg")
    base = tmp_path_factory.mktemp("hdfs-iceberg")
    (base / "local").mkdir()
    (base / "remote").mkdir()
    _write_iceberg(base / "local" / "catalog.db", f"file://{base}/local/wh", None)
    warehouse = f"hdfs://{hdfs_server.host}:{hdfs_server.port}/lake/iceberg"
    with client_env(hdfs_server), writer(hdfs_server) as fs:
        _WRITER_FS.append(fs)
        try:
            location = _write_iceberg(
                base / "remote" / "catalog.db", warehouse, f"{__name__}.WriterIO"
            )
        finally:
            _WRITER_FS.clear()
        assert location.startswith(warehouse), location
        remote = f"iceberg://{base}/remote/catalog.db?" + urlencode(
            {"warehouse": warehouse, **_keytab(hdfs_server)}
        )
        yield f"iceberg://{base}/local/catalog.db", remote


ICEBERG_QUERIES = (
    "SELECT id, v, region FROM sales.orders ORDER BY id",
    "SELECT id FROM sales.orders WHERE region = 'eu' ORDER BY id",
    "SELECT region, count(*), sum(v) FROM sales.orders GROUP BY region ORDER BY region",
)


@pytest.mark.timeout(120)
def test_iceberg_on_kerberized_hdfs_equals_local_copy(iceberg_twins, hdfs_server) -> None:
    """Rows and types as the local copy; the region filter prunes data files on HDFS too."""
    local, remote = iceberg_twins
    with sqlgate.connect(local) as here:
        want = [_fetch(here, sql) for sql in ICEBERG_QUERIES]
    assert len(want[0][0]) == 60
    with client_env(hdfs_server), sqlgate.connect(remote) as there:
        got = [_fetch(there, sql) for sql in ICEBERG_QUERIES[:1]]
        got.append(_fetch(there, ICEBERG_QUERIES[1]))
        plan = dict(there.session.engine.plan_info[0])
        got.append(_fetch(there, ICEBERG_QUERIES[2]))
    assert got == want
    assert plan["files_planned"] < plan["files_total"], plan


def _fetch(conn, sql: str) -> tuple[list[tuple], list[str]]:
    cur = conn.cursor()
    cur.execute(sql)
    return [tuple(r) for r in cur.fetchall()], [str(d[1]) for d in cur.description]
