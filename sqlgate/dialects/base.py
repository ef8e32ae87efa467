"""What every sqlgate dialect shares, whatever its family: the bridge to sqlgate's DB-API.

The mixin goes first in a dialect's bases so that connecting, isolation levels and pings go
through sqlgate's connection (and so through its read-only guard) on SQLAlchemy 1.4 and 2.x.
"""

from __future__ import annotations

from types import ModuleType
from typing import TYPE_CHECKING, Any

import sqlalchemy

from sqlgate.core import errors
from sqlgate.core.registry import get_source

if TYPE_CHECKING:  # SQLAlchemy 2 names it; 1.4 has no such module attribute
    from sqlalchemy.engine.interfaces import IsolationLevel

SQLALCHEMY_2 = int(sqlalchemy.__version__.split(".")[0]) >= 2


def dbapi_connection_of(connection: Any) -> Any:
    """The sqlgate DB-API connection behind a SQLAlchemy Connection or pool proxy.

    SQLAlchemy 1.4 and 2.x wrap it differently (Connection -> pool fairy -> DB-API
    connection); unwrap until the object that holds a sqlgate session is reached.
    """
    current = connection
    for _ in range(4):
        if hasattr(current, "session") and hasattr(current, "admit"):
            return current
        current = getattr(current, "dbapi_connection", None) or current.connection
    raise TypeError(f"no sqlgate connection behind {connection!r}")


class SqlgateDialectMixin:
    """Connect through ``sqlgate.dbapi.<source>``; forward driver-level settings to it."""

    sqlgate_source: str = ""
    driver = "sqlgate"
    supports_statement_cache = True
    supports_server_side_cursors = False
    default_paramstyle = "pyformat"
    # psycopg, pymysql and Arrow decimals all arrive as decimal.Decimal
    supports_native_decimal = True

    @classmethod
    def import_dbapi(cls) -> ModuleType:
        return get_source(cls.sqlgate_source).load_dbapi()

    # SQLAlchemy 1.4 asks for ``dbapi()``; 2.x warns if it exists and types ``dbapi`` as an
    # attribute, which is what the type checker (run against 2.x) is shown
    if not TYPE_CHECKING and not SQLALCHEMY_2:

        @classmethod
        def dbapi(cls) -> ModuleType:
            return cls.import_dbapi()

    def create_connect_args(self, url: Any) -> tuple[list[Any], dict[str, Any]]:
        """URL parts become ``connect()`` keywords; query options pass through unchanged."""
        kwargs: dict[str, Any] = {
            key: value
            for key, value in (
                ("host", url.host),
                ("port", url.port),
                ("user", url.username),
                ("password", url.password),
                ("database", url.database),
            )
            if value is not None
        }
        for key, value in url.query.items():
            kwargs[key] = value if isinstance(value, str) else value[-1]
        return [], kwargs

    def set_isolation_level(self, dbapi_connection: Any, level: str) -> None:
        dbapi_connection.set_isolation_level(level)

    def get_isolation_level_values(self, dbapi_connection: Any) -> tuple[IsolationLevel, ...]:
        """The server's levels plus AUTOCOMMIT, which sqlgate's connection implements."""
        # a mixin: the SQLAlchemy dialect after it in the bases defines the method
        levels = tuple(super().get_isolation_level_values(dbapi_connection))  # type: ignore[misc]
        return levels if "AUTOCOMMIT" in levels else (*levels, "AUTOCOMMIT")

    def do_ping(self, dbapi_connection: Any) -> bool:
        dbapi_connection.ping()
        return True

    def is_disconnect(self, e: Exception, connection: Any, cursor: Any) -> bool:
        if isinstance(e, errors.InterfaceError) and "closed" in str(e):
            return True
        if isinstance(e, errors.OperationalError):
            text = str(e).lower()
            return any(
                marker in text
                for marker in (
                    "server closed",
                    "connection",
                    "lost",
                    "gone away",
                    "broken pipe",
                    "terminat",
                )
            )
        return False
