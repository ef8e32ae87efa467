"""The MySQL-protocol family's dialect: SQLAlchemy's MySQL dialect over sqlgate."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects.mysql.base import MySQLDialect, MySQLExecutionContext

from sqlgate.dbapi.mysql_driver import FOUND_ROWS, checked_client_flag
from sqlgate.dialects.base import SqlgateDialectMixin


class MySQLFamilyDialect(SqlgateDialectMixin, MySQLDialect):
    """Base of every MySQL-protocol source's dialect; ``name`` stays ``mysql`` so ``mysql_*``
    options keep working."""

    sqlgate_source = "mysql"
    execution_ctx_cls = MySQLExecutionContext
    supports_sane_multi_rowcount = True

    def create_connect_args(self, url: Any) -> tuple[list[Any], dict[str, Any]]:
        """As SQLAlchemy's own MySQL drivers: rowcount counts matched rows (FOUND_ROWS), which
        the ORM's optimistic checks rely on. A ``client_flag`` from the URL is checked by the
        DB-API's option allow-list (only FOUND_ROWS may be asked for)."""
        args, kwargs = super().create_connect_args(url)
        flags = checked_client_flag("client_flag", kwargs.get("client_flag", 0))
        kwargs["client_flag"] = flags | FOUND_ROWS
        return args, kwargs

    supports_statement_cache = True  # SQLAlchemy asks every subclass

    def _detect_charset(self, connection: Any) -> str:
        return str(connection.exec_driver_sql("SELECT @@character_set_client").scalar())

    def _extract_error_code(self, exception: BaseException) -> int | None:
        """The server's error number, read from the driver error sqlgate wrapped."""
        cause = exception.__cause__ or exception
        args = getattr(cause, "args", ())
        return args[0] if args and isinstance(args[0], int) else None
