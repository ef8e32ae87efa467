"""Throwaway Azurite (Azure Blob Storage emulator) on 127.0.0.1.

Azurite comes from npm, installed by scripts/install-test-deps.sh into the project-local
prefix ``.cache/npm`` (``npm install --prefix .cache/npm azurite``); ``SQLGATE_AZURITE_BIN``
names another ``azurite-blob``, and ``SQLGATE_TEST_AZURITE_URL`` (``http://127.0.0.1:10000``)
reuses a running emulator instead. Telemetry is always off. The emulator answers for the
well-known development account only.
"""

from __future__ import annotations

import os
import shutil
from contextlib import AbstractContextManager
from pathlib import Path
from urllib.parse import urlsplit

from .base import (
    HOST,
    OneProcessServer,
    ServerInfo,
    ServerProcess,
    free_port,
    port_open,
    require_binary,
    running,
)

NAME = "azurite"
OVERRIDE_ENV = "SQLGATE_TEST_AZURITE_URL"
BINARY_ENV = "SQLGATE_AZURITE_BIN"
ACCOUNT = "devstoreaccount1"
ACCOUNT_KEY = (
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)
REPO = Path(__file__).resolve().parents[2]
LOCAL_BIN = REPO / ".cache" / "npm" / "node_modules" / ".bin" / "azurite-blob"


def _binary() -> str:
    explicit = os.environ.get(BINARY_ENV)
    if explicit:
        return require_binary(NAME, explicit)
    if shutil.which("node") is None:
        require_binary(NAME, "node")  # reports "binary not found: node"
    if LOCAL_BIN.exists():
        return require_binary(NAME, LOCAL_BIN)
    return require_binary(NAME, shutil.which("azurite-blob") or str(LOCAL_BIN))


def _info(host: str, port: int, **extra: object) -> ServerInfo:
    blob = f"http://{host}:{port}"
    return ServerInfo(
        host,
        port,
        ACCOUNT,
        ACCOUNT_KEY,
        "",
        extra={
            "endpoint": f"{blob}/{ACCOUNT}",  # object_store / sqlgate ?endpoint=
            "authority": f"{host}:{port}",  # pyarrow blob_storage_authority
            "account_name": ACCOUNT,
            "account_key": ACCOUNT_KEY,
            **extra,
        },
    )


def filesystem(info: ServerInfo, **credentials: str):
    """A pyarrow AzureFileSystem on the emulator (account key unless a sas_token is given)."""
    import pyarrow.fs as pafs

    if not credentials:
        credentials = {"account_key": info.extra["account_key"]}
    authority = info.extra["authority"]
    return pafs.AzureFileSystem(
        account_name=info.extra["account_name"],
        blob_storage_authority=authority,
        blob_storage_scheme="http",
        dfs_storage_authority=authority,
        dfs_storage_scheme="http",
        **credentials,
    )


def _override() -> ServerInfo | None:
    url = os.environ.get(OVERRIDE_ENV)
    if not url:
        return None
    parts = urlsplit(url)
    return _info(parts.hostname or HOST, parts.port or 10000, override_url=url)


class AzuriteServer(OneProcessServer):
    """``azurite-blob`` (Node.js) in its own temp dir; it is ready once the port accepts."""

    name = NAME

    def launch(self, proc: ServerProcess) -> ServerInfo:
        binary = _binary()
        port = free_port()
        data = proc.workdir / "data"
        data.mkdir()
        proc.start(
            [binary, "--blobHost", HOST, "--blobPort", str(port), "--location", str(data),
             "--skipApiVersionCheck", "--loose", "--disableTelemetry"]
        )  # fmt: skip
        proc.wait_ready(lambda: port_open(port), timeout=self.ready_timeout)
        return _info(HOST, port)


def running_azurite() -> AbstractContextManager[ServerInfo]:
    """Yield an emulator: the override URL's if set, else a fresh throwaway one."""
    return running(_override(), AzuriteServer)
