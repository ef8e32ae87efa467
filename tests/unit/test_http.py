"""sqlgate.core.http against a real HTTP server on 127.0.0.1 (stdlib http.server in a thread)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from sqlgate.core import errors
from sqlgate.core.credentials import Credential, CredentialHandle, CredentialProvider
from sqlgate.core.http import BearerAuth, HttpClient, mount_on_requests


class Script:
    """What the server answers, in order (the last answer repeats), and what it was sent."""

    def __init__(self) -> None:
        self.answers: list[tuple[int, dict[str, str], bytes, float]] = [(200, {}, b"{}", 0.0)]
        self.seen: list[tuple[str, str, str | None]] = []
        self.lock = threading.Lock()
        self.accept_token: str | None = None

    def next(self, auth: str | None) -> tuple[int, dict[str, str], bytes, float]:
        with self.lock:
            if self.accept_token is not None and auth != f"Bearer {self.accept_token}":
                return 401, {}, b'{"error": "token expired"}', 0.0
            return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]


@pytest.fixture
def server() -> Iterator[tuple[str, Script]]:
    script = Script()

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            auth = self.headers.get("Authorization")
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            with script.lock:
                script.seen.append((self.command, self.path, auth))
            status, headers, body, delay = script.next(auth)
            if delay:
                time.sleep(delay)
            try:
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except OSError:  # the client gave up (read timeout)
                pass

        do_GET = do_POST = _answer

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", script
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


class Rotating(CredentialProvider):
    """A real provider whose tokens are t1, t2, ...: each fetch issues the next one."""

    scheme = "test-rotating"

    def __init__(self) -> None:
        super().__init__(refresh_margin=0)
        self.fetches = 0

    def _fetch(self) -> Credential:
        self.fetches += 1
        return Credential(
            None, f"tok-{self.fetches}-secret", datetime.now(timezone.utc) + timedelta(hours=1)
        )


def test_503_twice_then_200_is_retried(server: tuple[str, Script]) -> None:
    url, script = server
    script.answers = [(503, {}, b"busy", 0.0), (503, {}, b"busy", 0.0), (200, {}, b'{"a": 1}', 0)]
    client = HttpClient(url, backoff=0.01)
    assert client.get("/v1/x").json() == {"a": 1}
    assert [s[:2] for s in script.seen] == [("GET", "/v1/x")] * 3


def test_retries_are_bounded(server: tuple[str, Script]) -> None:
    url, script = server
    script.answers = [(503, {}, b"still busy", 0.0)]
    client = HttpClient(url, retries=2, backoff=0.01)
    with pytest.raises(errors.OperationalError, match="answered 503"):
        client.get("/x")
    assert len(script.seen) == 3  # the first attempt and two retries


def test_retry_after_is_honoured_and_capped(server: tuple[str, Script]) -> None:
    url, script = server
    script.answers = [(429, {"Retry-After": "3600"}, b"slow down", 0.0), (200, {}, b"{}", 0.0)]
    client = HttpClient(url, backoff=0.01, max_retry_after=0.4)
    started = time.monotonic()
    client.get("/x")
    waited = time.monotonic() - started
    assert 0.35 <= waited < 5, waited  # waited, but the cap, not the hour the server asked
    assert len(script.seen) == 2


def test_post_is_not_retried_unless_idempotent(server: tuple[str, Script]) -> None:
    url, script = server
    script.answers = [(503, {}, b"busy", 0.0), (200, {}, b"{}", 0.0)]
    client = HttpClient(url, backoff=0.01)
    with pytest.raises(errors.OperationalError):
        client.post("/statements", json={"sql": "SELECT 1"})
    assert len(script.seen) == 1  # a statement is never sent twice behind the caller's back
    script.answers = [(503, {}, b"busy", 0.0), (200, {}, b"{}", 0.0)]
    client.post("/query", json={"sql": "SELECT 1"}, idempotent=True)
    assert len(script.seen) == 3


def test_read_timeout_is_always_set(server: tuple[str, Script]) -> None:
    url, script = server
    script.answers = [(200, {}, b"{}", 3.0)]
    client = HttpClient(url, read_timeout=0.3, retries=1, backoff=0.01)
    started = time.monotonic()
    with pytest.raises(errors.OperationalError, match=r"did not answer within 0\.3 s"):
        client.get("/slow")
    assert time.monotonic() - started < 2.5
    assert len(script.seen) == 2  # a GET that timed out is retried once, then given up
    with pytest.raises(errors.InterfaceError):
        HttpClient(url, read_timeout=0)


def test_unreachable_endpoint_fails_fast() -> None:
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = HttpClient(f"http://127.0.0.1:{port}", retries=1, backoff=0.01)
    started = time.monotonic()
    with pytest.raises(errors.OperationalError, match="cannot reach"):
        client.get("/x")
    assert time.monotonic() - started < 3


def test_401_forces_one_token_refresh(server: tuple[str, Script]) -> None:
    url, script = server
    provider = Rotating()
    client = HttpClient(url, auth=BearerAuth(CredentialHandle(provider)))
    client.get("/a")
    assert script.seen[-1][2] == "Bearer tok-1-secret"
    script.accept_token = "tok-2-secret"  # the server revoked the first token
    client.get("/b")
    assert [s[2] for s in script.seen[-2:]] == ["Bearer tok-1-secret", "Bearer tok-2-secret"]
    assert provider.fetches == 2
    client.get("/c")  # the refreshed token is cached, not fetched per request
    assert script.seen[-1][2] == "Bearer tok-2-secret" and provider.fetches == 2


def test_401_after_refresh_is_an_error_without_the_secret(server: tuple[str, Script]) -> None:
    url, script = server
    script.accept_token = "never"
    script.answers = [(200, {}, b"{}", 0.0)]
    client = HttpClient(url, auth=BearerAuth(CredentialHandle(Rotating())))
    with pytest.raises(errors.OperationalError) as info:
        client.get("/x?sig=abc")
    assert "answered 401" in str(info.value) and "access refused" in str(info.value)
    assert "sig=abc" not in str(info.value)
    assert len(script.seen) == 2  # one refresh, not a loop


def test_secrets_echoed_by_the_server_are_redacted(server: tuple[str, Script]) -> None:
    url, script = server
    script.answers = [(400, {}, b"bad request for token tok-1-secret", 0.0)]
    client = HttpClient(url, auth=BearerAuth(CredentialHandle(Rotating())))
    with pytest.raises(errors.ProgrammingError) as info:
        client.get("/x")
    assert "tok-1-secret" not in str(info.value) and "***" in str(info.value)


def test_requests_session_gets_the_same_policy(server: tuple[str, Script]) -> None:
    import requests

    url, script = server
    provider = Rotating()
    session = requests.Session()
    mount_on_requests(
        session, connect_timeout=1, read_timeout=0.5, handle=CredentialHandle(provider)
    )
    script.answers = [(503, {}, b"busy", 0.0), (200, {}, b"{}", 0.0)]
    assert session.get(url + "/v1/config").status_code == 200
    assert len(script.seen) == 2
    script.accept_token = "tok-2-secret"
    assert session.get(url + "/v1/namespaces").status_code == 200
    assert [s[2] for s in script.seen[-2:]] == ["Bearer tok-1-secret", "Bearer tok-2-secret"]
    script.answers = [(200, {}, b"{}", 2.0)]
    with pytest.raises(requests.exceptions.ConnectionError):  # read timeout, retries spent
        session.get(url + "/slow")
