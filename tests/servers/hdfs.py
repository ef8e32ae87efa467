"""Throwaway HDFS (NameNode + DataNode, hadoop-client-minicluster 3.5.0) on 127.0.0.1.

``scripts/install-hdfs.sh`` fetches the jars into ``.cache/m2`` and compiles
``tests/servers/hdfs/MiniHdfs.java`` into ``.cache/hdfs``; this module writes the cluster's
``site.xml`` (every address on 127.0.0.1, every port free) and starts the JVM. With
``kerberos`` the cluster is secure: NameNode/DataNode principals and SPNEGO on WebHDFS from a
throwaway MIT KDC (:mod:`tests.servers.hdfs_kdc`), block access tokens and SASL on data
transfer. ``SQLGATE_TEST_HDFS_URL`` (``http://host:webhdfs-port``) reuses a running
simple-auth cluster instead.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlparse
from xml.sax.saxutils import escape

from .base import HOST, ServerInfo, ServerProcess, free_port, info_from_url, server_unavailable
from .hdfs_kdc import CLIENT, SERVICE, running_kdc

NAME = "hdfs"
OVERRIDE_ENV = "SQLGATE_TEST_HDFS_URL"
REPO = Path(__file__).resolve().parents[2]
BUILD = REPO / ".cache" / "hdfs"
LAKE = "/lake"
READY = re.compile(r"SQLGATE-HDFS-READY rpc=(\d+) http=(\d+) dn_http=(\d+) dn_xfer=(\d+)")
START_TIMEOUT = 90.0  # measured ~12 s on 2 busy cores; the JVM is slow when others run


def _loopback_conf(rpc: int, http: int) -> dict[str, str]:
    """Every listener on 127.0.0.1 (port 0 = any free one, reported in the ready line)."""
    conf = {
        "sqlgate.namenode.rpc.port": str(rpc),
        "sqlgate.namenode.http.port": str(http),
        "sqlgate.lake.dir": LAKE,
        "dfs.replication": "1",
        "dfs.webhdfs.enabled": "true",
        "dfs.http.policy": "HTTP_ONLY",
        "dfs.namenode.https-address": f"{HOST}:0",
        "dfs.datanode.address": f"{HOST}:0",
        "dfs.datanode.http.address": f"{HOST}:0",
        "dfs.datanode.ipc.address": f"{HOST}:0",
        "dfs.datanode.https.address": f"{HOST}:0",
        # LISTSTATUS_BATCH pages of 2 entries, so the client's paging is exercised
        "dfs.ls.limit": "2",
    }
    for key in ("rpc", "http", "servicerpc", "lifeline.rpc", "https"):
        conf[f"dfs.namenode.{key}-bind-host"] = HOST
    return conf


def _kerberos_conf(service_keytab: str) -> dict[str, str]:
    return {
        "hadoop.security.authentication": "kerberos",
        "hadoop.rpc.protection": "authentication",
        "dfs.namenode.kerberos.principal": SERVICE,
        "dfs.namenode.keytab.file": service_keytab,
        "dfs.datanode.kerberos.principal": SERVICE,
        "dfs.datanode.keytab.file": service_keytab,
        # "*": every HTTP/ principal in the keytab, so both localhost and 127.0.0.1 work
        "dfs.web.authentication.kerberos.principal": "*",
        "dfs.web.authentication.kerberos.keytab": service_keytab,
        "hadoop.http.authentication.type": "kerberos",
        "hadoop.http.authentication.kerberos.principal": "*",
        "hadoop.http.authentication.kerberos.keytab": service_keytab,
        "hadoop.http.authentication.simple.anonymous.allowed": "false",
        "dfs.block.access.token.enable": "true",
        "dfs.data.transfer.protection": "authentication",
        # unprivileged DataNode ports with SASL instead of root-only ports below 1024
        "ignore.secure.ports.for.testing": "true",
    }


def _site_xml(conf: dict[str, str]) -> str:
    props = "".join(
        f"<property><name>{escape(k)}</name><value>{escape(v)}</value></property>\n"
        for k, v in conf.items()
    )
    return f'<?xml version="1.0"?>\n<configuration>\n{props}</configuration>\n'


class HdfsServer:
    """One MiniDFSCluster JVM in a private temp dir; ``start()`` returns its ServerInfo."""

    def __init__(self, *, kerberos: bool = False) -> None:
        self.kerberos = kerberos
        self._stack = ExitStack()

    def start(self) -> ServerInfo:
        java = shutil.which("java")
        classpath = BUILD / "classpath"
        if java is None:
            server_unavailable(NAME, "java not found (apt-get install openjdk-17-jre-headless)")
        if not (BUILD / "MiniHdfs.class").exists() or not classpath.exists():
            server_unavailable(NAME, "not installed: run bash scripts/install-hdfs.sh")
        conf = _loopback_conf(free_port(), free_port())
        env: dict[str, str] = {}
        jvm = ["-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"]
        extra: dict[str, object] = {"kerberos": self.kerberos, "lake": LAKE}
        if self.kerberos:
            kdc = self._stack.enter_context(running_kdc())
            conf.update(_kerberos_conf(kdc.service_keytab))
            jvm.append(f"-Djava.security.krb5.conf={kdc.krb5_conf}")
            env["KRB5_CONFIG"] = kdc.krb5_conf
            extra.update(
                krb5_conf=kdc.krb5_conf,
                principal=CLIENT,
                keytab=kdc.client_keytab,
                realm=kdc.realm,
            )
        proc = self._stack.enter_context(ServerProcess(NAME))
        (proc.workdir / "site.xml").write_text(_site_xml(conf))
        cp = f"{BUILD}:{classpath.read_text().strip()}"
        argv = [java, *jvm, "-cp", cp, "MiniHdfs", str(proc.workdir / "data"), "site.xml"]
        proc.start(argv, env=env)
        found: dict[str, int] = {}

        def ready() -> bool:
            match = READY.search(proc.log_path.read_text(errors="replace"))
            if match:
                found.update(
                    zip(
                        ("rpc", "http", "dn_http", "dn_xfer"), map(int, match.groups()), strict=True
                    )
                )
            return match is not None

        waited = proc.wait_ready(ready, timeout=START_TIMEOUT, interval=0.25)
        extra.update(found, started_in=round(waited, 1), pid=proc.pid)
        print(f"hdfs ready in {waited:.1f}s: webhdfs http://{HOST}:{found['http']} {extra}")
        return ServerInfo(HOST, found["http"], "", "", LAKE.strip("/"), extra=extra)

    def stop(self) -> None:
        self._stack.close()


@contextmanager
def running_hdfs(*, kerberos: bool = False) -> Iterator[ServerInfo]:
    """A started cluster (or the override's, for simple auth), stopped afterwards."""
    override = os.environ.get(OVERRIDE_ENV)
    if override and not kerberos:
        yield info_from_url(override, default_port=9870)
        return
    server = HdfsServer(kerberos=kerberos)
    try:
        yield server.start()
    finally:
        server.stop()


@contextmanager
def client_env(info: ServerInfo) -> Iterator[None]:
    """``KRB5_CONFIG`` naming the cluster's realm while the block runs (libkrb5 reads it per
    context), restored afterwards."""
    before = os.environ.get("KRB5_CONFIG")
    if info.extra.get("krb5_conf"):
        os.environ["KRB5_CONFIG"] = str(info.extra["krb5_conf"])
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("KRB5_CONFIG", None)
        else:
            os.environ["KRB5_CONFIG"] = before


def client_url(info: ServerInfo, sub: str, **options: str) -> str:
    """An ``hdfs://`` URL for ``/lake/<sub>``, with the reader's keytab on a Kerberized cluster."""
    if info.extra.get("kerberos"):
        options = {
            "credential": "kerberos",
            "credential_keytab": str(info.extra["keytab"]),
            "credential_principal": str(info.extra["principal"]),
            **options,
        }
    query = f"?{urlencode(options)}" if options else ""
    return f"hdfs://{info.host}:{info.port}{LAKE}/{sub}{query}"


@contextmanager
def writer(info: ServerInfo) -> Iterator[Any]:
    """A pyarrow filesystem on the cluster for seeding (call inside :func:`client_env`)."""
    from sqlgate.core.credentials import provider_from_url
    from sqlgate.lakehouse.hdfs import hdfs_filesystem

    opts: dict[str, str] = {"hdfs_user": "seed"}
    provider = None
    if info.extra.get("kerberos"):
        provider = provider_from_url(  # kept alive below: its private ccache goes with it
            "kerberos", {"keytab": info.extra["keytab"], "principal": info.extra["principal"]}
        )
        opts = {"hdfs_kerberos_ccache": provider.get().extras["ccache"]}
    fs, _ = hdfs_filesystem(urlparse(f"hdfs://{info.host}:{info.port}{LAKE}"), opts)
    yield fs
    del provider


def seed_parquet(info: ServerInfo, sub: str, table: Any) -> str:
    """Write ``table`` as ``/lake/<sub>/part-0.parquet``; the URL of ``/lake/<sub>``'s parent."""
    import pyarrow.parquet as pq

    with writer(info) as fs:
        pq.write_table(table, f"{LAKE}/{sub}/part-0.parquet", filesystem=fs)
    return client_url(info, sub.rsplit("/", 1)[0])
