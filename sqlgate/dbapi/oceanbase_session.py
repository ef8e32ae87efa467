"""OceanBase's session: which edition and tenant mode the server is, read at connect.

The handshake's version is only ``5.7.25``: the banner that names the edition
(``5.7.25-OceanBase_CE-v4.2.1.0``) is read with ``SELECT version()``. A tenant runs in MySQL or
Oracle mode (``ob_compatibility_mode``; single-tenant builds such as seekdb lack the variable
and are MySQL mode). ``oceanbase://`` speaks the MySQL protocol and MySQL SQL only, so an
Oracle-mode tenant is refused at connect with an error naming what it would need.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sqlgate.core.errors import NotSupportedError
from sqlgate.dbapi.mysql_session import MySQLSession

if TYPE_CHECKING:
    from sqlgate.dbapi.mysql_family import MySQLFlavor

_UNKNOWN_VARIABLE = 1193  # ER_UNKNOWN_SYSTEM_VARIABLE
# an Oracle-mode tenant's answer to a login without OB_CLIENT_SUPPORT_ORACLE_MODE (bit 27)
_NOT_SUPPORTED_YET = 1235  # "Oracle tenant for current client driver is not supported"


def compatibility_mode(raw: Any) -> str:
    """``MYSQL`` or ``ORACLE``: the tenant's mode (absent variable: a MySQL-mode build)."""
    try:
        with raw.cursor() as cursor:
            cursor.execute("SELECT @@ob_compatibility_mode")
            row = cursor.fetchone()
    except Exception as exc:
        if getattr(exc, "args", ())[:1] == (_UNKNOWN_VARIABLE,):
            return "MYSQL"
        raise
    return str(row[0]).strip().upper() if row and row[0] is not None else "MYSQL"


def oracle_login_refused(exc: BaseException) -> bool:
    """Whether a login failed because the tenant runs in Oracle mode."""
    args = getattr(exc, "args", ())
    return args[:1] == (_NOT_SUPPORTED_YET,) and "oracle tenant" in str(args[1:2]).lower()


def refuse_oracle_mode() -> NotSupportedError:
    return NotSupportedError(
        "this OceanBase tenant runs in Oracle mode; oceanbase:// speaks MySQL mode only. "
        "Oracle mode needs a client that announces Oracle mode in the handshake (OceanBase's "
        "OBCI/obclient or its Oracle-mode JDBC driver): connect to a MySQL-mode tenant instead"
    )


class OceanBaseSession(MySQLSession):
    """A MySQL-family session that knows its tenant's compatibility mode."""

    #: ``MYSQL`` (what sqlgate supports); an ``ORACLE`` tenant never gets this far
    compatibility_mode: str

    def __init__(
        self, raw: Any, flavor: MySQLFlavor, side_connection: Callable[[], Any] | None = None
    ) -> None:
        super().__init__(raw, flavor, side_connection)
        try:
            # the handshake says only "5.7.25"; version() names the edition and its version
            with raw.cursor() as cursor:
                cursor.execute("SELECT version()")
                row = cursor.fetchone()
            if row and row[0]:
                self.banner = str(row[0])
                self.product_version = flavor.product_version(self.banner)
            self.compatibility_mode = compatibility_mode(raw)
            if self.compatibility_mode == "ORACLE":
                raise refuse_oracle_mode()
        except BaseException:
            self.close()
            raise
