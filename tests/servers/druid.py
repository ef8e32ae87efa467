"""A Druid SQL HTTP API test server on 127.0.0.1 (no Druid server runs here).

It follows the documented API (``docs/api-reference/sql-api.md``): ``POST /druid/v2/sql`` with
``resultFormat=arrayLines`` + ``header``/``typesHeader``/``sqlTypesHeader`` (chunked, each row
a JSON array on its line, an empty line at the end), ``X-Druid-SQL-Query-Id`` and
``X-Druid-SQL-Header-Included``, typed ``parameters``, ``context`` (``sqlQueryId``,
``sqlTimeZone``, ``timeout``), ``DELETE /druid/v2/sql/{id}`` (202, or 404 once finished),
``GET /status``, a native ``segmentMetadata`` query on ``POST /druid/v2``, basic auth and
bearer tokens (401 otherwise), and both error shapes. Switches a test sets on the server:
``truncate`` (drop the final empty line), ``row_delay``/``delay`` (slow rows / a slow start,
both cut short by a cancel), ``error_shape`` (``"new"`` or ``"legacy"``), ``replay`` (a
benchmark's: a repeated query answered with the bytes sent before). It runs in a thread
of the test process; the SQL runs on DuckDB (:mod:`tests.servers.druid_engine`).
"""

from __future__ import annotations

import base64
import contextlib
import json
import socket
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from .base import HOST, ServerInfo
from .druid_engine import Datasource, DruidEngine, DruidSqlError, bind, rows

USER, PASSWORD, TOKEN = "sqlgate", "druid-test-pw", "druid-test-token"
VERSION = "34.0.0-sqlgate-protocol-test"
_LEGACY = {
    "parse": ("SQL parse failed", "org.apache.calcite.sql.parser.SqlParseException"),
    "invalid": ("Plan validation failed", "org.apache.calcite.runtime.CalciteContextException"),
    "runtime": ("Unknown exception", "java.lang.RuntimeException"),
    "timeout": ("Query timeout", "org.apache.druid.query.QueryTimeoutException"),
    "cancel": ("Query cancelled", "org.apache.druid.query.QueryInterruptedException"),
}
_NEW = {  # errorCode, persona, category
    "parse": ("invalidInput", "USER", "INVALID_INPUT"),
    "invalid": ("invalidInput", "USER", "INVALID_INPUT"),
    "runtime": ("legacyQueryException", "OPERATOR", "RUNTIME_FAILURE"),
    "timeout": ("legacyQueryException", "USER", "TIMEOUT"),
    "cancel": ("legacyQueryException", "USER", "CANCELED"),
}


class DruidTestServer(ThreadingHTTPServer):
    """The server: its engine, credentials, switches and what it saw."""

    # handler threads are joined on close (a thread still inside DuckDB at interpreter exit
    # aborts the process); open keep-alive sockets are shut down first so none waits
    daemon_threads = False
    block_on_close = True

    def __init__(self, tls: tuple[str, str] | None = None) -> None:
        self.open_sockets: set[socket.socket] = set()
        super().__init__((HOST, 0), _Handler)
        if tls is not None:  # HTTPS with a certificate file and its key
            import ssl

            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*tls)
            self.socket = context.wrap_socket(self.socket, server_side=True)
        self.engine = DruidEngine()
        self.users = {USER: PASSWORD}
        self.tokens = {TOKEN}
        self.truncate = False
        self.delay = 0.0
        self.row_delay = 0.0
        self.error_shape = "new"
        #: benchmarks: answer a repeated query from the bytes sent the last time, so that the
        #: server's DuckDB and JSON work does not dominate what the client is timed on
        self.replay = False
        self.replayed: dict[str, list[bytes]] = {}
        self.requests: list[dict[str, Any]] = []
        self.cancelled: list[str] = []
        self.running: dict[str, threading.Event] = {}
        self.lock = threading.Lock()
        self._thread = threading.Thread(target=self.serve_forever, name="druid-test", daemon=True)

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    def start(self) -> DruidTestServer:
        self._thread.start()
        return self

    def get_request(self) -> tuple[socket.socket, Any]:
        sock, address = super().get_request()
        with self.lock:
            self.open_sockets.add(sock)
        return sock, address

    def shutdown_request(self, request: Any) -> None:
        with self.lock:
            self.open_sockets.discard(request)
        super().shutdown_request(request)

    def stop(self) -> None:
        with self.lock:
            for event in self.running.values():
                event.set()
        self.shutdown()
        self._thread.join(timeout=10)
        with self.lock:
            sockets = list(self.open_sockets)
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        self.server_close()  # joins the handler threads
        self.engine.db.close()

    def reset(self) -> None:
        self.truncate, self.delay, self.row_delay, self.error_shape = False, 0.0, 0.0, "new"
        self.replay, self.replayed = False, {}
        self.requests.clear()
        self.cancelled.clear()

    def error_body(self, error: DruidSqlError) -> dict[str, Any]:
        legacy, java_class = _LEGACY[error.kind]
        java_class = error.java_class or java_class
        body: dict[str, Any] = {
            "error": legacy,
            "errorMessage": error.message,
            "errorClass": java_class,
            "host": None,
        }
        if self.error_shape == "new":
            code, persona, category = _NEW[error.kind]
            if code == "invalidInput":
                body["error"] = "druidException"
            body.update(errorCode=code, persona=persona, category=category)
            body["context"] = {"legacyErrorCode": legacy, "errorClass": java_class}
        return body


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: DruidTestServer

    def log_message(self, format: str, *args: Any) -> None:
        pass

    # -- plumbing -------------------------------------------------------------------------
    def _authorized(self) -> bool:
        header = self.headers.get("Authorization", "")
        if header.startswith("Bearer "):
            return header[7:] in self.server.tokens
        if header.startswith("Basic "):
            user, _, password = base64.b64decode(header[6:]).decode().partition(":")
            return self.server.users.get(user) == password
        return not self.server.users and not self.server.tokens

    def _send(self, status: int, body: Any, content_type: str = "application/json") -> None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _body(self) -> Any:
        length = int(self.headers.get("Content-Length") or 0)
        return json.loads(self.rfile.read(length) or b"null")

    def _refuse(self) -> bool:
        if self._authorized():
            return False
        page = b"<html><body><h2>HTTP ERROR 401 Unauthorized</h2></body></html>"
        self._send(401, page, "text/html")
        return True

    # -- endpoints ------------------------------------------------------------------------
    def do_GET(self) -> None:
        if self._refuse():
            return
        if self.path == "/status":
            self._send(200, {"version": VERSION, "modules": [], "memory": {}})
        else:
            self._send(404, {"error": "Not found"})

    def do_DELETE(self) -> None:
        if self._refuse():
            return
        prefix = "/druid/v2/sql/"
        query_id = self.path[len(prefix) :] if self.path.startswith(prefix) else ""
        with self.server.lock:
            event = self.server.running.get(query_id)
        if event is None:
            self._send(404, b"", "text/plain")
            return
        self.server.cancelled.append(query_id)
        event.set()
        self._send(202, b"", "text/plain")

    def do_POST(self) -> None:
        if self._refuse():
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            return
        if self.path.rstrip("/") == "/druid/v2":
            self._segment_metadata(self._body())
        elif self.path == "/druid/v2/sql":
            self._sql(self._body())
        else:
            self._send(404, {"error": "Not found"})

    def _segment_metadata(self, query: dict[str, Any]) -> None:
        source = self.server.engine.datasources.get(str(query.get("dataSource")))
        if source is None:
            self._send(200, [])
            return
        columns = {
            name: {"type": source.info_type(name), "hasMultipleValues": name in source.multi_value}
            for name in source.columns
        }
        self._send(200, [{"id": "merged", "columns": columns}])

    def _sql(self, request: dict[str, Any]) -> None:
        server = self.server
        server.requests.append(request)
        context = request.get("context") or {}
        query_id = str(context.get("sqlQueryId") or uuid.uuid4())
        stop = threading.Event()
        with server.lock:
            server.running[query_id] = stop
        try:
            self._answer(request, context, query_id, stop)
        finally:
            with server.lock:
                server.running.pop(query_id, None)

    def _answer(
        self, request: dict[str, Any], context: dict[str, Any], query_id: str, stop: Any
    ) -> None:
        server = self.server
        timeout = context.get("timeout")
        limit = None if timeout is None else int(timeout) / 1000
        if server.delay:
            stop.wait(server.delay if limit is None else min(server.delay, limit))
            if stop.is_set():
                return self._error(DruidSqlError("cancel", "Query cancelled", 500), query_id)
            if limit is not None and server.delay > limit:
                error = DruidSqlError("timeout", f"Query [{query_id}] timed out.", 504)
                return self._error(error, query_id)
        parameters = [bind(p) for p in request.get("parameters") or []]
        zone = str(context.get("sqlTimeZone") or "UTC")
        key = json.dumps([request.get("query"), parameters, zone]) if server.replay else ""
        replayed = server.replayed.get(key) if key else None
        result = None
        if replayed is None:
            try:
                result = server.engine.run(str(request.get("query") or ""), parameters)
            except DruidSqlError as error:
                return self._error(error, query_id)
        assert request.get("resultFormat") == "arrayLines" and request.get("header")
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("X-Druid-SQL-Query-Id", query_id)
        self.send_header("X-Druid-SQL-Header-Included", "yes")
        self.end_headers()
        try:
            if result is None:
                for chunk in replayed or ():
                    self._chunk(chunk)
                return
            sent = self._stream(result, zone, stop)
            if key and not stop.is_set() and len(server.replayed) < 8:
                server.replayed[key] = sent  # a few answers at most: a benchmark's queries
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client dropped the stream
        finally:
            if result is not None:
                result.cursor.close()

    def _stream(self, result: Any, zone: str, stop: Any) -> list[bytes]:
        """Headers, rows and the final empty line, in chunks of about CHUNK_BYTES (one per row
        when rows are slowed for a cancel test), so that a large result is not one write per
        row. Returns the chunks sent."""
        server = self.server
        chunk_bytes = 0 if server.row_delay else CHUNK_BYTES
        sent: list[bytes] = []
        pending = bytearray()

        def flush() -> None:
            sent.append(bytes(pending))
            self._chunk(sent[-1])
            pending.clear()

        for header in zip(*result.columns, strict=True):
            pending += json.dumps(list(header)).encode() + b"\n"
        flush()
        for row in rows(result, zone):
            if stop.is_set() or (server.row_delay and stop.wait(server.row_delay)):
                break  # cancelled mid-stream: Druid stops sending (no final line)
            pending += json.dumps(row, ensure_ascii=False).encode() + b"\n"
            if len(pending) >= chunk_bytes:
                flush()
        else:
            if not server.truncate:
                pending += b"\n"
        if pending:
            flush()
        sent.append(b"")
        self._chunk(b"")
        return sent

    def _chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")

    def _error(self, error: DruidSqlError, query_id: str) -> None:
        body = json.dumps(self.server.error_body(error)).encode()
        self.send_response(error.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Druid-SQL-Query-Id", query_id)
        self.end_headers()
        self.wfile.write(body)


CHUNK_BYTES = 256 * 1024  # what one write of a streamed result holds at most (about)

ITEMS = Datasource(
    "items",
    {
        "__time": "TIMESTAMP",
        "id": "BIGINT",
        "name": "VARCHAR",
        "amount": "DOUBLE",
        "created": "TIMESTAMP",
    },
)
EVENTS = Datasource(
    "events",
    {
        "__time": "TIMESTAMP",
        "channel": "VARCHAR",
        "tags": "VARCHAR[]",
        "added": "BIGINT",
        "uniq_users": "VARCHAR",
    },
    multi_value={"tags"},
    complex={"uniq_users": "COMPLEX<hyperUnique>"},
)
EVENT_ROWS = [
    ("2026-01-05 10:15:00", "#en", ["a", "b"], 10, "AQAAAQAAAAFz"),
    ("2026-01-05 10:45:00", "#en", ["a"], 5, "AQAAAQAAAAJz"),
    ("2026-01-05 11:05:00", "#fr", [], 7, None),
    ("2026-01-06 09:00:00", "#fr", ["c", "a", "b"], 1, "AQAAAQAAAANz"),
]


def seed(server: DruidTestServer, items: list[tuple[Any, ...]]) -> None:
    """``items`` (the conformance rows; ``__time`` is ``created`` or the epoch) and ``events``
    (a time series with a multi-value dimension and a sketch column)."""
    rows_ = [(r[3] or "1970-01-01 00:00:00", r[0], r[1], r[2], r[3]) for r in items]
    server.engine.add(ITEMS, rows_)
    server.engine.add(EVENTS, EVENT_ROWS)


def server_info(server: DruidTestServer) -> ServerInfo:
    return ServerInfo(HOST, server.port, USER, PASSWORD, "druid/v2/sql", extra={"server": server})


@pytest.fixture(scope="session")
def druid_server() -> Iterator[ServerInfo]:
    """The Druid protocol test server with ``items`` and ``events``; basic auth user
    ``sqlgate`` (and bearer token ``TOKEN``)."""
    from tests.conftest import SEED_ROWS

    server = DruidTestServer().start()
    try:
        seed(server, SEED_ROWS)
        yield server_info(server)
    finally:
        server.stop()


@pytest.fixture
def druid(druid_server: ServerInfo) -> Iterator[ServerInfo]:
    """The shared server with its switches reset before and after the test."""
    druid_server.extra["server"].reset()
    yield druid_server
    druid_server.extra["server"].reset()


@pytest.fixture(scope="session")
def seeded_druid(druid_server: ServerInfo) -> ServerInfo:
    return druid_server


__all__ = ["druid", "druid_server", "seeded_druid"]
