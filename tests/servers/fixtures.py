"""pytest fixtures for real throwaway servers.

Use `from tests.servers.fixtures import *` in a conftest, or `-p tests.servers.fixtures`.
Servers are session-scoped (start-up costs ~1-3 s each); databases are per test.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from . import azurite, mariadb, moto, postgres
from .base import ServerInfo
from .hdfs import running_hdfs

__all__ = [
    "azurite_server",
    "hdfs_server",
    "mariadb_database",
    "mariadb_server",
    "moto_clean",
    "moto_server",
    "postgres_database",
    "postgres_server",
    "unique_name",
]


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[ServerInfo]:
    """PostgreSQL 15: user `sqlgate` (superuser) on db `sqlgate_test`; admin in extra."""
    with postgres.running_postgres() as info:
        yield info


@pytest.fixture(scope="session")
def mariadb_server() -> Iterator[ServerInfo]:
    """MariaDB: user `sqlgate` on db `sqlgate_test`; gb* charsets in extra["charsets"]."""
    with mariadb.running_mariadb() as info:
        yield info


@pytest.fixture(scope="session")
def moto_server() -> Iterator[ServerInfo]:
    """moto fake AWS: endpoint in extra["endpoint_url"], fake keys as user/password."""
    with moto.running_moto() as info:
        yield info


@pytest.fixture
def unique_name() -> str:
    """A fresh lower-case identifier, safe as a database/schema/bucket name."""
    return f"sqlgate_{uuid.uuid4().hex[:12]}"


@pytest.fixture
def postgres_database(postgres_server: ServerInfo, unique_name: str) -> Iterator[ServerInfo]:
    """An empty PostgreSQL database for one test, dropped afterwards."""
    info = postgres.create_database(postgres_server, unique_name)
    try:
        yield info
    finally:
        postgres.drop_database(postgres_server, unique_name)


@pytest.fixture
def mariadb_database(mariadb_server: ServerInfo, unique_name: str) -> Iterator[ServerInfo]:
    """An empty utf8mb4 MariaDB database for one test, dropped afterwards."""
    info = mariadb.create_database(mariadb_server, unique_name)
    try:
        yield info
    finally:
        mariadb.drop_database(mariadb_server, unique_name)


@pytest.fixture
def moto_clean(moto_server: ServerInfo) -> ServerInfo:
    """The shared moto server, reset to empty state before the test."""
    moto.reset(moto_server)
    return moto_server


@pytest.fixture(scope="session")
def azurite_server() -> Iterator[ServerInfo]:
    """Azurite blob emulator: account/key as user/password; extra["endpoint"] is the
    path-style blob endpoint (http://127.0.0.1:PORT/devstoreaccount1)."""
    with azurite.running_azurite() as info:
        yield info


@pytest.fixture(scope="session")
def hdfs_server() -> Iterator[ServerInfo]:
    """A Kerberized HDFS (WebHDFS at host:port, SPNEGO): extra has krb5_conf, principal and
    keytab of a reader, and ``lake`` (a world-writable directory to seed)."""
    with running_hdfs(kerberos=True) as info:
        yield info
