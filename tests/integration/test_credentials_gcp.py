"""The gcp provider against a real OAuth2 JWT-bearer token endpoint on 127.0.0.1.

A service-account JSON with a freshly generated RSA key points ``token_uri`` at a tiny
http.server; google-auth signs a real JWT assertion, which the endpoint verifies with the
public key before issuing a token, so the whole exchange is exercised without Google.
"""

from __future__ import annotations

import base64
import json
import os
import threading
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest

from sqlgate.core.credentials import provider_from_url
from sqlgate.core.credentials.gcp import GcpProvider
from sqlgate.core.errors import CredentialError

SA_EMAIL = "reader@sqlgate-test.iam.gserviceaccount.com"
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (required in CI)")
    pytest.skip(reason)


def _b64decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


class TokenServer:
    """An OAuth2 token endpoint that verifies RS256 JWT assertions and counts issued tokens."""

    def __init__(self, public_key, expires_in: int = 3600) -> None:
        self.public_key, self.expires_in = public_key, expires_in
        self.issued: list[str] = []
        self.claims: list[dict] = []
        self.refuse = False
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"])).decode()
                status, payload = server.handle(self.path, parse_qs(body))
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/token"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def handle(self, path: str, form: dict) -> tuple[int, dict]:
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding

        if path != "/token" or form.get("grant_type") != [JWT_BEARER]:
            return 400, {"error": "unsupported_grant_type"}
        header, payload, signature = form["assertion"][0].split(".")
        try:
            self.public_key.verify(
                _b64decode(signature),
                f"{header}.{payload}".encode(),
                padding.PKCS1v15(),
                hashes.SHA256(),
            )
        except InvalidSignature:
            return 400, {"error": "invalid_grant", "error_description": "bad signature"}
        claims = json.loads(_b64decode(payload))
        self.claims.append(claims)
        if self.refuse:
            return 400, {"error": "invalid_grant", "error_description": "account disabled"}
        token = f"ya29.test-token-{len(self.issued) + 1:04d}"
        self.issued.append(token)
        return 200, {"access_token": token, "expires_in": self.expires_in, "token_type": "Bearer"}

    def __enter__(self) -> TokenServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


@pytest.fixture()
def service_account(tmp_path):
    try:
        import google.auth  # noqa: F401
        import requests  # noqa: F401
    except ImportError:
        _unavailable("google-auth/requests are not installed (pip install 'sqlgate[gcp]')")
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    with TokenServer(key.public_key(), expires_in=600) as server:
        info = {
            "type": "service_account",
            "project_id": "sqlgate-test",
            "private_key_id": "0123456789abcdef",
            "private_key": pem,
            "client_email": SA_EMAIL,
            "client_id": "1234567890",
            "token_uri": server.url,
        }
        path = tmp_path / "sa.json"
        path.write_text(json.dumps(info))
        path.chmod(0o600)
        yield path, server


class Clock:
    def __init__(self) -> None:
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(timezone.utc) + self.offset


def test_service_account_jwt_bearer_exchange(service_account):
    path, server = service_account
    before = datetime.now(timezone.utc)
    provider = provider_from_url(
        f"gcp:{path}", {"scopes": "https://www.googleapis.com/auth/bigquery.readonly"}
    )
    cred = provider.get()
    assert cred.secret == "ya29.test-token-0001" and cred.username == SA_EMAIL
    assert before + timedelta(seconds=590) < cred.expires_at < before + timedelta(seconds=610)
    claims = server.claims[0]
    assert claims["iss"] == SA_EMAIL and claims["exp"] > claims["iat"]
    assert claims["scope"] == "https://www.googleapis.com/auth/bigquery.readonly"
    assert cred.secret not in repr(cred) and cred.secret not in repr(provider)


def test_refresh_before_expiry(service_account):
    path, server = service_account
    clock = Clock()
    provider = GcpProvider(path, clock=clock)  # default margin: 5 minutes
    first = provider.get()
    clock.offset = timedelta(minutes=4)  # 6 minutes left: still cached
    assert provider.get() is first and len(server.issued) == 1
    clock.offset = timedelta(minutes=5, seconds=30)  # 4.5 minutes left: refreshed
    second = provider.get()
    assert second.secret == "ya29.test-token-0002" and second.expires_at > first.expires_at
    assert provider.refresh().secret == "ya29.test-token-0003"
    assert server.claims[0]["scope"] == "https://www.googleapis.com/auth/cloud-platform"


def test_refused_refresh_and_missing_key_file(service_account, tmp_path):
    path, server = service_account
    server.refuse = True
    with pytest.raises(CredentialError, match=r"gcp credential provider.*refused.*disabled"):
        provider_from_url(f"gcp:{path}", {}).get()
    with pytest.raises(CredentialError, match=r"does not exist.*credential=gcp:/path/sa.json"):
        provider_from_url(f"gcp:{tmp_path}/missing.json", {}).get()
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"type": "service_account", "client_email": SA_EMAIL}))
    with pytest.raises(CredentialError, match=r"not valid"):
        provider_from_url(f"gcp:{bad}", {}).get()


def test_adc_from_google_application_credentials(service_account, monkeypatch):
    path, server = service_account
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(path))
    cred = provider_from_url("gcp", {}).get()
    assert cred.secret == server.issued[-1] and cred.username == SA_EMAIL
    assert cred.extras["project"] == "sqlgate-test"


def test_adc_missing_is_a_clear_error(service_account, monkeypatch, tmp_path):
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(tmp_path / "absent.json"))
    with pytest.raises(CredentialError, match=r"gcp credential provider .*application default"):
        provider_from_url("gcp", {}).get()
