"""ClickHouse: a server over the native protocol (clickhouse-driver), or embedded (chdb).

``clickhouse+sqlgate://user@host:9000/db`` opens a :class:`ClickHouseSession` on
clickhouse-driver; ``clickhouse+sqlgate:///path/to/data?embedded=true`` (or ``:///?embedded=
true`` for memory only) runs ClickHouse in-process through chdb
(:mod:`~sqlgate.dbapi.clickhouse_embedded`). Both are read-only on the server with
``readonly=2`` and gated with the ``clickhouse`` policy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from sqlgate.core.driver import armed
from sqlgate.core.errors import InterfaceError
from sqlgate.core.flavor import Flavor
from sqlgate.core.params import ConnectParams, parse_bool, parse_seconds
from sqlgate.core.pep249 import *  # noqa: F403 - a DB-API module re-exports the PEP 249 names
from sqlgate.core.pep249 import __all__ as _pep249_all
from sqlgate.core.registry import import_driver
from sqlgate.core.session import Session
from sqlgate.dbapi.clickhouse_session import GUARD_QUERY, GUARD_SETTING, GUARD_VALUE

paramstyle = "pyformat"
__all__ = [*_pep249_all, "paramstyle"]

DEFAULT_CONNECT_TIMEOUT = 10.0
DEFAULT_READ_TIMEOUT = 900.0
#: connect options passed to clickhouse-driver's Client as they are
_CLIENT_OPTIONS = {"secure": "bool", "verify": "bool", "compression": "bool", "ca_certs": "str"}
_OWN_OPTIONS = ("connect_timeout", "read_timeout", "statement_timeout", "embedded")


def _options(options: dict[str, Any]) -> dict[str, Any]:
    """The URL's options checked against what this source understands."""
    unknown = sorted(set(options) - set(_CLIENT_OPTIONS) - set(_OWN_OPTIONS) - {"client_name"})
    if unknown:
        known = ", ".join(sorted({*_CLIENT_OPTIONS, *_OWN_OPTIONS, "client_name"}))
        raise InterfaceError(f"unknown ClickHouse option(s) {', '.join(unknown)}; known: {known}")
    out: dict[str, Any] = {}
    for name, kind in _CLIENT_OPTIONS.items():
        if name in options:
            out[name] = parse_bool(name, options[name]) if kind == "bool" else str(options[name])
    out["client_name"] = str(options.get("client_name") or "sqlgate")
    return out


def query_settings(statement_timeout: float | None) -> dict[str, Any]:
    """Server settings every statement carries (``max_execution_time`` is whole seconds on
    older servers)."""
    if statement_timeout is None:
        return {}
    return {"max_execution_time": max(1, math.ceil(statement_timeout))}


@dataclass(frozen=True)
class ClickHouseFlavor(Flavor):
    """ClickHouse, on a server or embedded; the banner is ``ClickHouse 24.8.1``."""

    compat_pattern: str | None = r"(\d+)\.(\d+)\.(\d+)"
    client_side_binding: bool = True

    def open_session(self, params: ConnectParams) -> Session:
        options = dict(params.options)
        timeout = parse_seconds("statement_timeout", options.get("statement_timeout"))
        if parse_bool("embedded", options.get("embedded", False)):
            from sqlgate.dbapi.clickhouse_embedded import open_embedded

            _options(options)
            return open_embedded(self, params, query_settings(timeout))
        return self._open_native(params, options, timeout)

    def _open_native(
        self, params: ConnectParams, options: dict[str, Any], timeout: float | None
    ) -> Session:
        driver = import_driver(self.source, "clickhouse_driver")
        from sqlgate.dbapi.clickhouse_session import ClickHouseSession

        client_options = _options(options)
        connect_timeout = parse_seconds("connect_timeout", options.get("connect_timeout"))
        read_timeout = parse_seconds("read_timeout", options.get("read_timeout"))
        settings = query_settings(timeout)
        client = driver.Client(
            host=params.host or "localhost",
            port=params.effective_port() or 9000,
            user=params.user or "default",
            password=params.password or "",
            database=params.database or "default",
            connect_timeout=connect_timeout or DEFAULT_CONNECT_TIMEOUT,
            send_receive_timeout=read_timeout or DEFAULT_READ_TIMEOUT,
            sync_request_timeout=connect_timeout or DEFAULT_CONNECT_TIMEOUT,
            settings=settings,
            **client_options,
        )
        try:
            needs_guard = _needs_guard(client)  # also connects: the banner is read then
            guard = params.read_only and needs_guard
        except BaseException:
            client.disconnect()
            raise
        if guard:
            # last, so the server applies it after every other setting of the query
            client.settings = {**settings, GUARD_SETTING: GUARD_VALUE}
        session = ClickHouseSession(client, self, guard=params.read_only)
        if params.read_only:
            armed(session, session.arm_guard)
        return session


def _needs_guard(client: Any) -> bool:
    """Whether sqlgate must send ``readonly``: a login whose profile is read-only already
    refuses any change of it (even to the same value), and is guarded by the server."""
    rows = client.execute(GUARD_QUERY)
    return not rows or str(rows[0][0]) == "0"
