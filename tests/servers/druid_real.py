"""A real Apache Druid 33.0.0 on 127.0.0.1: Druid's query stack in one JVM.

``scripts/install-druid.sh`` resolves Druid's jars and the test jars of its SQL test framework
from the Maven mirror and compiles ``tests/servers/druid_real/DruidSqlServer.java`` into
``.cache/druid``. That main builds Druid's SQL test framework (its Guice injector, Calcite
planner, native query engine) over segments it builds in memory, and serves Druid's own
``SqlResource`` (``POST``/``DELETE /druid/v2/sql``), ``QueryResource`` (``POST /druid/v2``) and
``StatusResource`` (``GET /status``) through Druid's Jersey/Guice wiring on Jetty, as a Broker
does. There is no ZooKeeper, metadata store, Coordinator or Historical: queries never cross a
Broker-to-Historical hop, so a context ``timeout`` is not enforced and a cancel does not stop
work already running (both stay covered by :mod:`tests.servers.druid`).

Datasources: ``events`` (:data:`EVENTS`, five rows: ``__time``, strings with Chinese text and
NULLs, the multi-value ``tags``, a BIGINT and a DOUBLE with NULLs, and ``uniq_users``, a
``hyperUnique`` sketch of ``user``) and ``numbers``
(:data:`NUMBER_ROWS` rows ``n`` = 0.., ``s`` = ``'s' || n``, one a second from 2024-01-01,
for queries that run long enough to be cancelled).
"""

from __future__ import annotations

import json
import os
import re
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .base import HOST, OneProcessServer, ServerInfo, ServerProcess, free_port, server_unavailable

NAME = "druid"
ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / ".cache" / "druid"
JAVA_HOME = Path("/usr/lib/jvm/java-17-openjdk-amd64")
VERSION = "33.0.0"
NUMBER_ROWS = 2500
READY = re.compile(r"DRUID-READY (\d+) ([\d.]+)")
#: what Druid's own jvm.config sets on Java 17 (its memory and metrics code reach into the JDK)
JAVA_OPENS = [
    "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED",
    "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-opens=java.base/jdk.internal.ref=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/java.lang=ALL-UNNAMED",
    "--add-opens=jdk.management/com.sun.management.internal=ALL-UNNAMED",
]
#: the ``events`` rows as DruidSqlServer.java builds them (tests compare against these)
EVENTS: list[dict[str, Any]] = [
    {"__time": "2024-01-01T00:15:00.000Z", "channel": "#en", "page": "Main Page",
     "tags": ["a", "b"], "city": "Paris", "added": 10, "delta": 1.5, "user": "ann"},
    {"__time": "2024-01-01T01:30:00.000Z", "channel": "#zh", "page": "北京",
     "tags": ["b"], "city": None, "added": 20, "delta": -2.25, "user": "bob"},
    {"__time": "2024-01-02T10:00:00.000Z", "channel": "#en", "page": "Druid",
     "tags": None, "city": "Berlin", "added": None, "delta": 0.0, "user": "ann"},
    {"__time": "2024-01-08T23:59:59.000Z", "channel": "#fr", "page": "Café",
     "tags": ["a", "c", "d"], "city": "Lyon", "added": 5, "delta": None, "user": None},
    {"__time": "2024-02-01T12:00:00.000Z", "channel": "#zh", "page": "上海",
     "tags": ["c"], "city": "上海", "added": 7, "delta": 3.0, "user": "李"},
]  # fmt: skip


class DruidServer(OneProcessServer):
    """``java DruidSqlServer <port> <tmp> <rows>`` on Java 17; ready when it prints its line."""

    name = NAME
    ready_timeout_default = 120.0

    def launch(self, proc: ServerProcess) -> ServerInfo:
        java = JAVA_HOME / "bin" / "java"
        classpath = BUILD / "classpath"
        if not java.is_file():
            server_unavailable(NAME, f"no Java 17 at {JAVA_HOME} (openjdk-17-jre-headless)")
        if not (BUILD / "DruidSqlServer.class").is_file() or not classpath.is_file():
            server_unavailable(NAME, "not installed: run bash scripts/install-druid.sh")
        port = free_port()
        argv = [
            str(java),
            "-Xmx512m",
            "-XX:MaxDirectMemorySize=512m",
            "-XX:+UseSerialGC",
            "-XX:ActiveProcessorCount=2",
            "-Duser.timezone=UTC",
            "-Dfile.encoding=UTF-8",
            *JAVA_OPENS,
            "-cp",
            f"{BUILD}:{classpath.read_text().strip()}",
            "DruidSqlServer",
            str(port),
            str(proc.workdir),
            str(NUMBER_ROWS),
        ]
        proc.start(argv, env={"JAVA_HOME": str(JAVA_HOME)})
        found: list[str] = []

        def ready() -> bool:
            match = READY.search(proc.log_path.read_text(errors="replace"))
            if match:
                found.extend(match.groups())
            return match is not None

        proc.wait_ready(ready, timeout=self.ready_timeout, interval=0.25)
        url = f"http://{HOST}:{port}"
        extra = {"uri": url, "version": status(url)["version"], "jvm_seconds": float(found[1])}
        return ServerInfo(HOST, port, "", "", "druid/v2/sql", extra=extra)


def status(url: str) -> dict[str, Any]:
    """``GET /status`` read without sqlgate (the fixture's own check)."""
    with urllib.request.urlopen(f"{url}/status", timeout=10) as answer:
        body = json.load(answer)
    return body if isinstance(body, dict) else {}


def sql(url: str, query: str, **fields: Any) -> tuple[int, bytes]:
    """One raw ``POST /druid/v2/sql`` (assertions that must not depend on sqlgate): the HTTP
    status and the body."""
    body = json.dumps({"query": query, "resultFormat": "arrayLines", **fields}).encode()
    request = urllib.request.Request(
        f"{url}/druid/v2/sql", data=body, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


@pytest.fixture(scope="session")
def druid_real() -> Iterator[ServerInfo]:
    """The real Druid for the whole session (``info.extra['uri']``, ``['url']`` for sqlgate);
    ``SQLGATE_TEST_DRUID_REAL_URI=http://host:port`` reuses one started the same way."""
    uri = os.environ.get("SQLGATE_TEST_DRUID_REAL_URI")
    if uri:
        port = int(uri.rsplit(":", 1)[1])
        info = ServerInfo(HOST, port, "", "", "druid/v2/sql", extra={"uri": uri})
        info.extra["version"] = status(uri)["version"]
    else:
        server = DruidServer()
        info = server.start()  # stops what it started if it fails
    info.extra["url"] = f"druid+sqlgate://{HOST}:{info.port}/druid/v2/sql"
    try:
        yield info
    finally:
        if not uri:
            server.stop()
