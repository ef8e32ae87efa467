"""Snowflake (``snowflake+sqlgate://user@account/db/schema?warehouse=W&role=R``).

On snowflake-connector-python: rows from its converters, Arrow from its Arrow result chunks.
Options and authentication in :mod:`~sqlgate.dbapi.snowflake_options`, the session in
:mod:`~sqlgate.dbapi.snowflake_session`; docs/sources/snowflake.md says what is verified.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlgate.core.flavor import Flavor
from sqlgate.core.params import ConnectParams
from sqlgate.core.pep249 import *  # noqa: F403 - a DB-API module re-exports the PEP 249 names
from sqlgate.core.pep249 import __all__ as _pep249_all
from sqlgate.core.registry import import_driver
from sqlgate.dbapi.snowflake_options import connector_options
from sqlgate.dbapi.snowflake_session import SnowflakeSession

paramstyle = "pyformat"
__all__ = [*_pep249_all, "paramstyle"]


def _banner(raw: Any) -> str:
    """Snowflake's version (``CURRENT_VERSION()``), read once at connect time."""
    cursor = raw.cursor()
    try:
        cursor.execute("SELECT CURRENT_VERSION()")
        row = cursor.fetchone()
    finally:
        cursor.close()
    return str(row[0]) if row else ""


@dataclass(frozen=True)
class SnowflakeFlavor(Flavor):
    """Snowflake through its own connector; the gate reads Snowflake's SQL dialect."""

    compat_pattern: str | None = r"(\d+)\.(\d+)\.(\d+)"

    def open_session(self, params: ConnectParams) -> SnowflakeSession:
        connector = import_driver(self.source, "snowflake.connector")
        options = connector_options(params)
        raw = connector.connect(**{**self.connect_defaults, **options.kwargs})
        try:
            banner = _banner(raw)
        except BaseException:
            raw.close()
            raise
        return SnowflakeSession(raw, self, banner, options.statement_timeout)


flavor = SnowflakeFlavor(source="snowflake")
connect = flavor.connect
