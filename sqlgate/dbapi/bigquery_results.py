"""A BigQuery query's rows: REST pages for rows, the Storage Read API or REST pages for Arrow.

The result decides its path at the first fetch, so neither path does the other's work:

* rows first (``fetchone``/``fetchmany``/``fetchall``): the REST ``getQueryResults`` pages,
  ``page_size`` rows each, as google-cloud-bigquery parses them; tuples pass straight through,
  one page in memory at a time.
* Arrow first (``fetch_arrow_table``/``fetch_record_batch``/``fetch_df``): the Storage Read API
  when a read client exists and the result is larger than its first REST page (its record
  batches are handed over untouched); otherwise the REST pages, each page one record batch of
  the documented Arrow types (:mod:`sqlgate.dbapi.bigquery_types`), built by
  google-cloud-bigquery's column-wise converter where it knows every type, else by sqlgate.
  A Storage API session that cannot be created (no ``bigquery.readsessions.create``
  permission, an emulator that cannot read query results) falls back to the REST pages,
  once, logged.

The choice is :class:`~sqlgate.dbapi.warehouse_family.DualResult`'s: rows fetched after an
Arrow start are a view over the batches; batches asked for after rows continue from the REST
pages. Nothing is read beyond what is fetched.
"""

from __future__ import annotations

import itertools
import logging
import re
from collections.abc import Iterator
from typing import Any

import pyarrow as pa

from sqlgate.core.results import Column, rows_to_batch
from sqlgate.core.translate import call_translated
from sqlgate.dbapi.bigquery_types import BIGQUERY_TYPES, arrow_schema, type_string
from sqlgate.dbapi.warehouse_family import DualResult

_log = logging.getLogger("sqlgate.bigquery")


def describe(fields: Any) -> tuple[Column, ...]:
    """PEP 249 descriptions; the type code is the GoogleSQL type text (``NUMERIC(10, 2)``)."""
    out = []
    for f in fields:
        text = type_string(f)
        out.append(Column(f.name, text, None, None, f.precision, f.scale, f.mode != "REQUIRED"))
    return tuple(out)


def table_path(reference: Any) -> str:
    """``projects/p/datasets/d/tables/t``: how the Storage Read API names a table."""
    return (
        f"projects/{reference.project}/datasets/{reference.dataset_id}/tables/{reference.table_id}"
    )


def storage_batches(read_client: Any, table: str, project: str) -> Iterator[pa.RecordBatch]:
    """A table's rows through the Storage Read API: one read session, one stream, its Arrow
    record batches as the server sends them (constant memory: one batch at a time)."""
    from google.cloud.bigquery_storage_v1 import types

    session = read_client.create_read_session(
        parent=f"projects/{project}",
        read_session=types.ReadSession(table=table, data_format=types.DataFormat.ARROW),
        max_stream_count=1,
    )
    if not session.streams:  # an empty table: the session has no stream at all
        return
    for page in read_client.read_rows(session.streams[0].name).rows(session).pages:
        batch = page.to_arrow()
        yield from batch.to_batches() if isinstance(batch, pa.Table) else [batch]


class RestPages:
    """The REST pages of a query's rows, one page in memory at a time (a row source with
    ``fetchmany``/``fetchall``/``close``); rows are google-cloud-bigquery's own values."""

    def __init__(self, rows: Any) -> None:
        self._iterator = rows  # google.cloud.bigquery.table.RowIterator
        self._pages: Iterator[Any] | None = None
        self._buffer: list[tuple[Any, ...]] = []
        self._pos = 0
        self.started = False

    def _next_page(self) -> bool:
        if self._pages is None:
            self.started = True
            self._pages = iter(self._iterator.pages)
        pages = self._pages
        page = next(pages, None)
        if page is None:
            return False
        if self._pos:
            del self._buffer[: self._pos]
            self._pos = 0
        self._buffer.extend(row.values() for row in page)
        return True

    def fetchmany(self, size: int) -> list[tuple[Any, ...]]:
        while len(self._buffer) - self._pos < size and self._next_page():
            pass
        start, self._pos = self._pos, min(self._pos + size, len(self._buffer))
        return self._buffer[start : self._pos]

    def fetchall(self) -> list[tuple[Any, ...]]:
        while self._next_page():
            pass
        rows = self._buffer[self._pos :] if self._pos else self._buffer
        self._buffer, self._pos = [], 0
        return rows

    def batches(self, schema: pa.Schema, max_rows: int) -> Iterator[pa.RecordBatch]:
        """The rest as record batches of ``schema`` (one per ``max_rows`` rows)."""
        while rows := self.fetchmany(max_rows):
            yield rows_to_batch(rows, schema)

    def close(self) -> None:
        self._buffer, self._pos, self._pages = [], 0, iter(())


def arrow_type(column: Column) -> pa.DataType:
    """The Arrow type of a described column (its type code is GoogleSQL type text)."""
    return BIGQUERY_TYPES.to_arrow(str(column.type_code))


class ArrowSource:
    """Opens the Arrow path of one result: the Storage Read API or the REST pages."""

    def __init__(
        self, rows: Any, pages: RestPages, destination: Any, read_client: Any, project: str,
        storage_api: str,
    ) -> None:  # fmt: skip
        self._rows, self._pages = rows, pages
        self._destination, self._read_client = destination, read_client
        self._project, self._storage_api = project, storage_api
        #: which path the batches came from: "storage", "rest" or "" (not asked yet)
        self.path = ""

    def _worth_storage(self) -> bool:
        if self._read_client is None or self._destination is None or self._pages.started:
            return False
        if self._storage_api == "true":
            return True
        total = self._rows.total_rows
        first = getattr(self._rows, "_first_page_response", None) or {}
        return total is None or int(total) > len(first.get("rows") or ())

    def __call__(self) -> pa.RecordBatchReader:
        schema = arrow_schema(self._rows.schema)
        if self._worth_storage():
            batches = storage_batches(
                self._read_client, table_path(self._destination), self._project
            )
            try:
                first = next(batches, None)
            except Exception as exc:  # no read session: REST pages instead (documented)
                _log.info("BigQuery Storage Read API unavailable, reading REST pages: %s", exc)
            else:
                self.path = "storage"
                head = [first] if first is not None else []
                return pa.RecordBatchReader.from_batches(
                    first.schema if first is not None else schema,
                    itertools.chain(head, batches),
                )
        self.path = "rest"
        if not self._pages.started and not _CLIENT_CANNOT.search(" ".join(
            type_string(f) for f in self._rows.schema
        )):  # fmt: skip
            # google-cloud-bigquery's own REST-to-Arrow converter: cells parsed per column,
            # no Row objects (its batches are cast where its types differ from the table's)
            self._pages.started = True
            batches = self._rows.to_arrow_iterable(bqstorage_client=None)
            return pa.RecordBatchReader.from_batches(schema, _as_schema(batches, schema))
        return pa.RecordBatchReader.from_batches(schema, self._pages.batches(schema, 65_536))


#: types google-cloud-bigquery's REST-to-Arrow converter has no Arrow type for
_CLIENT_CANNOT = re.compile(r"\b(INTERVAL|RANGE)\b")


def _as_schema(batches: Iterator[pa.RecordBatch], schema: pa.Schema) -> Iterator[pa.RecordBatch]:
    for batch in batches:
        yield batch if batch.schema.equals(schema) else batch.cast(schema)


def query_result(
    rows: Any, *, destination: Any, read_client: Any, project: str, storage_api: str
) -> DualResult:
    """The result of one query job (see the module docstring for the two paths)."""
    pages = RestPages(rows)
    source = ArrowSource(rows, pages, destination, read_client, project, storage_api)
    total = int(rows.total_rows) if rows.total_rows is not None else -1
    result = DualResult(pages, source, describe(rows.schema), arrow_type, call_translated, total)
    result.arrow_source = source  # type: ignore[attr-defined]
    return result
