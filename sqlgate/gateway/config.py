"""The gateway's TOML configuration: where to listen, database names -> sqlgate URLs, users.

A user's password is a credential provider reference (``env:VAR``, ``file:/path``,
``vault:NAME``; docs/credentials.md), never the password itself: the file can be committed
and shared. The secret is fetched once at start and only its SCRAM verifier is kept.
"""

from __future__ import annotations

import ipaddress
import socket
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlgate.core import errors

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10: the gateway extra brings tomli
    import tomli as tomllib  # type: ignore[import-not-found, unused-ignore]

LOOPBACK = "127.0.0.1"


@dataclass(frozen=True)
class User:
    name: str
    #: provider reference, e.g. ``env:GW_ALICE``
    password: str
    #: database names this user may open; empty means all
    databases: tuple[str, ...] = ()


@dataclass(frozen=True)
class GatewayConfig:
    databases: dict[str, str]
    users: dict[str, User]
    host: str = LOOPBACK
    port: int = 5433
    max_connections: int = 64
    max_queries_per_user: int = 8
    idle_timeout: float = 3600.0
    statement_timeout: float = 0.0
    #: rows per batch read from the source (and per socket drain)
    batch_rows: int = 8192
    tls_cert: str = ""
    tls_key: str = ""
    #: refuse clients that do not ask for TLS (always so beyond loopback)
    require_tls: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def tls_required(self) -> bool:
        return self.require_tls or not _is_loopback(self.host)

    def check_listen_address(self) -> None:
        """Beyond loopback, passwords and rows cross a network: TLS is then mandatory. A
        certificate without its key (or the reverse) is a mistake, never silently no TLS."""
        if bool(self.tls_cert) != bool(self.tls_key):
            missing = "key_file" if self.tls_cert else "cert_file"
            raise errors.InterfaceError(
                f"gateway config: [tls] sets one of cert_file and key_file but not {missing}; "
                "give both (PEM files) or neither"
            )
        if self.tls_cert:
            for path in (self.tls_cert, self.tls_key):
                if not Path(path).is_file():
                    raise errors.InterfaceError(f"TLS file not found: {path}")
        if not self.tls_required:
            return
        if not (self.tls_cert and self.tls_key):
            why = (
                "require_tls is set" if _is_loopback(self.host) else "addresses other than loopback"
            )
            raise errors.InterfaceError(
                f"refusing to listen on {self.host}: {why} need TLS; set cert_file and "
                "key_file under [tls] (PEM files), or listen on 127.0.0.1"
            )


def _is_loopback(host: str) -> bool:
    """Only an address every resolution of which is loopback (``localhost`` is resolved: a
    hosts file may map it elsewhere); a name that does not resolve is not loopback."""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        pass
    if host != "localhost":
        return False
    try:
        found = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except OSError:
        return False
    return bool(found) and all(ipaddress.ip_address(a[4][0]).is_loopback for a in found)


def _table(data: dict[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise errors.InterfaceError(f"gateway config: [{key}] must be a table")
    return value


def parse_config(data: dict[str, Any]) -> GatewayConfig:
    """Validate a parsed TOML document."""
    databases: dict[str, str] = {}
    for name, entry in _table(data, "databases").items():
        if not isinstance(entry, dict) or not isinstance(entry.get("url"), str):
            raise errors.InterfaceError(f'gateway config: [databases.{name}] needs url = "..."')
        databases[name] = entry["url"]
    users: dict[str, User] = {}
    for name, entry in _table(data, "users").items():
        ref = entry.get("password") if isinstance(entry, dict) else None
        if not isinstance(ref, str) or ":" not in ref:
            raise errors.InterfaceError(
                f"gateway config: [users.{name}] needs password = a credential provider "
                'reference such as "env:VAR" or "file:/run/secrets/pw" (never the password)'
            )
        allowed = entry.get("databases", [])
        unknown = sorted(set(allowed) - set(databases))
        if unknown:
            raise errors.InterfaceError(
                f"gateway config: [users.{name}] lists unknown databases {unknown}"
            )
        users[name] = User(name, ref, tuple(allowed))
    if not databases or not users:
        raise errors.InterfaceError(
            "gateway config needs at least one [databases.<name>] and one [users.<name>]"
        )
    server = dict(_table(data, "server"))
    tls = _table(data, "tls")
    unknown_tls = sorted(set(tls) - {"cert_file", "key_file", "require"})
    if unknown_tls:
        raise errors.InterfaceError(
            f"gateway config: unknown [tls] keys {unknown_tls}; known: cert_file, key_file, require"
        )
    for key, field_name, kind in (
        ("cert_file", "tls_cert", str),
        ("key_file", "tls_key", str),
        ("require", "require_tls", bool),
    ):
        if key in tls:
            if not isinstance(tls[key], kind):
                example = "true or false" if kind is bool else '"/path/to/file.pem"'
                raise errors.InterfaceError(f"gateway config: [tls] {key} must be {example}")
            server[field_name] = tls[key]
    for key in ("host", "tls_cert", "tls_key"):
        if key in server and not isinstance(server[key], str):
            raise errors.InterfaceError(f"gateway config: [server] {key} must be a string")
    if "require_tls" in server and not isinstance(server["require_tls"], bool):
        raise errors.InterfaceError("gateway config: require_tls must be true or false")
    known = set(GatewayConfig.__dataclass_fields__) - {"databases", "users", "extra"}
    unknown_keys = sorted(set(server) - known)
    if unknown_keys:
        raise errors.InterfaceError(
            f"gateway config: unknown [server] keys {unknown_keys}; known: {sorted(known)}"
        )
    return GatewayConfig(databases=databases, users=users, **server)


def load_config(path: str | Path) -> GatewayConfig:
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except OSError as exc:
        raise errors.InterfaceError(f"cannot read gateway config {path}: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise errors.InterfaceError(f"gateway config {path} is not valid TOML: {exc}") from exc
    return parse_config(data)
