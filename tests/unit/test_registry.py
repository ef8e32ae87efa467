"""The registry, the entry points and the modules on disk must agree."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

from sqlgate.core import errors
from sqlgate.core.registry import all_sources, get_source

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[2]


def declared_entry_points() -> dict[str, str]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return data["project"]["entry-points"]["sqlalchemy.dialects"]


def test_entry_points_match_registry() -> None:
    expected = {spec.entry_point_name: spec.entry_point_target for spec in all_sources()}
    assert declared_entry_points() == expected


def test_installed_entry_points_match_registry() -> None:
    from importlib.metadata import entry_points

    installed = {
        ep.name: ep.value
        for ep in entry_points(group="sqlalchemy.dialects")
        if ep.value.startswith("sqlgate.")
    }
    assert installed == declared_entry_points(), "reinstall sqlgate (pip install -e .)"


def test_every_extra_exists() -> None:
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]
    for spec in all_sources():
        assert spec.extra in extras, spec.name


@pytest.mark.parametrize("spec", all_sources(), ids=lambda s: s.name)
def test_source_has_modules_and_docs(spec) -> None:
    dbapi = importlib.import_module(spec.dbapi_module)
    assert callable(dbapi.connect) and dbapi.apilevel == "2.0"
    module_name, class_name = spec.entry_point_target.split(":")
    dialect = getattr(importlib.import_module(module_name), class_name)
    assert dialect.sqlgate_source == spec.name
    assert dialect.supports_statement_cache is True
    assert (ROOT / "docs" / "sources" / f"{spec.name}.md").exists(), "every source has a page"


@pytest.mark.parametrize("spec", all_sources(), ids=lambda s: s.name)
def test_sqlalchemy_finds_dialect_by_url(spec) -> None:
    from sqlalchemy.engine.url import make_url

    dialect_cls = make_url(f"{spec.scheme}://u@h/db").get_dialect()
    assert dialect_cls.sqlgate_source == spec.name


def test_bare_names_only_where_no_wellknown_dialect_owns_them() -> None:
    owned = {
        "postgresql",
        "mysql",
        "redshift",
        "doris",
        "starrocks",
        "clickhouse",
        "snowflake",
        "bigquery",
        "databricks",
        "druid",
        "trino",
        "hive",
    }
    for spec in all_sources():
        backend = spec.scheme.split("+")[0]
        if backend in owned:
            assert spec.scheme.endswith("+sqlgate") or "+" in spec.scheme, spec.scheme


def test_unknown_source() -> None:
    with pytest.raises(errors.InterfaceError, match="unknown sqlgate source"):
        get_source("nosuchdb")


def test_missing_extra_names_the_pip_command(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "pymysql" else real(name, *a)
    )
    with pytest.raises(errors.MissingExtraError) as info:
        get_source("tidb").load_dbapi()
    assert "pip install 'sqlgate[mysql]'" in str(info.value)


def declared_spec_entry_points() -> dict[str, str]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return data["project"]["entry-points"]["superset.db_engine_specs"]


def test_superset_spec_entry_points_match_registry() -> None:
    """Every source whose backend Superset has no spec for ships one; none shadows Superset's."""
    from sqlgate.superset import SUPERSET_OWNS, expected_entry_points, spec_module

    declared = declared_spec_entry_points()
    assert declared == expected_entry_points()
    assert set(declared) | SUPERSET_OWNS == {spec.name for spec in all_sources()}
    for name, target in declared.items():
        module, cls = target.split(":")
        source = get_source(name)
        assert cls == source.dialect_class.removesuffix("Dialect") + "EngineSpec"
        assert module.endswith(spec_module(source))
        # the spec module exists on disk, and importing sqlgate never imports Superset
        assert (ROOT / (module.replace(".", "/") + ".py")).exists()
    assert "superset" not in sys.modules or "sqlgate.superset.lakehouse" not in sys.modules


def test_installed_superset_spec_entry_points() -> None:
    from importlib.metadata import entry_points

    installed = {
        ep.name: ep.value
        for ep in entry_points(group="superset.db_engine_specs")
        if ep.value.startswith("sqlgate.")
    }
    assert installed == declared_spec_entry_points(), "reinstall sqlgate (pip install -e .)"
