"""The one PEP 249 connection every source uses."""

from __future__ import annotations

import contextlib
import logging
from typing import Any

from sqlgate.core import cancel_requests, errors
from sqlgate.core.audit import Auditor, logger_for
from sqlgate.core.cursor import Cursor
from sqlgate.core.readonly import gate_for
from sqlgate.core.session import ISOLATION_LEVELS, Session
from sqlgate.core.translate import translated


class Connection:
    """A PEP 249 connection: a session with a source, guarded by the read-only gate.

    ``read_only`` is on unless the caller explicitly turned it off; the session's server-side
    guard was already applied by the family when the session was opened.
    """

    # PEP 249 optional extension: exceptions reachable from the connection
    Warning = errors.Warning
    Error = errors.Error
    InterfaceError = errors.InterfaceError
    DatabaseError = errors.DatabaseError
    DataError = errors.DataError
    OperationalError = errors.OperationalError
    IntegrityError = errors.IntegrityError
    InternalError = errors.InternalError
    ProgrammingError = errors.ProgrammingError
    NotSupportedError = errors.NotSupportedError

    def __init__(
        self,
        session: Session,
        *,
        source: str,
        url: str,
        gate_policy: str | None,
        read_only: bool = True,
    ) -> None:
        self.session = session
        self.source = source
        self.url = url  # already redacted: safe to log and show
        self.auditor = Auditor(source, url)
        self.read_only = read_only
        self._gate = gate_for(gate_policy, source=source) if read_only else None
        # a statement the driver bound was escaped the way this server reads backslashes
        lexing = getattr(session, "backslash_escapes", None)
        self._bound_gate = gate_for(gate_policy, lexing, source=source) if read_only else None
        self._closed = False
        cancel_requests.register(session)
        if not read_only:
            logger_for(source).warning(
                "read-only enforcement is OFF for this connection to %s (read_only=false)", url
            )

    @property
    def closed(self) -> bool:
        return self._closed

    def _check_open(self) -> None:
        if self._closed:
            raise errors.InterfaceError("connection is closed")

    def admit(self, operation: str, has_parameters: bool = False, *, bound: bool = False) -> str:
        """Pass ``operation`` through the read-only gate; return its statement kind.

        Whether parameters come matters: drivers that bind client-side rewrite ``%s`` even
        inside string literals, so the gate reads placeholders only when values are bound
        (the cursor binds such values first and gates the bound text: ``bound``; a backslash
        in its literals is then read as the server reads it, since the driver escaped it so).
        """
        gate = self._bound_gate if bound else self._gate
        if gate is None:
            return "UNCHECKED"
        verdict = gate.verdict(operation, params=has_parameters)
        allowed = self.session.function_allow_list
        if allowed is not None:
            allowed.check(verdict.calls)
        return verdict.kind

    def check_template(self, operation: str) -> None:
        """Before binding: no placeholder may sit inside a literal or comment.

        A text with neither ``%`` nor a backslash is not lexed here (SQLAlchemy sends every
        plain statement with ``{}``): it holds no ``%`` placeholder, the driver returns it
        unchanged (or refuses the values), and the gate then lexes that very text with a
        lexicon that differs from this one only in how it reads backslashes, so it refuses
        all this check would (``tests/unit/test_readonly_prefilters.py``)."""
        if self._gate is not None and ("%" in operation or "\\" in operation):
            self._gate.check_template(operation)

    def verify_guard(self, *, boundary: bool = False) -> None:
        """Close this connection and raise if the server's read-only guard was lifted.

        A statement the gate admitted can still call something that lifts the guard for
        later transactions (a view over a function that runs ``set_config``): the session
        checks after every statement, and a connection found lifted is never used again.
        """
        if not self.read_only or self._closed:
            return
        try:
            with translated():
                self.session.verify_guard(boundary=boundary)
        except errors.GuardLostError:
            logger_for(self.source).error(
                "the server-side read-only guard of a connection to %s was lifted by a "
                "statement; the connection is closed",
                self.url,
            )
            with contextlib.suppress(errors.Error):
                self.close()
            raise

    def verify_guard_after_failure(self) -> None:
        """A failed statement may have ended its transaction (a deadlock rolls it back), so
        the guard is checked as at a boundary before anything else runs. A check that fails
        for another reason (the link is gone) stays quiet: the statement's error is raised."""
        try:
            self.verify_guard(boundary=True)
        except errors.GuardLostError:
            raise
        except errors.Error:
            pass

    def cursor(self) -> Cursor:
        self._check_open()
        return Cursor(self)

    def commit(self) -> None:
        self._check_open()
        with translated():
            self.session.commit()
        self.verify_guard(boundary=True)

    def rollback(self) -> None:
        self._check_open()
        with translated():
            self.session.rollback()
        self.verify_guard(boundary=True)

    def set_isolation_level(self, level: str) -> None:
        """Set the isolation level through the driver (SQL ``SET`` statements are refused)."""
        self._check_open()
        normalised = " ".join(level.replace("_", " ").upper().split())
        if normalised not in ISOLATION_LEVELS:
            raise errors.ProgrammingError(f"unknown isolation level {level!r}")
        with translated():
            self.session.set_isolation_level(normalised)

    def ping(self) -> None:
        """Raise OperationalError when the source is no longer reachable."""
        self._check_open()
        with translated():
            self.session.ping()

    def close(self) -> None:
        """Close the connection; later use raises InterfaceError. Closing twice is harmless."""
        if not self._closed:
            self._closed = True
            with translated():
                self.session.close()

    def __enter__(self) -> Connection:
        self._check_open()
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        """Commit on success, roll back on error, then close (psycopg 3's behaviour)."""
        try:
            if not self._closed:
                if exc_type is None:
                    self.commit()
                else:
                    self.rollback()
        finally:
            self.close()

    def __del__(self) -> None:
        if not getattr(self, "_closed", True):
            try:
                self.close()
            except Exception:
                logging.getLogger("sqlgate").debug("error closing a dropped connection")

    def __repr__(self) -> str:
        state = "closed" if self._closed else "open"
        mode = "read-only" if self.read_only else "READ-WRITE"
        return f"<sqlgate.Connection {state} {mode} {self.url}>"
