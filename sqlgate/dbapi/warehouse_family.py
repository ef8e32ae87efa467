"""What the warehouse sources share: vendor clients with a row path *and* an Arrow path.

Warehouse clients (snowflake-connector-python, google-cloud-bigquery, databricks-sql) can hand a
result over either as Python rows (built by the vendor's own converters, with the values users
of that client expect) or as Arrow record batches (decoded from the wire without a Python
object per value). Which one the caller wants is known only at the first fetch, so
:class:`DualResult` waits for it: ``fetchone``/``fetchmany``/``fetchall`` take the client's rows,
``fetch_arrow_table``/``fetch_record_batch``/``fetch_df`` take its Arrow batches, and Arrow is
never rebuilt from Python rows unless the caller switches after fetching rows.

Their calls block in a vendor client that has no way to interrupt them, and an emulator may
hold a request until the statement is done and ignore a cancel: :class:`Interruptible` runs
them on a worker thread so that ``Cursor.cancel()`` ends the caller's wait at once.
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import pyarrow as pa

from sqlgate.core import errors
from sqlgate.core.results import DEFAULT_BATCH_ROWS, ArrowResult, Column, Result, RowResult


class DualResult(Result):
    """One result readable through the client's row path or its Arrow path.

    ``rows`` has ``fetchmany``/``fetchall``/``close`` (the client's cursor); ``arrow`` returns
    a ``RecordBatchReader`` over the client's own batches. The first fetch picks the path;
    a caller who fetches rows and then asks for Arrow gets the *remaining* rows as Arrow built
    from ``arrow_type`` (what :class:`RowResult` does), and one who starts with Arrow and then
    fetches rows gets rows read from the batches (what :class:`ArrowResult` does).
    """

    def __init__(
        self,
        rows: Any,
        arrow: Callable[[], pa.RecordBatchReader],
        description: tuple[Column, ...],
        arrow_type: Callable[[Column], pa.DataType | None],
        translate: Callable[[Callable[[], Any]], Any],
        rowcount: int = -1,
    ) -> None:
        self._rows = rows
        self._arrow = arrow
        self.description = description
        self._arrow_type = arrow_type
        self._translate = translate
        self._rowcount = rowcount
        self._path: Result | None = None

    @property
    def rowcount(self) -> int:
        return self._rowcount

    @rowcount.setter
    def rowcount(self, value: int) -> None:
        self._rowcount = value

    @property
    def path(self) -> str:
        """Which path the result took: ``"rows"``, ``"arrow"`` or ``""`` (none yet)."""
        if self._path is None:
            return ""
        return "arrow" if isinstance(self._path, ArrowResult) else "rows"

    def _row_path(self) -> Result:
        if self._path is None:
            self._path = RowResult(
                self._rows, self.description, self._arrow_type, self._translate, self._rowcount
            )
        return self._path

    def _arrow_path(self) -> Result:
        if self._path is None:
            reader = self._translate(self._arrow)
            self._path = ArrowResult(reader, self.description or (), self._translate)
        return self._path

    def fetchone(self) -> tuple[Any, ...] | None:
        return self._row_path().fetchone()

    def fetchmany(self, size: int) -> list[tuple[Any, ...]]:
        return self._row_path().fetchmany(size)

    def fetchall(self) -> list[tuple[Any, ...]]:
        return self._row_path().fetchall()

    def arrow_schema(self) -> pa.Schema:
        return self._arrow_path().arrow_schema()

    def record_batches(self, max_rows: int = DEFAULT_BATCH_ROWS) -> Iterator[pa.RecordBatch]:
        return self._arrow_path().record_batches(max_rows)

    def close(self) -> None:
        path, self._path = self._path, None
        if path is not None and not isinstance(path, RowResult):
            path.close()
        self._translate(self._rows.close)


def reader_of_tables(
    schema: pa.Schema, tables: Iterator[pa.Table], first: pa.Table | None = None
) -> pa.RecordBatchReader:
    """A ``RecordBatchReader`` over a client's stream of Arrow tables (one per chunk).

    Chunks are read one at a time as the caller consumes the reader (constant memory); each
    is cast to ``schema`` when the client typed a chunk differently (a timestamp column the
    client narrowed in one chunk), so every batch has the reader's schema.
    """

    def batches() -> Iterator[pa.RecordBatch]:
        pending = [] if first is None else [first]
        for table in _chain(pending, tables):
            if not table.schema.equals(schema):
                table = table.cast(schema)
            yield from table.to_batches()

    return pa.RecordBatchReader.from_batches(schema, batches())


def _chain(head: list[pa.Table], rest: Iterator[pa.Table]) -> Iterator[pa.Table]:
    yield from head
    yield from rest


_T = TypeVar("_T")


class WaitCancelled(errors.OperationalError):
    """``Cursor.cancel()`` ended the wait for a statement (the server was asked to stop it)."""


class Interruptible:
    """A session's blocking client calls, each run on the session's worker thread and waited
    for until it returns or :meth:`wake` comes (``Cursor.cancel()`` from another thread).

    A woken wait raises the caller's error at once; the abandoned worker finishes its request
    alone (bounded by the client's own timeouts) while a fresh worker serves the session.
    """

    def __init__(self, name: str) -> None:
        self._name = name
        self._lock = threading.Lock()
        self._worker: ThreadPoolExecutor | None = None
        self._wake: threading.Event | None = None

    @property
    def waiting(self) -> bool:
        """Whether a call is being waited for now."""
        return self._wake is not None

    def run(self, call: Callable[[], _T], cancelled: str) -> _T:
        """``call``'s result or exception; :class:`WaitCancelled` (``cancelled``, the message)
        when woken first."""
        wake = threading.Event()
        with self._lock:
            if self._worker is None:
                self._worker = ThreadPoolExecutor(1, thread_name_prefix=self._name)
            worker, self._wake = self._worker, wake
        future = worker.submit(contextvars.copy_context().run, call)
        future.add_done_callback(lambda _: wake.set())
        wake.wait()
        with self._lock:
            self._wake = None
            if not future.done() and self._worker is worker:
                self._worker = None
        if future.done():
            return future.result()
        worker.shutdown(wait=False)
        raise WaitCancelled(cancelled)

    def wake(self) -> None:
        """End the current wait (if any) with :class:`WaitCancelled`."""
        with self._lock:
            wake = self._wake
        if wake is not None:
            wake.set()

    def close(self) -> None:
        with self._lock:
            worker, self._worker = self._worker, None
        if worker is not None:
            worker.shutdown(wait=False)
