"""pytest fixtures for ClickHouse: the real 18.16 server and an embedded chdb data directory.

chdb holds one data directory per process, so every embedded test shares the one the
session-scoped ``chdb_path`` fixture creates.
"""

from __future__ import annotations

import datetime
import decimal
import importlib.util
import shutil
import tempfile
from collections.abc import Iterator
from typing import Any

import pytest

from . import clickhouse
from .base import ServerInfo, server_unavailable

__all__ = [
    "chdb_path",
    "clickhouse_server",
    "items_rows",
    "seeded_chdb",
    "seeded_clickhouse",
]

ITEMS_DDL = (
    "CREATE TABLE items (id Int32, name Nullable(String), amount Nullable(Decimal(10, 2)), "
    "created Nullable(DateTime)) ENGINE = {engine}"
)


def items_rows() -> list[tuple[Any, ...]]:
    """The conformance seed rows as Python values (the shared SEED_ROWS are text)."""
    from tests.conftest import SEED_ROWS

    return [
        (
            i,
            name,
            None if amount is None else decimal.Decimal(amount),
            None if created is None else datetime.datetime.fromisoformat(created),
        )
        for i, name, amount, created in SEED_ROWS
    ]


@pytest.fixture(scope="session")
def clickhouse_server() -> Iterator[ServerInfo]:
    """ClickHouse 18.16: user ``sqlgate`` (read-write profile) on database ``default``."""
    if importlib.util.find_spec("clickhouse_driver") is None:
        server_unavailable("clickhouse", "clickhouse-driver is not installed")
    with clickhouse.running_clickhouse() as info:
        yield info


@pytest.fixture(scope="session")
def seeded_clickhouse(clickhouse_server: ServerInfo) -> ServerInfo:
    """The server with the conformance table ``items``, seeded through parameters."""
    client = clickhouse.admin_client(clickhouse_server)
    try:
        client.execute("DROP TABLE IF EXISTS items")
        client.execute(ITEMS_DDL.format(engine="MergeTree ORDER BY id"))
        client.execute("INSERT INTO items VALUES", items_rows())
    finally:
        client.disconnect()
    return clickhouse_server


@pytest.fixture(scope="session")
def chdb_path() -> Iterator[str]:
    """The process's one chdb data directory (removed at the end of the session)."""
    if importlib.util.find_spec("chdb") is None:
        server_unavailable("chdb", "chdb is not installed (pip install 'sqlgate[chdb]')")
    root = tempfile.mkdtemp(prefix="sqlgate-chdb-", dir="/tmp")
    try:
        yield root
    finally:
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def seeded_chdb(chdb_path: str) -> str:
    """An embedded URL whose ``default.items`` holds the seed rows (written by chdb itself)."""
    import chdb

    conn = chdb.connect(chdb_path)
    try:
        conn.query("DROP TABLE IF EXISTS items")
        conn.query(ITEMS_DDL.format(engine="MergeTree ORDER BY id"))
        values = ", ".join(
            "({}, {}, {}, {})".format(
                i,
                "NULL" if n is None else "'" + n.replace("'", "\\'") + "'",
                "NULL" if a is None else f"'{a}'",
                "NULL" if c is None else f"'{c:%Y-%m-%d %H:%M:%S}'",
            )
            for i, n, a, c in items_rows()
        )
        conn.query(f"INSERT INTO items VALUES {values}")
    finally:
        conn.close()
    return f"clickhouse+sqlgate://{chdb_path}?embedded=true"
