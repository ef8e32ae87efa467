"""The installed sqlglot is inside the range pyproject.toml pins (the range the gate's tests
passed under: sqlglot decides what the read-only gate can parse)."""

from __future__ import annotations

import re
from pathlib import Path

import sqlglot
from packaging.specifiers import SpecifierSet
from packaging.version import Version

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"


def pinned_range() -> SpecifierSet:
    """The ``sqlglot`` line of ``[project] dependencies`` (read without tomllib: Python 3.10)."""
    (spec,) = re.findall(r'^\s*"sqlglot([^"]*)"', PYPROJECT.read_text(encoding="utf-8"), re.M)
    return SpecifierSet(spec.strip())


def test_sqlglot_is_pinned_to_a_bounded_range() -> None:
    spec = pinned_range()
    operators = {s.operator for s in spec}
    assert operators & {">=", "~=", "=="} and operators & {"<", "<=", "~=", "=="}, spec


def test_installed_sqlglot_is_within_the_pinned_range() -> None:
    installed = Version(sqlglot.__version__)
    assert installed in pinned_range(), (
        f"sqlglot {installed} is outside the range the read-only gate was tested with "
        f"({pinned_range()}): run tests/unit/test_readonly_gate.py under it, then widen the pin"
    )
