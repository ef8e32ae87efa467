"""The PostgreSQL-protocol family's dialect: SQLAlchemy's PostgreSQL dialect over sqlgate.

It builds on SQLAlchemy's generic ``PGDialect`` (not a driver-specific one) because sqlgate's
DB-API stands between it and psycopg; reflection, compilation and types come from SQLAlchemy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import types as sqltypes
from sqlalchemy.dialects.postgresql import JSON, JSONB
from sqlalchemy.dialects.postgresql.base import PGDialect

from sqlgate.dialects.base import SqlgateDialectMixin, dbapi_connection_of

if TYPE_CHECKING:  # SQLAlchemy 2 names it; 1.4 has no such module attribute
    from sqlalchemy.engine.interfaces import IsolationLevel

try:  # SQLAlchemy 2.x reflects indexes through typed pg_catalog tables
    from sqlalchemy.dialects.postgresql.pg_catalog import INT2VECTOR, OIDVECTOR, _SpaceVector
except ImportError:  # SQLAlchemy 1.4 parses the vectors itself
    _VECTOR_COLSPECS: dict[Any, Any] = {}
else:

    class _Int2Vector(_SpaceVector, INT2VECTOR):
        """psycopg returns int2vector as text ("0 1"); reflection wants a list of ints."""

    class _OidVector(_SpaceVector, OIDVECTOR):
        """psycopg returns oidvector as text; reflection wants a list of ints."""

    _VECTOR_COLSPECS = {INT2VECTOR: _Int2Vector, OIDVECTOR: _OidVector}


class _DriverParsedJSON(JSON):
    """psycopg hands json values over already parsed; SQLAlchemy must not parse them again."""

    def result_processor(self, dialect: Any, coltype: Any) -> None:
        return None


class _DriverParsedJSONB(JSONB):
    """As :class:`_DriverParsedJSON`, for jsonb."""

    def result_processor(self, dialect: Any, coltype: Any) -> None:
        return None


class PostgresFamilyDialect(SqlgateDialectMixin, PGDialect):
    """Base of every PostgreSQL-protocol source's dialect; ``name`` stays ``postgresql`` so
    ``postgresql_*`` options and ``with_variant(..., "postgresql")`` keep working."""

    sqlgate_source = "postgresql"
    colspecs = {
        **PGDialect.colspecs,
        **_VECTOR_COLSPECS,
        sqltypes.JSON: _DriverParsedJSON,
        JSON: _DriverParsedJSON,
        JSONB: _DriverParsedJSONB,
    }
    supports_statement_cache = True  # SQLAlchemy asks every subclass

    def _get_server_version_info(self, connection: Any) -> tuple[int, ...]:
        """The PostgreSQL-compatible version, which the flavor reads from the banner."""
        version = dbapi_connection_of(connection).session.server_version
        return version or (9, 2)

    def on_connect(self) -> Any:
        """Honour ``create_engine(json_deserializer=...)``: psycopg parses json itself, so the
        deserializer is handed to psycopg rather than applied to its output."""
        parent = super().on_connect()
        deserializer = self._json_deserializer
        if deserializer is None:
            return parent

        def connect(dbapi_connection: Any) -> None:
            from psycopg.types.json import set_json_loads

            if parent is not None:
                parent(dbapi_connection)
            set_json_loads(
                lambda data: deserializer(data.decode() if isinstance(data, bytes) else data),
                dbapi_connection.session.raw,
            )

        return connect

    def get_isolation_level(self, dbapi_connection: Any) -> IsolationLevel:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("show transaction isolation level")
            value = cursor.fetchone()[0]
        finally:
            cursor.close()
        dbapi_connection.rollback()  # do not leave a transaction open just for asking
        # the server names one of the SQL-standard levels, which is what IsolationLevel lists
        return cast("IsolationLevel", str(value).upper())
