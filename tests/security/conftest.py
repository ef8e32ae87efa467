"""Fixtures of the red-team suite (PostgreSQL only; names start with ``pg_``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.security.pg_attack import PgLab, new_lab
from tests.servers.base import ServerInfo


@pytest.fixture(scope="module")
def pg_lab(postgres_server: ServerInfo) -> Iterator[PgLab]:
    """One lab database with hostile roles for the whole module, dropped afterwards."""
    lab = new_lab(postgres_server)
    try:
        yield lab
    finally:
        lab.drop()
