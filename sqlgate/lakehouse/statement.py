"""One lakehouse statement's life: the DuckDB cursor its result streams from, how it is
stopped (Cursor.cancel, Superset's Stop, statement_timeout), and DuckDB's errors as PEP 249
errors, redacted.

Kept apart from :mod:`sqlgate.lakehouse.engine` (planning and exposing tables), which only
creates, arms and closes statements.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from typing import Any

import duckdb
import pyarrow as pa

from sqlgate.core.errors import DataError, Error, OperationalError, ProgrammingError
from sqlgate.core.watchdog import WATCHDOG
from sqlgate.lakehouse import columns
from sqlgate.lakehouse.failures import name_tables, plain

CANCELLED = "canceling statement due to user request (Stop / Cursor.cancel())"


class Statement:
    """The DuckDB cursor one result streams from, with that statement's relations on it.

    ``stop`` (from any thread) interrupts DuckDB and makes the format readers feeding it
    raise at their next batch; ``stopped`` says why, so the error the query raises does.
    """

    __slots__ = (
        "__weakref__",
        "closed",
        "cursor",
        "deadline",
        "reader",
        "renames",
        "stopped",
        "tables",
    )

    def __init__(self, cursor: duckdb.DuckDBPyConnection | None) -> None:
        self.closed = False
        self.cursor: duckdb.DuckDBPyConnection | None = cursor
        self.reader: Any = None
        self.stopped: str | None = None
        self.deadline: contextlib.AbstractContextManager[None] | None = None
        # relation -> (table, its planned files): errors name the table, not the relation
        self.tables: dict[str, tuple[str, list[str]]] = {}
        # internal name -> the column's own (columns equal up to case): errors use the own
        self.renames: dict[str, str] = {}

    def reads(self, relation: str, info: dict[str, Any]) -> None:
        """Note the table (and files) the planned ``relation`` reads, for error messages."""
        table = info.get("table")
        if table:
            self.tables[relation] = (str(table), [str(f) for f in info.get("files") or ()])

    def stop(self, reason: str) -> None:
        """Interrupt now and, for up to 2 s, again: a statement that had not reached DuckDB
        when the first interrupt came (DuckDB forgets an interrupt with nothing running)."""
        self.stopped = self.stopped or reason
        if not self.closed:
            self._interrupt()
            threading.Thread(
                target=self._keep_interrupting, name="sqlgate-stop", daemon=True
            ).start()

    def _interrupt(self) -> None:
        cursor = self.cursor
        if cursor is not None:
            with contextlib.suppress(Exception):  # closed meanwhile: nothing left to stop
                cursor.interrupt()

    def _keep_interrupting(self) -> None:
        for _ in range(20):
            time.sleep(0.1)
            if self.closed:
                return
            self._interrupt()

    def check(self) -> None:
        """Raise the stop's error if the statement was stopped before DuckDB ran it."""
        if self.stopped:
            raise OperationalError(self.stopped)

    def arm(self, seconds: float | None) -> None:
        """Stop the statement ``seconds`` from now unless it is closed first."""
        if seconds is not None:
            self.deadline = WATCHDOG.deadline(
                seconds,
                lambda: self.stop(
                    f"canceling statement due to statement timeout (statement_timeout={seconds:g}s)"
                ),
            )
            self.deadline.__enter__()

    def close(self) -> None:
        self.closed = True
        deadline, self.deadline = self.deadline, None
        if deadline is not None:
            deadline.__exit__(None, None, None)
        cursor, self.cursor = self.cursor, None
        reader, self.reader = self.reader, None
        with contextlib.suppress(Exception):  # releasing, never failing
            if reader is not None:
                reader.close()
        with contextlib.suppress(Exception):
            if cursor is not None:
                cursor.close()


def stream(statement: Statement) -> Iterator[pa.RecordBatch]:
    """The result's batches; the statement's cursor goes once they are read or dropped."""
    try:
        while True:
            reader = statement.reader
            if reader is None:
                return
            failure: Exception | None = None
            try:
                batch = reader.read_next_batch()
            except StopIteration:
                return
            except (duckdb.Error, pa.ArrowException, OSError) as exc:  # DuckDB's, or a reader's
                failure = exc
            if failure is not None:
                error, cause = duck_error(failure, statement), redacted(failure)
                failure = None  # no cycle frame -> exception -> traceback -> frame
                raise error from cause
            yield batch
    finally:
        statement.close()


def redacted(exc: Exception) -> Exception:
    """DuckDB's exception again, its message redacted: the cause a PEP 249 error chains. A
    scan of a registered object-store dataset carries the store's message (a SAS token, a
    signed URL) inside DuckDB's, so the original is never chained."""
    text = plain(str(exc), one_line=False)
    try:
        return type(exc)(text)
    except Exception:  # an exception type that takes other arguments
        return duckdb.Error(text)


def stoppable(reader: pa.RecordBatchReader, statement: Statement) -> pa.RecordBatchReader:
    """A format reader's stream that ends with an error at the next batch once stopped."""

    def batches() -> Iterator[pa.RecordBatch]:
        for batch in reader:
            if statement.stopped:
                raise OperationalError(statement.stopped)
            yield batch

    return pa.RecordBatchReader.from_batches(reader.schema, batches())


_USER_ERRORS = (
    duckdb.CatalogException,
    duckdb.ParserException,
    duckdb.BinderException,
    duckdb.PermissionException,
)

#: failures reading a table's files (DuckDB's own readers or a registered format reader)
_READ_ERRORS = (
    duckdb.IOException,
    duckdb.InvalidInputException,
    duckdb.HTTPException,
    duckdb.InternalException,
    pa.ArrowException,
    OSError,
)


def duck_error(exc: Exception, statement: Statement | None = None) -> Error:
    """The PEP 249 error, its message redacted; a stopped statement says why it stopped."""
    if statement is not None and statement.stopped:
        return OperationalError(statement.stopped)
    read = isinstance(exc, _READ_ERRORS)  # a damaged or missing file, not a mistyped query
    text = plain(str(exc), one_line=read)  # a mistyped query keeps DuckDB's caret lines
    if statement is not None and statement.renames:
        text = columns.plain(text, statement.renames)
    if statement is not None and statement.tables:
        # invalid input may be the query's own (a bad function argument): named only when
        # the message shows which table's relation or file it is about
        sole = read and not isinstance(exc, duckdb.InvalidInputException)
        text = name_tables(text, statement.tables, sole=sole)
    if isinstance(exc, _USER_ERRORS):
        return ProgrammingError(text)
    if isinstance(exc, duckdb.ConversionException):
        return DataError(text)
    return OperationalError(text)
