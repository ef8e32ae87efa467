"""How the MySQL family drives PyMySQL safely: which options pass, the checks that keep a
connection from binding values the gate cannot see, and reading unbuffered results (the
connection class itself is built in :mod:`~sqlgate.dbapi.mysql_family`).

PyMySQL accepts options that read a file into an error message (``read_default_file``), run SQL
before the statement gate (``init_command``), turn on multi-statements (``client_flag``), change
how the server parses (``sql_mode``, ``collation``). Only the options in :data:`ALLOWED_OPTIONS`
pass, typed and bounded; anything else is refused by name before a connection is attempted.
``unix_socket`` (a local server such as OceanBase seekdb) passes only for a path the operator
listed in ``SQLGATE_MYSQL_UNIX_SOCKETS``: a socket login may be authenticated as the process's
OS user (MariaDB's ``unix_socket`` plugin), which no URL author should get.
"""

from __future__ import annotations

import datetime
import decimal
import itertools
import os
import re
import ssl
import struct
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from sqlgate.core.driver import parse_arrow_path
from sqlgate.core.errors import DataError, InterfaceError, ProgrammingError, ReadOnlyError
from sqlgate.core.params import parse_bool, parse_int, parse_seconds
from sqlgate.core.redact import register_secret
from sqlgate.dbapi.mysql_charset import checked_charset
from sqlgate.dbapi.mysql_socket import unix_socket

DEFAULT_CONNECT_TIMEOUT = 10.0  # also bounds the handshake and sqlgate's session set-up
DEFAULT_READ_TIMEOUT = 900.0  # long enough for analytics, finite so a stalled server fails
DEFAULT_WRITE_TIMEOUT = 900.0
FOUND_ROWS = 2  # pymysql.constants.CLIENT.FOUND_ROWS: the only client flag that may be asked for
_MAX_PEM_BYTES = 1 << 20
#: capability bits a flavor adds to the handshake of the links it opens (OceanBase's Oracle
#: mode, bit 27: oceanbase_oracle.py); set by sqlgate's own code around a connect, never by
#: an option (a URL could otherwise switch on protocol bits the link does not speak)
EXTRA_CAPABILITIES: ContextVar[int] = ContextVar("sqlgate_mysql_capabilities", default=0)
_PROGRAM_NAME = re.compile(r"[\w .:/+-]{1,64}")


@dataclass
class DriverOptions:
    """What ``pymysql.connect`` receives, plus sqlgate's own session settings."""

    kwargs: dict[str, Any] = field(default_factory=dict)
    statement_timeout: float | None = None
    # refuse a login whose SHOW GRANTS shows write privileges (mysql_grants.py)
    require_read_only_user: bool = False
    # how a streamed result becomes Arrow: "native" reads its packets raw (mysql_arrow.py)
    arrow_path: str = "native"


def _seconds(maximum: float) -> Callable[[str, Any], float | None]:
    return lambda name, value: parse_seconds(name, value, maximum=maximum)


def checked_client_flag(name: str, value: Any) -> int:
    """Only FOUND_ROWS (rowcount counts matched rows): MULTI_STATEMENTS would let one string carry
    statements the gate never saw, LOCAL_FILES lets the server read client files, and the
    protocol bits make the handshake hang."""
    flags = parse_int(name, value, maximum=2**32 - 1)
    if flags & ~FOUND_ROWS:
        raise InterfaceError(
            f"{name}={flags} is not allowed: sqlgate accepts only FOUND_ROWS "
            f"({FOUND_ROWS}) and sets every other client flag itself"
        )
    return flags


def _program_name(name: str, value: Any) -> str:
    text = str(value)
    if not _PROGRAM_NAME.fullmatch(text):
        raise InterfaceError(f"{name} must be 1-64 letters, digits or ' .:/+-_'")
    return text


def _pem_file(name: str, value: Any) -> str:
    """A TLS file option must name a PEM file; nothing of another file's content is ever shown
    (the same message whether it is missing, unreadable or not PEM)."""
    path = os.path.expanduser(str(value))
    head = b""
    if os.path.isfile(path):  # not a FIFO or device: reading cannot block
        try:
            with open(path, "rb") as handle:
                head = handle.read(_MAX_PEM_BYTES + 1)
        except OSError:
            head = b""
    if len(head) > _MAX_PEM_BYTES or b"-----BEGIN " not in head:
        raise InterfaceError(f"{name}: {str(value)[:200]!r} is not a readable PEM file")
    return path


def _secret(name: str, value: Any) -> str:
    register_secret(str(value))
    return str(value)


def _ssl_context(name: str, value: Any) -> ssl.SSLContext:
    if not isinstance(value, ssl.SSLContext):
        raise InterfaceError(
            f"{name} must be an ssl.SSLContext (from Python code); in a URL use "
            "ssl_ca, ssl_cert, ssl_key and ssl_verify_cert"
        )
    return value


_Parser = Callable[[str, Any], Any]
#: option -> parser; the parsed value goes to pymysql unless sqlgate consumes it itself
ALLOWED_OPTIONS: dict[str, _Parser] = {
    "charset": checked_charset,
    "connect_timeout": _seconds(300.0),
    "read_timeout": _seconds(86_400.0),
    "write_timeout": _seconds(86_400.0),
    "statement_timeout": _seconds(86_400.0),
    "require_read_only_user": parse_bool,
    "arrow_path": lambda name, value: parse_arrow_path(value, "native"),
    "max_allowed_packet": lambda n, v: parse_int(n, v, minimum=1024, maximum=1 << 30),
    "client_flag": checked_client_flag,
    "program_name": _program_name,
    "unix_socket": unix_socket,
    "ssl": _ssl_context,
    "ssl_ca": _pem_file,
    "ssl_cert": _pem_file,
    "ssl_key": _pem_file,
    "ssl_key_password": _secret,
    "ssl_disabled": parse_bool,
    "ssl_verify_cert": parse_bool,
    "ssl_verify_identity": parse_bool,
}
_DEFAULTS = {
    "charset": "utf8mb4",
    "connect_timeout": DEFAULT_CONNECT_TIMEOUT,
    "read_timeout": DEFAULT_READ_TIMEOUT,
    "write_timeout": DEFAULT_WRITE_TIMEOUT,
}
_TLS_FILE_OPTIONS = (
    "ssl_ca",
    "ssl_cert",
    "ssl_key",
    "ssl_key_password",
    "ssl_verify_cert",
    "ssl_verify_identity",
)


def driver_options(options: Mapping[str, Any], *, read_only: bool) -> DriverOptions:
    """Check the connection's options against the allow-list; type, bound and default them."""
    if read_only and "init_command" in options:
        raise ReadOnlyError("init_command", "it runs SQL before, and outside, the statement gate")
    for key in options:
        if key not in ALLOWED_OPTIONS:
            raise InterfaceError(
                f"connection option {str(key)[:60]!r} is not allowed for MySQL-protocol sources; "
                f"allowed: {', '.join(ALLOWED_OPTIONS)} (see docs/sources/mysql.md)"
            )
    parsed = {key: ALLOWED_OPTIONS[key](key, value) for key, value in options.items()}
    result = DriverOptions(dict(_DEFAULTS))
    result.statement_timeout = parsed.pop("statement_timeout", None)
    result.require_read_only_user = bool(parsed.pop("require_read_only_user", False))
    result.arrow_path = str(parsed.pop("arrow_path", "native"))
    for key, value in parsed.items():
        if value is not None:  # "" means unset: the default stays, a timeout is never lifted
            result.kwargs[key] = value
    tls = {key: result.kwargs.pop(key) for key in _TLS_FILE_OPTIONS if key in result.kwargs}
    # as PyMySQL: a file or a verification asked for makes TLS required; else it is preferred
    if (
        {"ssl_ca", "ssl_cert", "ssl_key"} & tls.keys()
        or tls.get("ssl_verify_cert")
        or tls.get("ssl_verify_identity")
    ):
        if result.kwargs.get("ssl_disabled") or "ssl" in result.kwargs:
            raise InterfaceError(
                "ssl_* options contradict ssl_disabled=true or an ssl context: "
                "give only one of them"
            )
        result.kwargs["ssl"] = tls_context(tls)
    return result


def tls_context(tls: Mapping[str, Any]) -> ssl.SSLContext:
    """Build the TLS context here, so a bad file fails with a message that quotes no file.

    With ``ssl_ca`` the server certificate is verified (as the mysql client's ``--ssl-ca``);
    ``ssl_verify_cert=false`` turns that off, ``ssl_verify_identity=true`` also checks the host.
    """
    ca = tls.get("ssl_ca")
    identity = bool(tls.get("ssl_verify_identity"))
    verify = identity or bool(tls.get("ssl_verify_cert", ca is not None))
    failed = ""
    context = ssl.create_default_context()
    try:
        if ca is not None:  # only this CA (system CAs otherwise)
            context = ssl.create_default_context(cafile=ca)
        context.verify_flags &= ~ssl.VERIFY_X509_STRICT  # MySQL's self-made certificates fail it
        context.check_hostname = identity
        context.verify_mode = ssl.CERT_REQUIRED if verify else ssl.CERT_NONE
    except (ssl.SSLError, OSError, ValueError):
        failed = "ssl_ca is not a usable PEM CA certificate file"
    if not failed and "ssl_cert" in tls:
        try:
            context.load_cert_chain(
                tls["ssl_cert"], keyfile=tls.get("ssl_key"), password=tls.get("ssl_key_password")
            )
        except (ssl.SSLError, OSError, ValueError):
            failed = (
                "ssl_cert/ssl_key could not be loaded: not a matching PEM certificate and "
                "key, or a wrong ssl_key_password"
            )
    elif not failed and "ssl_key" in tls:
        failed = "ssl_key needs ssl_cert"
    if failed:  # raised outside the except blocks: nothing of the files is chained
        raise InterfaceError(failed)
    return context


def encoded_password(password: Any) -> bytes:
    """The password as UTF-8 bytes (PyMySQL alone encodes latin-1, and its error for any other
    character carries the whole password). Checked without raising inside an ``except``, so no
    exception chain can hold it."""
    if password is None:
        return b""
    if isinstance(password, (bytes, bytearray)):
        return bytes(password)
    text = str(password)
    if any(0xD800 <= ord(char) <= 0xDFFF for char in text):
        raise InterfaceError(
            "the password contains unpaired surrogate characters (not valid "
            "text); pass it as a str of real characters or as UTF-8 bytes"
        )
    return text.encode("utf-8")


# --- placeholders and values --------------------------------------------------------------
_PLACEHOLDER = re.compile(r"%(?:%|s|\([^()%]*\)s)")


def check_placeholders(query: str) -> None:
    """With parameters, only ``%s``, ``%(name)s`` and ``%%`` are placeholders: a width or precision
    (``%1.1s``, ``%-3s``) would cut a quoted value and shift every quote after it."""
    pos = query.find("%")
    while pos != -1:
        match = _PLACEHOLDER.match(query, pos)
        if match is None:
            raise ProgrammingError(
                f"unsupported placeholder {query[pos : pos + 8]!r}: with parameters use %s or "
                "%(name)s only, and %% for a literal percent sign"
            )
        pos = query.find("%", match.end())


def check_value(value: Any) -> None:
    """Refuse values PyMySQL would bind wrongly instead of answering wrongly."""
    if isinstance(value, (datetime.datetime, datetime.time)) and value.tzinfo is not None:
        raise ProgrammingError(
            f"time-zone-aware {type(value).__name__} parameters are refused: MySQL would drop "
            "the offset silently. Pass a naive value in the session time zone (e.g. "
            "value.astimezone(tz).replace(tzinfo=None)); see docs/sources/mysql.md"
        )
    if isinstance(value, decimal.Decimal) and not value.is_finite():
        raise DataError(f"Decimal {value} has no MySQL literal")


def read_rows(result: Any, limit: int | None) -> tuple[list[tuple[Any, ...]], bool]:
    """Up to ``limit`` rows (all when None) of PyMySQL's unbuffered result; True at its end.

    One tight loop, as PyMySQL's own buffered reader (``_read_rowdata_packet``) runs, so
    reading a result in chunks costs no more per row than buffering it (SSCursor's
    ``fetchmany`` goes through three method calls per row). The end of the rows is told
    apart inline, as PyMySQL's ``is_eof_packet`` does, and read once (:func:`end_of_rows`).
    """
    if not result.unbuffered_active:
        return [], True
    connection = result.connection
    read_packet = connection._read_packet
    to_row = result._read_row_from_packet
    rows: list[tuple[Any, ...]] = []
    append = rows.append
    try:
        for _ in itertools.repeat(None) if limit is None else itertools.repeat(None, limit):
            packet = read_packet()
            data = packet._data
            if data[0] == _EOF and len(data) < _MAX_EOF_LENGTH:
                end_of_rows(result, connection, data)
                break
            append(to_row(packet))
        else:
            return rows, False
    except BaseException:  # an error packet (KILL QUERY, a timeout) ends the result too
        # the transaction may have ended with it: never take "in a transaction" for granted
        connection.server_status &= ~IN_TRANSACTION
        result.unbuffered_active = False
        result.connection = None
        raise
    result.unbuffered_active = False
    result.connection = None
    return rows, True


IN_TRANSACTION = 1  # SERVER_STATUS_IN_TRANS
_MORE_RESULTS = 8  # SERVER_MORE_RESULTS_EXISTS: a procedure's next result follows
_EOF = 0xFE
_MAX_EOF_LENGTH = 9  # a row can start with 0xFE too (a long value's length), never so short
_EOF_FIELDS = struct.Struct("<xHH")  # header, warning count, server status


def end_of_rows(result: Any, connection: Any, data: bytes) -> None:
    """Read the EOF packet that ends a result's rows (what PyMySQL's ``_check_packet_is_eof``
    keeps: warnings, whether another result follows) and keep ``connection.server_status``
    current: PyMySQL updates it from OK packets only, so without this the connection would
    report the status of the last statement that returned no rows (whether a transaction
    is open, say) long after it changed."""
    if len(data) < _EOF_FIELDS.size:  # a pre-4.1 EOF: nothing but the marker
        result.warning_count, result.has_next = 0, 0
        return
    warnings, status = _EOF_FIELDS.unpack_from(data)
    result.warning_count, result.has_next = warnings, status & _MORE_RESULTS
    connection.server_status = status


def discard_rows(result: Any) -> None:
    """Read and drop the rest of an unbuffered result (the protocol cannot stop it)."""
    if result.unbuffered_active:
        connection = result.connection
        try:
            result._finish_unbuffered_query()
        except BaseException:
            connection.server_status &= ~IN_TRANSACTION  # as in read_rows
            raise
