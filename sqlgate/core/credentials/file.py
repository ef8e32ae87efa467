"""Read the secret from a mounted file (``credential=file:/run/secrets/pg``).

Kubernetes, Docker and Vault agents rotate secrets by rewriting the file, so the file is
re-read on :meth:`refresh` and, with ``credential_ttl=SECONDS``, whenever the cached copy is
older than the TTL.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path

from sqlgate.core.credentials.base import (
    Clock,
    Credential,
    CredentialProvider,
    option,
    parse_seconds,
)
from sqlgate.core.errors import CredentialError


class FileProvider(CredentialProvider):
    """Secret = the file's content without its trailing newline."""

    scheme = "file"
    options = frozenset({"ttl", "user"})

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        ttl: float | timedelta | None = None,
        username: str | None = None,
        refresh_margin: timedelta | float | None = None,
        clock: Clock | None = None,
    ) -> None:
        # The TTL is the whole lifetime, so the default 5-minute margin would make a short
        # TTL re-read on every call: the margin defaults to zero here.
        super().__init__(refresh_margin=refresh_margin or 0, clock=clock)
        if not str(path):
            raise CredentialError(
                "file credential provider: no path given; "
                "fix: write credential=file:/path/to/secret"
            )
        self.path = Path(os.path.expanduser(str(path)))
        if ttl is not None and not isinstance(ttl, timedelta):
            ttl = timedelta(seconds=float(ttl))
        self.ttl: timedelta | None = ttl or None
        self.username = username

    @classmethod
    def from_url_options(cls, argument: str, options: Mapping[str, str]) -> FileProvider:
        return cls(
            argument,
            ttl=parse_seconds("file", "ttl", options.get("ttl")),
            username=option(options, "user"),
        )

    def describe(self) -> str:
        return str(self.path)

    def _fetch(self) -> Credential:
        try:
            raw = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise self.error(
                "the secret file does not exist",
                "mount or create it, or correct the path in credential=file:/path",
            ) from None
        except PermissionError:
            raise self.error(
                "the secret file is not readable by this process",
                "grant read permission to this user (chmod/chown), keeping it private (0600)",
            ) from None
        except IsADirectoryError:
            raise self.error("the path is a directory", "point at the secret file itself") from None
        except UnicodeDecodeError:
            raise self.error("the file is not UTF-8 text", "store the secret as text") from None
        secret = raw.rstrip("\r\n")
        if not secret:
            raise self.error("the secret file is empty", "write the secret into the file")
        expires = self.now() + self.ttl if self.ttl else None
        return Credential(username=self.username, secret=secret, expires_at=expires)
