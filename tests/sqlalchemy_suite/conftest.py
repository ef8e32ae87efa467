"""SQLAlchemy's dialect compliance suite (``sqlalchemy.testing.suite``) over sqlgate's dialects.

SQLAlchemy's pytest plugin rewrites collection (one test class per configured database, its
own fixtures and warning filters), so the suite runs as a pytest invocation of its own, never
as part of the normal ``pytest`` run. From this folder::

    cd tests/sqlalchemy_suite
    python -m pytest . --rootdir . --confcutdir . -p sqlalchemy.testing.plugin.pytestplugin \\
        -p no:warnings --tb=native \\
        --dburi "postgresql+sqlgate://user:pw@127.0.0.1:5432/db?read_only=false"

(or ``mysql+sqlgate://...``). The plugin reads ``setup.cfg`` here - SQLAlchemy 1.4 from the
working directory, 2.x from pytest's rootdir, hence both; ``--confcutdir`` keeps the
repository's conftest out, ``-p no:warnings`` leaves warning filters to the plugin (as
SQLAlchemy's dialect guide does) and ``--tb=native`` keeps hundreds of deep SQLAlchemy
tracebacks cheap. ``read_only=false`` is needed because the suite creates and drops tables.
Use a throwaway server: the suite creates ``test_schema`` and ``test_schema_2`` (schemas on
PostgreSQL, databases on MySQL/MariaDB) when missing, and drops them again afterwards.
``tests/integration/test_sqlalchemy_suite.py`` does all of this against the real test servers.

Without the plugin (the normal run, ``testpaths = ["tests"]``) nothing here is collected.
"""

from __future__ import annotations

import importlib
import re
import warnings
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy.testing
from sqlalchemy.dialects import registry
from sqlalchemy.testing import provision
from sqlalchemy.testing.provision import generate_driver_url, set_default_schema_on_connection

SA_PLUGIN = "sqlalchemy.testing.plugin.pytestplugin"
_BACKEND_SUFFIX = re.compile(r"_(postgresql|mysql|mariadb|snowflake|bigquery|databricks)\+.*$")
_PRESENT_BUGS = pytest.StashKey[list]()
_CREATED_SCHEMAS = pytest.StashKey[list]()
#: schemas the suite's ``schemas`` / ``cross_schema_fk_reflection`` tests expect to exist
TEST_SCHEMAS = ("test_schema", "test_schema_2")

# The entry points in pyproject.toml do the same once sqlgate is installed; registering here
# keeps the suite runnable from a source checkout that was never pip-installed.
registry.register("postgresql.sqlgate", "sqlgate.dialects.postgresql", "PostgreSQLDialect")
registry.register("mysql.sqlgate", "sqlgate.dialects.mysql", "MySQLDialect")

# SQLAlchemy finds a dialect's provisioning hooks (temp-table options, default-schema switching,
# dropping leftovers...) in ``<dialect package>.provision``, i.e. ``sqlgate.dialects.provision``,
# which does not exist. The hooks are keyed by backend name ("postgresql", "mysql"), which the
# sqlgate dialects keep, so SQLAlchemy's own ones apply as they are: import them here.
for _backend in ("postgresql", "mysql"):
    importlib.import_module(f"sqlalchemy.dialects.{_backend}.provision")

# SQLAlchemy 2.1's MySQL provisioning rewrites a URL that reaches a MariaDB server into
# ``mariadb+<driver>://``, a name sqlgate does not register; test the URL users actually write
# (``mysql+sqlgate://``, which detects MariaDB when it connects) with the generic routine.
generate_driver_url.fns["mysql"] = generate_driver_url.fns["*"]

# Backends whose only SQLAlchemy dialect here is sqlgate's (no ``snowflake://`` etc. without a
# driver): SQLAlchemy 2.x's ``is_preferred_driver`` loads the bare backend name, which fails;
# sqlgate's driver is the preferred one by definition. SQLAlchemy has no provisioning for
# them, so its generic hooks apply (see ``_unsupported.ADJUSTMENTS``).
SQLGATE_ONLY_BACKENDS = {
    "snowflake": "sqlgate.dialects.snowflake:SnowflakeDialect",
    "bigquery": "sqlgate.dialects.bigquery:BigQueryDialect",
    "databricks": "sqlgate.dialects.databricks:DatabricksDialect",
    "clickhouse": "sqlgate.dialects.clickhouse:ClickHouseDialect",
}
#: backends whose requirements narrow the family's (``setup.cfg`` names one class, and
#: SQLAlchemy's plugin re-reads it after ``--requirements``): swapped in at session start
BACKEND_REQUIREMENTS = {
    "snowflake": "tests.sqlalchemy_suite.requirements_warehouse:SnowflakeRequirements",
    "bigquery": "tests.sqlalchemy_suite.requirements_warehouse:BigQueryRequirements",
    "databricks": "tests.sqlalchemy_suite.requirements_warehouse:DatabricksRequirements",
    "clickhouse": "tests.sqlalchemy_suite.requirements_olap:ClickHouseRequirements",
}
for _backend, _target in SQLGATE_ONLY_BACKENDS.items():
    registry.register(f"{_backend}.sqlgate", *_target.split(":"))
    if hasattr(provision, "is_preferred_driver"):  # SQLAlchemy 2.x
        provision.is_preferred_driver.fns[_backend] = lambda cfg, engine: True


@provision.temp_table_keyword_args.for_db("snowflake")
def _snowflake_temp_table(cfg: Any, eng: Any) -> dict[str, Any]:
    """Snowflake's session-scoped tables are ``CREATE TEMPORARY TABLE``."""
    return {"prefixes": ["TEMPORARY"]}


@set_default_schema_on_connection.for_db("postgresql")
def _set_search_path(cfg: Any, dbapi_connection: Any, schema_name: str) -> None:
    """SQLAlchemy's routine flips psycopg's ``autocommit`` attribute, which is not PEP 249 and
    which sqlgate's connection does not have; on a fresh connection a commit keeps the SET."""
    cursor = dbapi_connection.cursor()
    cursor.execute(f"SET SESSION search_path='{schema_name}'")
    cursor.close()
    dbapi_connection.commit()


def _suite_enabled(config: pytest.Config) -> bool:
    return config.pluginmanager.hasplugin(SA_PLUGIN)


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """Keep the normal run away from the suite: it only works under SQLAlchemy's plugin."""
    if not _suite_enabled(config):
        return True
    return None


@pytest.hookimpl(trylast=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    """Create the extra schemas the suite uses (SQLAlchemy's plugin has set up its engine)."""
    if not _suite_enabled(session.config):
        return
    from sqlalchemy import exc, inspect
    from sqlalchemy.schema import CreateSchema
    from sqlalchemy.testing import config

    if config.db.name in BACKEND_REQUIREMENTS:
        module, name = BACKEND_REQUIREMENTS[config.db.name].split(":")
        requirements = getattr(importlib.import_module(module), name)()
        config.requirements = sqlalchemy.testing.requires = requirements
    # SQLAlchemy 2.1 warns, on PostgreSQL < 18, that a Computed() column without an explicit
    # ``persisted`` is created STORED; the plugin turns SAWarnings into errors, which would break
    # the suite's computed-column fixtures on every driver (psycopg's too) for no dialect reason.
    warnings.filterwarnings(
        "ignore", r"Computed column \S+ is being created as 'STORED'", exc.SAWarning
    )
    created = session.config.stash[_CREATED_SCHEMAS] = []
    with config.db.begin() as conn:
        existing = set(inspect(conn).get_schema_names())
        for name in TEST_SCHEMAS:
            if name not in existing:
                # MySQL's CREATE SCHEMA creates a database, which is what the suite wants there
                conn.execute(CreateSchema(name))
                created.append(name)
    if created and config.db.dialect.name == "snowflake":
        config.db.dispose()  # Snowflake's CREATE SCHEMA makes the new schema the session's


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    """Drop the schemas this run created (before SQLAlchemy's plugin disposes its engine)."""
    created = session.config.stash.get(_CREATED_SCHEMAS, [])
    if not created:
        return
    from sqlalchemy.schema import DropSchema
    from sqlalchemy.testing import config

    with config.db.begin() as conn:
        for name in created:
            cascade = config.db.dialect.name in ("postgresql", "bigquery")  # BigQuery: datasets
            conn.execute(DropSchema(name, cascade=cascade))


def _failure_text(excinfo: pytest.ExceptionInfo[BaseException] | None) -> str:
    """Type and message of an exception and of the ones it chains from: cheap to build,
    unlike the report's rendered traceback, and enough to recognise a known bug."""
    parts = []
    exc = excinfo.value if excinfo is not None else None
    while exc is not None and len(parts) < 10:
        parts.append(f"{type(exc).__name__}: {exc}")
        exc = exc.__cause__ or exc.__context__
    return "\n".join(parts)


def _suite_test_id(item: pytest.Item) -> str:
    """``TestClass::test_name[params]``, without the plugin's per-backend class suffix."""
    cls = getattr(item, "cls", None)
    name = _BACKEND_SUFFIX.sub("", cls.__name__) if cls is not None else ""
    return f"{name}::{item.name}"


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    """Probe which of ``_unsupported.KNOWN_BUGS`` the dialect under test still has."""
    if not _suite_enabled(config):
        return
    from sqlalchemy.testing import config as sa_config

    from tests.sqlalchemy_suite._unsupported import KNOWN_BUGS

    engine = sa_config.db
    present = []
    for bug in KNOWN_BUGS:
        if engine.dialect.name not in bug.backends:
            continue
        try:
            still_there = bug.probe(engine)
        except Exception as exc:  # a broken probe must not hide failures: assume the bug
            still_there = True
            warnings.warn(f"probe for sqlgate bug {bug.key} failed: {exc!r}", stacklevel=1)
        if still_there:
            present.append(bug)
    config.stash[_PRESENT_BUGS] = present


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Report a failure that a present known bug explains as xfailed (see ``_unsupported``)."""
    outcome = yield
    report = outcome.get_result()
    if not report.failed or report.when not in ("setup", "call"):
        return
    present = item.config.stash.get(_PRESENT_BUGS, [])
    if not present:
        return
    from sqlalchemy.testing import config as sa_config

    backend = sa_config.db.dialect.name
    test_id = _suite_test_id(item)
    failure = _failure_text(call.excinfo)
    for bug in present:
        if bug.explains(backend, test_id, failure):
            report.outcome = "skipped"
            report.wasxfail = f"known sqlgate bug {bug.key}: {bug.summary}"
            return


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    """Name the known bugs still present, so CI output says why tests were xfailed."""
    if not _suite_enabled(config):
        return
    present = config.stash.get(_PRESENT_BUGS, [])
    terminalreporter.section("sqlgate known bugs")
    if not present:
        terminalreporter.write_line("sqlgate known bugs present: none")
    for bug in present:
        terminalreporter.write_line(f"sqlgate known bug present: {bug.key} - {bug.summary}")
        terminalreporter.write_line(f"    fix: {bug.fix}")
