"""A small Iceberg REST catalog server for tests, serving any pyiceberg catalog.

It speaks the read side of the Iceberg REST catalog API (``GET /v1/config``, list/get/HEAD
namespaces, list/load/HEAD tables) over a pyiceberg catalog, typically the SQL catalog, on a
threaded ``http.server`` bound to 127.0.0.1. ``token`` makes every ``/v1`` request need
``Authorization: Bearer TOKEN``; ``table_config`` is handed to clients in each LoadTableResult
(what a real catalog uses to vend FileIO settings such as ``s3.endpoint``). Writes are not
served: tests create tables through the backing catalog itself.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from .base import HOST

SEPARATOR = "\x1f"  # the REST spec's namespace level separator (%1F in URLs)


class _Error(Exception):
    def __init__(self, code: int, kind: str, message: str) -> None:
        super().__init__(message)
        self.code, self.kind, self.message = code, kind, message


class IcebergRestServer:
    """Serve ``catalog`` over HTTP until :meth:`stop`; ``requests`` logs (method, path)."""

    def __init__(
        self, catalog: Any, *, token: str | None = None, table_config: dict[str, str] | None = None
    ) -> None:
        self.catalog = catalog
        self.token = token
        self.table_config = dict(table_config or {})
        self.requests: list[tuple[str, str]] = []
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        assert self._httpd is not None, "server not started"
        return int(self._httpd.server_address[1])

    @property
    def uri(self) -> str:
        return f"http://{HOST}:{self.port}"

    def start(self) -> IcebergRestServer:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # keep pytest output clean
                pass

            def do_GET(self) -> None:
                server._handle(self, "GET")

            def do_HEAD(self) -> None:
                server._handle(self, "HEAD")

            def do_POST(self) -> None:
                server._handle(self, "POST")

            def do_DELETE(self) -> None:
                server._handle(self, "DELETE")

        self._httpd = ThreadingHTTPServer((HOST, 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.1},
            name="iceberg-rest",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    # ------------------------------------------------------------------ request handling
    def _handle(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        parts = urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        if length:
            handler.rfile.read(length)
        self.requests.append((method, parts.path))
        try:
            if self.token is not None and handler.headers.get("Authorization") != (
                f"Bearer {self.token}"
            ):
                raise _Error(401, "NotAuthorizedException", "Not authorized: bad or no token")
            with self._lock:
                status, body = self._route(method, parts.path, parse_qs(parts.query))
        except _Error as err:
            status = err.code
            body = {"error": {"message": err.message, "type": err.kind, "code": err.code}}
        except Exception as exc:  # a server bug must answer, not hang the client
            status = 500
            body = {
                "error": {
                    "message": f"{type(exc).__name__}: {exc}",
                    "type": "ServerErrorException",
                    "code": 500,
                }
            }
        payload = b"" if body is None else json.dumps(body).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(payload)))
        handler.end_headers()
        if method != "HEAD" and payload:
            handler.wfile.write(payload)

    def _route(
        self, method: str, path: str, query: dict[str, list[str]]
    ) -> tuple[int, dict[str, Any] | None]:
        segments = [unquote(s) for s in path.strip("/").split("/")]
        if segments[:1] != ["v1"]:
            raise _Error(404, "NoSuchEndpointException", f"no endpoint {path}")
        rest = segments[1:]
        if method not in ("GET", "HEAD"):
            raise _Error(405, "NotSupportedException", "this test catalog is read-only")
        if rest == ["config"]:
            return 200, {"defaults": {}, "overrides": {}}
        if rest == ["namespaces"]:
            parent = query.get("parent", [""])[0]
            ns = tuple(parent.split(SEPARATOR)) if parent else ()
            found = self.catalog.list_namespaces(ns) if ns else self.catalog.list_namespaces()
            return 200, {"namespaces": [list(n) for n in found]}
        if len(rest) >= 2 and rest[0] == "namespaces":
            ns = tuple(rest[1].split(SEPARATOR))
            if len(rest) == 2:
                props = self._namespace_properties(ns)
                return (
                    (204, None)
                    if method == "HEAD"
                    else (200, {"namespace": list(ns), "properties": props})
                )
            if rest[2] == "tables" and len(rest) == 3:
                self._namespace_properties(ns)
                tables = self.catalog.list_tables(ns)
                return 200, {
                    "identifiers": [{"namespace": list(t[:-1]), "name": t[-1]} for t in tables]
                }
            if rest[2] == "tables" and len(rest) == 4:
                table = self._load(ns, rest[3])
                if method == "HEAD":
                    return 204, None
                return 200, {
                    "metadata-location": table.metadata_location,
                    "metadata": json.loads(table.metadata.model_dump_json()),
                    "config": self.table_config,
                }
        raise _Error(404, "NoSuchEndpointException", f"no endpoint {path}")

    def _namespace_properties(self, ns: tuple[str, ...]) -> dict[str, str]:
        from pyiceberg.exceptions import NoSuchNamespaceError

        try:
            return dict(self.catalog.load_namespace_properties(ns))
        except NoSuchNamespaceError:
            raise _Error(
                404, "NoSuchNamespaceException", f"Namespace does not exist: {'.'.join(ns)}"
            ) from None

    def _load(self, ns: tuple[str, ...], name: str) -> Any:
        from pyiceberg.exceptions import NoSuchNamespaceError, NoSuchTableError

        try:
            return self.catalog.load_table((*ns, name))
        except NoSuchNamespaceError:
            raise _Error(
                404, "NoSuchNamespaceException", f"Namespace does not exist: {'.'.join(ns)}"
            ) from None
        except NoSuchTableError:
            raise _Error(
                404, "NoSuchTableException", f"Table does not exist: {'.'.join((*ns, name))}"
            ) from None


@contextmanager
def running_iceberg_rest(
    catalog: Any, *, token: str | None = None, table_config: dict[str, str] | None = None
) -> Iterator[IcebergRestServer]:
    """Serve ``catalog`` on a free 127.0.0.1 port for the ``with`` block."""
    server = IcebergRestServer(catalog, token=token, table_config=table_config).start()
    try:
        yield server
    finally:
        server.stop()
