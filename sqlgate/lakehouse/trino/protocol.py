"""Trino's HTTP statement protocol on :class:`sqlgate.core.http.HttpClient`, results as Arrow.

A statement is a POST to ``/v1/statement``; its result arrives page by page by following
``nextUri`` (each page a JSON list of rows, typed by the ``columns`` Trino sends first); a
DELETE of the current ``nextUri`` cancels it. No client library: the protocol is plain HTTP
and JSON, so nothing but urllib3 (already a dependency) runs in sqlgate's process.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import json
import re
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pyarrow as pa

from sqlgate.core import errors
from sqlgate.core.http import HttpClient
from sqlgate.lakehouse.failures import plain

#: Trino error names that are about values: ``DataError``
DATA_ERRORS = frozenset(
    {
        "DIVISION_BY_ZERO",
        "INVALID_CAST_ARGUMENT",
        "NUMERIC_VALUE_OUT_OF_RANGE",
        "INVALID_FUNCTION_ARGUMENT",
        "INVALID_LITERAL",
    }
)
_SIMPLE: dict[str, tuple[pa.DataType, Callable[[Any], Any] | None]] = {
    "boolean": (pa.bool_(), None),
    "tinyint": (pa.int8(), None),
    "smallint": (pa.int16(), None),
    "integer": (pa.int32(), None),
    "bigint": (pa.int64(), None),
    "real": (pa.float32(), float),  # NaN and the infinities arrive as strings
    "double": (pa.float64(), float),
    "date": (pa.date32(), dt.date.fromisoformat),
    "varbinary": (pa.binary(), base64.b64decode),
}
_FRACTION = re.compile(r"(\.\d{6})\d+")


class Column:
    """One result column: its Arrow type and how a JSON value becomes an Arrow-ready one."""

    def __init__(self, name: str, trino_type: str) -> None:
        self.name = name
        self.type, self.convert = _arrow(trino_type.lower())

    def values(self, raw: list[Any]) -> pa.Array:
        convert = self.convert
        if convert is None:
            return pa.array(raw, self.type)
        return pa.array([None if v is None else convert(v) for v in raw], self.type)


def _arrow(t: str) -> tuple[pa.DataType, Callable[[Any], Any] | None]:
    """The Arrow type of a Trino type signature and the converter of its JSON values."""
    if t in _SIMPLE:
        return _SIMPLE[t]
    if t == "unknown":  # the type of a bare NULL
        return pa.null(), None
    if t.startswith(("varchar", "char")) or t in ("uuid", "ipaddress"):
        return pa.string(), None
    if t.startswith("decimal("):
        precision, scale = (int(x) for x in t[8:-1].split(","))
        return pa.decimal128(precision, scale), Decimal
    # "timestamp", "timestamp(3)", "timestamp(6) with time zone": the precision is optional
    if t.startswith("timestamp") and t.endswith("with time zone"):
        return pa.timestamp("us", "UTC"), _timestamp_tz
    if t.startswith("timestamp"):
        return pa.timestamp("us"), _timestamp
    if t.startswith("time") and not t.endswith("with time zone"):
        return pa.time64("us"), lambda v: dt.time.fromisoformat(_FRACTION.sub(r"\1", v))
    if t.startswith("array("):
        inner, convert = _arrow(t[6:-1])
        if convert is None:
            return pa.list_(inner), None
        return pa.list_(inner), lambda v: [None if x is None else convert(x) for x in v]
    # json, map, row and the rest: their JSON text (a value sqlgate does not reinterpret)
    return pa.string(), lambda v: v if isinstance(v, str) else json.dumps(v)


def _timestamp(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(_FRACTION.sub(r"\1", value))


def _timestamp_tz(value: str) -> dt.datetime:
    text, _, zone = value.rpartition(" ")
    if zone.startswith(("+", "-")):
        return dt.datetime.fromisoformat(_FRACTION.sub(r"\1", text) + zone)
    return _timestamp(text).replace(tzinfo=ZoneInfo(zone))


class TrinoError(Exception):
    """Trino's error again, its message redacted: the cause a PEP 249 error chains."""


def pep249_error(error: dict[str, Any]) -> errors.Error:
    """A Trino ``error`` object as sqlgate's PEP 249 class with Trino's message."""
    name = str(error.get("errorName") or "")
    message = plain(str(error.get("message") or name or "unknown error"))
    if name in ("USER_CANCELED", "ADMINISTRATIVELY_KILLED"):
        return errors.OperationalError("the statement was cancelled (Trino query killed)")
    if name == "EXCEEDED_TIME_LIMIT":
        return errors.OperationalError(f"the statement ran past statement_timeout ({message})")
    if name in DATA_ERRORS:
        return errors.DataError(f"Trino: {message}")
    if error.get("errorType") == "USER_ERROR":
        return errors.ProgrammingError(f"Trino: {message}")
    return errors.OperationalError(f"Trino: {message}")


class Statement:
    """One running Trino query: its columns, then its rows as Arrow batches."""

    def __init__(self, client: HttpClient, page: dict[str, Any], rows_per_batch: int) -> None:
        self.client = client
        self.rows_per_batch = rows_per_batch
        self.next_uri: str | None = None
        self.query_id = str(page.get("id") or "")
        self._page = page
        self._pending: list[list[Any]] = []
        self.columns: list[Column] = []
        self.cancelled = False

    @property
    def schema(self) -> pa.Schema:
        return pa.schema([pa.field(c.name, c.type) for c in self.columns])

    def _take(self, page: dict[str, Any]) -> None:
        if self.cancelled:
            self.next_uri = None
            raise errors.OperationalError("the statement was cancelled (Trino query killed)")
        if "error" in page:
            self.next_uri = None
            raise pep249_error(page["error"]) from TrinoError(plain(json.dumps(page["error"])))
        if page.get("columns") and not self.columns:
            self.columns = [Column(c["name"], c["type"]) for c in page["columns"]]
        self._pending.extend(page.get("data") or [])
        self.next_uri = page.get("nextUri")

    def wait(self) -> None:
        """Follow ``nextUri`` until the columns and the first rows have arrived (or the end):
        an error of the query's execution is raised by ``execute``, as the embedded engine's."""
        self._take(self._page)
        while (not self.columns or not self._pending) and self.next_uri is not None:
            self._take(self.client.get(self.next_uri).json())

    def batches(self) -> Iterator[pa.RecordBatch]:
        """The rows as they arrive; closed early, the query is cancelled on the server."""
        try:
            while True:
                while len(self._pending) >= self.rows_per_batch or (
                    self._pending and self.next_uri is None
                ):
                    rows = self._pending[: self.rows_per_batch]
                    del self._pending[: self.rows_per_batch]
                    yield self._batch(rows)
                if self.next_uri is None:
                    return
                self._take(self.client.get(self.next_uri).json())
        finally:
            self.cancel()

    def _batch(self, rows: list[list[Any]]) -> pa.RecordBatch:
        arrays = [c.values([row[i] for row in rows]) for i, c in enumerate(self.columns)]
        return pa.RecordBatch.from_arrays(arrays, schema=self.schema)

    def cancel(self) -> None:
        """Ask Trino to stop this query (a no-op once it has finished)."""
        uri, self.next_uri = self.next_uri, None
        self.cancelled = uri is not None or self.cancelled
        if uri is not None:
            # a server that is gone runs nothing of ours either
            with contextlib.suppress(errors.Error):
                self.client.request("DELETE", uri, expect=(200, 204, 404, 410))


def submit(client: HttpClient, sql: str, headers: dict[str, str], rows_per_batch: int) -> Statement:
    """Send ``sql``; the caller can cancel the statement from here on, then ``wait()``."""
    page = client.post("v1/statement", body=sql.encode(), headers=headers).json()
    return Statement(client, page, rows_per_batch)


def run_all(client: HttpClient, sql: str, headers: dict[str, str]) -> list[list[Any]]:
    """Every row of a small statement (registration, the list of built-ins) as JSON values."""
    statement = submit(client, sql, headers, 1 << 30)
    statement.wait()
    rows = list(statement._pending)
    while statement.next_uri is not None:
        statement._pending.clear()
        statement._take(client.get(statement.next_uri).json())
        rows.extend(statement._pending)
    return rows
