"""pytest fixtures for the fakesnow Snowflake emulator (tests/servers/snowflake.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .snowflake import SnowflakeServerInfo, running_fakesnow, seed_items

__all__ = ["fakesnow_server", "seeded_snowflake"]


@pytest.fixture(scope="session")
def fakesnow_server() -> Iterator[SnowflakeServerInfo]:
    """fakesnow in server mode; database SQLGATE_TEST, schema PUBLIC, any login accepted."""
    with running_fakesnow() as info:
        yield info


@pytest.fixture(scope="session")
def seeded_snowflake(fakesnow_server: SnowflakeServerInfo) -> SnowflakeServerInfo:
    """The conformance table ``items`` with the shared seed rows."""
    from tests.conftest import SEED_ROWS

    seed_items(fakesnow_server, SEED_ROWS)
    return fakesnow_server
