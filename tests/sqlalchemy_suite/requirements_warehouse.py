"""What sqlgate's cloud-warehouse dialects support, for SQLAlchemy's compliance suite.

Snowflake, BigQuery and Databricks run on emulators in the tests (fakesnow, bqemulator,
minilake - DuckDB underneath each), so a requirement is closed for one of two reasons, cited
from ``_unsupported.SkipReason``: the warehouse itself lacks the feature (``SERVER``), or the
emulator does not reproduce what the warehouse does (``EMULATOR``: sqlgate is then verified
on the protocol, not on that piece of SQL). Everything else stays as ``SuiteRequirements``
leaves it, so that whatever sqlgate's DB-API or dialect gets wrong fails the run.

Chosen by the backend's name (``BACKEND_REQUIREMENTS`` in ``conftest.py``); run in CI by
``tests/integration/test_warehouse_sqlalchemy_suite.py`` with measured floors and ceilings (the
runs are not green: the failures left are listed by kind in ``docs/sources/<name>.md``).
Index closures below are the warehouses' own: their dialects compile ``Index`` to no statement
(``NoIndexDDLCompiler``), so the suite's tables declaring ``index=True`` are still created.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.testing import exclusions
from sqlalchemy.testing.requirements import SuiteRequirements

from tests.sqlalchemy_suite._unsupported import SkipReason

SERVER, EMULATOR, DRIVER = SkipReason.SERVER, SkipReason.EMULATOR, SkipReason.DRIVER


def _closed(reason: str) -> Any:
    """Closed with the reason where the suite's version takes one (SQLAlchemy 1.4 does not)."""
    try:
        return exclusions.closed(reason)
    except TypeError:
        return exclusions.closed()


class WarehouseRequirements(SuiteRequirements):
    """What all three warehouses share: no transactions worth the name, no savepoints, no
    enforced constraints, no indexes."""

    @property
    def savepoints(self) -> Any:
        return _closed(SERVER("cloud warehouses have no SAVEPOINT"))

    @property
    def two_phase_transactions(self) -> Any:
        return _closed(DRIVER("sqlgate's connection has no tpc_* methods"))

    @property
    def async_dialect(self) -> Any:
        return _closed(DRIVER("sqlgate is a synchronous PEP 249 driver"))

    @property
    def index_reflection(self) -> Any:
        return _closed(SERVER("warehouse tables have no indexes"))

    @property
    def indexes_with_ascdesc(self) -> Any:
        return self.index_reflection

    @property
    def reflect_indexes_with_ascdesc(self) -> Any:
        return self.index_reflection

    @property
    def temp_table_reflection(self) -> Any:
        return _closed(SERVER("the suite's temporary table has an index; warehouses have none"))

    @property
    def duplicate_key_raises_integrity_error(self) -> Any:
        return _closed(SERVER("primary and unique keys are declared, never enforced"))

    @property
    def on_update_cascade(self) -> Any:
        return _closed(SERVER("foreign keys are informational: no ON UPDATE / ON DELETE"))

    @property
    def recursive_fk_cascade(self) -> Any:
        return self.on_update_cascade

    @property
    def array_type(self) -> Any:
        return _closed(SERVER("SQLAlchemy's ARRAY is PostgreSQL's; warehouses' differ"))


class SnowflakeRequirements(WarehouseRequirements):
    """Snowflake on fakesnow 0.12 (DuckDB underneath)."""


class BigQueryRequirements(WarehouseRequirements):
    """BigQuery on bqemulator 1.4 (DuckDB underneath)."""

    @property
    def temporary_tables(self) -> Any:
        return _closed(SERVER("BigQuery has temporary tables inside multi-statement queries only"))

    @property
    def autoincrement_insert(self) -> Any:
        return _closed(SERVER("BigQuery has no auto-increment columns: keys come with the row"))


class DatabricksRequirements(WarehouseRequirements):
    """Databricks SQL on minilake 1.9 (DuckDB underneath)."""

    @property
    def temporary_tables(self) -> Any:
        return _closed(SERVER("Databricks SQL has temporary views, no temporary tables"))
