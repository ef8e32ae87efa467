"""The one PEP 249 cursor every source uses, with Arrow methods beside the standard ones."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from sqlgate.core import cancel_requests, errors
from sqlgate.core.results import DEFAULT_BATCH_ROWS, Column, Result
from sqlgate.core.session import Parameters
from sqlgate.core.translate import translated

#: statement kinds that end a transaction and may start the next one (``BEGIN`` commits an
#: open one, ``COMMIT AND CHAIN``): the guard is checked after them as after ``commit()``
TRANSACTION_KINDS = frozenset({"BEGIN", "COMMIT", "ROLLBACK"})

if TYPE_CHECKING:
    import pandas
    import pyarrow as pa  # loaded by the Arrow methods: a rows-only user never needs it

    from sqlgate.core.connection import Connection


class Cursor:
    """A PEP 249 cursor over whichever session its connection holds.

    Statements pass the connection's read-only gate before they reach the source; results are
    fetched lazily, as rows (``fetchone``/``fetchmany``/``fetchall``) or as Arrow
    (``fetch_arrow_table``, ``fetch_record_batch``, ``fetch_df``).
    """

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.arraysize = 1
        #: the row id the last INSERT generated, where the driver reports one
        self.lastrowid: int | None = None
        #: the source's id of the last statement run (see the session's ``query_id``), or None
        self.query_id: str | None = None
        self._result: Result | None = None
        self._last_rowcount = -1  # kept after the result is closed, as drivers do
        self._closed = False

    # -- PEP 249 attributes -------------------------------------------------------------
    @property
    def description(self) -> tuple[Column, ...] | None:
        """Seven-item column descriptions of the last result, or None for no result."""
        return None if self._result is None else self._result.description

    @property
    def rowcount(self) -> int:
        """Rows produced or affected by the last statement; -1 when not known."""
        return self._last_rowcount if self._result is None else self._result.rowcount

    @property
    def closed(self) -> bool:
        return self._closed or self.connection.closed

    def _check_open(self) -> None:
        if self._closed:
            raise errors.InterfaceError("cursor is closed")
        if self.connection._closed:
            raise errors.InterfaceError("connection is closed")

    def _rows(self) -> Result:
        """The last result, which has rows; the checks of :meth:`_require_rows` in one
        expression when all is well (every fetch of every small statement comes here)."""
        result = self._result
        if result is None or result.description is None or self._closed or self.connection._closed:
            return self._require_rows()  # raises the error that applies
        return result

    def _current(self) -> Result:
        self._check_open()
        if self._result is None:
            raise errors.ProgrammingError("no statement has been executed on this cursor")
        return self._result

    def _require_rows(self) -> Result:
        result = self._current()
        if result.description is None:
            raise errors.ProgrammingError("the last statement produced no result set")
        return result

    # -- execution ------------------------------------------------------------------------
    def execute(self, operation: str, parameters: Parameters = None) -> Cursor:
        """Run one statement. Returns the cursor itself, so calls can be chained.

        One audit record and one error translation span the whole statement: gate, driver
        and guard check (the hot path of every small query, see ``benchmarks/small_statements``).
        """
        self._check_open()
        if not isinstance(operation, str):
            raise errors.ProgrammingError(
                f"operation must be a SQL string, not {type(operation).__name__}"
            )
        if self._result is not None:
            self._discard_result()
        self._last_rowcount = -1
        self.query_id = None
        conn = self.connection
        session = conn.session
        auditor = conn.auditor
        started = auditor.begin(operation)
        kind, rows, outcome = "UNKNOWN", -1, "ok"
        try:
            with translated():
                operation = session.prepare(operation)
                bound = False
                if conn.read_only and parameters is None:
                    # Superset's Stop: a cancel request for a sibling sqlgate session
                    answered = cancel_requests.answer(session, operation)
                    if answered is not None:
                        kind, self._result = "CANCEL", answered
                        return self
                elif conn.read_only:
                    operation, parameters, bound = self._bind(operation, parameters)
                kind = conn.admit(operation, parameters is not None, bound=bound)
                try:
                    result = self._result = session.execute(operation, parameters)
                except BaseException:
                    conn.verify_guard_after_failure()
                    raise
                finally:
                    self.query_id = getattr(session, "query_id", None)
                conn.verify_guard(boundary=kind in TRANSACTION_KINDS)
            rows = result.rowcount
            self.lastrowid = result.lastrowid
        except BaseException as exc:
            outcome = type(exc).__name__
            kind = str(getattr(exc, "kind", None) or kind)  # a ReadOnlyError names the refused
            raise
        finally:
            auditor.end(started, kind, rows, outcome, self.query_id)
        return self

    def _bind(self, operation: str, parameters: Parameters) -> tuple[str, Parameters, bool]:
        """Gate the text the server will run, not a template the driver rewrites."""
        conn = self.connection
        conn.check_template(operation)
        with translated(errors.ProgrammingError):
            bound = conn.session.bind(operation, parameters)
        if bound is None:
            return operation, parameters, False
        return bound, None, True

    def executemany(self, operation: str, seq_of_parameters: Sequence[Parameters]) -> Cursor:
        """Run ``operation`` once per parameter set; ``rowcount`` is the sum when known."""
        self._check_open()
        total = 0
        for parameters in seq_of_parameters:
            self.execute(operation, parameters)
            total = -1 if total < 0 or self.rowcount < 0 else total + self.rowcount
        if self._result is not None:
            self._result.rowcount = total
        return self

    def cancel(self) -> None:
        """Stop the statement this cursor's connection is running (PEP 249 extension).

        Meant to be called from another thread, as Superset's Stop button does: the thread
        running the statement then gets an OperationalError; the connection stays usable.
        """
        if self.connection.closed:
            return
        with translated():
            self.connection.session.cancel()

    def callproc(self, procname: str, parameters: Sequence[Any] = ()) -> None:
        """Stored procedures may write, so read-only sqlgate never calls them."""
        raise errors.NotSupportedError("callproc is not supported: procedures may write")

    def nextset(self) -> None:
        """sqlgate admits single statements only, so there is never a next set."""
        self._check_open()

    def setinputsizes(self, sizes: Any) -> None:
        """Accepted and ignored, as PEP 249 allows."""

    def setoutputsize(self, size: int, column: int | None = None) -> None:
        """Accepted and ignored, as PEP 249 allows."""

    # -- row fetching ----------------------------------------------------------------------
    def fetchone(self) -> tuple[Any, ...] | None:
        return self._rows().fetchone()

    def fetchmany(self, size: int | None = None) -> list[tuple[Any, ...]]:
        size = self.arraysize if size is None else size
        if not isinstance(size, int) or size < 0:
            raise errors.ProgrammingError(f"fetchmany size must be a non-negative int: {size!r}")
        return self._rows().fetchmany(size)

    def fetchall(self) -> list[tuple[Any, ...]]:
        return self._rows().fetchall()

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        return self

    def __next__(self) -> tuple[Any, ...]:
        row = self.fetchone()
        if row is None:
            raise StopIteration
        return row

    # -- Arrow fetching --------------------------------------------------------------------
    def fetch_record_batch(self, rows_per_batch: int = DEFAULT_BATCH_ROWS) -> pa.RecordBatchReader:
        """Stream the remaining rows as a ``pyarrow.RecordBatchReader``.

        Batches are produced as the reader is consumed; nothing beyond the current batch is
        held in memory by sqlgate.
        """
        result = self._require_rows()
        if rows_per_batch <= 0:
            raise errors.ProgrammingError("rows_per_batch must be positive")
        import pyarrow as pa

        return pa.RecordBatchReader.from_batches(
            result.arrow_schema(), result.record_batches(rows_per_batch)
        )

    def fetch_arrow_table(self) -> pa.Table:
        """Return the remaining rows as one ``pyarrow.Table``."""
        result = self._require_rows()
        import pyarrow as pa

        return pa.Table.from_batches(list(result.record_batches()), schema=result.arrow_schema())

    def fetch_df(self) -> pandas.DataFrame:
        """Return the remaining rows as a pandas DataFrame (needs ``sqlgate[pandas]``)."""
        try:
            import pandas  # noqa: F401
        except ImportError as exc:
            raise errors.MissingExtraError(self.connection.source, "pandas", "pandas") from exc
        return self.fetch_arrow_table().to_pandas()

    # -- life cycle ------------------------------------------------------------------------
    def _discard_result(self) -> None:
        if self._result is not None:
            result, self._result = self._result, None
            self._last_rowcount = result.rowcount
            result.close()

    def close(self) -> None:
        """Close the cursor; later use raises InterfaceError. Closing twice is harmless."""
        if not self._closed:
            try:
                self._discard_result()
            finally:
                self._closed = True

    def __enter__(self) -> Cursor:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self.closed else "open"
        return f"<sqlgate.Cursor {state} source={self.connection.source}>"
