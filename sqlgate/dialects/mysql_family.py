"""The MySQL-protocol family's dialect: SQLAlchemy's MySQL dialect over sqlgate."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects.mysql.base import MySQLDialect

from sqlgate.dialects.base import SqlgateDialectMixin


class MySQLFamilyDialect(SqlgateDialectMixin, MySQLDialect):
    """Base of every MySQL-protocol source's dialect; ``name`` stays ``mysql`` so ``mysql_*``
    options keep working."""

    sqlgate_source = "mysql"
    supports_statement_cache = True  # SQLAlchemy asks every subclass

    def _detect_charset(self, connection: Any) -> str:
        return str(connection.exec_driver_sql("SELECT @@character_set_client").scalar())

    def _extract_error_code(self, exception: BaseException) -> int | None:
        """The server's error number, read from the driver error sqlgate wrapped."""
        cause = exception.__cause__ or exception
        args = getattr(cause, "args", ())
        return args[0] if args and isinstance(args[0], int) else None
