"""BigQuery credentials end to end: a service-account key exchanged at a real OAuth2 token
endpoint on 127.0.0.1 (tests/integration/test_credentials_gcp.py), the bearer token seen by a
recording proxy in front of bqemulator (which checks no credentials itself)."""

from __future__ import annotations

import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

import sqlgate
from sqlgate.core.errors import CredentialError, OperationalError
from tests.integration.test_credentials_gcp import service_account  # noqa: F401 - a fixture
from tests.servers.bigquery import DATASET, PROJECT, BigQueryInfo


class RecordingProxy:
    """Forwards every request to the emulator and keeps its Authorization header."""

    def __init__(self, target: str) -> None:
        self.headers: list[str | None] = []
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def _forward(self) -> None:
                proxy.headers.append(self.headers.get("Authorization"))
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                request = urllib.request.Request(target + self.path, data=body, method=self.command)
                request.add_header("Content-Type", self.headers.get("Content-Type", "text/plain"))
                try:
                    with urllib.request.urlopen(request, timeout=30) as resp:
                        status, data = resp.status, resp.read()
                except urllib.error.HTTPError as exc:
                    status, data = exc.code, exc.read()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_DELETE = do_PATCH = _forward

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> RecordingProxy:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


@pytest.fixture()
def proxy(seeded_bigquery: BigQueryInfo) -> Iterator[RecordingProxy]:
    with RecordingProxy(seeded_bigquery.endpoint) as running:
        yield running


def _url(proxy: RecordingProxy, key: object, **options: str) -> str:
    extra = "".join(f"&{k}={v}" for k, v in options.items())
    return (
        f"bigquery+sqlgate://{PROJECT}/{DATASET}?api_endpoint={proxy.url}"
        f"&storage_api=false&credential=gcp:{key}{extra}"
    )


def test_service_account_token_is_presented_and_refreshed_per_request(
    proxy: RecordingProxy,
    service_account: tuple[object, object],  # noqa: F811
) -> None:
    key, tokens = service_account
    # a margin as long as the token's life: every request must ask the endpoint anew
    with sqlgate.connect(_url(proxy, key, credential_refresh_margin="600")) as conn:
        cur = conn.cursor()
        assert cur.execute("SELECT count(*) FROM items").fetchone() == (4,)
        assert cur.execute("SELECT 1").fetchone() == (1,)
    presented = [h for h in proxy.headers if h]
    assert len(presented) == len(proxy.headers) >= 4  # ping, 2 dry runs, 2 jobs, pages
    issued = set(tokens.issued)  # type: ignore[attr-defined]
    assert {h.removeprefix("Bearer ") for h in presented} <= issued
    assert len({*presented}) >= 4  # a fresh token on (nearly) every request


def test_cached_token_is_reused_until_near_expiry(
    proxy: RecordingProxy,
    service_account: tuple[object, object],  # noqa: F811
) -> None:
    key, tokens = service_account
    with sqlgate.connect(_url(proxy, key)) as conn:
        conn.cursor().execute("SELECT 1").fetchall()
    assert len(set(proxy.headers)) == 1 and proxy.headers[0].startswith("Bearer ")
    assert len(tokens.issued) == 1  # type: ignore[attr-defined]


def test_refused_credentials_fail_at_connect_without_the_secret(
    proxy: RecordingProxy,
    service_account: tuple[object, object],  # noqa: F811
) -> None:
    key, tokens = service_account
    tokens.refuse = True  # type: ignore[attr-defined]
    with pytest.raises(CredentialError) as info:
        sqlgate.connect(_url(proxy, key))
    assert isinstance(info.value, OperationalError)
    assert "PRIVATE KEY" not in str(info.value)
    assert proxy.headers == []  # nothing reached BigQuery without a token
