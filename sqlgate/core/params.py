"""Connection parameters: one shape whether they come from a URL, ``connect()`` or a dialect.

A URL never needs to carry a secret: it may name a credential provider instead
(``?credential=env:PGPASSWORD``, see docs/credentials.md). ``read_only`` defaults to true and
only an explicit false turns the guard off.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, quote, unquote

from sqlgate.core import errors
from sqlgate.core.redact import register_secret
from sqlgate.core.registry import SourceSpec

ALIASES = {"dbname": "database", "db": "database", "username": "user", "passwd": "password"}
# C0 (NUL included), DEL, C1 and the Unicode line/paragraph separators: libpq stops reading a
# connection string at NUL (dropping the read-only option after it), and the others split log
# lines or option strings
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_PARTS = {
    "host": "host",
    "port": "port",
    "user": "user name",
    "password": "password",
    "database": "database name",
    "credential": "credential provider",
}
_SCHEME = re.compile(r"[A-Za-z][\w+.\-]{0,63}")
_URL_SHAPE = (
    "expected scheme://user@host[:port]/database?option=value; percent-encode "
    "'@', ':', '/', '?' and '#' inside a password, or better name a credential "
    "provider (credential=env:VAR, see docs/credentials.md)"
)
_TRUE = frozenset({"1", "true", "yes", "on"})
#: connect() arguments that carry key material (Superset's Snowflake spec hands a DER private
#: key in connect_args): binary by nature, so their shape is checked instead of refusing
#: control characters, and they are kept apart from ``options`` (out of every repr)
KEY_MATERIAL = frozenset({"private_key"})
#: the sources that read key material (any other refuses it rather than ignore it)
KEY_MATERIAL_SOURCES = frozenset({"snowflake"})
_PEM = re.compile(
    rb"-----BEGIN ((?:[A-Z0-9]+ )*PRIVATE KEY)-----(?:\r?\n[A-Za-z-]{1,40}: [!-~ ]{1,200})*"
    rb"(?:\r?\n){1,2}(?:[A-Za-z0-9+/=]{1,80}\r?\n){1,400}-----END \1-----"
)
_FALSE = frozenset({"0", "false", "no", "off"})


def parse_bool(name: str, value: Any) -> bool:
    """Read a boolean option strictly: a typo must not silently switch a guard off."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise errors.InterfaceError(f"option {name}={value!r} is not a boolean (use true or false)")


def parse_seconds(
    name: str, value: Any, *, maximum: float = 86_400.0, allow_zero: bool = False
) -> float | None:
    """Read a duration option in seconds (``2``, ``0.5``); None or "" means unset.

    The one parser for ``connect_timeout``, ``read_timeout``, ``statement_timeout`` and the
    credential providers' ``ttl``/``refresh_margin`` on every source, so a typo is an error
    instead of a guard silently switched off. ``allow_zero`` admits 0 (a margin, not a timeout).
    """
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise errors.InterfaceError(f"option {name}={value!r} is not a number of seconds")
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        raise errors.InterfaceError(f"option {name}={value!r} is not a number of seconds") from None
    in_range = 0 <= seconds <= maximum if allow_zero else 0 < seconds <= maximum
    if not in_range:  # also refuses NaN
        raise errors.InterfaceError(f"option {name}={value!r} must be between 0 and {maximum:g} s")
    return seconds


def parse_int(name: str, value: Any, *, minimum: int = 0, maximum: int = 2**31 - 1) -> int:
    """Read an integer option within bounds (a huge retry count must not hang connect())."""
    if isinstance(value, bool):
        raise errors.InterfaceError(f"option {name}={value!r} is not a whole number")
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise errors.InterfaceError(f"option {name}={value!r} is not a whole number") from None
    if not minimum <= number <= maximum:
        raise errors.InterfaceError(
            f"option {name}={number} must be between {minimum} and {maximum}"
        )
    return number


def parse_port(value: Any) -> int | None:
    if value is None or value == "":
        return None
    try:
        port = int(value)
    except (TypeError, ValueError):
        raise errors.InterfaceError(f"port {value!r} is not a number") from None
    if not 0 < port < 65536:
        raise errors.InterfaceError(f"port {port} is out of range 1-65535")
    return port


def _control_character(value: Any, depth: int = 0) -> str | None:
    """The first control character in a value (strings, bytes, nested options), as U+XXXX."""
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    if isinstance(value, str):
        found = _CONTROL.search(value)
        return f"U+{ord(found.group()):04X}" if found else None
    if depth < 4 and isinstance(value, Mapping):
        for key, item in value.items():
            bad = _control_character(key, depth + 1) or _control_character(item, depth + 1)
            if bad:
                return bad
    if depth < 4 and isinstance(value, (list, tuple)):
        for item in value:
            bad = _control_character(item, depth + 1)
            if bad:
                return bad
    return None


def key_material(name: str, value: Any) -> bytes:
    """A private key given as PEM (text or bytes) or DER bytes, checked for that shape only:
    PEM armour, headers, base64 and line breaks, or an ASN.1 SEQUENCE. Its bytes are never
    shown, and the control-character check on every other argument stays as it is."""
    data = value.encode("ascii", "replace") if isinstance(value, str) else value
    if not isinstance(data, (bytes, bytearray)):
        raise errors.InterfaceError(f"{name} must be a PEM or DER private key (bytes or text)")
    data = bytes(data).strip()
    if data.startswith(b"-----BEGIN "):
        if _PEM.fullmatch(data) is None:
            raise errors.InterfaceError(
                f"{name} is not a PEM private key (-----BEGIN ... PRIVATE KEY----- armour, "
                "base64 lines): pass the key file's contents unchanged"
            )
    elif len(data) < 64 or data[0] != 0x30:  # DER: a private key is an ASN.1 SEQUENCE
        raise errors.InterfaceError(f"{name} is neither a PEM nor a DER private key")
    return data


def refuse_control_characters(kwargs: Mapping[str, Any]) -> None:
    """Refuse control characters in every part and option, naming the part (never its value,
    which may be a secret): a driver may cut a value at one and silently drop what follows."""
    for key, value in kwargs.items():
        bad_key = _control_character(key)
        if bad_key:
            raise errors.InterfaceError(
                f"an option name contains the control character {bad_key}; sqlgate refuses "
                "control characters in every URL part and connect() argument"
            )
        bad = _control_character(value)
        if bad:
            part = _PARTS.get(ALIASES.get(key, key)) or f"option {key}"
            raise errors.InterfaceError(
                f"the {part} contains the control character {bad}; sqlgate refuses control "
                "characters in every URL part and connect() argument (a driver could cut the "
                "value there and drop the read-only setting after it): fix the URL or argument"
            )


def describe_malformed_url(url: object, problem: str = "") -> str:
    """A message about a URL that cannot be parsed, quoting no part of it but the scheme.

    A mistyped URL still holds its password (``scheme:/user:pw@host``), so neither the URL nor
    the parser's message (which quotes it) may reach an exception or a log.
    """
    if not isinstance(url, str):
        return f"expected a URL string like 'tidb://user@host/db', got {type(url).__name__}"
    scheme = _SCHEME.match(url)
    named = f"{scheme.group()}: URL" if scheme and url[scheme.end() :].startswith(":") else "URL"
    if _CONTROL.search(url):
        problem = problem or "it contains a control character"
    elif scheme and url[scheme.end() :].startswith(":") and "://" not in url:
        problem = problem or f"'{scheme.group()}:' is not followed by '//'"
    return f"malformed {named} ({problem or 'it cannot be parsed'}); {_URL_SHAPE}"


# SQLAlchemy's URL grammar (``sqlalchemy.engine.url._parse_url``), read with the stdlib: a
# DB-API-only program never imports SQLAlchemy (a cold connection pays ~200 ms for it)
_URL = re.compile(
    r"""
        (?P<name>[\w\+]+)://
        (?:(?P<username>[^:/]*)(?::(?P<password>[^@]*))?@)?
        (?:(?:\[(?P<ipv6host>[^/\?]+)\]|(?P<ipv4host>[^/:\?]+))?(?::(?P<port>[^/\?]*))?)?
        (?:/(?P<database>[^\?]*))?
        (?:\?(?P<query>.*))?
    """,
    re.X,
)


def _split_url(url: str) -> dict[str, Any]:
    """``make_url(url)``'s parts, as SQLAlchemy 2 reads them (user, password and database
    percent-decoded; the last value of a repeated option); ``ValueError`` for a port that is
    not a number."""
    match = _URL.match(url) if isinstance(url, str) else None
    if match is None:
        raise TypeError("not a URL")
    found = match.groupdict()
    query: dict[str, str] = {}
    for key, value in parse_qsl(found["query"] or ""):
        query[key] = value
    port = found["port"]
    return {
        "host": found["ipv4host"] or found["ipv6host"],
        "port": int(port) if port is not None else None,
        "user": unquote(found["username"]) if found["username"] is not None else None,
        "password": unquote(found["password"]) if found["password"] is not None else None,
        "database": unquote(found["database"]) if found["database"] is not None else None,
        "query": query,
    }


def url_kwargs(url: str) -> dict[str, Any]:
    """A URL's parts as ``connect()`` keywords (the last value of a repeated option wins)."""
    try:
        parts = _split_url(url)
    except ValueError:  # int() of the port: quotes it, and it may be part of a password
        raise errors.InterfaceError(
            describe_malformed_url(
                url, "its port is not a number, or its password holds an unencoded ':', '/' or '@'"
            )
        ) from None
    except (TypeError, AttributeError):
        raise errors.InterfaceError(describe_malformed_url(url)) from None
    query = parts.pop("query")
    if parts["password"]:
        register_secret(parts["password"])
    if parts["host"] and "@" in parts["host"]:  # user:pa@ss@host: half the password as host
        raise errors.InterfaceError(
            describe_malformed_url(
                url, "its host holds an '@': percent-encode '@' in a password as %40"
            )
        )
    for key in sorted(parts.keys() & query.keys()):
        if parts[key] is not None:
            raise errors.InterfaceError(
                f"the URL gives the {_PARTS[key]} twice (before the host and as ?{key}=); "
                "give it once"
            )
    return {**parts, **query}


@dataclass
class ConnectParams:
    """Everything a family needs to open a session, secrets resolved late."""

    source: SourceSpec
    host: str | None = None
    port: int | None = None
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    database: str | None = None
    read_only: bool = True
    credential: str | None = None  # provider spec, e.g. "env:PGPASSWORD"
    credential_options: dict[str, str] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)  # source-specific, passed on
    credential_extras: dict[str, str] = field(default_factory=dict, repr=False)
    #: the live credential (a CredentialHandle) for sessions that authenticate per request
    credential_handle: Any = field(default=None, repr=False, compare=False)
    #: connect() arguments named in KEY_MATERIAL, shape-checked (KEY_MATERIAL_SOURCES)
    key_material: dict[str, bytes] = field(default_factory=dict, repr=False)

    @classmethod
    def from_url(cls, source: SourceSpec, url: str) -> ConnectParams:
        """Parse a sqlgate URL (``tidb://user@host:4000/db?read_only=false``)."""
        return cls._build(source, url_kwargs(url)).validated()

    @classmethod
    def from_kwargs(cls, source: SourceSpec, **kwargs: Any) -> ConnectParams:
        """Build from ``connect()`` keyword arguments; unknown keys go to ``options``."""
        return cls._build(source, kwargs).validated()

    @classmethod
    def _build(cls, source: SourceSpec, kwargs: dict[str, Any]) -> ConnectParams:
        """Read keyword arguments without the checks that span several of them."""
        keys = {k: key_material(k, kwargs.pop(k)) for k in KEY_MATERIAL if k in kwargs}
        refuse_control_characters(kwargs)
        for alias, name in ALIASES.items():
            if alias in kwargs and name not in kwargs:
                kwargs[name] = kwargs.pop(alias)
        params = cls(source=source)
        params.host = kwargs.pop("host", None) or None
        params.port = parse_port(kwargs.pop("port", None))
        params.user = kwargs.pop("user", None) or None
        params.password = kwargs.pop("password", None)
        register_secret(params.password)
        params.database = kwargs.pop("database", None) or None
        params.read_only = parse_bool("read_only", kwargs.pop("read_only", True))
        params.credential = kwargs.pop("credential", None) or None
        for key in [k for k in kwargs if k.startswith("credential_")]:
            params.credential_options[key.removeprefix("credential_")] = str(kwargs.pop(key))
        params.options = kwargs
        params.key_material = keys
        return params

    def validated(self) -> ConnectParams:
        """Checks across parameters, run once everything (URL and keywords) is merged."""
        if self.key_material and self.source.name not in KEY_MATERIAL_SOURCES:
            names = ", ".join(sorted(self.key_material))
            raise errors.InterfaceError(f"{names}: this source takes no key material")
        if self.password is not None and self.credential is not None:
            raise errors.InterfaceError("give either a password or a credential provider, not both")
        if self.credential_options and self.credential is None:
            names = ", ".join(sorted(f"credential_{k}" for k in self.credential_options))
            raise errors.InterfaceError(
                f"{names} given without credential=<provider>; add credential=... (e.g. "
                "credential=env:VAR, see docs/credentials.md) or drop the credential_* options"
            )
        return self

    def resolve_credential(self) -> None:
        """Ask the named credential provider for a current user name and secret.

        Providers are shared per (spec, options, URL parts), so a pool that opens many
        connections reuses one cached token and gets a new one shortly before it expires.
        ``user``/``password`` are what a wire protocol presents at login; sessions that
        authenticate per request keep ``credential_handle`` and ask it before each request.
        """
        from sqlgate.core.credentials.handle import CredentialHandle

        provider = self.credential_provider()
        if provider is None:
            return
        self.credential_handle = CredentialHandle(provider)
        credential = self.credential_handle.current()
        if credential.username:
            self.user = credential.username
        self.password = credential.secret
        self.credential_extras = dict(credential.extras or {})

    def credential_provider(self) -> Any:
        """The (shared, caching) provider this URL names, or None."""
        if self.credential is None:
            return None
        defaults = {
            "user": self.user,
            "host": self.host,
            "port": self.port,
            "database": self.database,
        }
        return _shared_provider(self.credential, self.credential_options, defaults)

    def redacted_url(self) -> str:
        """A URL safe to log: no password, only the credential provider's name."""
        user = quote(self.user or "", safe="")
        auth = f"{user}:***@" if self.password else (f"{user}@" if user else "")
        port = f":{self.port}" if self.port else ""
        db = f"/{self.database}" if self.database else ""
        provider = f"?credential={self.credential.split(':', 1)[0]}" if self.credential else ""
        return f"{self.source.scheme}://{auth}{self.host or ''}{port}{db}{provider}"

    def effective_port(self) -> int | None:
        return self.port or self.source.default_port


_PROVIDERS: dict[tuple[Any, ...], Any] = {}
_PROVIDERS_LOCK = threading.Lock()


def _shared_provider(spec: str, options: Mapping[str, str], defaults: Mapping[str, Any]) -> Any:
    from sqlgate.core.credentials import provider_from_url

    key = (spec, tuple(sorted(options.items())), tuple(sorted(defaults.items())))
    with _PROVIDERS_LOCK:
        provider = _PROVIDERS.get(key)
        if provider is None:
            provider = _PROVIDERS[key] = provider_from_url(spec, options, defaults=defaults)
    return provider


def merge_url_and_kwargs(
    source: SourceSpec, url: str | None, kwargs: Mapping[str, Any]
) -> ConnectParams:
    """``connect(url, **kwargs)``: keyword arguments override what the URL says."""
    if url is None:
        return ConnectParams.from_kwargs(source, **dict(kwargs))
    params = ConnectParams._build(source, url_kwargs(url))
    if kwargs:
        overrides = ConnectParams._build(source, dict(kwargs))
        given = {ALIASES.get(key, key) for key in kwargs}
        for name in ("host", "port", "user", "password", "database", "credential"):
            if name in given:
                setattr(params, name, getattr(overrides, name))
        if "read_only" in kwargs:
            params.read_only = overrides.read_only
        params.credential_options.update(overrides.credential_options)
        params.options.update(overrides.options)
        params.key_material.update(overrides.key_material)
    return params.validated()
