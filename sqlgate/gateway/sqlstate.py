"""SQLSTATE codes for sqlgate's PEP 249 exceptions, so clients branch on them as on PostgreSQL's.

A source that reports its own SQLSTATE (psycopg on a PostgreSQL source) keeps it; otherwise the
class (and, for ProgrammingError, the message) chooses the closest PostgreSQL code.
"""

from __future__ import annotations

import re

from sqlgate.core import errors

READ_ONLY = "25006"
SYNTAX = "42601"
UNDEFINED_TABLE = "42P01"
UNDEFINED_COLUMN = "42703"
QUERY_CANCELED = "57014"
PROTOCOL_VIOLATION = "08P01"
INVALID_PASSWORD = "28P01"
INVALID_AUTHORIZATION = "28000"
UNKNOWN_DATABASE = "3D000"
TOO_MANY_CONNECTIONS = "53300"
FEATURE_NOT_SUPPORTED = "0A000"
IN_FAILED_TRANSACTION = "25P02"
INVALID_STATEMENT_NAME = "26000"
INVALID_CURSOR_NAME = "34000"
IDLE_TIMEOUT = "57P05"
CONNECTION_FAILURE = "08006"


class InFailedTransactionError(errors.ProgrammingError):
    """A statement after an error, before the client's ROLLBACK (as PostgreSQL refuses it)."""

    sqlstate = IN_FAILED_TRANSACTION


_MISSING_TABLE = re.compile(
    r"(table|relation|view)\b.*\b(does not exist|not found|doesn't exist|unknown)"
    r"|unknown table|no such table|Table with name .* does not exist",
    re.IGNORECASE,
)

_MISSING_COLUMN = re.compile(
    r"column\b.*\b(does not exist|not found)|Referenced column|Unknown column",
    re.IGNORECASE,
)

_MISSING_COLUMN = re.compile(
    r"column\b.*\b(does not exist|not found)|Referenced column|Unknown column",
    re.IGNORECASE,
)

_BY_CLASS: list[tuple[type[BaseException], str]] = [
    (errors.ReadOnlyError, READ_ONLY),
    (errors.UnparseableStatementError, SYNTAX),
    (errors.NotSupportedError, FEATURE_NOT_SUPPORTED),
    (errors.DataError, "22000"),
    (errors.IntegrityError, "23000"),
    (errors.InternalError, "XX000"),
    (errors.CredentialError, INVALID_AUTHORIZATION),
    (errors.OperationalError, CONNECTION_FAILURE),
    (errors.InterfaceError, "42000"),
]


def _driver_sqlstate(exc: BaseException) -> str | None:
    """A SQLSTATE the source's own driver attached (psycopg's ``sqlstate``)."""
    seen = 0
    current: BaseException | None = exc
    while current is not None and seen < 5:
        code = getattr(current, "sqlstate", None)
        if isinstance(code, str) and len(code) == 5:
            return code
        current = current.__cause__ or current.__context__
        seen += 1
    return None


def sqlstate_of(exc: BaseException) -> str:
    """The SQLSTATE an ErrorResponse carries for ``exc``."""
    if isinstance(exc, errors.ReadOnlyError):
        return READ_ONLY
    own = _driver_sqlstate(exc)
    if own:
        return own
    if isinstance(exc, errors.ProgrammingError) and not isinstance(
        exc, (errors.ReadOnlyError, errors.UnparseableStatementError)
    ):
        text = str(exc)
        if _MISSING_TABLE.search(text):
            return UNDEFINED_TABLE
        return UNDEFINED_COLUMN if _MISSING_COLUMN.search(text) else SYNTAX
    for cls, code in _BY_CLASS:
        if isinstance(exc, cls):
            return code
    return "XX000"
