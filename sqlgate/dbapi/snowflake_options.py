"""Snowflake connect options: URL parts and query options -> snowflake-connector keywords.

``snowflake+sqlgate://user@account/db/schema?warehouse=W&role=R`` names the account as the
host (the connector derives ``<account>.snowflakecomputing.com``). A local emulator or a
private endpoint is reached with ``account=`` in the query and the URL's host and port as the
endpoint; plain ``protocol=http`` is accepted for loopback hosts only, so a password or a token
never crosses a network unencrypted.

Authentication (``authenticator=``) takes its secret from the credential provider
(``credential=``, docs/credentials.md) or the URL password:

* ``snowflake`` (default): the password;
* ``snowflake_jwt``: key-pair; the secret is the PEM private key (PKCS#8, encrypted or not);
  ``private_key_passphrase=<provider spec>`` names where its passphrase is (``env:VAR``,
  ``file:/path``, ``vault:NAME``): a passphrase is never written into a URL;
* ``oauth``: the secret is an OAuth access token, asked of the provider at every connect, so a
  pool that reconnects presents a fresh token.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Any

from sqlgate.core import errors
from sqlgate.core.params import ConnectParams, parse_bool, parse_seconds
from sqlgate.core.redact import register_secret

#: options passed on to the connector unchanged (strings)
PASSTHROUGH = frozenset({"warehouse", "role", "schema", "application", "timezone", "region"})
#: sqlgate's own options, read here
OWN = frozenset(
    {
        "account",
        "protocol",
        "authenticator",
        "private_key_passphrase",
        "connect_timeout",
        "read_timeout",
        "statement_timeout",
        "client_session_keep_alive",
        "validate_default_parameters",
    }
)
AUTHENTICATORS = ("snowflake", "snowflake_jwt", "oauth")
DEFAULT_CONNECT_TIMEOUT = 10
#: seconds a statement may go unanswered (the connector then cancels it); also bounds the
#: connector's retries against a server that keeps failing (PostgreSQL family: the same 900)
DEFAULT_READ_TIMEOUT = 900
LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain"})


@dataclass
class SnowflakeOptions:
    """What the session needs besides the connector's keywords."""

    kwargs: dict[str, Any] = field(default_factory=dict, repr=False)
    statement_timeout: float | None = None
    account: str = ""


def is_loopback(host: str | None) -> bool:
    """Whether ``host`` names this machine (127.0.0.0/8, ::1, localhost)."""
    if not host:
        return False
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _whole_seconds(name: str, value: Any) -> int | None:
    seconds = parse_seconds(name, value)
    return None if seconds is None else max(1, round(seconds))


def _split_database(database: str | None) -> tuple[str | None, str | None]:
    """``db/schema`` (the URL path) -> (database, schema)."""
    if not database:
        return None, None
    db, _, schema = database.partition("/")
    if "/" in schema:
        raise errors.InterfaceError(
            "the URL path must be /database or /database/schema (one '/' between them)"
        )
    return db or None, schema or None


def _endpoint(params: ConnectParams, options: dict[str, Any], kwargs: dict[str, Any]) -> str:
    """Account, host, port and protocol; returns the account name."""
    protocol = str(options.pop("protocol", "https")).lower()
    if protocol not in ("https", "http"):
        raise errors.InterfaceError(f"protocol={protocol!r}: use https (or http for loopback)")
    account = options.pop("account", None)
    if account is None:
        if not params.host:
            raise errors.InterfaceError(
                "no Snowflake account: write snowflake+sqlgate://user@ACCOUNT/db/schema"
            )
        account = params.host.split(".snowflakecomputing.com")[0]
        if params.host.endswith(".snowflakecomputing.com"):
            kwargs["host"] = params.host
    else:
        if not params.host:
            raise errors.InterfaceError(
                "account= names the account; the URL host must then be the endpoint"
            )
        kwargs["host"] = params.host
    if protocol == "http" and not is_loopback(params.host):
        raise errors.InterfaceError(
            "protocol=http is accepted for a loopback host only (a local emulator); a remote "
            "Snowflake endpoint is reached over https"
        )
    if params.port:
        kwargs["port"] = params.port
    kwargs["protocol"] = protocol
    kwargs["account"] = str(account)
    return str(account)


def _passphrase(spec: str) -> bytes:
    """Resolve ``private_key_passphrase=<provider spec>`` through a credential provider."""
    from sqlgate.core.credentials import provider_from_url

    if ":" not in spec:
        raise errors.InterfaceError(
            "private_key_passphrase= names where the passphrase is (env:VAR, file:/path, "
            "vault:NAME), never the passphrase itself"
        )
    secret = provider_from_url(spec, {}).get().secret or ""
    register_secret(secret)
    return secret.encode()


def private_key_der(pem: str | bytes, passphrase: bytes | None) -> bytes:
    """The PKCS#8 DER bytes the connector signs its login JWT with, from PEM text or from DER
    bytes (what Superset's Snowflake spec passes as ``private_key``)."""
    from cryptography.hazmat.primitives import serialization

    data = pem.strip().encode() if isinstance(pem, str) else pem.strip()
    load = (
        serialization.load_pem_private_key
        if data.startswith(b"-----BEGIN ")
        else serialization.load_der_private_key
    )
    try:
        key = load(data, password=passphrase)
    except TypeError:  # encrypted without a passphrase, or a passphrase for a plain key
        hint = (
            "add private_key_passphrase=<provider spec> (env:VAR, file:/path, vault:NAME)"
            if passphrase is None
            else "the key is not encrypted: drop private_key_passphrase"
        )
        raise errors.CredentialError(f"snowflake key-pair: {hint}") from None
    except ValueError:
        raise errors.CredentialError(
            "snowflake key-pair: the private key could not be read (wrong passphrase, or not a "
            "PEM/DER private key)"
        ) from None
    return key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _authentication(params: ConnectParams, options: dict[str, Any], kwargs: dict[str, Any]) -> None:
    authenticator = str(options.pop("authenticator", "snowflake")).lower()
    passphrase_spec = options.pop("private_key_passphrase", None)
    if authenticator not in AUTHENTICATORS:
        raise errors.NotSupportedError(
            f"authenticator={authenticator!r} is not supported by sqlgate; use one of "
            f"{', '.join(AUTHENTICATORS)}"
        )
    secret = params.password
    given_key = params.key_material.get("private_key")
    if given_key is not None:  # connect_args' private_key (Superset's key-pair auth)
        if authenticator not in ("snowflake", "snowflake_jwt") or secret:
            raise errors.InterfaceError(
                "private_key= is key-pair authentication: drop the password/credential and "
                f"authenticator={authenticator}"
            )
        authenticator, secret = "snowflake_jwt", None
    if passphrase_spec is not None and authenticator != "snowflake_jwt":
        raise errors.InterfaceError("private_key_passphrase is for authenticator=snowflake_jwt")
    if authenticator == "snowflake":
        kwargs["password"] = secret or ""
        return
    if not secret and given_key is None:
        what = "PEM private key" if authenticator == "snowflake_jwt" else "OAuth access token"
        raise errors.InterfaceError(
            f"authenticator={authenticator} needs a credential provider that returns the "
            f"{what} (credential=file:/path, env:VAR or vault:NAME)"
        )
    kwargs["authenticator"] = authenticator.upper() if authenticator != "oauth" else "oauth"
    if authenticator == "oauth":
        kwargs["token"] = secret
        return
    passphrase = _passphrase(str(passphrase_spec)) if passphrase_spec is not None else None
    kwargs["private_key"] = private_key_der(given_key or secret or "", passphrase)


def connector_options(params: ConnectParams) -> SnowflakeOptions:
    """The connector's keywords for ``params``; unknown options are refused, not ignored."""
    options = dict(params.options)
    unknown = sorted(set(options) - PASSTHROUGH - OWN)
    if unknown:
        accepted = ", ".join(sorted(PASSTHROUGH | OWN))
        raise errors.InterfaceError(
            f"unknown Snowflake option(s) {', '.join(unknown)}; accepted: {accepted}"
        )
    kwargs: dict[str, Any] = {"user": params.user or ""}
    account = _endpoint(params, options, kwargs)
    database, schema = _split_database(params.database)
    if database:
        kwargs["database"] = database
    if schema and "schema" in options:
        raise errors.InterfaceError("the schema is given twice (URL path and ?schema=)")
    if schema:
        kwargs["schema"] = schema
    _authentication(params, options, kwargs)
    connect_timeout = _whole_seconds("connect_timeout", options.pop("connect_timeout", None))
    kwargs["login_timeout"] = connect_timeout or DEFAULT_CONNECT_TIMEOUT
    read_timeout = _whole_seconds("read_timeout", options.pop("read_timeout", None))
    kwargs["network_timeout"] = read_timeout or DEFAULT_READ_TIMEOUT
    statement_timeout = parse_seconds("statement_timeout", options.pop("statement_timeout", None))
    session_parameters: dict[str, Any] = {}
    if statement_timeout is not None:
        session_parameters["STATEMENT_TIMEOUT_IN_SECONDS"] = max(1, round(statement_timeout))
    validate = options.pop("validate_default_parameters", None)
    if validate is not None:  # Superset's test connection asks the connector to check them
        kwargs["validate_default_parameters"] = parse_bool("validate_default_parameters", validate)
    keep_alive = options.pop("client_session_keep_alive", None)
    if keep_alive is not None:
        kwargs["client_session_keep_alive"] = parse_bool("client_session_keep_alive", keep_alive)
    if session_parameters:
        kwargs["session_parameters"] = session_parameters
    kwargs.update({k: str(v) for k, v in options.items() if k in PASSTHROUGH})
    return SnowflakeOptions(kwargs, statement_timeout, account)
