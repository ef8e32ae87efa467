"""Throwaway Trino 476 server (one coordinator that is also its worker) on 127.0.0.1.

The server comes from ``scripts/install-trino.sh`` (``.cache/trino/trino-server-476``) and runs
on the Temurin 25 JDK (Trino 476 needs Java 24+). Its ``etc/`` is written into the server's
temp dir: a 2 GiB heap, the ``delta`` and ``iceberg`` catalogs on one file metastore in the
temp dir, read through Trino's native local file system (``local:///`` and ``file:///``
locations), with table registration enabled, and a file-based access control that lets the
engine's user read every table and register tables into the ``sqlgate`` schemas but write
nothing (:data:`RULES`). The ``admin`` user only creates those schemas at start.
"""

from __future__ import annotations

import json
import os
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .base import HOST, OneProcessServer, ServerInfo, ServerProcess, free_port, require_binary

NAME = "trino"
ROOT = Path(__file__).resolve().parents[2]
HOME = ROOT / ".cache" / "trino" / "trino-server-476"
JAVA_HOME = Path("/usr/lib/jvm/temurin-25-jdk-amd64")
#: the schema each catalog registers sqlgate's tables into
SCHEMA = "sqlgate"
#: the user sqlgate registers tables as (never runs a user's SQL) and the one it queries as
REGISTRAR, USER = "sqlgate_register", "sqlgate"
#: who may do what: everyone reads every table and calls nothing; the registrar may also
#: register tables into the sqlgate schemas (Trino checks "create table" for that); admin
#: owns the schemas (it creates them at start). Nobody may insert, delete or update.
RULES: dict[str, Any] = {
    "catalogs": [{"allow": "all"}],
    "schemas": [{"user": "admin", "owner": True}, {"owner": False}],
    "tables": [
        {"user": REGISTRAR, "schema": SCHEMA, "privileges": ["SELECT", "OWNERSHIP"]},
        {"privileges": ["SELECT"]},
    ],
    "procedures": [
        {
            "user": REGISTRAR,
            "schema": "system",
            "procedure": "register_table",
            "privileges": ["EXECUTE"],
        },
    ],
    "system_session_properties": [{"allow": True}],
    "catalog_session_properties": [{"allow": True}],
}


def _catalog(connector: str, metastore: Path, extra: dict[str, str]) -> str:
    metastore.mkdir(parents=True)
    props = {
        "connector.name": connector,
        **({"hive.metastore": "file"} if connector != "iceberg" else {}),
        "hive.metastore.catalog.dir": f"local://{metastore}",
        "fs.native-local.enabled": "true",
        "local.location": "/",
        **extra,
    }
    return "".join(f"{k}={v}\n" for k, v in props.items())


class TrinoServer(OneProcessServer):
    """``bin/launcher run`` with an ``etc/`` of its own on a free port of 127.0.0.1."""

    name = NAME
    ready_timeout_default = 180.0

    def launch(self, proc: ServerProcess) -> ServerInfo:
        launcher = require_binary(NAME, HOME / "bin" / "launcher")
        if not (JAVA_HOME / "bin" / "java").is_file():
            from .base import server_unavailable

            server_unavailable(NAME, f"no Java 24+ at {JAVA_HOME}")
        port, work = free_port(), proc.workdir
        etc = work / "etc"
        (etc / "catalog").mkdir(parents=True)
        files = {
            "node.properties": f"node.environment=sqlgate_test\nnode.id={uuid.uuid4()}\n"
            f"node.data-dir={work / 'data'}\nnode.bind-ip={HOST}\n"
            f"node.internal-address={HOST}\n",
            "jvm.config": "-server\n-Xmx2G\n-XX:+UseG1GC\n-XX:+ExitOnOutOfMemoryError\n"
            "-Djdk.attach.allowAttachSelf=true\n-XX:-UseContainerSupport\n"
            "-XX:ActiveProcessorCount=2\n",
            "config.properties": f"coordinator=true\nnode-scheduler.include-coordinator=true\n"
            f"http-server.http.port={port}\ndiscovery.uri=http://{HOST}:{port}\n"
            "query.max-memory=1GB\nquery.max-memory-per-node=512MB\n"
            "catalog.management=static\n",
            "access-control.properties": "access-control.name=file\n"
            f"security.config-file={etc / 'rules.json'}\n",
            "rules.json": json.dumps(RULES),
            "log.properties": "io.trino=WARN\n",
            "catalog/delta.properties": _catalog(
                "delta_lake",
                work / "metastore" / "delta",
                {"delta.register-table-procedure.enabled": "true"},
            ),
            "catalog/iceberg.properties": _catalog(
                "iceberg",
                work / "metastore" / "iceberg",
                {
                    "iceberg.catalog.type": "testing_file_metastore",
                    "iceberg.register-table-procedure.enabled": "true",
                },
            ),
        }
        for name, text in files.items():
            (etc / name).write_text(text)
        proc.start(
            [launcher, "run", f"--etc-dir={etc}", f"--data-dir={work / 'data'}"],
            env={"JAVA_HOME": str(JAVA_HOME), "PATH": f"{JAVA_HOME / 'bin'}:{os.environ['PATH']}"},
        )
        url = f"http://{HOST}:{port}"
        proc.wait_ready(lambda: _started(url), timeout=self.ready_timeout, interval=0.5)
        for catalog in ("delta", "iceberg"):
            query(url, f"CREATE SCHEMA {catalog}.{SCHEMA}", user="admin")
        return ServerInfo(HOST, port, "sqlgate", "", SCHEMA, extra={"uri": url})


def _started(url: str) -> bool:
    with urllib.request.urlopen(f"{url}/v1/info", timeout=2) as answer:
        return json.load(answer).get("starting") is False


def query(url: str, sql: str, *, user: str = "sqlgate", catalog: str = "delta") -> list[list]:
    """Every row of ``sql`` over Trino's plain HTTP protocol (fixture setup and assertions
    that must not depend on the code under test); a Trino error raises RuntimeError."""
    headers = {"X-Trino-User": user, "X-Trino-Catalog": catalog, "X-Trino-Schema": SCHEMA}
    request = urllib.request.Request(f"{url}/v1/statement", data=sql.encode(), headers=headers)
    rows: list[list] = []
    with urllib.request.urlopen(request, timeout=60) as answer:
        page = json.load(answer)
    for _ in range(10_000):
        if "error" in page:
            raise RuntimeError(f"trino: {page['error'].get('message')}")
        rows.extend(page.get("data") or [])
        if "nextUri" not in page:
            return rows
        with urllib.request.urlopen(page["nextUri"], timeout=60) as answer:
            page = json.load(answer)
    raise RuntimeError("trino: the statement did not finish within 10000 pages")


@pytest.fixture(scope="session")
def trino_server() -> Iterator[ServerInfo]:
    """A Trino server for the whole test session (``info.extra['uri']``);
    ``SQLGATE_TEST_TRINO_URI=http://host:port`` reuses a running one set up the same way."""
    uri = os.environ.get("SQLGATE_TEST_TRINO_URI")
    if uri:
        port = int(uri.rsplit(":", 1)[1])
        yield ServerInfo(HOST, port, "sqlgate", "", SCHEMA, extra={"uri": uri})
        return
    server = TrinoServer()
    try:
        yield server.start()
    finally:
        server.stop()
