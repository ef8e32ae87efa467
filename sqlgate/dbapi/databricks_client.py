"""The Databricks SQL Statement Execution API (``/api/2.0/sql/statements``): the protocol only.

Kept apart from the DB-API layer (as trino-python-client keeps its ``client`` module): submit a
statement, poll it with backoff until a terminal state, walk its result chunks, cancel it. All
HTTP goes through :mod:`sqlgate.core.http` (timeouts, bounded retries with ``Retry-After``,
the per-request bearer token, redaction). External links are presigned URLs: they are fetched
by a second client *without* the workspace token (it must never reach cloud storage), with the
headers the link names. A link that expired, or a chunk that arrived short, is asked for again
once through ``/result/chunks/{n}``, which issues a fresh link.
"""

from __future__ import annotations

import datetime
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from sqlgate.core import errors
from sqlgate.core.http import HttpClient, Response, safe_url
from sqlgate.core.redact import redact
from sqlgate.dbapi.rest_family import EXCERPT, error_body, server_error

API = "api/2.0/sql"
TERMINAL = frozenset({"SUCCEEDED", "FAILED", "CANCELED", "CLOSED"})
#: the first pause between two polls, and the longest
POLL_FIRST, POLL_MAX = 0.05, 1.0
# Databricks error classes (``[CLASS]`` in messages), DuckDB's error kinds (minilake runs
# DuckDB) and SQLSTATE classes: the PEP 249 class each stands for
_DATA_WORDS = (
    "CAST_INVALID_INPUT", "DIVIDE_BY_ZERO", "ARITHMETIC_OVERFLOW", "NUMERIC_VALUE_OUT_OF_RANGE",
    "INVALID_FORMAT", "DATETIME_OVERFLOW", "Conversion Error", "Out of Range Error",
    "Invalid Input Error",
)  # fmt: skip
_PROGRAMMING_WORDS = (
    "TABLE_OR_VIEW_NOT_FOUND", "UNRESOLVED_COLUMN", "UNRESOLVED_ROUTINE", "PARSE_SYNTAX_ERROR",
    "SCHEMA_NOT_FOUND", "CATALOG_NOT_FOUND", "UNBOUND_SQL_PARAMETER", "INSUFFICIENT_PERMISSIONS",
    "Binder Error", "Catalog Error", "Parser Error", "Syntax Error",
)  # fmt: skip


@dataclass
class Statement:
    """One submitted statement: its id, state and the last response describing it."""

    statement_id: str
    state: str
    response: dict[str, Any] = field(repr=False)

    @property
    def manifest(self) -> dict[str, Any]:
        return self.response.get("manifest") or {}

    @property
    def result(self) -> dict[str, Any]:
        return self.response.get("result") or {}


class StatementCancelled(errors.OperationalError):
    """The statement was cancelled (``Cursor.cancel()``, ``statement_timeout``, or the server)."""


def classify(code: str | None, sql_state: str | None, message: str) -> type[errors.Error]:
    """The PEP 249 class of a failed statement."""
    state = (sql_state or "")[:2]
    if state == "22" or any(word in message for word in _DATA_WORDS):
        return errors.DataError
    if state == "23":
        return errors.IntegrityError
    if state == "42" or any(word in message for word in _PROGRAMMING_WORDS):
        return errors.ProgrammingError
    if code in ("UNAUTHENTICATED", "PERMISSION_DENIED", "TEMPORARILY_UNAVAILABLE"):
        return errors.OperationalError
    if code in ("NOT_FOUND", "RESOURCE_DOES_NOT_EXIST", "INVALID_PARAMETER_VALUE", "BAD_REQUEST"):
        return errors.ProgrammingError
    return errors.DatabaseError


def statement_error(
    error: dict[str, Any], sql_state: str | None, statement_id: str
) -> errors.Error:
    message = str(error.get("message") or "the statement failed")
    code = error.get("error_code")
    cls = classify(code, sql_state, message)
    return server_error(
        cls, f"Databricks statement {statement_id} failed ({code or 'error'}): {message}", message
    )


def response_error(method: str, url: str, response: Response) -> errors.Error:
    """The PEP 249 error for an HTTP failure of the API, from its ``error_code``/``message``."""
    body = error_body(response, "message")
    code, message = body.get("error_code"), str(body.get("message") or "")
    where = f"{method} {safe_url(url)} answered {response.status}"
    if response.status == 401:
        cls: type[errors.Error] = errors.OperationalError
        fix = "authentication failed: check the token or the credential provider"
    elif response.status == 403:
        cls, fix = errors.OperationalError, "access refused: check the principal's permissions"
    elif response.status == 404:
        cls, fix = errors.ProgrammingError, "not found (check http_path / the warehouse id)"
    elif response.status < 500:
        cls, fix = classify(code, None, message), "the request was refused"
    else:
        cls, fix = errors.OperationalError, "the server failed"
    message = message[:EXCERPT]
    return server_error(cls, f"{where}: {fix} ({code or 'error'}): {message}", message)


class StatementClient:
    """The statement API of one warehouse, over sqlgate's HTTP layer; thread-safe."""

    def __init__(
        self,
        api: HttpClient,
        links: HttpClient,
        warehouse_id: str,
        *,
        wait_timeout: int = 5,
        poll_max: float = POLL_MAX,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.api, self.links = api, links
        self.warehouse_id = warehouse_id
        self.wait_timeout = wait_timeout
        self.poll_max = poll_max
        self.clock = clock

    def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        expect = tuple(range(200, 600))  # the body says what went wrong: read it ourselves
        response = self.api.request(method, path, expect=expect, **kwargs)
        if response.status >= 300:
            raise response_error(method, self.api.base_url + path, response)
        body = response.json()
        return body if isinstance(body, dict) else {}

    def warehouse(self) -> dict[str, Any]:
        """The warehouse's description (name, state, channel): proves endpoint and token."""
        return self._call("GET", f"{API}/warehouses/{self.warehouse_id}")

    def submit(
        self,
        statement: str,
        parameters: list[dict[str, Any]] | None,
        *,
        catalog: str | None,
        schema: str | None,
        disposition: str,
        idempotent: bool,
    ) -> Statement:
        """POST the statement; waits up to ``wait_timeout`` s, then returns its state.

        ``idempotent``: a read-only statement may be resent after a 429/503 (or a lost answer)."""
        body: dict[str, Any] = {
            "warehouse_id": self.warehouse_id,
            "statement": statement,
            "disposition": disposition,
            "format": "ARROW_STREAM" if disposition == "EXTERNAL_LINKS" else "JSON_ARRAY",
            "wait_timeout": f"{self.wait_timeout}s",
            "on_wait_timeout": "CONTINUE",
        }
        if parameters:
            body["parameters"] = parameters
        if catalog:
            body["catalog"] = catalog
        if schema:
            body["schema"] = schema
        return _statement(self._call("POST", f"{API}/statements", json=body, idempotent=idempotent))

    def get(self, statement_id: str) -> Statement:
        return _statement(self._call("GET", f"{API}/statements/{statement_id}"))

    def wait(
        self, statement: Statement, deadline: float | None, stop: threading.Event
    ) -> Statement:
        """Poll with backoff until a terminal state; cancel at ``deadline`` or on ``stop``."""
        pause = POLL_FIRST
        while statement.state not in TERMINAL:
            if stop.is_set():
                self.cancel(statement.statement_id)
                raise StatementCancelled(f"statement {statement.statement_id} was cancelled")
            if deadline is not None and self.clock() >= deadline:
                self.cancel(statement.statement_id)
                raise StatementCancelled(
                    f"statement {statement.statement_id} exceeded statement_timeout and was "
                    "cancelled; raise ?statement_timeout= or narrow the query"
                )
            limit = pause if deadline is None else max(0.0, min(pause, deadline - self.clock()))
            stop.wait(limit)
            pause = min(pause * 2, self.poll_max)
            statement = self.get(statement.statement_id)
        return statement

    def cancel(self, statement_id: str) -> None:
        """Ask the server to stop the statement (``POST .../cancel``; safe to repeat)."""
        self.api.request("POST", f"{API}/statements/{statement_id}/cancel", idempotent=True)

    def chunk(self, statement_id: str, index: int) -> dict[str, Any]:
        """A chunk's description (``INLINE``: its rows; ``EXTERNAL_LINKS``: a fresh link)."""
        return self._call("GET", f"{API}/statements/{statement_id}/result/chunks/{index}")

    def chunks(self, statement: Statement) -> Iterator[dict[str, Any]]:
        """Each chunk's description in order, the next asked for only once this one is read
        (``next_chunk_internal_link``): one chunk in memory at a time."""
        current: dict[str, Any] | None = statement.result
        while current:
            yield current
            following = _following(current)
            if not following:
                return
            current = self._call("GET", following)

    def fetched(self, statement: Statement) -> Iterator[tuple[dict[str, Any], list[bytes]]]:
        """Each chunk with its links' bytes, in order. With more than one chunk, the next chunk
        is fetched on a worker thread while the caller reads this one (server and client work
        overlap); one chunk ahead only, so at most two chunks are in memory."""
        chunks = self.chunks(statement)

        def step() -> tuple[dict[str, Any], list[bytes]] | None:
            chunk = next(chunks, None)
            if chunk is None:
                return None
            links = chunk.get("external_links") or []
            return chunk, [self.download(statement.statement_id, link) for link in links]

        if int(statement.manifest.get("total_chunk_count") or 1) <= 1 and not _following(
            statement.result
        ):
            while (item := step()) is not None:
                yield item
            return
        pool = ThreadPoolExecutor(1, thread_name_prefix="sqlgate-databricks-chunks")
        try:
            pending = pool.submit(step)
            while (item := pending.result()) is not None:
                pending = pool.submit(step)
                yield item
        finally:  # a result closed early: drop what is queued, never wait on the network
            pool.shutdown(wait=False, cancel_futures=True)

    def download(self, statement_id: str, link: dict[str, Any], *, refresh: bool = False) -> bytes:
        """One external link's bytes (no workspace token); an expired or short answer is
        asked for once more with a fresh link (``refresh``: only with a fresh link)."""
        for attempt in (1,) if refresh else (0, 1):
            if attempt or _expired(link):
                fresh = self.chunk(statement_id, int(link.get("chunk_index") or 0))
                link = (fresh.get("external_links") or [link])[0]
            url = str(link.get("external_link") or "")
            response = self.links.request(
                "GET",
                url,
                headers=link.get("http_headers") or {},
                expect=tuple(range(200, 600)),
            )
            expected = link.get("byte_count")
            if response.status == 200 and (expected is None or len(response.data) == expected):
                return response.data
            if attempt:
                break
        if response.status != 200:
            raise errors.OperationalError(
                redact(
                    f"GET {safe_url(url)} answered {response.status} for chunk "
                    f"{link.get('chunk_index')} of statement {statement_id}, also with a fresh "
                    "link; the result may have expired: run the statement again"
                )
            )
        raise errors.OperationalError(
            f"chunk {link.get('chunk_index')} of statement {statement_id} arrived truncated "
            f"({len(response.data)} of {expected} bytes), also on the second try"
        )

    def close(self) -> None:
        self.api.close()
        self.links.close()


def _statement(body: dict[str, Any]) -> Statement:
    status = body.get("status") or {}
    statement_id = str(body.get("statement_id") or "")
    if not statement_id:
        raise errors.OperationalError("the statement API answered without a statement_id")
    statement = Statement(statement_id, str(status.get("state") or "PENDING"), body)
    if statement.state == "FAILED":
        raise statement_error(status.get("error") or {}, status.get("sql_state"), statement_id)
    return statement


def _following(chunk: dict[str, Any]) -> str | None:
    """The path of the chunk after this one (on the chunk or on its last link), if any."""
    links = chunk.get("external_links") or []
    following = chunk.get("next_chunk_internal_link")
    if following is None and links:
        following = links[-1].get("next_chunk_internal_link")
    return str(following) if following else None


def _expired(link: dict[str, Any]) -> bool:
    """Whether a link's ``expiration`` (ISO 8601) has passed, with a few seconds' margin."""
    text = link.get("expiration")
    if not text:
        return False
    try:
        when = datetime.datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return False
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.timezone.utc)
    return when - datetime.timedelta(seconds=5) <= datetime.datetime.now(datetime.timezone.utc)
