"""The PEP 249 exception hierarchy shared by every sqlgate source.

Every error a driver, a planner or sqlgate itself raises reaches the user as one of these
classes, with the original exception kept as ``__cause__`` (or, when the original carries a
secret, a redacted stand-in: see :mod:`sqlgate.core.translate`). Messages never carry secrets:
use :func:`sqlgate.core.redact.redact` on anything that may contain one, and never put a raw
URL in a message (:func:`sqlgate.core.params.describe_malformed_url` describes a bad one).
"""

from __future__ import annotations


class Warning(Exception):
    """Important warnings such as data truncation."""


class Error(Exception):
    """Base class of every sqlgate error.

    ``sqlstate`` (the five-character SQLSTATE, PostgreSQL family) and ``vendor_code`` (the
    server's numeric error code, MySQL family) are kept from the driver's error when it was
    translated (:mod:`sqlgate.core.translate`); None when the server gave none.
    """

    sqlstate: str | None = None
    vendor_code: int | None = None


class InterfaceError(Error):
    """A problem with the interface rather than the database (closed cursor, bad URL)."""


class DatabaseError(Error):
    """A problem reported by, or about, the database."""


class DataError(DatabaseError):
    """Bad data: division by zero, a value out of range, a malformed literal."""


class OperationalError(DatabaseError):
    """The database's operation failed: unreachable server, wrong credentials, timeout."""


class IntegrityError(DatabaseError):
    """Relational integrity is affected: a foreign key or unique check failed."""


class InternalError(DatabaseError):
    """The database hit an internal error: an invalid cursor, a broken transaction."""


class ProgrammingError(DatabaseError):
    """A programming error: missing table, syntax error, wrong number of parameters."""


class NotSupportedError(DatabaseError):
    """A method or API the source does not support."""


_READ_ONLY_PREFIX = "sqlgate is read-only: "


class ReadOnlyError(ProgrammingError):
    """A statement was refused because it could write or lift read-only mode.

    ``kind`` names what was refused (``INSERT``, ``SET SESSION``, ``side-effect function
    nextval`` ...) so callers can tell a refusal from any other programming error. ``fix``
    names what to do instead when the refusal is about how the statement is written (an
    ambiguous literal, two statements in one call); without it the statement was recognised
    as a write or a state change, and the message says how to allow deliberate admin work.
    """

    def __init__(self, kind: str, detail: str = "", *, fix: str | None = None) -> None:
        self.kind = kind
        if kind.startswith(_READ_ONLY_PREFIX) and not detail and fix is None:
            # rebuilt from its own message (Superset's ``type(exc)(first_line)``): keep it
            super().__init__(kind)
            return
        message = f"{_READ_ONLY_PREFIX}{kind} statements are refused"
        if detail:
            message = f"{message} ({detail})"
        if fix is None:
            message += "; connect with read_only=false only for deliberate admin work"
        else:
            message += f"; {fix}"
        super().__init__(message)


class UnparseableStatementError(ProgrammingError):
    """The statement gate could not parse the statement, so it did not run.

    Not a :class:`ReadOnlyError`: nothing was recognised as a write; the SQL needs fixing.
    ``kind`` is ``unparseable statement`` (or ``empty statement``), ``where`` says where the
    parser stopped (`` near 'SELEC' (line 1, column 1)``) when it knows.
    """

    def __init__(self, detail: str, where: str = "", kind: str = "unparseable statement") -> None:
        self.kind, self.detail, self.where = kind, detail, where
        what = (
            "the statement is empty"
            if kind == "empty statement"
            else (f"sqlgate could not parse the statement{where}")
        )
        super().__init__(f"{what}: {detail}; check the SQL for this source's dialect")


class MissingExtraError(InterfaceError):
    """An optional dependency of a source is not installed; the message names the extra."""

    def __init__(self, source: str, extra: str, module: str) -> None:
        self.source, self.extra, self.module = source, extra, module
        super().__init__(
            f"the {source!r} source needs the Python package {module!r}: "
            f"run  pip install 'sqlgate[{extra}]'"
        )


class CredentialError(OperationalError):
    """A credential provider could not produce a credential (never includes the secret)."""


__all__ = [
    "CredentialError",
    "DataError",
    "DatabaseError",
    "Error",
    "GuardLostError",
    "IntegrityError",
    "InterfaceError",
    "InternalError",
    "MissingExtraError",
    "NotSupportedError",
    "OperationalError",
    "ProgrammingError",
    "ReadOnlyError",
    "UnparseableStatementError",
    "Warning",
]


class GuardLostError(OperationalError):
    """The server's read-only session guard was found lifted; the connection was closed.

    It is an OperationalError so that pools treat it as a disconnect and never hand the
    connection out again.
    """
