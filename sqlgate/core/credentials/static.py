"""A credential given in code, e.g. ``sqlgate.connect(url, password=...)``.

It goes through the same provider interface as every other mechanism so that drivers have a
single code path and the value is registered for redaction like any resolved secret.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from sqlgate.core.credentials.base import Clock, Credential, CredentialProvider
from sqlgate.core.errors import CredentialError
from sqlgate.core.redact import register_secret


class StaticProvider(CredentialProvider):
    """Return a fixed username/secret; refreshing returns the same value."""

    scheme = "static"

    def __init__(
        self,
        secret: str | None,
        username: str | None = None,
        *,
        expires_at: datetime | None = None,
        extras: Mapping[str, str] | None = None,
        refresh_margin: timedelta | float | None = None,
        clock: Clock | None = None,
    ) -> None:
        super().__init__(refresh_margin=refresh_margin, clock=clock)
        # Registered at once: the value may be echoed by a driver before get() is called.
        register_secret(secret)
        self._credential = Credential(username, secret, expires_at, extras or {})

    @classmethod
    def from_url_options(cls, argument: str, options: Mapping[str, str]) -> CredentialProvider:
        """Refused: a URL must never carry a secret, so there is nothing static to read."""
        raise CredentialError(
            "static credential provider: a URL cannot carry a secret; "
            "fix: pass password=... to connect() in code, or use credential=env:VAR, "
            "credential=file:/path or credential=vault:NAME"
        )

    def describe(self) -> str:
        return "value given in code"

    def _fetch(self) -> Credential:
        return self._credential
