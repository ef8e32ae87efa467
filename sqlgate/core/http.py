"""The one HTTP layer for REST sources (Iceberg REST catalog today; Databricks, Druid, BigQuery
REST next), on urllib3.

Every request has connect and read timeouts. Failures are retried with exponential backoff:
connection failures always (nothing reached the server), read failures and the statuses
429/502/503/504 only for idempotent methods, honouring ``Retry-After`` up to a bound (a server
asking for an hour must not hang a query). Authentication is a per-request hook: a
:class:`BearerAuth` asks the connection's credential handle for the current token before each
request and, after a 401, forces one refresh and resends once. Errors are sqlgate's PEP 249
classes with every secret redacted and no query string (signed URLs carry keys there).
"""

from __future__ import annotations

import json as jsonlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urljoin, urlsplit

import urllib3
from urllib3.util.retry import Retry

from sqlgate.core import errors
from sqlgate.core.redact import redact, register_secret

if TYPE_CHECKING:  # requests is optional (the gcp extra); only mount_on_requests needs it
    import requests

    from sqlgate.core.http_stream import StreamedResponse

DEFAULT_CONNECT_TIMEOUT = 5.0
DEFAULT_READ_TIMEOUT = 30.0
DEFAULT_RETRIES = 3
DEFAULT_BACKOFF = 0.5
#: the longest ``Retry-After`` honoured, and the longest backoff between two attempts
MAX_RETRY_AFTER = 30.0
RETRY_STATUSES = frozenset({429, 502, 503, 504})
_BODY_EXCERPT = 300


class BoundedRetry(Retry):
    """urllib3's Retry, with the server's ``Retry-After`` capped at ``max_retry_after``."""

    max_retry_after: float = MAX_RETRY_AFTER

    def parse_retry_after(self, retry_after: str) -> float:
        return min(super().parse_retry_after(retry_after), self.max_retry_after)

    def new(self, **kw: Any) -> BoundedRetry:
        retry = super().new(**kw)
        retry.max_retry_after = self.max_retry_after
        return retry


def retry_policy(
    retries: int = DEFAULT_RETRIES,
    *,
    backoff: float = DEFAULT_BACKOFF,
    max_retry_after: float = MAX_RETRY_AFTER,
    idempotent_only: bool = True,
) -> BoundedRetry:
    """The retry policy of every sqlgate HTTP client (also mounted on requests sessions).

    ``idempotent_only=False`` is for a POST the caller knows to be safe to repeat (a query
    endpoint that only reads).
    """
    retry = BoundedRetry(
        total=retries,
        connect=retries,
        read=retries,
        status=retries,
        other=0,
        redirect=3,
        status_forcelist=RETRY_STATUSES,
        backoff_factor=backoff,
        backoff_max=max_retry_after,
        respect_retry_after_header=True,
        raise_on_status=False,
        raise_on_redirect=False,
        allowed_methods=Retry.DEFAULT_ALLOWED_METHODS if idempotent_only else None,
    )
    retry.max_retry_after = max_retry_after
    return retry


class Auth(Protocol):
    """Per-request authentication: headers for the next request, and a forced refresh."""

    def headers(self) -> dict[str, str]: ...

    def refresh(self) -> None: ...


class BearerAuth:
    """``Authorization: Bearer <token>`` from a credential handle, asked on every request."""

    def __init__(self, handle: Any) -> None:
        self.handle = handle

    def headers(self) -> dict[str, str]:
        secret = self.handle.current().secret
        register_secret(secret)
        return {"Authorization": f"Bearer {secret}"} if secret else {}

    def refresh(self) -> None:
        self.handle.refresh()


class BasicAuth:
    """``Authorization: Basic`` from a credential handle's user and secret, asked on every
    request (a rotated password is picked up without reconnecting)."""

    def __init__(self, handle: Any, user: str | None = None) -> None:
        self.handle, self.user = handle, user

    def headers(self) -> dict[str, str]:
        import base64

        credential = self.handle.current()
        user = credential.username or self.user or ""
        register_secret(credential.secret)
        token = base64.b64encode(f"{user}:{credential.secret or ''}".encode()).decode()
        register_secret(token)
        return {"Authorization": f"Basic {token}"}

    def refresh(self) -> None:
        self.handle.refresh()


@dataclass(frozen=True)
class Response:
    """A finished response: status, headers and the whole body."""

    status: int
    headers: Mapping[str, str] = field(repr=False)
    data: bytes = field(repr=False)

    def json(self) -> Any:
        try:
            return jsonlib.loads(self.data or b"null")
        except ValueError:
            raise errors.OperationalError("the server answered with invalid JSON") from None


def safe_url(url: str) -> str:
    """A URL for messages: no user info, no query string (signatures live there)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return redact(f"{parts.scheme}://{host}{port}{parts.path}")


class HttpClient:
    """One pooled HTTP client for a REST source; thread-safe."""

    def __init__(
        self,
        base_url: str,
        *,
        auth: Auth | None = None,
        connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
        read_timeout: float = DEFAULT_READ_TIMEOUT,
        retries: int = DEFAULT_RETRIES,
        backoff: float = DEFAULT_BACKOFF,
        max_retry_after: float = MAX_RETRY_AFTER,
        headers: Mapping[str, str] | None = None,
        pool_size: int = 4,
        verify: bool = True,
        ca_certs: str | None = None,
    ) -> None:
        if not connect_timeout or not read_timeout:
            raise errors.InterfaceError("HTTP timeouts must be set (seconds > 0)")
        self.base_url = base_url.rstrip("/") + "/"
        self.auth = auth
        self.timeout = urllib3.Timeout(connect=connect_timeout, read=read_timeout)
        self.retries, self.backoff, self.max_retry_after = retries, backoff, max_retry_after
        self.headers = dict(headers or {})
        self._pool = urllib3.PoolManager(
            maxsize=pool_size,
            timeout=self.timeout,
            cert_reqs="CERT_REQUIRED" if verify else "CERT_NONE",
            ca_certs=ca_certs,
        )

    def request(
        self,
        method: str,
        path: str = "",
        *,
        body: bytes | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool | None = None,
        expect: tuple[int, ...] = (200, 201, 204),
    ) -> Response:
        """Send one request (with retries); a status outside ``expect`` raises a PEP 249 error.

        ``idempotent`` defaults to the method's nature; pass True for a read-only POST.
        """
        url, raw = self._exchange(method, path, body, json, headers, idempotent, preload=True)
        response = Response(raw.status, dict(raw.headers), raw.data)
        if response.status not in expect:
            raise http_error(method, url, response)
        return response

    def get(self, path: str = "", **kwargs: Any) -> Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str = "", **kwargs: Any) -> Response:
        return self.request("POST", path, **kwargs)

    def _exchange(
        self,
        method: str,
        path: str,
        body: bytes | None,
        json: Any,
        headers: Mapping[str, str] | None,
        idempotent: bool | None,
        *,
        preload: bool,
    ) -> tuple[str, Any]:
        """Send (``json`` encoded when given); after a 401, refresh the credential (the token
        may have been revoked or expired early) and resend once. The URL and urllib3's answer."""
        url = urljoin(self.base_url, path.lstrip("/"))
        send_headers = {**self.headers, **(headers or {})}
        if json is not None:
            body = jsonlib.dumps(json).encode()
            send_headers.setdefault("Content-Type", "application/json")
        only_idempotent = idempotent is None or not idempotent
        raw = self._open(method, url, body, send_headers, only_idempotent, preload=preload)
        if raw.status == 401 and self.auth is not None:
            if not preload:
                raw.drain_conn()
            self.auth.refresh()
            raw = self._open(method, url, body, send_headers, only_idempotent, preload=preload)
        return url, raw

    def stream(
        self,
        method: str,
        path: str = "",
        *,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool | None = None,
    ) -> StreamedResponse:
        """Send one request and return the response with its body *unread*, whatever the
        status: the caller reads it line by line (constant memory) or, for an error, whole."""
        from sqlgate.core.http_stream import StreamedResponse

        url, raw = self._exchange(method, path, None, json, headers, idempotent, preload=False)
        return StreamedResponse(raw, method, url, self.timeout.read_timeout or 0.0)

    def _open(
        self,
        method: str,
        url: str,
        body: bytes | None,
        headers: dict[str, str],
        only_idempotent: bool,
        *,
        preload: bool = True,
    ) -> Any:
        if self.auth is not None:
            headers = {**headers, **self.auth.headers()}
        retry = retry_policy(
            self.retries,
            backoff=self.backoff,
            max_retry_after=self.max_retry_after,
            idempotent_only=only_idempotent,
        )
        try:
            raw = self._pool.request(
                method,
                url,
                body=body,
                headers=headers,
                retries=retry,
                timeout=self.timeout,
                redirect=False,
                preload_content=preload,
            )
        except urllib3.exceptions.HTTPError as exc:
            raise errors.OperationalError(
                redact(
                    f"{method} {safe_url(url)}: cannot reach the server or it did not answer "
                    f"within {self.timeout.read_timeout:g} s ({failure_reason(exc)}); check the "
                    "endpoint and the network, or raise ?timeout="
                )
            ) from None
        return raw

    def close(self) -> None:
        self._pool.clear()


def failure_reason(exc: urllib3.exceptions.HTTPError) -> str:
    reason = getattr(exc, "reason", None) or exc
    return " ".join(str(type(reason).__name__).split())


def http_error(method: str, url: str, response: Response) -> errors.Error:
    """The PEP 249 error for a final non-success status; the body excerpt is redacted."""
    excerpt = " ".join(response.data[:_BODY_EXCERPT].decode("utf-8", "replace").split())
    where = f"{method} {safe_url(url)} answered {response.status}"
    if response.status in (401, 403):
        return errors.OperationalError(
            redact(f"{where}: access refused, check the credential and its permissions: {excerpt}")
        )
    if response.status == 404:
        return errors.ProgrammingError(redact(f"{where}: no such resource: {excerpt}"))
    if 400 <= response.status < 500:
        return errors.ProgrammingError(redact(f"{where}: {excerpt}"))
    return errors.OperationalError(redact(f"{where}: the server failed: {excerpt}"))


def mount_on_requests(
    session: Any,
    *,
    connect_timeout: float,
    read_timeout: float,
    retries: int = DEFAULT_RETRIES,
    handle: Any = None,
) -> None:
    """Give a ``requests.Session`` (a library's own, e.g. pyiceberg's REST catalog) the same
    timeouts, retry policy and per-request bearer token as :class:`HttpClient`."""
    from requests.adapters import HTTPAdapter
    from requests.auth import AuthBase

    default_timeout = (connect_timeout, read_timeout)

    class _Adapter(HTTPAdapter):
        def send(
            self,
            request: requests.PreparedRequest,
            stream: bool = False,
            timeout: Any = None,
            verify: bool | str = True,
            cert: Any = None,
            proxies: Any = None,
        ) -> requests.Response:
            return super().send(
                request,
                stream=stream,
                timeout=default_timeout if timeout is None else timeout,
                verify=verify,
                cert=cert,
                proxies=proxies,
            )

    adapter = _Adapter(max_retries=retry_policy(retries))
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    if handle is None:
        return
    bearer = BearerAuth(handle)

    class _Bearer(AuthBase):
        def __call__(self, request):
            request.headers.update(bearer.headers())
            request.register_hook("response", self._retry_401)
            return request

        def _retry_401(self, response, **kwargs):
            if response.status_code != 401 or getattr(response.request, "_sqlgate_retried", 0):
                return response
            bearer.refresh()
            again = response.request.copy()
            again.headers.update(bearer.headers())
            again._sqlgate_retried = 1
            response.content  # noqa: B018 - release the connection before resending
            response.close()
            return response.connection.send(again, **kwargs)

    session.auth = _Bearer()
