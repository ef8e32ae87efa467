"""The adapter contract: what a source family implements beneath the generic DB-API.

Following shillelagh's shape, one generic :class:`~sqlgate.core.connection.Connection` and
:class:`~sqlgate.core.cursor.Cursor` serve every source; a family supplies only a
:class:`Session` (one open link to the server or embedded engine) whose ``execute`` returns a
:class:`~sqlgate.core.results.Result`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from typing import Any

from sqlgate.core.allowlists import FunctionAllowList
from sqlgate.core.errors import NotSupportedError
from sqlgate.core.results import Result

Parameters = Sequence[Any] | Mapping[str, Any] | None

ISOLATION_LEVELS = frozenset(
    {"READ UNCOMMITTED", "READ COMMITTED", "REPEATABLE READ", "SERIALIZABLE", "AUTOCOMMIT"}
)


class Session(ABC):
    """One open link to a source. Implementations translate driver errors themselves."""

    #: what the server says it is (its version banner), when it reports one
    banner: str = ""
    #: the version of the engine the server is compatible with (drives SQLAlchemy features)
    server_version: tuple[int, ...] = ()
    #: the product's own version (``TiDB-v8.5.0`` -> (8, 5, 0)); informational
    product_version: tuple[int, ...] = ()

    #: how the server reads a backslash in a quoted literal: an escape (True), a plain
    #: character (False) or not known (None); the gate lexes bound statements accordingly
    backslash_escapes: bool | None = None
    #: the functions a read-only statement may call on this link (None: deny lists only)
    function_allow_list: FunctionAllowList | None = None

    def bind(self, operation: str, parameters: Parameters) -> str | None:
        """The exact text the driver will send for ``operation`` with ``parameters``.

        Drivers that splice values into the SQL text client-side (psycopg's ClientCursor,
        PyMySQL) return it, so that the read-only gate reads what the server will run;
        None means the values travel apart from the text (server-side binding).
        """
        return None

    def verify_guard(self, *, boundary: bool = False) -> None:  # noqa: B027 - optional
        """Raise :class:`GuardLostError` if the server-side read-only guard was lifted.

        Called after every statement (``boundary``: and after a commit or rollback, when
        a transaction may have ended). Sources without a server guard do nothing.
        """

    def cancel(self) -> None:
        """Stop the statement running on this link; safe to call from another thread."""
        raise NotSupportedError("this source cannot cancel a running statement")

    def guard_warnings(self) -> list[str]:
        """What weakens the server-side guard for this login (``sqlgate check`` prints it)."""
        return []

    def prepare(self, operation: str) -> str:
        """Normalise a statement before the gate reads it (a source's own spellings)."""
        return operation

    @abstractmethod
    def execute(self, operation: str, parameters: Parameters = None) -> Result:
        """Run one (already admitted) statement and return its result."""

    @abstractmethod
    def close(self) -> None:
        """Release the link; must be idempotent."""

    def commit(self) -> None:  # noqa: B027 - optional: most sources override it
        """Commit the current transaction (a no-op for sources without transactions)."""

    def rollback(self) -> None:  # noqa: B027 - optional: most sources override it
        """Roll back the current transaction (a no-op for sources without transactions)."""

    def ping(self) -> None:
        """Raise an OperationalError when the link is no longer usable."""
        self.execute("SELECT 1").close()

    def set_isolation_level(self, level: str) -> None:
        """Set the transaction isolation level through the driver, not through SQL text."""
        raise NotSupportedError(f"this source does not support isolation level {level!r}")

    def server_guard_active(self) -> bool | None:
        """Whether the server-side read-only guard is in force; None where there is none."""
        return None

    @property
    def raw(self) -> Any:
        """The underlying driver connection or engine, for advanced use."""
        return None
