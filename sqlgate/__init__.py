"""sqlgate: read-only SQL over many analytical sources, through PEP 249 and SQLAlchemy.

``sqlgate.connect(url)`` opens any registered source; each source also has its own PEP 249
module (``sqlgate.dbapi.<source>``) and SQLAlchemy dialect (``sqlgate.dialects.<source>``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlgate.core.connect import connect
from sqlgate.core.errors import (
    CredentialError,
    DatabaseError,
    DataError,
    Error,
    GuardLostError,
    IntegrityError,
    InterfaceError,
    InternalError,
    MissingExtraError,
    NotSupportedError,
    OperationalError,
    ProgrammingError,
    ReadOnlyError,
    UnparseableStatementError,
    Warning,
)

if TYPE_CHECKING:
    from sqlgate.dialects.timetravel import as_of, hudi_changes

__version__ = "0.1.0"

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
    "__version__",
    "as_of",
    "connect",
    "hudi_changes",
]


def __getattr__(name: str) -> Any:
    """``as_of`` and ``hudi_changes`` are SQLAlchemy constructs: imported on first use, so a
    DB-API-only program never imports SQLAlchemy (PEP 562)."""
    if name in ("as_of", "hudi_changes"):
        from sqlgate.dialects import timetravel

        value = getattr(timetravel, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
