"""Apache Druid sessions on the SQL HTTP API (:mod:`sqlgate.dbapi.druid_client`).

``druid+sqlgate://user@host:8888/druid/v2/sql?credential=env:DRUID_PASSWORD``: a session is
one Router or Broker. Each ``execute`` sends one query with ``qmark`` parameters bound as
typed Druid parameters, its own ``sqlQueryId`` (so ``Cursor.cancel()`` can stop it at once)
and the session's context (``sqlTimeZone``, ``timeout``). Rows stream into Arrow batches typed
from the SQL types header; the first batch is read inside ``execute`` (a small result is then
complete, with its ``rowcount``). Druid has no read-only session: its SQL endpoint runs no
ingestion (that is the separate task endpoint), and sqlgate's gate refuses ``INSERT``/
``REPLACE`` and ``EXTERN`` before anything is sent.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from sqlgate.core import errors
from sqlgate.core.flavor import Flavor
from sqlgate.core.http import Auth, HttpClient
from sqlgate.core.params import ConnectParams, parse_bool, parse_int, parse_seconds
from sqlgate.core.results import ArrowResult, Result
from sqlgate.core.session import Parameters
from sqlgate.core.translate import call_translated
from sqlgate.dbapi import druid_types as types
from sqlgate.dbapi.druid_client import DruidClient, QueryCancelled, QueryStream
from sqlgate.dbapi.rest_family import RestSession, base_url, credential_handle, refuse_unknown

BATCH_ROWS = 10_000
#: rows decoded per ``json.loads`` call: few enough that their row lists are gone before the
#: garbage collector's youngest generation fills (700 new objects), see ``_columns``
DECODE_ROWS = 250
#: options this flavor reads; anything else is refused by name (no free-form context keys:
#: a context parameter could change what a query may do)
OPTIONS = frozenset(
    {
        "protocol", "scheme", "auth", "time_zone", "statement_timeout", "connect_timeout",
        "read_timeout", "retries", "multi_value", "check_connection", "ssl_verify_cert",
    }
)  # fmt: skip


def _auth(params: ConnectParams, mode: str) -> Auth | None:
    """Basic auth (Druid's basic security) or a bearer token, from the credential provider or
    the URL's password; none when neither is given (an open cluster)."""
    from sqlgate.core.http import BasicAuth, BearerAuth

    handle = credential_handle(params)
    if handle is None:
        if mode == "bearer":
            raise errors.InterfaceError(
                "auth=bearer needs a token: credential=env:DRUID_TOKEN (or the URL password)"
            )
        return None
    if mode == "bearer":
        return BearerAuth(handle)
    if mode != "basic":
        raise errors.InterfaceError(f"option auth={mode!r}: use basic or bearer")
    return BasicAuth(handle, params.user)


def _tls(value: Any) -> dict[str, Any]:
    """``ssl_verify_cert`` (pydruid's name, which Superset's Druid spec sets): a CA bundle
    path, or a boolean (false: no verification, for a test cluster only)."""
    if value is None or value is True or str(value).lower() in ("true", "1", "yes", "on"):
        return {}
    if value is False or str(value).lower() in ("false", "0", "no", "off"):
        return {"verify": False}
    import os

    if not os.path.isfile(str(value)):
        raise errors.InterfaceError(
            "option ssl_verify_cert: give true, false or the path of a CA certificate file"
        )
    return {"ca_certs": str(value)}


def _time_zone(name: Any) -> str:
    """An IANA zone name both Druid (``sqlTimeZone``) and Arrow accept."""
    import zoneinfo

    text = str(name or "UTC")
    try:
        zoneinfo.ZoneInfo(text)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise errors.InterfaceError(
            f"option time_zone={text!r} is not an IANA time zone (UTC, Europe/Paris ...)"
        ) from None
    return text


@dataclass(frozen=True)
class DruidFlavor(Flavor):
    """Apache Druid through its SQL HTTP API; the gate is the read-only layer."""

    def open_session(self, params: ConnectParams) -> DruidSession:
        options = dict(params.options)
        refuse_unknown("Druid", options, OPTIONS)
        if not params.host:
            raise errors.InterfaceError("Druid needs the Router or Broker host name in the URL")
        timeout = parse_seconds("statement_timeout", options.get("statement_timeout"))
        connect_timeout = parse_seconds("connect_timeout", options.get("connect_timeout")) or 10.0
        read_timeout = parse_seconds("read_timeout", options.get("read_timeout")) or 60.0
        http = HttpClient(
            base_url(params, options.get("protocol") or options.get("scheme")),
            auth=_auth(params, str(options.get("auth") or "basic").lower()),
            connect_timeout=connect_timeout,
            # Druid answers only once the query has produced its first rows
            read_timeout=max(read_timeout, (timeout or 0.0) + 10.0),
            retries=parse_int("retries", options.get("retries", 3), maximum=10),
            headers={"User-Agent": "sqlgate"},
            **_tls(options.get("ssl_verify_cert")),
        )
        path = str(params.database or "druid/v2/sql").strip("/")
        if path != "druid/v2/sql":
            raise errors.InterfaceError(
                f"Druid's SQL API lives at /druid/v2/sql, not /{path}: "
                "druid+sqlgate://host:8888/druid/v2/sql"
            )
        multi = {n.strip() for n in str(options.get("multi_value") or "").split(",") if n.strip()}
        session = DruidSession(
            DruidClient(http, path),
            time_zone=_time_zone(options.get("time_zone")),
            statement_timeout=timeout,
            multi_value=frozenset(multi),
            read_only=params.read_only,
        )
        try:
            if parse_bool("check_connection", options.get("check_connection", True)):
                session.read_status()
        except BaseException:
            session.close()
            raise
        return session


class DruidSession(RestSession):
    """One Druid Router or Broker; no transactions, no session state beyond the context."""

    client: DruidClient

    def __init__(
        self,
        client: DruidClient,
        *,
        time_zone: str,
        statement_timeout: float | None,
        multi_value: frozenset[str],
        read_only: bool,
    ) -> None:
        super().__init__(client)
        self.time_zone = time_zone
        self.statement_timeout = statement_timeout
        self.multi_value = multi_value
        self.read_only = read_only
        self.banner = "Apache Druid"

    def read_status(self) -> None:
        """``GET /status`` at connect time: endpoint, credential and version, bounded in time."""
        info = self.client.status()
        version = str(info.get("version") or "")
        numbers = tuple(int(n) for n in version.split("-")[0].split(".")[:3] if n.isdigit())
        self.server_version = numbers
        self.product_version = numbers
        self.banner = f"Apache Druid {version}".strip()

    def context(self, query_id: str) -> dict[str, Any]:
        # sqlStringifyArrays=false: Druid sends ARRAY values as JSON arrays, not as the JSON
        # text of one (its default, seen on a real Druid 33); multi-value dimensions stay text
        context: dict[str, Any] = {
            "sqlQueryId": query_id,
            "sqlTimeZone": self.time_zone,
            "sqlStringifyArrays": False,
        }
        if self.statement_timeout is not None:
            context["timeout"] = int(self.statement_timeout * 1000)
        return context

    def execute(self, operation: str, parameters: Parameters = None) -> Result:
        bound = _parameters(parameters, self.time_zone)
        query_id = f"sqlgate-{uuid.uuid4()}"
        self._last_id = query_id
        with self._lock:
            self._stop.clear()
            self._running = query_id
        try:
            # never resent on a status: Druid's 504/429 are answers (a timeout, a full
            # cluster), and resending a long query would run it again; connection failures
            # (nothing reached Druid) are still retried by the HTTP layer
            stream = self.client.query(operation, bound, self.context(query_id), idempotent=False)
        except errors.Error as exc:
            with self._lock:
                self._running = None
            if self._stop.is_set() and not isinstance(exc, QueryCancelled):
                raise QueryCancelled(f"Druid query {query_id} was cancelled") from exc
            raise
        self._last_id = stream.query_id  # the query stays cancellable while its rows stream
        return self._result(stream)

    def _result(self, stream: QueryStream) -> Result:
        batches = self._columns(self._rows(stream), len(stream.columns))
        first = next(batches, None)
        multi = set(self.multi_value)
        if first is not None:
            multi |= types.multi_value_in(stream.columns, first)
        schema = types.schema(stream.columns, self.time_zone, multi)
        reader = pa.RecordBatchReader.from_batches(schema, self._arrow(first, batches, schema))
        result = _StreamResult(reader, types.describe(stream.columns, schema), stream)
        if stream.done:
            result.rowcount = len(first[0]) if first else 0
        return result

    def _rows(self, stream: QueryStream) -> Iterator[list[list[Any]]]:
        """The stream's rows in chunks of :data:`DECODE_ROWS`, with a cancel from another
        thread honoured."""
        cancelled = QueryCancelled(f"Druid query {stream.query_id} was cancelled")
        try:
            for rows in stream.batches(min(DECODE_ROWS, BATCH_ROWS)):
                if self._stop.is_set():
                    stream.close()
                    raise cancelled
                yield rows
        except errors.OperationalError as exc:
            if self._stop.is_set() and exc is not cancelled:  # Druid cut the stream short
                raise cancelled from exc
            raise
        finally:
            with self._lock:
                if self._running == stream.query_id:
                    self._running = None

    @staticmethod
    def _columns(chunks: Iterator[list[list[Any]]], width: int) -> Iterator[list[list[Any]]]:
        """Chunks of rows gathered into columns of :data:`BATCH_ROWS` values. A chunk's row
        lists die as soon as it is transposed: were a whole batch of them alive at once, the
        garbage collector would move them to its oldest generation and rescan it again and
        again (measured: 21 full collections, 2-3 s of a 1M-row fetch)."""
        columns: list[list[Any]] = [[] for _ in range(width)]
        count = 0
        for rows in chunks:
            for column, values in zip(columns, types.transpose(rows, width), strict=True):
                column.extend(values)
            count += len(rows)
            del rows
            if count >= BATCH_ROWS:
                yield columns
                columns, count = [[] for _ in range(width)], 0
        if count:
            yield columns

    def _arrow(
        self, first: list[list[Any]] | None, rest: Iterator[list[list[Any]]], schema: pa.Schema
    ) -> Iterator[pa.RecordBatch]:
        if first:
            yield types.columns_to_batch(first, schema)
        del first
        for columns in rest:
            yield types.columns_to_batch(columns, schema)

    def ping(self) -> None:
        self.client.status()

    def guard_warnings(self) -> list[str]:
        return [
            "Druid has no read-only session; give this user only READ permissions on its "
            "datasources (no WRITE, no STATE) so the SQL task API cannot ingest"
        ]


class _StreamResult(ArrowResult):
    """An ArrowResult that also drops the HTTP stream when closed early."""

    def __init__(self, reader: pa.RecordBatchReader, description: Any, stream: QueryStream):
        super().__init__(reader, description, call_translated)
        self._stream = stream
        self.rowcount = -1

    def close(self) -> None:
        self._stream.close()
        super().close()


def _parameters(parameters: Parameters, time_zone: str) -> list[dict[str, Any]] | None:
    if parameters is None:
        return None
    if isinstance(parameters, Mapping):
        raise errors.ProgrammingError(
            "Druid binds positional parameters: write ? in the statement and pass a sequence"
        )
    return [types.parameter(value, time_zone) for value in parameters] or None
