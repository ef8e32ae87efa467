"""Throwaway moto server: a fake AWS endpoint (S3, Athena, Glue, ...) on 127.0.0.1."""

from __future__ import annotations

import os
import shutil
import sys
import urllib.request
from contextlib import AbstractContextManager
from pathlib import Path

from .base import (
    HOST,
    OneProcessServer,
    ServerInfo,
    ServerProcess,
    free_port,
    info_from_url,
    require_binary,
    running,
)

NAME = "moto"
OVERRIDE_ENV = "SQLGATE_TEST_MOTO_URL"
ACCESS_KEY = "testing"
SECRET_KEY = "testing"
REGION = "us-east-1"


def _moto_binary() -> str:
    """Prefer the moto_server next to this interpreter: the venv bin may not be on PATH."""
    beside = Path(sys.executable).parent / "moto_server"
    if beside.exists():
        return require_binary(NAME, beside)
    return require_binary(NAME, shutil.which("moto_server") or "moto_server")


def _info(host: str, port: int, endpoint: str, **extra: object) -> ServerInfo:
    return ServerInfo(
        host,
        port,
        ACCESS_KEY,
        SECRET_KEY,
        "",
        extra={
            "endpoint_url": endpoint,
            "region": REGION,
            "aws_access_key_id": ACCESS_KEY,
            "aws_secret_access_key": SECRET_KEY,
            **extra,
        },
    )


def http_get(url: str, timeout: float = 2.0) -> int:
    with urllib.request.urlopen(url, timeout=timeout) as resp:
        return int(resp.status)


def reset(info: ServerInfo) -> None:
    """Wipe all moto state (buckets, tables, ...) so a test starts clean."""
    req = urllib.request.Request(
        info.extra["endpoint_url"] + "/moto-api/reset", data=b"", method="POST"
    )
    with urllib.request.urlopen(req, timeout=10):
        pass


def _override() -> ServerInfo | None:
    url = os.environ.get(OVERRIDE_ENV)
    if not url:
        return None
    parsed = info_from_url(url, default_port=5000)
    endpoint = f"{url.split('://', 1)[0]}://{parsed.host}:{parsed.port}"
    return _info(parsed.host, parsed.port, endpoint, override_url=url)


class MotoServer(OneProcessServer):
    """moto_server subprocess; its Python imports make start-up take a second or two."""

    name = NAME

    def launch(self, proc: ServerProcess) -> ServerInfo:
        binary = _moto_binary()
        port = free_port()
        endpoint = f"http://{HOST}:{port}"
        proc.start(
            [binary, "-H", HOST, "-p", str(port)],
            env={
                "AWS_ACCESS_KEY_ID": ACCESS_KEY,
                "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
                "AWS_DEFAULT_REGION": REGION,
            },
        )
        proc.wait_ready(
            lambda: http_get(endpoint + "/moto-api/") == 200, timeout=self.ready_timeout
        )
        return _info(HOST, port, endpoint)


def running_moto() -> AbstractContextManager[ServerInfo]:
    """Yield a server: the override URL's if set, else a fresh throwaway one."""
    return running(_override(), MotoServer)
