"""What SQLAlchemy's compliance suite does not run as-is against sqlgate, and why.

In the manner of databricks-sqlalchemy's ``_unsupported.py``, every departure from the plain
suite is listed here with its reason:

* :class:`SkipReason` - the categories behind every closed requirement in ``requirements.py``
  (each closure cites one) and behind every adjustment below. A test skipped by a closed
  requirement shows the reason in ``pytest -rs``.
* :data:`ADJUSTMENTS` - what ``conftest.py`` changes in the suite's harness (not in the tests),
  and why it does not hide a dialect problem.
* :data:`KNOWN_BUGS` - real sqlgate bugs the suite found, each with its fix. While a bug's
  probe still sees it, a test failing *because of it* (by test id and failure text) is
  reported as ``xfailed``, never skipped, and the run's summary names the bug; once the fix
  lands the probe stops seeing it and those tests count as plain passes (or failures).
  Delete an entry once its fix is committed, so that a regression fails loudly instead of
  turning back into xfails.

Nothing is skipped at test level: every skip comes from a requirement with a reason.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any

PG = "postgresql"
MYSQL = "mysql"


class SkipReason(str, Enum):
    """Why a requirement is closed for a backend (``requirements.py`` cites these)."""

    #: the database itself lacks the feature (the same skip applies to every driver)
    SERVER = "server"
    #: the suite's fixture or expectation does not fit this backend: SQLAlchemy's own drivers
    #: (psycopg, pymysql) fail the same test against the same server
    SUITE = "suite"
    #: sqlgate's DB-API does not offer it by design (synchronous, read-oriented driver)
    DRIVER = "sqlgate"
    #: the warehouse has it, the emulator the tests run on (DuckDB underneath) does not
    EMULATOR = "emulator"

    def __call__(self, detail: str) -> str:
        """The reason text shown for a skip: ``"[server] MySQL has no ..."``."""
        return f"[{self.value}] {detail}"


@dataclass(frozen=True)
class Adjustment:
    what: str
    why: str


ADJUSTMENTS: tuple[Adjustment, ...] = (
    Adjustment(
        "import SQLAlchemy's postgresql/mysql provision modules",
        "SQLAlchemy looks for provisioning hooks in sqlgate.dialects.provision; the hooks are "
        "keyed by backend name, which sqlgate's dialects keep, so SQLAlchemy's own apply.",
    ),
    Adjustment(
        "generic generate_driver_url for 'mysql'",
        "SQLAlchemy 2.1 rewrites a URL that reaches MariaDB to mariadb+<driver>://; the suite "
        "must test the mysql+sqlgate:// URL users write.",
    ),
    Adjustment(
        "set_default_schema_on_connection for 'postgresql' commits instead of toggling "
        "connection.autocommit",
        "psycopg's autocommit attribute is not PEP 249; sqlgate's connection switches autocommit "
        "through isolation levels instead.",
    ),
    Adjustment(
        "ignore the SAWarning \"Computed column ... is being created as 'STORED'\"",
        "SQLAlchemy 2.1 emits it for every Computed() without persisted= on PostgreSQL < 18 "
        "(the test server is 15); the plugin's warnings-as-errors would fail the computed-"
        "column fixtures on SQLAlchemy's own psycopg driver as well.",
    ),
    Adjustment(
        "is_preferred_driver is True for snowflake / bigquery / databricks",
        "SQLAlchemy 2.x compares the URL's dialect with the bare backend name's, which has no "
        "dialect here (sqlgate's is the only driver): nothing about the dialect is skipped.",
    ),
    Adjustment(
        "create the test_schema / test_schema_2 schemas (MySQL: databases) when missing, and "
        "drop the ones created at the end",
        "the suite expects them to exist on the target server, as SQLAlchemy's CI provisions.",
    ),
    Adjustment(
        "clickhouse: requirements swapped for requirements_olap.ClickHouseRequirements at "
        "session start (conftest BACKEND_REQUIREMENTS)",
        "setup.cfg names one class and SQLAlchemy's plugin re-reads it after --requirements; "
        "each closure there cites its reason.",
    ),
    Adjustment(
        "clickhouse provisioning (requirements_olap): TRUNCATE between tests, USE for the "
        "default schema, TEMPORARY prefix for temp tables",
        "SQLAlchemy ships no clickhouse provisioning; its generic routine deletes inside a "
        "SAVEPOINT, which ClickHouse lacks. The tests' own statements are unchanged.",
    ),
    Adjustment(
        "snowflake: the pool's connections are discarded after test_schema / test_schema_2 "
        "are created",
        "Snowflake's CREATE SCHEMA makes the new schema the session's current one; the pooled "
        "connection would then create the suite's unqualified tables in test_schema_2.",
    ),
    Adjustment(
        "bigquery: the test_schema datasets are dropped with CASCADE at the end",
        "a dataset still holding tables (left by failed tests) cannot be dropped otherwise, and "
        "the failed DROP ended the run without its summary.",
    ),
)


# -- known bugs ---------------------------------------------------------------------------------
Probe = Callable[[Any], bool]  # engine -> True while the bug is still present


@dataclass(frozen=True)
class KnownBug:
    """A sqlgate bug the suite exposes. While ``probe`` still sees it, a test that *fails*
    and is explained by it (its id matches ``tests`` and its failure text matches
    ``signature``) is reported as xfailed instead of failed; passing tests are untouched."""

    key: str
    summary: str
    fix: str
    backends: tuple[str, ...]
    probe: Probe
    #: regular expressions over "TestClass::test_name[params]" (the class without its backend
    #: suffix); "mysql:" / "postgresql:" in front limits one to that backend; empty: any test
    tests: tuple[str, ...] = ()
    #: regular expression searched in the failure report; None: any failure of those tests
    signature: str | None = None

    def explains(self, backend: str, test_id: str, failure: str) -> bool:
        if backend not in self.backends:
            return False
        if self.signature is not None and not re.search(self.signature, failure):
            return False
        return not self.tests or any(_matches(pattern, backend, test_id) for pattern in self.tests)


def _matches(pattern: str, backend: str, test_id: str) -> bool:
    only, sep, rest = pattern.partition(":")
    if sep and only in (PG, MYSQL):
        if only != backend:
            return False
        pattern = rest
    return re.fullmatch(pattern, test_id) is not None


# Every bug the suite found this far is fixed (lastrowid, rowcount after close, native
# decimals, AUTOCOMMIT, JSON parsed twice and json_deserializer on PostgreSQL, MySQL's
# execution context, FOUND_ROWS); a new one is listed here, with its probe, until it is fixed.
KNOWN_BUGS: tuple[KnownBug, ...] = ()
