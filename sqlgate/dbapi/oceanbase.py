"""OceanBase (``oceanbase://``): MySQL mode, and Oracle mode with ``mode=oracle``.

Banners by edition: ``5.7.25-OceanBase-v4.2.1``, ``5.7.25-OceanBase_CE-v4.2.1.0`` (Community
Edition), ``5.7.25-OceanBase seekdb-v1.4.0.0`` (seekdb, the OceanBase 4.3 kernel). The tenant's
mode is read at connect (``connection.session.compatibility_mode``) and must be the one the
URL names: ``mode=mysql`` (the default) or ``mode=oracle`` (Oracle SQL, the Oracle-mode
handshake bit, Oracle types, the ``oceanbase_oracle`` gate: :mod:`~sqlgate.dbapi.oceanbase_oracle`).
"""

from dataclasses import dataclass, replace
from typing import Any

from sqlgate.core.connect import open_connection
from sqlgate.core.connection import Connection
from sqlgate.core.errors import InterfaceError
from sqlgate.core.params import ConnectParams, merge_url_and_kwargs
from sqlgate.core.registry import get_source
from sqlgate.dbapi.mysql_family import *  # noqa: F403
from sqlgate.dbapi.mysql_family import MySQLFlavor, TimeoutVariable
from sqlgate.dbapi.mysql_session import MySQLSession
from sqlgate.dbapi.oceanbase_oracle import ORACLE_FLAVOR
from sqlgate.dbapi.oceanbase_session import (
    OceanBaseSession,
    oracle_login_refused,
    refuse_oracle_mode,
)

MODES = ("mysql", "oracle")
ORACLE_GATE_POLICY = "oceanbase_oracle"


def tenant_mode(params: ConnectParams) -> str:
    """The ``mode`` option: ``mysql`` (default) or ``oracle``."""
    mode = str(params.options.get("mode") or "mysql").strip().lower()
    if mode not in MODES:
        raise InterfaceError(f"mode={mode[:20]!r}: OceanBase's tenant modes are mysql and oracle")
    return mode


@dataclass(frozen=True)
class OceanBaseFlavor(MySQLFlavor):
    """``mode=oracle`` hands the connection to the Oracle-mode flavor and gate; an Oracle-mode
    tenant's refusal of a MySQL-mode login (error 1235, before any SQL) says what to do."""

    def connect(self, url: str | None = None, **kwargs: Any) -> Connection:
        source = get_source(self.source)
        if tenant_mode(merge_url_and_kwargs(source, url, kwargs)) == "oracle":
            oracle = replace(source, gate_policy=ORACLE_GATE_POLICY)
            return open_connection(oracle, ORACLE_FLAVOR.open_session, url, kwargs)
        return open_connection(source, self.open_session, url, kwargs)

    def open_session(self, params: ConnectParams) -> MySQLSession:
        if tenant_mode(params) == "oracle":  # a caller that skipped connect(): no MySQL gate
            raise InterfaceError("mode=oracle connections are opened by oceanbase.connect")
        params = replace(params, options={k: v for k, v in params.options.items() if k != "mode"})
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
