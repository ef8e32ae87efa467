"""ClickHouse errors (clickhouse-driver's and chdb's) as sqlgate's PEP 249 classes.

Neither driver names its exceptions the PEP 249 way, and the server appends a C++ stack trace
to every message; the class comes from the server's error code and the message is cut to what
a user can act on.
"""

from __future__ import annotations

import re

from sqlgate.core.driver import server_refused_write
from sqlgate.core.errors import DatabaseError, DataError, Error, OperationalError, ProgrammingError
from sqlgate.core.redact import redact
from sqlgate.core.translate import register_classifier

READONLY = 164
TIMEOUT_EXCEEDED = 159
QUERY_WAS_CANCELLED = 394
_PROGRAMMING = frozenset({36, 42, 43, 44, 46, 47, 48, 57, 60, 62, 81, 215, 352, 386, 497})
_DATA = frozenset({6, 27, 38, 41, 53, 69, 70, 72, 153, 321, 407})
_LOGIN = frozenset({192, 193, 194, 516})
_CODE = re.compile(r"Code:\s*(\d+)")
_TRACE = re.compile(r"[.,]?\s*Stack trace.*", re.S)


def error_code(exc: BaseException) -> int | None:
    """The server's error code: clickhouse-driver's ``code`` or chdb's ``Code: N.`` text."""
    code = getattr(exc, "code", None)
    if isinstance(code, int) and not isinstance(code, bool):
        return code
    found = _CODE.search(str(exc)[:200])
    return int(found[1]) if found else None


def server_message(exc: BaseException) -> str:
    """``DB::Exception: <what>`` without the code prefix and the server's stack trace."""
    text = str(getattr(exc, "message", None) or exc)
    text = _TRACE.sub("", text)
    text = text.split("DB::Exception:", 1)[-1]
    text = _CODE.sub("", text, count=1).strip(" .\n")
    return redact(" ".join(text.split())[:2000])


def _classify(exc: BaseException) -> Error | None:
    code = error_code(exc)
    name = type(exc).__name__
    message = server_message(exc)
    if code == READONLY:
        return server_refused_write(message)
    if code == TIMEOUT_EXCEEDED:
        return OperationalError(
            "the statement ran longer than the connection's statement_timeout and the server "
            f"stopped it (max_execution_time); narrow the query or raise statement_timeout "
            f"({code}: {message})"
        )
    if code == QUERY_WAS_CANCELLED:
        return OperationalError(f"the statement was cancelled ({code}: {message})")
    if code in _PROGRAMMING:
        return ProgrammingError(f"({code}) {message}")
    if code in _DATA:
        return DataError(f"({code}) {message}")
    if code in _LOGIN:
        return OperationalError(f"the server refused the login ({code}): {message}")
    if name in ("NetworkError", "SocketTimeoutError", "EOFError") or isinstance(exc, OSError):
        return OperationalError(
            f"the ClickHouse server could not be reached or stopped answering ({name}: "
            f"{message}); connect_timeout bounds the connect, read_timeout every wait"
        )
    if name in ("ServerException", "ChdbError") or code is not None:
        return DatabaseError(f"({code}) {message}" if code is not None else message)
    return None


register_classifier("clickhouse_driver", _classify)
register_classifier("chdb", _classify)
