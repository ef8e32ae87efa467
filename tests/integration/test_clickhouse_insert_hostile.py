"""Hostile INSERTs with ``read_only=false`` on the real ClickHouse 18.16 server: values that
try to leave their literal on the way through the server-typed literal path, placeholders
hidden in a comment, and a read-only session. Every outcome is checked with the admin login,
and every statement must finish within the bound (never a wait for blocks)."""

from __future__ import annotations

import time

import pytest

import sqlgate
from sqlgate.core import errors
from tests.integration.test_clickhouse_insert import BOUND, SCHEME, TABLE, stored, target, writable
from tests.servers.base import ServerInfo

__all__ = ["target"]  # the fixture, re-exported for pytest

HOSTILE = [
    "it's",
    "back\\slash",
    "ends in a backslash\\",
    "\\'); DROP TABLE insert_target; --",
    "'), (99, 'smuggled",
    "new\nline\ttab",
    "nul\x00byte",
    "unicode \u2019\u02bc\uff07 \u00e9",
]


def test_hostile_values_stay_values_on_the_literal_path(target: ServerInfo) -> None:
    """A value beside a literal in the same row sends the text through the server-typed
    path (bound by the driver, re-read, cast by the server): each value must come back as
    itself, in one row, and nothing else may be written."""
    with sqlgate.connect(writable(target)) as conn:
        cur = conn.cursor()
        for n, value in enumerate(HOSTILE, start=1):
            started = time.monotonic()
            cur.execute(f"INSERT INTO {TABLE} (id, name) VALUES (%s, concat(%s, ''))", (n, value))
            assert time.monotonic() - started < BOUND
    assert [row[:2] for row in stored(target)] == list(enumerate(HOSTILE, start=1))


def test_placeholder_in_a_trailing_comment_neither_hangs_nor_writes_rows(
    target: ServerInfo,
) -> None:
    """``VALUES (%s)`` inside a comment is not the statement's VALUES list. Before, the block
    path sent ``INSERT ... SELECT 7 --`` as an insert head: the server ran it and the driver
    failed on the reply ("Unexpected packet"), reporting an error for a row it had written."""
    with sqlgate.connect(writable(target)) as conn:
        cur = conn.cursor()
        started = time.monotonic()
        cur.execute(f"INSERT INTO {TABLE} (id) SELECT 7 -- VALUES (%s)", (5,))
        assert time.monotonic() - started < BOUND
        assert cur.execute("SELECT 1").fetchone() == (1,)  # the session is still usable
    assert [row[0] for row in stored(target)] == [7]  # the statement, never the commented 5


@pytest.mark.parametrize(
    "sql",
    [
        f"INSERT INTO {TABLE} (id) VALUES (1)",
        f"/* a */ INSERT INTO {TABLE} (id) VALUES (1)",
        f"INSERT INTO {TABLE} (id) SELECT 1",
        f"INSERT INTO {TABLE} (id) FORMAT CSV 1",
        f"insert into {TABLE} (id) values (%s)",
    ],
)
def test_read_only_connection_writes_nothing(target: ServerInfo, sql: str) -> None:
    with sqlgate.connect(target.url(SCHEME)) as conn:
        started = time.monotonic()
        with pytest.raises(errors.ReadOnlyError):
            conn.cursor().execute(sql, (1,) if "%s" in sql else None)
        assert time.monotonic() - started < BOUND
        assert conn.cursor().execute("SELECT 1").fetchone() == (1,)
    assert stored(target) == []
