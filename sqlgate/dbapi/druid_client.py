"""Apache Druid's SQL HTTP API (``POST /druid/v2/sql``): the protocol only.

Kept apart from the DB-API layer (as trino-python-client keeps its ``client`` module). A query
is sent with ``resultFormat=arrayLines`` and ``header``/``typesHeader``/``sqlTypesHeader``, so
the first three lines name the columns, their runtime types and their SQL types; each further
line is one row as a JSON array, read as the caller consumes it (constant memory). Druid ends
every complete line-format response with an empty line: a body that stops without it was cut
short (Druid stops mid-stream when a query fails after its first bytes) and is an error, never
a short result. Errors are Druid's JSON (the legacy ``error``/``errorMessage``/``errorClass``
shape and the newer ``errorCode``/``persona``/``category`` one) mapped onto PEP 249 classes.
A query is cancelled with ``DELETE /druid/v2/sql/{sqlQueryId}``; the client always sets
``sqlQueryId`` itself, so a cancel can be sent before Druid has answered at all.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from typing import Any

from sqlgate.core import errors
from sqlgate.core.http import HttpClient, Response, safe_url
from sqlgate.core.http_stream import StreamedResponse
from sqlgate.dbapi.druid_types import DruidColumn
from sqlgate.dbapi.rest_family import EXCERPT, error_body, server_error

SQL_PATH = "druid/v2/sql"
_PROGRAMMING = ("sql parse failed", "plan validation failed", "invalidinput", "invalid input")
_DATA_CLASSES = ("NumberFormatException", "ArithmeticException", "DateTimeParseException")


class QueryCancelled(errors.OperationalError):
    """The query was cancelled (``Cursor.cancel()``, or by Druid)."""


class QueryTimeout(errors.OperationalError):
    """Druid stopped the query at its ``timeout`` (``?statement_timeout=``)."""


def classify(status: int, body: dict[str, Any]) -> type[errors.Error]:
    """The PEP 249 class of a Druid error answer, from either error shape."""
    category = str(body.get("category") or "").upper()
    code = str(body.get("errorCode") or "")
    legacy = str(body.get("error") or "")
    words = f"{code} {legacy}".lower()
    if status in (401, 403) or category in ("UNAUTHORIZED", "FORBIDDEN"):
        return errors.OperationalError
    if category == "CANCELED" or "query cancelled" in words or "canceled" in words:
        return QueryCancelled
    if category == "TIMEOUT" or "timeout" in words or status == 504:
        return QueryTimeout
    if any(name in str(body.get("errorClass") or "") for name in _DATA_CLASSES):
        return errors.DataError
    if category == "UNSUPPORTED" or "unsupported operation" in words:
        return errors.NotSupportedError
    if category == "INVALID_INPUT" or any(word in words for word in _PROGRAMMING):
        return errors.ProgrammingError
    if category == "CAPACITY_EXCEEDED" or "capacity exceeded" in words or status == 429:
        return errors.OperationalError
    if category == "DEFENSIVE":
        return errors.InternalError
    if 400 <= status < 500:
        return errors.ProgrammingError
    return errors.OperationalError


def _fix(cls: type[errors.Error], status: int, message: str) -> str:
    if status == 401:
        return "authentication failed: check the user and password or token (credential=...)"
    if status == 403:
        return "access refused: the user lacks READ permission on a datasource of the query"
    if cls is QueryTimeout:
        return "the query ran out of time: raise ?statement_timeout= or narrow the query"
    if cls is QueryCancelled:
        return "the query was cancelled"
    if "not found" in message.lower():
        return (
            "check the datasource and column names "
            "(SELECT TABLE_NAME FROM INFORMATION_SCHEMA.TABLES lists datasources)"
        )
    return "the query failed"


def error_from(method: str, url: str, response: Response, query_id: str | None) -> errors.Error:
    """The PEP 249 error for a non-200 answer; every part of the message is redacted."""
    body = error_body(response, "errorMessage")
    message = str(body.get("errorMessage") or body.get("error") or "")[:EXCERPT]
    code = body.get("errorCode") or body.get("error") or f"HTTP {response.status}"
    cls = classify(response.status, body)
    where = f"{method} {safe_url(url)} answered {response.status}"
    query = f" (query {query_id})" if query_id else ""
    fix = _fix(cls, response.status, message)
    return server_error(cls, f"{where}{query}: {fix} [{code}]: {message}", message)


class QueryStream:
    """One running query's answer: its columns, then its rows as they arrive."""

    def __init__(self, response: StreamedResponse, query_id: str) -> None:
        self.response = response
        self.query_id = response.headers.get("X-Druid-SQL-Query-Id") or query_id
        self._lines = response.lines()
        self.done = False
        self.columns = self._read_header()

    def _truncated(self) -> errors.OperationalError:
        self.close()
        return errors.OperationalError(
            f"Druid's answer to query {self.query_id} was cut short (no final empty line): "
            "the query failed on the server while sending rows; the rows read so far are "
            "incomplete, run it again"
        )

    def _read_header(self) -> tuple[DruidColumn, ...]:
        if self.response.headers.get("X-Druid-SQL-Header-Included", "").lower() != "yes":
            self.close()
            raise errors.NotSupportedError(
                "this Druid does not send typed result headers (typesHeader/sqlTypesHeader, "
                "Druid 0.23 and later); sqlgate needs them to type columns"
            )
        header = list(itertools.islice(self._lines, 3))
        if len(header) < 3 or not all(header):
            raise self._truncated()
        names, native, sql = _decode_many(header)
        if not (len(names) == len(native) == len(sql)):
            self.close()
            raise errors.OperationalError("Druid sent header rows of different widths")
        return tuple(
            DruidColumn(str(n), str(t or ""), str(s or ""))
            for n, t, s in zip(names, native, sql, strict=True)
        )

    def batches(self, size: int) -> Iterator[list[list[Any]]]:
        """Rows in lists of up to ``size``, each list decoded in one ``json.loads`` call;
        raises when the answer was cut short. Lines are taken ``size`` at a time in C
        (``islice``), not one by one in Python."""
        while chunk := list(itertools.islice(self._lines, size)):
            try:
                end = chunk.index(b"")  # Druid's final empty line: the answer is complete
            except ValueError:
                yield _decode_many(chunk)
                continue
            self.done = True
            if any(rest.strip() for rest in chunk[end + 1 :]) or self._after_end():
                self.close()
                raise errors.OperationalError(
                    f"Druid sent data after the end of query {self.query_id}'s answer"
                )
            self.close()
            if end:
                yield _decode_many(chunk[:end])
            return
        raise self._truncated()

    def _after_end(self) -> bool:
        """Whether anything but blank lines follows the final empty line."""
        return any(rest.strip() for rest in self._lines) or bool(self.response.tail.strip())

    def close(self) -> None:
        self.done = True
        self.response.close()


def _decode_many(lines: list[bytes]) -> list[list[Any]]:
    try:
        rows = json.loads(b"[" + b",".join(lines) + b"]")
    except ValueError:
        raise errors.OperationalError("Druid sent a result line that is not JSON") from None
    if rows and set(map(type, rows)) != {list}:
        raise errors.OperationalError("Druid sent a result line that is not a JSON array")
    return rows


class DruidClient:
    """The SQL API of one Druid Router or Broker, over sqlgate's HTTP layer; thread-safe."""

    def __init__(self, http: HttpClient, sql_path: str = SQL_PATH) -> None:
        self.http = http
        self.sql_path = sql_path.strip("/")

    def _call(self, method: str, path: str, **kwargs: Any) -> Response:
        response = self.http.request(method, path, expect=tuple(range(200, 600)), **kwargs)
        if response.status >= 300:
            raise error_from(method, self.http.base_url + path, response, None)
        return response

    def status(self) -> dict[str, Any]:
        """``GET /status`` (version, modules): proves the endpoint and the credential."""
        body = self._call("GET", "status").json()
        return body if isinstance(body, dict) else {}

    def query(
        self,
        sql: str,
        parameters: list[dict[str, Any]] | None,
        context: dict[str, Any],
        *,
        idempotent: bool,
    ) -> QueryStream:
        """POST the query; returns once Druid has sent the header lines."""
        body: dict[str, Any] = {
            "query": sql,
            "resultFormat": "arrayLines",
            "header": True,
            "typesHeader": True,
            "sqlTypesHeader": True,
            "context": context,
        }
        if parameters:
            body["parameters"] = parameters
        query_id = str(context.get("sqlQueryId") or "")
        response = self.http.stream("POST", self.sql_path, json=body, idempotent=idempotent)
        if response.status != 200:
            answer = response.read_all()
            raise error_from("POST", self.http.base_url + self.sql_path, answer, query_id)
        return QueryStream(response, query_id)

    def cancel(self, query_id: str) -> bool:
        """``DELETE /druid/v2/sql/{id}``: True if Druid accepted (202), False if the query
        had already finished (404)."""
        path = f"{self.sql_path}/{query_id}"
        response = self.http.request("DELETE", path, expect=tuple(range(200, 600)))
        if response.status == 404:
            return False
        if response.status >= 300:
            raise error_from("DELETE", self.http.base_url + path, response, query_id)
        return True

    def segment_metadata(self, datasource: str) -> dict[str, dict[str, Any]]:
        """Per-column analysis from a native ``segmentMetadata`` query (``POST /druid/v2``),
        the only place Druid says which string columns hold multiple values."""
        query = {
            "queryType": "segmentMetadata",
            "dataSource": datasource,
            "merge": True,
            "analysisTypes": [],
        }
        answer = self._call("POST", "druid/v2", json=query, idempotent=True).json()
        if not isinstance(answer, list) or not answer:
            return {}
        columns = answer[0].get("columns") if isinstance(answer[0], dict) else None
        return columns if isinstance(columns, dict) else {}

    def close(self) -> None:
        self.http.close()
