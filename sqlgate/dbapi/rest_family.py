"""What the REST sources share (Databricks' Statement Execution API, Druid's SQL API).

Connecting: the option check that refuses unknown names, the endpoint's base URL (plain HTTP
only for a server on this machine unless asked), and a credential handle from the provider or
the URL's password. Running: the bookkeeping that lets ``Cursor.cancel()`` from another thread
stop the statement the session is running. A source's session module states the rest.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

from sqlgate.core import errors
from sqlgate.core.http import Response
from sqlgate.core.params import ConnectParams
from sqlgate.core.redact import redact
from sqlgate.core.session import Session

LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
#: how much of a server's message an error quotes
EXCERPT = 400


def refuse_unknown(source: str, options: Mapping[str, Any], accepted: frozenset[str]) -> None:
    """Refuse an option the flavor does not read, by name (a typo must not pass silently)."""
    unknown = sorted(set(options) - accepted)
    if unknown:
        raise errors.InterfaceError(
            f"unknown {source} option(s) {', '.join(unknown)}; accepted: "
            + ", ".join(sorted(accepted))
        )


def base_url(params: ConnectParams, protocol: Any) -> str:
    """``protocol://host:port/``; without a protocol, plain HTTP only for this machine (an
    emulator or a local cluster), HTTPS otherwise."""
    scheme = str(protocol or "").lower()
    if not scheme:
        scheme = "http" if params.host in LOOPBACK else "https"
    if scheme not in ("http", "https"):
        raise errors.InterfaceError(f"option protocol={scheme!r}: use https or http")
    port = f":{params.port}" if params.port else ""
    return f"{scheme}://{params.host}{port}/"


def credential_handle(params: ConnectParams) -> Any:
    """The credential provider's handle, or one over the URL's password; None without both."""
    from sqlgate.core.credentials.handle import CredentialHandle
    from sqlgate.core.credentials.static import StaticProvider

    if params.credential_handle is not None:
        return params.credential_handle
    if not params.password:
        return None
    return CredentialHandle(StaticProvider(params.password, params.user))


class ServerError(Exception):
    """What the server said, as the ``__cause__`` of the PEP 249 error raised for it."""


def server_error(cls: type[errors.Error], text: str, message: str) -> errors.Error:
    """A PEP 249 error whose text and cause (the server's own words) are both redacted."""
    exc = cls(redact(text))
    exc.__cause__ = ServerError(redact(message))
    return exc


def error_body(response: Response, message_key: str) -> dict[str, Any]:
    """An error answer's JSON object; a body that is not one becomes its text excerpt under
    ``message_key`` (a proxy's HTML page, a cut body)."""
    try:
        body = response.json()
    except errors.Error:
        body = None
    if not isinstance(body, dict):
        excerpt = " ".join(response.data[:EXCERPT].decode("utf-8", "replace").split())
        body = {message_key: excerpt}
    return body


class RestSession(Session):
    """A session on one REST client whose running statement another thread may cancel.

    ``_running`` is the server's id of the statement to stop (None when none runs), ``_stop``
    tells the executing thread that a cancel came, ``_last_id`` is what ``query_id`` reports
    (the audit log records it).
    """

    def __init__(self, client: Any) -> None:
        self.client = client
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._running: str | None = None
        self._last_id: str | None = None

    @property
    def query_id(self) -> str | None:
        """The server's id of the last statement."""
        return self._last_id

    @property
    def raw(self) -> Any:
        return self.client

    def cancel(self) -> None:
        """Stop the running statement (from another thread); the waiting thread then raises."""
        self._stop.set()
        with self._lock:
            running = self._running
        if running is not None:
            self.client.cancel(running)

    def close(self) -> None:
        self.client.close()
