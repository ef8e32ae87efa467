"""OceanBase in MySQL mode (``oceanbase://``).

Banners by edition: ``5.7.25-OceanBase-v4.2.1``, ``5.7.25-OceanBase_CE-v4.2.1.0`` (Community
Edition), ``5.7.25-OceanBase seekdb-v1.4.0.0`` (seekdb, the OceanBase 4.3 kernel). The tenant's
mode is read at connect (``connection.session.compatibility_mode``); Oracle mode is refused,
and so is an Oracle-mode tenant's own refusal of the login turned into that error.
"""

from dataclasses import dataclass

from sqlgate.core.params import ConnectParams
from sqlgate.dbapi.mysql_family import *  # noqa: F403
from sqlgate.dbapi.mysql_family import MySQLFlavor, TimeoutVariable
from sqlgate.dbapi.mysql_session import MySQLSession
from sqlgate.dbapi.oceanbase_session import (
    OceanBaseSession,
    oracle_login_refused,
    refuse_oracle_mode,
)


@dataclass(frozen=True)
class OceanBaseFlavor(MySQLFlavor):
    """An Oracle-mode tenant refuses a MySQL-protocol login that does not announce Oracle
    mode (error 1235, before any SQL): say what to do instead of the server's bare text."""

    def open_session(self, params: ConnectParams) -> MySQLSession:
        try:
            return super().open_session(params)
        except Exception as exc:
            if oracle_login_refused(exc):
                raise refuse_oracle_mode() from None
            raise


flavor = OceanBaseFlavor(
    source="oceanbase",
    product_pattern=r"OceanBase(?:_CE| seekdb)?-v(\d+)\.(\d+)\.(\d+)",
    timeout_variable=TimeoutVariable("ob_query_timeout", 1_000_000),  # microseconds
    session_class=OceanBaseSession,
)
connect = flavor.connect
