"""One statement's result as the gateway streams it: fields, Arrow batches, row encoding.

Blocking work (the source's driver, DuckDB, encoding) runs on the connection's own worker
thread; only finished DataRow bytes reach the event loop, one batch at a time, so memory stays
bounded by one batch however many rows the statement returns.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from sqlgate.core import errors
from sqlgate.gateway import protocol, statements
from sqlgate.gateway import types as pgtypes
from sqlgate.gateway.datarow import encode_batch, format_of


@dataclass
class Running:
    """A statement that ran: either rows to stream or just a command tag."""

    sql: str
    schema: pa.Schema | None = None
    batches: Iterator[pa.RecordBatch] | None = None
    tag: str = ""
    rowcount: int = -1
    sent: int = 0
    pending: pa.RecordBatch | None = None
    done: bool = False
    started: float = 0.0
    #: a COMMIT that ends a failed transaction (tagged ROLLBACK)
    failed_transaction: bool = False
    #: called once when the result is done or closed (the per-user slot, the timer)
    on_release: Callable[[], None] | None = None
    closers: list[object] = field(default_factory=list)

    @property
    def has_rows(self) -> bool:
        return self.schema is not None

    def oids(self) -> list[int]:
        assert self.schema is not None
        return [pgtypes.oid_of(f.type) for f in self.schema]

    def row_description(self, formats: Sequence[int]) -> bytes:
        assert self.schema is not None
        fields = []
        for index, (f, oid) in enumerate(zip(self.schema, self.oids(), strict=True)):
            size, typmod = pgtypes.type_size(oid), pgtypes.typmod_of(f.type)
            fields.append((f.name, oid, size, typmod, format_of(formats, index)))
        return protocol.row_description(fields)

    def next_rows(self, limit: int, formats: Sequence[int]) -> tuple[bytes, int]:
        """Encode up to ``limit`` rows (0: one source batch); ``b""`` when the result is done."""
        return self.next_with(lambda batch: encode_batch(batch, self.oids(), formats), limit)

    def next_with(
        self, encode: Callable[[pa.RecordBatch], bytes], limit: int = 0
    ) -> tuple[bytes, int]:
        """The next batch (at most ``limit`` rows) through ``encode`` (DataRow, CopyData)."""
        batch = self.pending
        self.pending = None
        while batch is None or batch.num_rows == 0:  # an empty batch does not end the result
            try:
                batch = next(self.batches) if self.batches is not None else None
            except StopIteration:
                batch = None
            if batch is None:
                break
        if batch is None:
            self.done = True
            self.release()
            return b"", 0
        if limit and batch.num_rows > limit:
            self.pending = batch.slice(limit)
            batch = batch.slice(0, limit)
        data = encode(batch)
        self.sent += batch.num_rows
        return data, batch.num_rows

    def command_tag(self) -> str:
        """The CommandComplete tag of this statement."""
        if self.tag == "COMMIT" and self.failed_transaction:
            return "ROLLBACK"  # as PostgreSQL answers COMMIT of a failed transaction
        if self.tag and (not self.has_rows or self.tag != "SELECT"):
            return self.tag
        return statements.command_tag(self.sql, self.sent or self.rowcount, self.has_rows)

    def release(self) -> None:
        """Give back the statement's slot and stop its timer (once)."""
        callback, self.on_release = self.on_release, None
        if callback is not None:
            callback()

    def close(self) -> None:
        self.release()
        for closer in self.closers:
            with contextlib.suppress(Exception):  # closing a finished result must not fail
                closer.close()  # type: ignore[attr-defined]
        self.closers.clear()
        self.batches = None
        self.pending = None


def check_formats(oids: Sequence[int], formats: Sequence[int]) -> None:
    if len(formats) > 1 and len(formats) != len(oids):
        raise errors.ProgrammingError(
            f"bind message has {len(formats)} result formats but the query has {len(oids)} columns"
        )
    for index, oid in enumerate(oids):
        if format_of(formats, index) == 1 and not pgtypes.binary_supported(oid):
            name = pgtypes.TYPES.get(oid, ("text", -1))[0]
            raise errors.NotSupportedError(
                f"binary result format is not supported for type {name}; ask for text"
            )


def local_result(sql: str, column: str, value: str | None, tag: str) -> Running:
    """A one-row, one-column text result the gateway makes itself (``SHOW x``)."""
    table = pa.table({column: pa.array([value], pa.string())})
    return Running(sql, table.schema, iter(table.to_batches()), tag=tag)


@dataclass
class Prepared:
    sql: str
    param_oids: list[int]


@dataclass
class Portal:
    statement: Prepared
    params: list[Any]
    formats: list[int]
    running: Running | None = None


@dataclass
class Limits:
    """Shared counters: concurrent statements per user, and the statement timeout."""

    max_queries_per_user: int
    statement_timeout: float
    batch_rows: int
    active: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def acquire(self, user: str) -> None:
        with self.lock:
            active = self.active.get(user, 0)
            if active >= self.max_queries_per_user:
                raise QueryLimitError(
                    f"user {user} already runs {active} statements "
                    f"(max_queries_per_user = {self.max_queries_per_user})"
                )
            self.active[user] = active + 1

    def release(self, user: str) -> None:
        with self.lock:
            self.active[user] = max(self.active.get(user, 1) - 1, 0)


class QueryLimitError(errors.OperationalError):
    """A user already runs as many statements as the gateway allows."""

    sqlstate = "53400"  # configuration_limit_exceeded
