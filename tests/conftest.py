"""Shared fixtures: real throwaway servers, and one seeded fixture table per family."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from dataclasses import dataclass
from types import ModuleType

import pytest

from sqlgate.core.registry import SourceSpec, all_sources
from tests.servers.base import ServerInfo
from tests.servers.fixtures import *  # noqa: F403

WIRE_SOURCES = [spec for spec in all_sources() if spec.family in ("postgres", "mysql")]
SEED_ROWS = [
    (1, "alpha", "12.50", "2026-01-01 10:00:00"),
    (2, "beta", "0.99", "2026-02-01 11:30:00"),
    (3, "γάμμα 中文", "-7.25", "2026-03-01 00:00:01"),
    (4, None, None, None),
]


def seed_postgres(info: ServerInfo) -> None:
    import psycopg

    with psycopg.connect(host=info.host, port=info.port, user=info.user,
                         password=info.password, dbname=info.database, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS items")
        conn.execute("CREATE TABLE items (id int PRIMARY KEY, name text, "
                     "amount numeric(10,2), created timestamp)")
        with conn.cursor() as cur:
            cur.executemany("INSERT INTO items VALUES (%s, %s, %s, %s)", SEED_ROWS)


def seed_mariadb(info: ServerInfo) -> None:
    import pymysql

    conn = pymysql.connect(host=info.host, port=info.port, user=info.user,
                           password=info.password, database=info.database, charset="utf8mb4",
                           autocommit=True)
    with conn.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS items")
        cur.execute("CREATE TABLE items (id int PRIMARY KEY, name text, "
                    "amount decimal(10,2), created datetime) CHARACTER SET utf8mb4")
        cur.executemany("INSERT INTO items VALUES (%s, %s, %s, %s)", SEED_ROWS)
    conn.close()


@pytest.fixture(scope="session")
def seeded_postgres(postgres_server: ServerInfo) -> ServerInfo:
    seed_postgres(postgres_server)
    return postgres_server


@pytest.fixture(scope="session")
def seeded_mariadb(mariadb_server: ServerInfo) -> ServerInfo:
    seed_mariadb(mariadb_server)
    return mariadb_server


@dataclass
class Driver:
    """One source's DB-API module, pointed at the real server of its family."""

    spec: SourceSpec
    module: ModuleType
    server: ServerInfo

    @property
    def url(self) -> str:
        return self.server.url(self.spec.scheme)

    def connect(self, **kwargs: object):
        return self.module.connect(self.url, **kwargs)


@pytest.fixture(params=WIRE_SOURCES, ids=lambda spec: spec.name)
def driver(request: pytest.FixtureRequest) -> Iterator[Driver]:
    spec: SourceSpec = request.param
    fixture = "seeded_postgres" if spec.family == "postgres" else "seeded_mariadb"
    server = request.getfixturevalue(fixture)
    yield Driver(spec, importlib.import_module(spec.dbapi_module), server)
