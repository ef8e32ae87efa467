"""Throwaway Spark Connect server (``local[2]``) with the Iceberg and Delta runtimes and S3A.

pyspark (in ``.cache/spark-venv`` from ``scripts/install-spark.sh``) ships the Spark Connect
server jar; the Iceberg and Delta runtime jars come from Maven Central into ``.cache/m2``.
Everything binds 127.0.0.1 (the gRPC port, the driver, the block manager); the Spark UI is off,
and the warehouse, the local dirs and Derby's home live in the server's temp dir.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from .base import HOST, ServerInfo, ServerProcess, free_port, port_open, require_binary, running

NAME = "spark-connect"
ROOT = Path(__file__).resolve().parents[2]
VENV = ROOT / ".cache" / "spark-venv"
#: pyspark inside the venv, whatever its Python minor version (the first match)
PYSPARK = next(iter(sorted(VENV.glob("lib/python3*/site-packages/pyspark"))), VENV / "pyspark")
M2 = ROOT / ".cache" / "m2"
JAVA_HOME = Path("/usr/lib/jvm/java-17-openjdk-amd64")
JARS = (
    "org/apache/iceberg/iceberg-spark-runtime-4.0_2.13/1.10.0/iceberg-spark-runtime-4.0_2.13-1.10.0.jar",
    "io/delta/delta-spark_2.13/4.0.0/delta-spark_2.13-4.0.0.jar",
    "io/delta/delta-storage/4.0.0/delta-storage-4.0.0.jar",
    # S3A (pyspark 4.0.1 ships Hadoop 3.4.1) and the AWS SDK v2 bundle it was built against
    "org/apache/hadoop/hadoop-aws/3.4.1/hadoop-aws-3.4.1.jar",
    "software/amazon/awssdk/bundle/2.24.6/bundle-2.24.6.jar",
)
EXTENSIONS = (
    "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions,"
    "io.delta.sql.DeltaSparkSessionExtension"
)


class SparkConnectServer:
    """``SparkConnectServer`` through ``spark-submit`` on a free port of 127.0.0.1."""

    def __init__(self, *, ready_timeout: float = 120.0) -> None:
        self.ready_timeout = ready_timeout
        self.proc: ServerProcess | None = None

    def start(self) -> ServerInfo:
        submit = require_binary(NAME, PYSPARK / "bin" / "spark-submit")
        jars = [M2 / jar for jar in JARS]
        missing = [str(jar) for jar in jars if not jar.is_file()]
        if missing:
            from .base import server_unavailable

            server_unavailable(NAME, f"missing {missing}: run scripts/install-spark.sh")
        self.proc = proc = ServerProcess(NAME)
        port, work = free_port(), proc.workdir
        conf = {
            "spark.connect.grpc.binding.address": HOST,
            "spark.connect.grpc.binding.port": str(port),
            "spark.driver.bindAddress": HOST,
            "spark.driver.host": HOST,
            "spark.driver.memory": "1g",
            "spark.ui.enabled": "false",
            "spark.local.dir": str(work / "local"),
            "spark.sql.warehouse.dir": str(work / "warehouse"),
            "spark.driver.extraJavaOptions": f"-Dderby.system.home={work / 'derby'}",
            "spark.sql.extensions": EXTENSIONS,
            "spark.sql.catalog.spark_catalog": "org.apache.spark.sql.delta.catalog.DeltaCatalog",
            "spark.sql.shuffle.partitions": "2",
        }
        argv = [submit, "--master", "local[2]", "--jars", ",".join(map(str, jars))]
        argv += ["--class", "org.apache.spark.sql.connect.service.SparkConnectServer"]
        for key, value in conf.items():
            argv += ["--conf", f"{key}={value}"]
        proc.start(
            [*argv, "spark-internal"],
            env={"SPARK_HOME": str(PYSPARK), "JAVA_HOME": str(JAVA_HOME), "SPARK_LOCAL_IP": HOST},
        )
        proc.wait_ready(
            lambda: port_open(port) and "Spark Connect server started" in proc.log_tail(200),
            timeout=self.ready_timeout,
            interval=0.5,
        )
        return ServerInfo(HOST, port, "", "", "", extra={"remote": f"sc://{HOST}:{port}"})

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.stop()


@pytest.fixture(scope="session")
def spark_connect() -> Iterator[ServerInfo]:
    """A Spark Connect server for the whole test session (``info.extra['remote']``);
    ``SQLGATE_TEST_SPARK_REMOTE=sc://host:port`` reuses a running one (development)."""
    remote = os.environ.get("SQLGATE_TEST_SPARK_REMOTE")
    if remote:
        yield ServerInfo(HOST, int(remote.rsplit(":", 1)[1]), "", "", "", extra={"remote": remote})
        return
    with running(None, SparkConnectServer) as info:
        yield info
