"""The PostgreSQL-protocol family's dialect: SQLAlchemy's PostgreSQL dialect over sqlgate.

It builds on SQLAlchemy's generic ``PGDialect`` (not a driver-specific one) because sqlgate's
DB-API stands between it and psycopg; reflection, compilation and types come from SQLAlchemy.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects.postgresql.base import PGDialect

from sqlgate.dialects.base import SqlgateDialectMixin, dbapi_connection_of


class PostgresFamilyDialect(SqlgateDialectMixin, PGDialect):
    """Base of every PostgreSQL-protocol source's dialect; ``name`` stays ``postgresql`` so
    ``postgresql_*`` options and ``with_variant(..., "postgresql")`` keep working."""

    sqlgate_source = "postgresql"

    def _get_server_version_info(self, connection: Any) -> tuple[int, ...]:
        """The PostgreSQL-compatible version, which the flavor reads from the banner."""
        version = dbapi_connection_of(connection).session.server_version
        return version or (9, 2)

    def get_isolation_level(self, dbapi_connection: Any) -> str:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("show transaction isolation level")
            value = cursor.fetchone()[0]
        finally:
            cursor.close()
        dbapi_connection.rollback()  # do not leave a transaction open just for asking
        return str(value).upper()
