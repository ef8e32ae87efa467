"""What sqlgate's dialects on SQLAlchemy's Oracle dialect share (DaMeng DM8, OceanBase's
Oracle mode): an Oracle 12c SQL level (``FETCH FIRST`` on SQLAlchemy 2, the ``ROWNUM``
subquery on 1.4; ``FROM DUAL``; ``VARCHAR2``/``NUMBER``), whatever version the product reports,
and no queries of Oracle-only views (``v$parameter``) to learn it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects.oracle import base as oracle

from sqlgate.dialects.base import SqlgateDialectMixin, dbapi_connection_of

#: reported to the Oracle dialect: the products accept what Oracle 12c's SQL needs (FETCH
#: FIRST, identity columns); their own version is ``product_version`` on the session
ORACLE_COMPAT_VERSION = (12, 0)


class OracleLikeDialect(SqlgateDialectMixin, oracle.OracleDialect):
    """SQLAlchemy's Oracle dialect, told the SQL level instead of asking Oracle's views."""

    supports_statement_cache = True  # SQLAlchemy asks every subclass
    max_identifier_length = 128
    # SQLAlchemy 1.4's Oracle base dialect would encode statements and binds to bytes (its
    # cx_Oracle dialect turns this on); sqlgate's DB-API modules take str
    supports_unicode_statements = True
    supports_unicode_binds = True

    def _get_server_version_info(self, connection: Any) -> tuple[int, ...]:
        return ORACLE_COMPAT_VERSION

    def _get_effective_compat_server_version_info(self, connection: Any) -> tuple[int, ...]:
        return ORACLE_COMPAT_VERSION

    def _check_max_identifier_length(self, connection: Any) -> int | None:
        return self.max_identifier_length

    def get_isolation_level(self, dbapi_connection: Any) -> Any:
        """READ COMMITTED (both products' default) unless the connection set another."""
        conn = dbapi_connection_of(dbapi_connection)
        return getattr(conn, "isolation_level", None) or "READ COMMITTED"

    def get_default_isolation_level(self, dbapi_conn: Any) -> Any:
        return "READ COMMITTED"
