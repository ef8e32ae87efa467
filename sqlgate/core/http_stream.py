"""Streamed HTTP responses: a body read as the caller goes (:meth:`HttpClient.stream`).

Line-oriented APIs (Druid's SQL results) stream their rows; reading them chunk by chunk keeps
memory constant whatever the result's size. Kept apart from :mod:`sqlgate.core.http`, which
sends requests and maps their failures.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import urllib3

from sqlgate.core import errors
from sqlgate.core.http import Response, failure_reason, safe_url
from sqlgate.core.redact import redact


class StreamedResponse:
    """A response whose body is read as the caller goes (line-oriented APIs stream results).

    ``lines()`` yields each *complete* line without its ``\\n``; bytes after the last ``\\n``
    (a line that was cut) are kept in ``tail``, so a caller can tell a complete body from a cut
    one. A connection that breaks mid-body raises ``OperationalError``.
    """

    def __init__(self, raw: Any, method: str, url: str, read_timeout: float) -> None:
        self._raw = raw
        self.status: int = raw.status
        self.headers: Mapping[str, str] = dict(raw.headers)
        self._where = f"{method} {safe_url(url)}"
        self._read_timeout = read_timeout
        self.tail = b""

    def lines(self, chunk_size: int = 65_536) -> Iterator[bytes]:
        pending = b""
        try:
            for chunk in self._raw.stream(chunk_size):
                parts = (pending + chunk).split(b"\n")
                pending = parts.pop()
                yield from parts
        except urllib3.exceptions.HTTPError as exc:
            raise errors.OperationalError(
                redact(
                    f"{self._where}: the response broke off ({failure_reason(exc)}; read timeout "
                    f"{self._read_timeout:g} s); run the statement again"
                )
            ) from None
        self.tail = pending

    def read_all(self, limit: int = 1 << 20) -> Response:
        """The whole (bounded) body: for error answers, which are small."""
        try:
            data = self._raw.read(limit)
        except urllib3.exceptions.HTTPError:
            data = b""
        self.close()
        return Response(self.status, self.headers, data)

    def close(self) -> None:
        """Drop the connection: an unread streamed body must never be reused."""
        self._raw.close()
        self._raw.release_conn()
