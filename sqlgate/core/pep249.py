"""PEP 249 module globals shared by every ``sqlgate.dbapi.<source>`` module.

A source module re-exports these with ``from sqlgate.dbapi.<family>_family import *`` and adds
its own ``connect``; ``paramstyle`` is the family's.
"""

from __future__ import annotations

from sqlgate.core.connection import Connection
from sqlgate.core.cursor import Cursor
from sqlgate.core.errors import (
    DatabaseError,
    DataError,
    Error,
    IntegrityError,
    InterfaceError,
    InternalError,
    NotSupportedError,
    OperationalError,
    ProgrammingError,
    ReadOnlyError,
    UnparseableStatementError,
    Warning,
)
from sqlgate.core.types import (
    BINARY,
    DATETIME,
    NUMBER,
    ROWID,
    STRING,
    Binary,
    Date,
    DateFromTicks,
    Time,
    TimeFromTicks,
    Timestamp,
    TimestampFromTicks,
)

apilevel = "2.0"
threadsafety = 1  # threads may share the module, not connections

__all__ = [
    "BINARY",
    "DATETIME",
    "NUMBER",
    "ROWID",
    "STRING",
    "Binary",
    "Connection",
    "Cursor",
    "DataError",
    "DatabaseError",
    "Date",
    "DateFromTicks",
    "Error",
    "IntegrityError",
    "InterfaceError",
    "InternalError",
    "NotSupportedError",
    "OperationalError",
    "ProgrammingError",
    "ReadOnlyError",
    "Time",
    "TimeFromTicks",
    "Timestamp",
    "TimestampFromTicks",
    "UnparseableStatementError",
    "Warning",
    "apilevel",
    "threadsafety",
]
