"""Databricks SQL sessions on the Statement Execution REST API.

A session is one warehouse (``http_path=/sql/1.0/warehouses/<id>``) with a default catalog and
schema. Each ``execute`` submits one statement (:mod:`sqlgate.dbapi.databricks_client`), waits
for it, and returns an :class:`~sqlgate.core.results.ArrowResult` whose record batches are
produced chunk by chunk as the caller reads: ``EXTERNAL_LINKS`` + ``ARROW_STREAM`` by default
(any size, one chunk in memory), ``INLINE`` + ``JSON_ARRAY`` for sqlgate's own small
statements (ping, reflection) or with ``?disposition=inline``. Parameters are named
(``:name``) and typed; they travel beside the statement, never spliced into it.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from sqlgate.core import errors
from sqlgate.core.flavor import Flavor
from sqlgate.core.http import HttpClient
from sqlgate.core.params import ConnectParams, parse_int, parse_seconds
from sqlgate.core.results import ArrowResult, EmptyResult, Result
from sqlgate.core.session import Parameters
from sqlgate.core.translate import call_translated
from sqlgate.dbapi import databricks_types as types
from sqlgate.dbapi.databricks_client import (
    Statement,
    StatementCancelled,
    StatementClient,
)
from sqlgate.dbapi.rest_family import RestSession, base_url, credential_handle, refuse_unknown

_WAREHOUSE_PATH = re.compile(r"/?sql/1\.0/(?:warehouses|endpoints)/(\w+)/?")
_DISPOSITIONS = {"external_links": "EXTERNAL_LINKS", "inline": "INLINE"}
#: options this flavor reads; anything else is refused by name
OPTIONS = frozenset(
    {
        "http_path", "catalog", "schema", "protocol", "disposition", "wait_timeout",
        "statement_timeout", "connect_timeout", "read_timeout", "retries", "check_warehouse",
    }
)  # fmt: skip


def warehouse_id(http_path: str | None) -> str:
    """The warehouse id in an ``http_path`` (``/sql/1.0/warehouses/<id>``)."""
    match = _WAREHOUSE_PATH.fullmatch(http_path or "")
    if match is None:
        raise errors.InterfaceError(
            "Databricks needs the SQL warehouse's HTTP path: add "
            "?http_path=/sql/1.0/warehouses/<id> (the warehouse's Connection details), or give "
            "it as the URL's path"
        )
    return match.group(1)


@dataclass(frozen=True)
class DatabricksFlavor(Flavor):
    """Databricks SQL warehouses; no server-side read-only session exists (gate only)."""

    client_side_binding: bool = False

    def open_session(self, params: ConnectParams) -> DatabricksSession:
        options = dict(params.options)
        refuse_unknown("Databricks", options, OPTIONS)
        path = options.get("http_path") or params.database
        warehouse = warehouse_id(str(path) if path else None)
        if not params.host:
            raise errors.InterfaceError("Databricks needs the workspace host name in the URL")
        base = base_url(params, options.get("protocol"))
        wait = parse_int("wait_timeout", options.get("wait_timeout", 5), maximum=50)
        if wait and wait < 5:
            raise errors.InterfaceError("option wait_timeout must be 0 or 5 to 50 seconds")
        connect_timeout = parse_seconds("connect_timeout", options.get("connect_timeout")) or 10.0
        read_timeout = parse_seconds("read_timeout", options.get("read_timeout")) or 60.0
        retries = parse_int("retries", options.get("retries", 3), maximum=10)
        auth = _bearer(params)
        api = HttpClient(
            base,
            auth=auth,
            connect_timeout=connect_timeout,
            read_timeout=max(read_timeout, wait + 10.0),  # the POST waits wait_timeout first
            retries=retries,
            headers={"User-Agent": "sqlgate"},
        )
        links = HttpClient(
            base, connect_timeout=connect_timeout, read_timeout=read_timeout, retries=retries
        )
        client = StatementClient(api, links, warehouse, wait_timeout=wait)
        disposition = str(options.get("disposition") or "external_links").lower()
        if disposition not in _DISPOSITIONS:
            raise errors.InterfaceError("option disposition: use external_links or inline")
        session = DatabricksSession(
            client,
            catalog=options.get("catalog") or None,
            schema=options.get("schema") or None,
            disposition=_DISPOSITIONS[disposition],
            statement_timeout=parse_seconds("statement_timeout", options.get("statement_timeout")),
            read_only=params.read_only,
        )
        try:
            if _truthy(options.get("check_warehouse", True)):
                session.describe_warehouse()
        except BaseException:
            session.close()
            raise
        return session


def _truthy(value: Any) -> bool:
    from sqlgate.core.params import parse_bool

    return parse_bool("check_warehouse", value)


def _bearer(params: ConnectParams) -> Any:
    """The per-request token: the credential provider's, or the URL's password (a PAT)."""
    from sqlgate.core.http import BearerAuth

    handle = credential_handle(params)
    if handle is None:
        raise errors.InterfaceError(
            "Databricks needs a token: databricks+sqlgate://token:<PAT>@host/... or better "
            "credential=env:DATABRICKS_TOKEN, or OAuth credential=databricks-oauth:<client id>"
        )
    return BearerAuth(handle)


class DatabricksSession(RestSession):
    """One warehouse through the Statement Execution API; no transactions."""

    client: StatementClient

    def __init__(
        self,
        client: StatementClient,
        *,
        catalog: str | None,
        schema: str | None,
        disposition: str,
        statement_timeout: float | None,
        read_only: bool,
    ) -> None:
        super().__init__(client)
        self.catalog, self.schema = catalog, schema
        self.disposition = disposition
        self.statement_timeout = statement_timeout
        self.read_only = read_only
        self.banner = f"Databricks SQL warehouse {client.warehouse_id}"
        self.server_version = (2, 0)  # the Statement Execution API's version

    def describe_warehouse(self) -> None:
        """Reach the workspace with the token at connect time (bounded by the timeouts)."""
        info = self.client.warehouse()
        name, state = info.get("name") or self.client.warehouse_id, info.get("state") or "?"
        version = ((info.get("channel") or {}).get("dbsql_version")) or ""
        numbers = tuple(int(n) for n in re.findall(r"\d+", str(version))[:3])
        self.server_version = numbers or self.server_version
        self.banner = f"Databricks SQL warehouse {name} ({state})" + (
            f", DBSQL {version}" if version else ""
        )

    def prepare(self, operation: str) -> str:
        """``FOR TIMESTAMP/VERSION AS OF`` (sqlgate's spelling) become Databricks' own; reads
        of files by path are refused while read-only (databricks_timetravel.py)."""
        from sqlgate.dbapi.databricks_timetravel import databricks_sql, refuse_path_reads

        operation = databricks_sql(operation)
        if self.read_only:
            refuse_path_reads(operation)
        return operation

    def execute(self, operation: str, parameters: Parameters = None) -> Result:
        return self.run(operation, parameters, self.disposition)

    def run(self, operation: str, parameters: Parameters, disposition: str) -> Result:
        """Submit, wait, and return the result streaming chunk by chunk."""
        bound = _parameters(parameters)
        deadline = (
            None if self.statement_timeout is None else time.monotonic() + self.statement_timeout
        )
        with self._lock:
            self._stop.clear()
            self._running = None
        statement = self.client.submit(
            operation,
            bound,
            catalog=self.catalog,
            schema=self.schema,
            disposition=disposition,
            idempotent=self.read_only,
        )
        self._last_id = statement.statement_id
        with self._lock:
            self._running = statement.statement_id
        try:
            statement = self.client.wait(statement, deadline, self._stop)
        finally:
            with self._lock:
                self._running = None
        if statement.state != "SUCCEEDED":
            how = "was cancelled" if self._stop.is_set() else f"ended {statement.state}"
            raise StatementCancelled(f"statement {statement.statement_id} {how} on the server")
        columns = (statement.manifest.get("schema") or {}).get("columns") or []
        if not columns:
            return EmptyResult(_affected(statement))
        schema = types.manifest_schema(columns)
        reader = pa.RecordBatchReader.from_batches(schema, self._batches(statement, schema))
        result = ArrowResult(reader, types.describe(columns, schema), call_translated)
        total = statement.manifest.get("total_row_count")
        result.rowcount = int(total) if isinstance(total, int) else -1  # known before any fetch
        return result

    def _batches(self, statement: Statement, schema: pa.Schema) -> Iterator[pa.RecordBatch]:
        """Record batches chunk by chunk, read as the caller asks; the next chunk is fetched
        meanwhile (:meth:`StatementClient.fetched`: one chunk ahead, never more)."""
        for chunk, payloads in self.client.fetched(statement):
            rows = chunk.get("data_array")
            if rows is not None:
                if rows:
                    yield types.rows_to_batch(rows, schema)
                continue
            links = chunk.get("external_links") or []
            for link, data in zip(links, payloads, strict=True):
                yield from self._link_batches(statement.statement_id, link, data, schema)

    def _link_batches(
        self, statement_id: str, link: dict[str, Any], data: bytes, schema: pa.Schema
    ) -> Iterator[pa.RecordBatch]:
        """One link's batches, views of its bytes (no copy); a stream cut short without a
        ``byte_count`` to tell is downloaded once more."""
        try:
            batches = _read_stream(data)
        except pa.ArrowInvalid:
            data = self.client.download(statement_id, link, refresh=True)
            try:
                batches = _read_stream(data)
            except pa.ArrowInvalid as exc:
                raise errors.OperationalError(
                    f"chunk {link.get('chunk_index')} of statement {statement_id} is not a "
                    f"complete Arrow stream, also on the second try ({exc})"
                ) from exc
        del data
        for batch in batches:
            yield types.conform(batch, schema)

    def ping(self) -> None:
        self.run("SELECT 1", None, "INLINE").close()

    def guard_warnings(self) -> list[str]:
        """Databricks has no read-only session: the principal's grants are the server's
        only defence behind the gate (``sqlgate check`` prints this)."""
        return [
            "Databricks has no read-only session; give this principal only USE CATALOG, "
            "USE SCHEMA and SELECT grants (and CAN USE on the warehouse)"
        ]


def _read_stream(data: bytes) -> list[pa.RecordBatch]:
    """Every batch of one IPC stream chunk (a chunk is bounded: constant memory)."""
    return list(pa.ipc.open_stream(pa.BufferReader(data)))


def _affected(statement: Statement) -> int:
    """A statement without result columns: rowcount unknown (-1)."""
    return -1


def _parameters(parameters: Parameters) -> list[dict[str, Any]] | None:
    if parameters is None:
        return None
    if isinstance(parameters, Mapping):
        return [types.parameter(str(name), value) for name, value in parameters.items()] or None
    if len(parameters) == 0:
        return None
    raise errors.ProgrammingError(
        "Databricks uses named parameters: write :name in the statement and pass a mapping "
        "({'name': value}); positional parameters are not supported by the statement API"
    )
