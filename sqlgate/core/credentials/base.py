"""The credential model shared by every sqlgate source.

A source never holds a password in its URL: it names a :class:`CredentialProvider` that
resolves one when a connection is opened. Providers cache what they resolve and refresh it a
little before it expires, because short-lived credentials (IAM tokens, Kerberos tickets,
OAuth2 access tokens) would otherwise fail in the middle of a long session. Every failure is
a :class:`~sqlgate.core.errors.CredentialError` naming the provider and the fix; no message
or repr ever contains the secret.
"""

from __future__ import annotations

import contextlib
import importlib
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from types import MappingProxyType, ModuleType
from typing import Any, ClassVar

from sqlgate.core.errors import CredentialError, InterfaceError, MissingExtraError
from sqlgate.core.redact import MASK, redact, register_secret

DEFAULT_REFRESH_MARGIN = timedelta(minutes=5)

# Keys of ``Credential.extras`` whose values are secret too (e.g. an AWS session token):
# they are registered for redaction and never shown in a repr.
SECRET_EXTRA_KEYS = frozenset(
    {"session_token", "token", "sas_token", "account_key", "access_token", "secret_key"}
)

Clock = Callable[[], datetime]


def utcnow() -> datetime:
    """The default clock: timezone-aware UTC, so expiry comparisons never mix naive times."""
    return datetime.now(timezone.utc)


def as_utc(value: datetime | None) -> datetime | None:
    """Normalise a datetime to aware UTC; naive values are taken as UTC (google-auth's style)."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


@dataclass(frozen=True)
class Credential:
    """What a provider resolves: who to connect as, the secret, and until when it is valid.

    ``extras`` carries mechanism-specific values a driver may need (an AWS session token, the
    Kerberos credential cache path, an Azure account name). The repr masks the secret and shows
    only the keys of ``extras``, so a credential can be logged safely.
    """

    username: str | None = None
    secret: str | None = field(default=None, repr=False)
    expires_at: datetime | None = None
    extras: Mapping[str, str] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "expires_at", as_utc(self.expires_at))
        object.__setattr__(self, "extras", MappingProxyType(dict(self.extras)))

    def __repr__(self) -> str:
        secret = MASK if self.secret is not None else None
        expires = self.expires_at.isoformat() if self.expires_at else None
        return (
            f"Credential(username={self.username!r}, secret={secret}, "
            f"expires_at={expires}, extras={sorted(self.extras)})"
        )

    __str__ = __repr__

    def register(self) -> None:
        """Register the secret (and secret extras) so :func:`redact` masks them everywhere."""
        register_secret(self.secret)
        for key, value in self.extras.items():
            if key in SECRET_EXTRA_KEYS:
                register_secret(value)


def require(module: str, *, scheme: str, extra: str, package: str | None = None) -> ModuleType:
    """Import an optional dependency lazily, so importing sqlgate never needs every extra."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MissingExtraError(
            f"{scheme} credential", extra, package or module.split(".")[0]
        ) from exc


def scrub(exc: BaseException) -> BaseException:
    """Redact the string arguments of an exception in place.

    The wrapped exception survives as ``__cause__`` and is printed in tracebacks, so its own
    text must not carry a secret either.
    """
    with contextlib.suppress(Exception):  # exotic exceptions with read-only args
        exc.args = tuple(redact(a) if isinstance(a, str) else a for a in exc.args)
    return exc


#: the longest ttl / refresh margin / duration a provider option may name (31 days)
MAX_OPTION_SECONDS = 31 * 86_400.0


def parse_seconds(provider: str, name: str, value: str | None) -> float | None:
    """A numeric ``credential_<name>`` option (0 allowed), through the package's one parser;
    the error names the provider and the option, never a bare ValueError."""
    from sqlgate.core.params import parse_seconds as parse

    try:
        return parse(f"credential_{name}", value, maximum=MAX_OPTION_SECONDS, allow_zero=True)
    except InterfaceError as exc:
        raise CredentialError(
            f"{provider} credential: {exc}; fix the URL option (e.g. credential_{name}=300)"
        ) from None


def parse_bool(provider: str, name: str, value: str | None, default: bool = False) -> bool:
    """A boolean ``credential_<name>`` option (true/false/1/0/yes/no/on/off)."""
    from sqlgate.core.params import parse_bool as parse

    if value is None or value == "":
        return default
    try:
        return parse(f"credential_{name}", value)
    except InterfaceError as exc:
        raise CredentialError(f"{provider} credential: {exc}") from None


class CredentialProvider(ABC):
    """Resolve, cache and refresh one credential; subclasses implement :meth:`_fetch`.

    :meth:`get` is cheap and thread-safe: it returns the cached credential unless it is
    expired or within ``refresh_margin`` of expiry, in which case exactly one thread fetches a
    new one while the others wait for it.
    """

    #: the name used in URLs: ``credential=<scheme>[:<argument>]``
    scheme: ClassVar[str] = ""
    #: the ``credential_<option>`` names :meth:`from_url_options` accepts
    options: ClassVar[frozenset[str]] = frozenset()

    def __init__(
        self,
        *,
        refresh_margin: timedelta | float | None = None,
        clock: Clock | None = None,
    ) -> None:
        self._refresh_margin = self._checked_margin(refresh_margin)
        self._clock: Clock = clock or utcnow
        self._lock = threading.Lock()
        self._cached: Credential | None = None

    # -- configuration -------------------------------------------------------------------
    @property
    def refresh_margin(self) -> timedelta:
        """How long before expiry a cached credential is replaced (default 5 minutes)."""
        return self._refresh_margin

    @refresh_margin.setter
    def refresh_margin(self, value: timedelta | float | None) -> None:
        self._refresh_margin = self._checked_margin(value)

    def _checked_margin(self, value: timedelta | float | None) -> timedelta:
        if value is None:
            value = DEFAULT_REFRESH_MARGIN
        elif not isinstance(value, timedelta):
            value = timedelta(seconds=float(value))
        if value < timedelta(0):
            raise CredentialError(f"{self.scheme} credential: refresh_margin must not be negative")
        return value

    @classmethod
    def from_url_options(cls, argument: str, options: Mapping[str, str]) -> CredentialProvider:
        """Build the provider from ``credential=<scheme>:<argument>`` and its options."""
        raise CredentialError(
            f"the {cls.scheme!r} credential provider cannot be configured from a URL"
        )

    # -- the cache -----------------------------------------------------------------------
    def now(self) -> datetime:
        """The provider's clock (injectable so tests can step through expiry)."""
        return as_utc(self._clock()) or utcnow()

    @property
    def expires_at(self) -> datetime | None:
        """Expiry of the cached credential; ``None`` if nothing is cached or it never expires."""
        cached = self._cached
        return cached.expires_at if cached is not None else None

    def _is_stale(self, credential: Credential) -> bool:
        if credential.expires_at is None:
            return False
        return self.now() >= credential.expires_at - self.refresh_margin

    def get(self) -> Credential:
        """Return a valid credential, fetching a new one when the cached one is (nearly) expired."""
        with self._lock:
            cached = self._cached
            if cached is None or self._is_stale(cached):
                cached = self._load()
            return cached

    def refresh(self) -> Credential:
        """Fetch a new credential now, e.g. after the server rejected the cached one."""
        with self._lock:
            return self._load()

    def invalidate(self) -> None:
        """Drop the cached credential; the next :meth:`get` fetches a new one."""
        with self._lock:
            self._cached = None

    def _load(self) -> Credential:
        try:
            credential = self._fetch()
        except (CredentialError, MissingExtraError):
            raise
        except Exception as exc:
            scrub(exc)
            raise self.error(f"{type(exc).__name__}: {exc}", self._generic_fix()) from exc
        if not isinstance(credential, Credential):  # pragma: no cover - programming error
            raise TypeError(f"{type(self).__name__}._fetch() must return a Credential")
        credential.register()
        if credential.expires_at is not None and credential.expires_at <= self.now():
            raise self.error(
                f"the credential it returned expired at {credential.expires_at:%Y-%m-%d %H:%M} UTC",
                "renew the secret at its source or check the system clock",
            )
        self._cached = credential
        return credential

    @abstractmethod
    def _fetch(self) -> Credential:
        """Resolve a fresh credential (called with the lock held)."""

    # -- messages ------------------------------------------------------------------------
    def describe(self) -> str:
        """A short, secret-free description of where the credential comes from."""
        return ""

    def _generic_fix(self) -> str:
        return "check the provider's configuration in docs/credentials.md"

    def error(self, problem: str, fix: str) -> CredentialError:
        """A CredentialError naming this provider, the problem and the fix (redacted)."""
        where = self.describe()
        head = f"{self.scheme} credential provider" + (f" ({where})" if where else "")
        return CredentialError(redact(f"{head}: {problem}; fix: {fix}"))

    def __repr__(self) -> str:
        expires = self.expires_at.isoformat() if self.expires_at else None
        where = self.describe()
        where = f" {where}" if where else ""
        return f"<{type(self).__name__} scheme={self.scheme!r}{where} expires_at={expires}>"

    __str__ = __repr__


def option(options: Mapping[str, Any], name: str, default: str | None = None) -> str | None:
    """Read an option, treating empty strings as absent (``?credential_region=`` is unset)."""
    value = options.get(name)
    if value is None or value == "":
        return default
    return str(value)
