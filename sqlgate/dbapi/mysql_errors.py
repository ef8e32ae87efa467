"""MySQL-protocol server errors as sqlgate's PEP 249 classes, by the server's error code.

PyMySQL files many programming and data errors under OperationalError; a write the server's
read-only guard refused, a statement timeout, a cancel and a read timeout get messages that
name their fix.
"""

from __future__ import annotations

from sqlgate.core.driver import server_refused_write
from sqlgate.core.errors import DataError, Error, OperationalError, ProgrammingError
from sqlgate.core.redact import redact
from sqlgate.core.translate import register_classifier
from sqlgate.dbapi.mysql_driver import DEFAULT_READ_TIMEOUT

# server error codes pymysql files under the wrong PEP 249 class
_PROGRAMMING_CODES = frozenset(
    {
        1049,
        1054,
        1064,
        1109,
        1146,
        1149,
        1210,
        1305,
        1582,
        1583,
        1630,
        1052,
        1060,
        1066,
        1110,
        1111,
        1140,
        1247,
        1248,
        1222,
        1241,
        1242,
        4078,
    }
)
_DATA_CODES = frozenset({1264, 1265, 1292, 1366, 1365, 1406, 1690, 3140})
_READ_ONLY_CODES = frozenset({1792, 1290})  # read-only transaction / --read-only server
_TIMEOUT_CODES = frozenset({1969, 3024})  # MariaDB max_statement_time, MySQL max_execution_time
_LOST_CODES = frozenset({2006, 2013})  # server gone away / lost connection
_CANCELLED_CODE = 1317  # ER_QUERY_INTERRUPTED: KILL QUERY (Cursor.cancel)


def _classify(exc: BaseException) -> Error | None:
    code = exc.args[0] if exc.args and isinstance(exc.args[0], int) else None
    message = redact(exc.args[1] if len(exc.args) > 1 else exc)
    if code in _READ_ONLY_CODES:
        return server_refused_write(message)
    if code in _TIMEOUT_CODES:
        return OperationalError(
            "the statement ran longer than the connection's statement_timeout and the server "
            "stopped it; narrow the query or raise statement_timeout=<seconds> "
            f"({code}: {message})"
        )
    if code == _CANCELLED_CODE:
        return OperationalError(
            "the statement was cancelled (Cursor.cancel() or KILL QUERY); the connection is "
            f"still usable ({code}: {message})"
        )
    if code in _LOST_CODES and "timed out" in message:
        return OperationalError(
            "the server did not answer in time (connect_timeout bounds the handshake, "
            f"read_timeout and write_timeout, default {DEFAULT_READ_TIMEOUT:g} s, every later "
            f"wait); the connection is closed ({code}: {message})"
        )
    if code in _PROGRAMMING_CODES:
        return ProgrammingError(f"({code}) {message}")
    if code in _DATA_CODES:
        return DataError(f"({code}) {message}")
    return None


register_classifier("pymysql", _classify)
