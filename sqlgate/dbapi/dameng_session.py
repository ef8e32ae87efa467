"""DaMeng DM8 on dmPython: connect options, the read-only access mode, charsets, errors.

dmPython (pip ``dmPython``) bundles DM's native client (DPI); it binds values on the server
(``qmark``), so the gate reads the statement text as sent. Read-only on the server is
dmPython's documented connect attribute ``access_mode=DSQL_MODE_READ_ONLY`` (DM's
``DSQL_ATTR_ACCESS_MODE``, https://eco.dameng.com/document/dm/zh-cn/pm/dmpython-interface.html
) rather than ``SET TRANSACTION READ ONLY``, which in DM as in Oracle lasts one transaction
only. The client charset is dmPython's ``local_code`` (``PG_UTF8``, ``PG_GBK``,
``PG_GB18030``); text GBK cannot hold is refused before it is sent
(:mod:`sqlgate.core.charsets`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlgate.core import errors
from sqlgate.core.charsets import CharsetSession, parse_charset
from sqlgate.core.flavor import Flavor
from sqlgate.core.params import ConnectParams, parse_seconds
from sqlgate.core.redact import redact
from sqlgate.core.registry import import_driver
from sqlgate.core.session import Session
from sqlgate.core.translate import register_classifier
from sqlgate.dbapi.dameng_types import arrow_type, driver_type_name

DEFAULT_PORT = 5236
DEFAULT_LOGIN_TIMEOUT = 10
#: sqlgate charset -> the name of dmPython's ``local_code`` constant
LOCAL_CODES = {"utf8": "PG_UTF8", "gbk": "PG_GBK", "gb18030": "PG_GB18030"}
#: URL options this source understands (others are refused, never passed on silently)
OPTIONS = ("charset", "login_timeout", "statement_timeout", "app_name", "compress_msg")
#: DPI's client-side codes (-70xxx): the link or the login failed, not the statement
_CLIENT_CODES = range(-70999, -69999)


def dm_code(exc: BaseException) -> int | None:
    """DM's error code: dmPython raises with one ``DmError`` argument carrying ``code``."""
    first = exc.args[0] if exc.args else None
    code = getattr(first, "code", None)
    return code if isinstance(code, int) else None


def dm_message(exc: BaseException) -> str:
    first = exc.args[0] if exc.args else None
    message = getattr(first, "message", None)
    return str(message if message is not None else exc).strip()


def _classify(exc: BaseException) -> errors.Error | None:
    """dmPython files network and login failures under ``DatabaseError`` too: DPI's
    client-side codes are operational. Others keep the class dmPython chose."""
    code = dm_code(exc)
    if code is None or code not in _CLIENT_CODES:
        return None
    return errors.OperationalError(redact(dm_message(exc)) or type(exc).__name__)


register_classifier("dmPython", _classify)


def connect_arguments(params: ConnectParams, driver: Any) -> dict[str, Any]:
    """dmPython's ``connect`` keywords from sqlgate's parameters (read-only by default)."""
    options = dict(params.options)
    unknown = sorted(set(options) - set(OPTIONS))
    if unknown:
        raise errors.InterfaceError(
            f"unknown DaMeng option(s) {', '.join(unknown)}; known: {', '.join(OPTIONS)}"
        )
    charset = parse_charset(options.get("charset"))
    login = parse_seconds("login_timeout", options.get("login_timeout"))
    timeout = parse_seconds("statement_timeout", options.get("statement_timeout"))
    kwargs: dict[str, Any] = {
        "user": params.user or "SYSDBA",
        "password": params.password or "",
        "server": params.host or "localhost",
        "port": params.effective_port() or DEFAULT_PORT,
        "local_code": getattr(driver, LOCAL_CODES[charset]),
        "login_timeout": max(1, int(login or DEFAULT_LOGIN_TIMEOUT)),
        "autoCommit": True,
        "app_name": str(options.get("app_name") or "sqlgate"),
    }
    if params.database:
        kwargs["schema"] = params.database
    if timeout:
        kwargs["connection_timeout"] = max(1, int(timeout))
    if "compress_msg" in options:
        kwargs["compress_msg"] = str(options["compress_msg"]).lower() in ("1", "true", "on")
    if params.read_only:
        kwargs["access_mode"] = driver.DSQL_MODE_READ_ONLY
    return kwargs


class DamengSession(CharsetSession):
    """One dmPython connection; rows pass through, Arrow is built from DM's type names."""

    type_name = staticmethod(driver_type_name)
    to_arrow = staticmethod(arrow_type)

    def __init__(self, raw: Any, flavor: Flavor, charset: str, guard_mode: int | None) -> None:
        banner = str(getattr(raw, "server_version", "") or "")
        super().__init__(raw, flavor, banner, charset)
        self._guard_mode = guard_mode  # DSQL_MODE_READ_ONLY when read-only was asked for

    def server_guard_active(self) -> bool | None:
        """Whether the connection is in DM's read-only access mode, as the driver reports it."""
        if self._guard_mode is None or self._raw is None:
            return False
        return bool(getattr(self._raw, "access_mode", None) == self._guard_mode)


@dataclass(frozen=True)
class DamengFlavor(Flavor):
    """DaMeng DM8; the banner is ``DM Database Server 64 V8`` (the product version)."""

    product_pattern: str | None = r"V(\d+)"
    client_side_binding: bool = False  # dmPython binds on the server

    def open_session(self, params: ConnectParams) -> Session:
        driver = import_driver(self.source, "dmPython")
        charset = parse_charset(params.options.get("charset"))
        raw = driver.connect(**connect_arguments(params, driver))
        guard_mode = driver.DSQL_MODE_READ_ONLY if params.read_only else None
        return DamengSession(raw, self, charset, guard_mode)


__all__ = ["DamengFlavor", "DamengSession", "connect_arguments", "dm_code"]
