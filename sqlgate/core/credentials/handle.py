"""A credential a session consults per request, instead of a password fixed at connect.

Tokens (IAM, OAuth2, Entra ID, Kerberos) expire inside a long connection. A session that
authenticates each request (object stores, REST APIs) keeps a :class:`CredentialHandle` and
asks :meth:`CredentialHandle.current` before a request; the shared provider behind it returns
its cached credential until shortly before expiry, then a fresh one. Wire protocols
(PostgreSQL, MySQL) check a password only at login: for them the handle matters when a pool
opens a new connection, which resolves the credential again.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

from sqlgate.core.credentials.base import Credential, CredentialProvider

T = TypeVar("T")


class CredentialHandle:
    """The live credential of one connection: a thin, thread-safe view of a shared provider."""

    def __init__(self, provider: CredentialProvider) -> None:
        self.provider = provider

    def current(self) -> Credential:
        """The credential to present now (cached by the provider until near expiry)."""
        return self.provider.get()

    def refresh(self) -> Credential:
        """Force a new credential, e.g. after the server answered 401 to the current one."""
        return self.provider.refresh()

    def __repr__(self) -> str:
        return f"CredentialHandle({self.provider!r})"


class Derived(Generic[T]):
    """A value built from the current credential, rebuilt only when the credential changes.

    Providers return the same :class:`Credential` object until they fetch a new one, so an
    identity check is enough: an S3 filesystem or a set of storage options is re-created once
    per token, not once per request.
    """

    def __init__(self, handle: CredentialHandle, build: Callable[[Credential], T]) -> None:
        self.handle = handle
        self._build = build
        self._lock = threading.Lock()
        self._credential: Credential | None = None
        self._value: T | None = None

    def get(self) -> T:
        credential = self.handle.current()
        with self._lock:
            if credential is not self._credential or self._value is None:
                self._value = self._build(credential)
                self._credential = credential
            return self._value

    def refresh(self) -> T:
        """Rebuild from a forcibly refreshed credential (after an authentication failure)."""
        self.handle.refresh()
        return self.get()
