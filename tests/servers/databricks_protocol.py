"""A small local server speaking the Databricks Statement Execution API, for protocol tests.

minilake runs every statement synchronously, has no authentication and never fails a poll,
so what it cannot produce is produced here: statements that stay PENDING/RUNNING until
polled or cancelled, a failure mid-poll, a 429 with ``Retry-After``, external links on a
separate "storage" path that expire or arrive truncated, a refused token, the workspace's
OAuth ``/oidc/v1/token`` endpoint, and Databricks-shaped JSON values (nested types as JSON
text, intervals, ``TIMESTAMP_NTZ``). Every request is recorded, so a test asserts on what
sqlgate actually sent. Bound to 127.0.0.1; one thread per request.
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pyarrow as pa

from .base import HOST

WAREHOUSE = "abc123"
TOKEN = "dapi-protocol-token"
CLIENT_ID, CLIENT_SECRET = "sp-client", "sp-secret-value"


@dataclass
class Script:
    """How one statement text behaves. ``polls``: GETs answered RUNNING before the end;
    ``hold``: RUNNING until cancelled; ``fail``: the error the end state carries."""

    columns: list[tuple[str, str]] = field(default_factory=list)
    rows: list[list[Any]] = field(default_factory=list)
    polls: int = 0
    hold: bool = False
    fail: dict[str, Any] | None = None
    fail_http: int | None = None  # the poll answers this status instead
    throttle: int = 0  # POSTs answered 429 (Retry-After: 1) first
    chunk_rows: int = 2
    arrow: pa.Table | None = None  # EXTERNAL_LINKS chunks come from this table
    expire_first: set[int] = field(default_factory=set)  # first link's expiration has passed
    deny_first: set[int] = field(default_factory=set)  # storage refuses the first download
    truncate_first: set[int] = field(default_factory=set)  # first download cut short
    omit_byte_count: bool = False
    storage_status: int | None = None  # storage answers every download with this status


@dataclass
class Running:
    script: Script
    body: dict[str, Any]
    state: str = "PENDING"
    polls: int = 0
    served: dict[str, int] = field(default_factory=dict)


class ProtocolServer:
    """The server and what it saw; ``scripts`` maps statement text to behaviour."""

    def __init__(self) -> None:
        self.scripts: dict[str, Script] = {}
        self.statements: dict[str, Running] = {}
        self.requests: list[tuple[str, str, dict[str, str], bytes]] = []
        self.tokens: set[str] = {TOKEN}
        self.token_ttl = 3600
        self.issued: list[str] = []
        self.lock = threading.Lock()
        self._ids = iter(range(1, 10**6))
        handler = type("Handler", (_Handler,), {"server_state": self})
        self.httpd = ThreadingHTTPServer((HOST, 0), handler)
        self.httpd.daemon_threads = True
        self.port = int(self.httpd.server_address[1])
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        return f"http://{HOST}:{self.port}"

    def url(self, token: str = TOKEN, **options: str) -> str:
        query = "&".join(f"{k}={v}" for k, v in options.items())
        path = f"sql/1.0/warehouses/{WAREHOUSE}"
        return f"databricks+sqlgate://token:{token}@{HOST}:{self.port}/{path}?{query}"

    def seen(self, method: str, prefix: str) -> list[tuple[str, str, dict[str, str], bytes]]:
        with self.lock:
            return [r for r in self.requests if r[0] == method and r[1].startswith(prefix)]

    def posted_bodies(self) -> list[dict[str, Any]]:
        return [json.loads(r[3]) for r in self.seen("POST", "/api/2.0/sql/statements") if r[3]]

    def start(self) -> ProtocolServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)

    # -- answers ---------------------------------------------------------------------------
    def new_statement(self, body: dict[str, Any]) -> tuple[str, Running]:
        script = self.scripts.get(body.get("statement", ""), Script([("x", "INT")], [["1"]]))
        with self.lock:
            statement_id = f"stmt-{next(self._ids)}"
            running = self.statements[statement_id] = Running(script, body)
        if not script.polls and not script.hold and script.fail_http is None:
            running.state = "FAILED" if script.fail else "SUCCEEDED"
        return statement_id, running

    def describe(self, statement_id: str, running: Running) -> dict[str, Any]:
        answer: dict[str, Any] = {"statement_id": statement_id, "status": {"state": running.state}}
        if running.state == "FAILED":
            answer["status"]["error"] = running.script.fail
            answer["status"]["sql_state"] = (running.script.fail or {}).get("sql_state")
        if running.state != "SUCCEEDED":
            return answer
        script = running.script
        total = script.arrow.num_rows if script.arrow is not None else len(script.rows)
        count = max(1, -(-total // script.chunk_rows))
        answer["manifest"] = {
            "format": running.body.get("format"),
            "schema": {"columns": [{"name": n, "type_text": t} for n, t in script.columns]},
            "total_chunk_count": count,
            "total_row_count": total,
        }
        answer["result"] = self.chunk(statement_id, running, 0)
        return answer

    def chunk(self, statement_id: str, running: Running, index: int) -> dict[str, Any]:
        script = running.script
        total = script.arrow.num_rows if script.arrow is not None else len(script.rows)
        count = max(1, -(-total // script.chunk_rows))
        following = f"/api/2.0/sql/statements/{statement_id}/result/chunks/{index + 1}"
        nxt = {"next_chunk_index": index + 1, "next_chunk_internal_link": following}
        nxt = nxt if index + 1 < count else {}
        if running.body.get("disposition") != "EXTERNAL_LINKS":
            rows = script.rows[index * script.chunk_rows : (index + 1) * script.chunk_rows]
            return {"chunk_index": index, "row_count": len(rows), "data_array": rows, **nxt}
        key = f"link-{index}"
        times = running.served[key] = running.served.get(key, 0) + 1
        expired = index in script.expire_first and times == 1
        link = {
            "chunk_index": index,
            "external_link": f"{self.base}/storage/{statement_id}/{index}?sig=secret-signature",
            "expiration": "2000-01-01T00:00:00Z" if expired else "2999-01-01T00:00:00Z",
            "http_headers": {"x-storage-check": "yes"},
            **nxt,
        }
        if not script.omit_byte_count:
            link["byte_count"] = len(self.chunk_bytes(script, index))
        return {"external_links": [link]}

    @staticmethod
    def chunk_bytes(script: Script, index: int) -> bytes:
        """A chunk as an Arrow IPC stream; rows given as JSON text travel as string columns
        (as Databricks sends values it has no Arrow form for)."""
        table = script.arrow
        if table is None:
            names = [name for name, _ in script.columns]
            table = pa.table(
                {n: pa.array([r[i] for r in script.rows], pa.string()) for i, n in enumerate(names)}
            )
        part = table.slice(index * script.chunk_rows, script.chunk_rows)
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, part.schema) as writer:
            writer.write_table(part)
        return bytes(sink.getvalue().to_pybytes())


class _Handler(BaseHTTPRequestHandler):
    server_state: ProtocolServer
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: Any) -> None:  # quiet
        pass

    def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _handle(self, method: str) -> None:
        state = self.server_state
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        path = urlsplit(self.path).path
        with state.lock:
            state.requests.append((method, path, dict(self.headers.items()), body))
        if path == "/oidc/v1/token":
            return self._token(body)
        if path.startswith("/storage/"):
            return self._storage(path)
        token = (self.headers.get("Authorization") or "").removeprefix("Bearer ")
        if token not in state.tokens:
            code = "PERMISSION_DENIED" if token == "forbidden" else "UNAUTHENTICATED"
            status = 403 if token == "forbidden" else 401
            return self._send(status, {"error_code": code, "message": "Invalid access token."})
        route: dict[str, Callable[[list[str], bytes], None]] = {
            "warehouses": self._warehouse,
            "statements": self._statements,
        }
        parts = path.strip("/").split("/")  # api 2.0 sql <kind> ...
        handler = route.get(parts[3]) if len(parts) > 3 else None
        if handler is None:
            return self._send(404, {"error_code": "NOT_FOUND", "message": path})
        return handler(parts[4:], body)

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def _token(self, body: bytes) -> None:
        state = self.server_state
        expected = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        form = parse_qs(body.decode())
        if self.headers.get("Authorization") != f"Basic {expected}" or form.get("grant_type") != [
            "client_credentials"
        ]:
            return self._send(401, {"error": "invalid_client"})
        with state.lock:
            token = f"oauth-token-{len(state.issued) + 1}"
            state.issued.append(token)
            state.tokens.add(token)
        return self._send(200, {"access_token": token, "expires_in": state.token_ttl})

    def _warehouse(self, rest: list[str], body: bytes) -> None:
        if rest != [WAREHOUSE]:
            return self._send(404, {"error_code": "RESOURCE_DOES_NOT_EXIST", "message": "no"})
        info = {"id": WAREHOUSE, "name": "proto", "state": "RUNNING"}
        return self._send(200, {**info, "channel": {"dbsql_version": "2025.35"}})

    def _statements(self, rest: list[str], body: bytes) -> None:
        state = self.server_state
        if not rest:
            request = json.loads(body)
            script = state.scripts.get(request.get("statement", ""))
            if script is not None and script.throttle:
                script.throttle -= 1
                return self._send(429, {"error_code": "TOO_MANY_REQUESTS"}, {"Retry-After": "1"})
            statement_id, running = state.new_statement(request)
            return self._send(200, state.describe(statement_id, running))
        running = state.statements.get(rest[0])
        if running is None:
            return self._send(404, {"error_code": "NOT_FOUND", "message": rest[0]})
        if rest[1:] == ["cancel"]:
            running.state = "CANCELED"
            return self._send(200, {})
        if rest[1:3] == ["result", "chunks"]:
            return self._send(200, state.chunk(rest[0], running, int(rest[3])))
        script = running.script
        if running.state in ("PENDING", "RUNNING"):
            running.polls += 1
            if script.fail_http is not None:
                return self._send(script.fail_http, {"error_code": "INTERNAL_ERROR"})
            if script.hold or running.polls <= script.polls:
                running.state = "RUNNING"
            else:
                running.state = "FAILED" if script.fail else "SUCCEEDED"
        return self._send(200, state.describe(rest[0], running))

    def _storage(self, path: str) -> None:
        state = self.server_state
        if "Authorization" in self.headers or self.headers.get("x-storage-check") != "yes":
            return self._send(400, b"storage wants its own headers only")
        _, _, statement_id, index = path.split("/")
        running = state.statements[statement_id]
        script, number = running.script, int(index)
        key = f"data-{number}"
        times = running.served[key] = running.served.get(key, 0) + 1
        if script.storage_status is not None:
            return self._send(script.storage_status, b"<Error><Code>AccessDenied</Code></Error>")
        if number in script.deny_first and times == 1:
            return self._send(403, b"<Error><Code>AccessDenied</Code>Request has expired</Error>")
        data = state.chunk_bytes(script, number)
        if number in script.truncate_first and times == 1:
            data = data[: len(data) // 2]
        return self._send(200, data, {"Content-Type": "application/vnd.apache.arrow.stream"})


def serve() -> Iterator[ProtocolServer]:
    """A started server, stopped afterwards (a test module's fixture yields from it)."""
    server = ProtocolServer().start()
    try:
        yield server
    finally:
        server.stop()
