"""OceanBase's session: which edition and tenant mode the server is, read at connect.

The handshake's version is only ``5.7.25``: the banner that names the edition
(``5.7.25-OceanBase_CE-v4.2.1.0``) is the ``version`` variable. A tenant runs in MySQL or
Oracle mode (``ob_compatibility_mode``; single-tenant builds such as seekdb lack the variable
and are MySQL mode). Both are read with ``SHOW VARIABLES``, which both modes accept (OceanBase's
Oracle-mode docs use ``SHOW VARIABLES LIKE 'tx_isolation'``); an Oracle-mode session also says
so in every OK packet's status (bit 4, ``OB_SERVER_USE_ORACLE_MODE`` in obconnector-j's
``ServerStatus``). The mode must match what the URL asked for (``mode=mysql``, the default, or
``mode=oracle``): the gate, the dialect and the literals differ between them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sqlgate.core.errors import NotSupportedError
from sqlgate.dbapi.mysql_session import MySQLSession

if TYPE_CHECKING:
    from sqlgate.dbapi.mysql_family import MySQLFlavor

# an Oracle-mode tenant's answer to a login without OB_CLIENT_SUPPORT_ORACLE_MODE (bit 27)
_NOT_SUPPORTED_YET = 1235  # "Oracle tenant for current client driver is not supported"
SERVER_USE_ORACLE_MODE = 4  # the OK packet's status bit an Oracle-mode session sets


def show_variable(raw: Any, name: str) -> str | None:
    """One server variable by ``SHOW VARIABLES`` (valid SQL in both tenant modes)."""
    with raw.cursor() as cursor:  # trusted text: the names are sqlgate's own
        cursor.execute(f"SHOW VARIABLES LIKE '{name}'")
        row = cursor.fetchone()
    return None if not row or row[1] is None else str(row[1])


def compatibility_mode(raw: Any) -> str:
    """``MYSQL`` or ``ORACLE``: the tenant's mode (absent variable: a MySQL-mode build)."""
    if raw.server_status & SERVER_USE_ORACLE_MODE:
        return "ORACLE"
    return (show_variable(raw, "ob_compatibility_mode") or "MYSQL").strip().upper()


def oracle_login_refused(exc: BaseException) -> bool:
    """Whether a login failed because the tenant runs in Oracle mode."""
    args = getattr(exc, "args", ())
    return args[:1] == (_NOT_SUPPORTED_YET,) and "oracle tenant" in str(args[1:2]).lower()


def refuse_oracle_mode() -> NotSupportedError:
    return NotSupportedError(
        "this OceanBase tenant runs in Oracle mode; connect with mode=oracle "
        "(oceanbase://user@tenant@host:2881/SCHEMA?mode=oracle: Oracle SQL, the Oracle-mode "
        "handshake bit that OceanBase's obclient and JDBC driver send), or to a MySQL-mode "
        "tenant without it"
    )


def refuse_mysql_mode() -> NotSupportedError:
    return NotSupportedError(
        "mode=oracle was asked for, but this OceanBase tenant runs in MySQL mode: drop "
        "mode=oracle (MySQL SQL, MySQL's read-only gate) or connect to an Oracle-mode tenant"
    )


class OceanBaseSession(MySQLSession):
    """A MySQL-family session that knows its tenant's compatibility mode."""

    #: the mode this session speaks; a tenant in the other one is refused at connect
    expected_mode = "MYSQL"
    #: what the server says it is: ``MYSQL`` or ``ORACLE``
    compatibility_mode: str

    def __init__(
        self, raw: Any, flavor: MySQLFlavor, side_connection: Callable[[], Any] | None = None
    ) -> None:
        super().__init__(raw, flavor, side_connection)
        try:
            self.compatibility_mode = compatibility_mode(raw)
            if self.compatibility_mode != self.expected_mode:
                raise refuse_oracle_mode() if self.expected_mode == "MYSQL" else refuse_mysql_mode()
            banner = show_variable(raw, "version")
            if banner:
                self.banner = banner
                self.product_version = flavor.product_version(banner)
        except BaseException:
            self.close()
            raise
