"""The team's shared test data beside the project root (``../shared/fixtures``).

Tables written by other engines (Spark-written Iceberg and Hudi) live there, not in the
project. A test that needs them fails when they are missing (in CI a missing fixture is a
failure, never a skip); ``SQLGATE_SHARED_FIXTURES`` points elsewhere when the checkout is
not beside ``shared/``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

_ROOT = Path(__file__).resolve().parents[1]


def shared_fixtures() -> Path:
    """The ``fixtures`` folder of the shared material."""
    override = os.environ.get("SQLGATE_SHARED_FIXTURES")
    return Path(override) if override else _ROOT.parent / "shared" / "fixtures"


def shared_fixture(name: str) -> Path:
    """``shared/fixtures/<name>``; the calling test fails (not skips) when it is missing."""
    path = shared_fixtures() / name
    if not path.is_dir():
        pytest.fail(
            f"shared test data {path} is missing: the project expects ../shared/fixtures/{name} "
            "beside its root (or SQLGATE_SHARED_FIXTURES pointing at a copy)",
            pytrace=False,
        )
    return path
