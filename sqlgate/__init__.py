"""sqlgate: read-only SQL over many analytical sources, through PEP 249 and SQLAlchemy.

``sqlgate.connect(url)`` opens any registered source; each source also has its own PEP 249
module (``sqlgate.dbapi.<source>``) and SQLAlchemy dialect (``sqlgate.dialects.<source>``).
"""

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
