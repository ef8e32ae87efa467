"""The Informix family: GBase 8s and GBase 8t on the SQLI protocol, through gbase8sdb.

GBase 8s/8t descend from Informix and speak its SQLI wire protocol (default port 9088);
pip ``gbase8sdb`` implements SQLI in Cython without a native client. It binds ``?`` values on
the server, so the gate reads the statement text as sent (policy ``informix``: Oracle's rules
plus ``SELECT SKIP m FIRST n``). A connection names the database *server* (Informix's
``INFORMIXSERVER``, GBase's ``GBASEDBTSERVER``) besides host, port and database.

Read-only: the gate. Informix documents ``SET TRANSACTION READ ONLY`` as the access mode of
one transaction; sqlgate does not send it (no server here to verify how GBase applies it in
autocommit mode), so ``server_guard_active()`` is False (docs/sources/gbase8s.md).
"""

from __future__ import annotations

import re
import socket
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from sqlgate.core import errors
from sqlgate.core.charsets import CharsetSession, parse_charset
from sqlgate.core.flavor import Flavor
from sqlgate.core.params import ConnectParams, parse_seconds
from sqlgate.core.pep249 import *  # noqa: F403 - a DB-API module re-exports the PEP 249 names
from sqlgate.core.pep249 import __all__ as _pep249_all
from sqlgate.core.registry import import_driver
from sqlgate.core.session import Session
from sqlgate.core.typemap import TypeMap
from sqlgate.core.types_entries import (
    BLOB,
    BOOL,
    CHAR,
    DATE,
    F32,
    F64,
    I16,
    I32,
    I64,
    INTERVAL,
    JSON,
    TEXT,
    TIME,
    TS,
    VARCHAR,
    decimal,
)

paramstyle = "qmark"  # gbase8sdb binds ? placeholders on the server
__all__ = [*_pep249_all, "paramstyle"]

DEFAULT_PORT = 9088
DEFAULT_CONNECT_TIMEOUT = 10.0
OPTIONS = ("server", "charset", "sqlmode", "connect_timeout", "db_locale")
#: sqlgate charset -> GBase CLIENT_LOCALE. GBK has none: gbase8sdb 1.1.1 decodes a GBK
#: locale (``zh_CN.GB``) as UTF-8 (its locale table lacks it), which garbles text; GB18030 is
#: a superset of GBK and is decoded right.
CLIENT_LOCALES = {"utf8": "zh_CN.utf8", "gb18030": "zh_CN.GB18030-2000"}
SQLMODES = ("gbase", "oracle")
#: what may appear in a DSN value: gbase8sdb's DSN is ``KEY=value;`` with no escaping
_DSN_VALUE = re.compile(r"[\w.\-:/]{1,128}")

INFORMIX_TYPES = TypeMap(
    # Informix spellings sqlglot does not read: DATETIME/INTERVAL qualifiers, SERIAL8 ...
    {
        **dict.fromkeys(
            ("datetime year to fraction", "datetime year to second", "datetime year to minute"),
            TS,
        ),
        "datetime year to day": DATE,
        **dict.fromkeys(("datetime hour to second", "datetime hour to fraction"), TIME),
        **dict.fromkeys(("serial8", "bigserial", "int8"), I64),
        **{"serial": I32, "smallfloat": F32, "lvarchar": VARCHAR, "byte": BLOB, "text": TEXT},
        **{"money": decimal(16, 2), "boolean": BOOL, "nvarchar": VARCHAR},
    },
    kinds={
        **{"smallint": I16, "int": I32, "bigint": I64, "float": F64, "double": F64},
        **{"decimal": decimal(16, 0), "char": CHAR, "nchar": CHAR, "varchar": VARCHAR},
        **{"text": TEXT, "varbinary": BLOB, "blob": BLOB, "date": DATE, "timestamp": TS},
        **{"interval": INTERVAL, "json": JSON, "boolean": BOOL},
    },
    dialect="oracle",
    name="informix",
)
#: gbase8sdb's DbType names (``cursor.description[i][1].name``) -> Informix type names
DRIVER_TYPE_NAMES = {
    "DB_TYPE_NUMBER": "DECIMAL",
    "DB_TYPE_BINARY_INTEGER": "BIGINT",
    "DB_TYPE_BINARY_DOUBLE": "FLOAT",
    "DB_TYPE_BINARY_FLOAT": "SMALLFLOAT",
    "DB_TYPE_BOOLEAN": "BOOLEAN",
    "DB_TYPE_DATE": "DATE",
    "DB_TYPE_TIMESTAMP": "DATETIME YEAR TO FRACTION",
    "DB_TYPE_TIMESTAMP_TZ": "DATETIME YEAR TO FRACTION",
    "DB_TYPE_INTERVAL_DS": "INTERVAL",
    "DB_TYPE_INTERVAL_YM": "INTERVAL",
    "DB_TYPE_BYTE": "BYTE",
    "DB_TYPE_BLOB": "BLOB",
    "DB_TYPE_RAW": "BYTE",
    "DB_TYPE_JSON": "JSON",
    **dict.fromkeys(("DB_TYPE_CLOB", "DB_TYPE_CLOB2", "DB_TYPE_NCLOB", "DB_TYPE_TEXT"), "TEXT"),
    "DB_TYPE_LONG": "TEXT",
    "DB_TYPE_LVARCHAR": "LVARCHAR",
}


def driver_type_name(type_code: Any, precision: int | None, scale: int | None) -> str:
    """The Informix type name of a gbase8sdb type; ``DECIMAL(p, s)`` keeps its digits."""
    base = DRIVER_TYPE_NAMES.get(str(getattr(type_code, "name", type_code)), "VARCHAR")
    if base == "DECIMAL" and precision:
        return f"DECIMAL({precision}, {scale or 0})"
    return base


def arrow_type(type_name: str) -> pa.DataType | None:
    try:
        return INFORMIX_TYPES.to_arrow(type_name)
    except Exception:
        return None


def _dsn_value(name: str, value: Any) -> str:
    text = str(value)
    if not _DSN_VALUE.fullmatch(text):
        raise errors.InterfaceError(
            f"{name}={text[:40]!r}: only letters, digits and . - _ : / are allowed "
            "(gbase8sdb's DSN has no escaping)"
        )
    return text


def dsn_arguments(params: ConnectParams) -> dict[str, Any]:
    """gbase8sdb ``makedsn`` keywords from sqlgate's parameters."""
    options = dict(params.options)
    unknown = sorted(set(options) - set(OPTIONS))
    if unknown:
        known = ", ".join(OPTIONS)
        raise errors.InterfaceError(f"unknown GBase option(s) {', '.join(unknown)}; known: {known}")
    if not options.get("server"):
        raise errors.InterfaceError(
            "GBase 8s/8t needs the database server's name: add ?server=<GBASEDBTSERVER> to the URL"
        )
    charset = parse_charset(options.get("charset"))
    if charset not in CLIENT_LOCALES:
        raise errors.InterfaceError(
            "charset=gbk is not supported on GBase 8s/8t: gbase8sdb decodes a GBK client locale "
            "as UTF-8; use charset=gb18030 (a superset of GBK) or utf8"
        )
    sqlmode = str(options.get("sqlmode") or "gbase").lower()
    if sqlmode not in SQLMODES:
        raise errors.InterfaceError(f"sqlmode={sqlmode[:20]!r} is not one of gbase, oracle")
    return {
        "server_name": _dsn_value("server", options["server"]),
        "db_name": _dsn_value("database", params.database) if params.database else None,
        "host": _dsn_value("host", params.host or "localhost"),
        "port": params.effective_port() or DEFAULT_PORT,
        "client_locale": CLIENT_LOCALES[charset],
        "db_locale": _dsn_value("db_locale", options.get("db_locale") or CLIENT_LOCALES[charset]),
        "sqlmode": sqlmode,
        "delimident": 1,  # "..." are identifiers, as the gate reads them
    }


class InformixSession(CharsetSession):
    """One gbase8sdb connection; rows pass through, Arrow is built from Informix names."""

    type_name = staticmethod(driver_type_name)
    to_arrow = staticmethod(arrow_type)

    def __init__(self, raw: Any, flavor: Flavor, charset: str) -> None:
        super().__init__(raw, flavor, str(getattr(raw, "version", "") or ""), charset)

    def server_guard_active(self) -> bool | None:
        return False  # the gate only (see the module docstring)


def reachable(host: str, port: int, timeout: float) -> None:
    """gbase8sdb has no connect timeout: reach the port first, within ``timeout``."""
    try:
        socket.create_connection((host, port), timeout=timeout).close()
    except OSError as exc:
        raise errors.OperationalError(
            f"cannot reach the GBase server at {host}:{port} ({exc.strerror or exc}); "
            "check host, port and that the SQLI listener runs"
        ) from None


@dataclass(frozen=True)
class InformixFlavor(Flavor):
    """A GBase 8s/8t server; the banner is the server's version string."""

    product_pattern: str | None = r"(\d+)\.(\d+)"
    client_side_binding: bool = False  # gbase8sdb binds on the server

    def open_session(self, params: ConnectParams) -> Session:
        driver = import_driver(self.source, "gbase8sdb")
        arguments = dsn_arguments(params)
        timeout = parse_seconds("connect_timeout", params.options.get("connect_timeout"))
        reachable(arguments["host"], arguments["port"], timeout or DEFAULT_CONNECT_TIMEOUT)
        dsn = driver.makedsn(**arguments)
        raw = driver.connect(dsn, params.user or "gbasedbt", params.password or "")
        return InformixSession(raw, self, parse_charset(params.options.get("charset")))
