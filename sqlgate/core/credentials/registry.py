"""Map the ``credential=<scheme>[:<argument>]`` URL parameter to a provider.

Providers are referenced by import path and loaded only when used, so naming ``aws-redshift``
imports boto3 only for the sources that need it. Third parties can add schemes with
:func:`register_provider`.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping, Sequence
from typing import Any

from sqlgate.core.credentials.base import CredentialProvider, parse_seconds
from sqlgate.core.errors import CredentialError

_PKG = "sqlgate.core.credentials"
_BUILTIN: dict[str, str] = {
    "static": f"{_PKG}.static:StaticProvider",
    "env": f"{_PKG}.env:EnvProvider",
    "file": f"{_PKG}.file:FileProvider",
    "vault": f"{_PKG}.vault:VaultProvider",
    "aws-redshift": f"{_PKG}.aws:RedshiftProvider",
    "aws-rds": f"{_PKG}.aws:RdsIamProvider",
    "gcp": f"{_PKG}.gcp:GcpProvider",
    "azure-key": f"{_PKG}.azure:AzureKeyProvider",
    "azure-sas": f"{_PKG}.azure:AzureSasProvider",
    "azure": f"{_PKG}.azure:AzureIdentityProvider",
    "kerberos": f"{_PKG}.kerberos:KerberosProvider",
    "databricks-oauth": "sqlgate.dbapi.databricks_oauth:DatabricksOAuthProvider",
}
_custom: dict[str, type[CredentialProvider]] = {}

URL_PARAM = "credential"
OPTION_PREFIX = "credential_"
#: options every provider accepts; handled here rather than in each provider
COMMON_OPTIONS = frozenset({"refresh_margin"})
#: URL parts a source may pass as ``defaults``; used only by providers that declare them
CONTEXT_KEYS = frozenset({"user", "host", "port", "database"})


def register_provider(cls: type[CredentialProvider]) -> type[CredentialProvider]:
    """Register a provider class under ``cls.scheme`` (usable as a class decorator)."""
    if not cls.scheme:
        raise ValueError(f"{cls.__name__} has no scheme")
    _custom[cls.scheme] = cls
    return cls


def known_schemes() -> list[str]:
    """Every scheme ``credential=`` accepts, sorted."""
    return sorted({*_BUILTIN, *_custom})


def provider_class(scheme: str) -> type[CredentialProvider]:
    """The provider class for a scheme; unknown schemes list the known ones."""
    if scheme in _custom:
        return _custom[scheme]
    target = _BUILTIN.get(scheme)
    if target is None:
        raise CredentialError(
            f"unknown credential provider {scheme!r} in credential={scheme}...; "
            f"known providers: {', '.join(known_schemes())}"
        )
    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)


def parse_spec(spec: str) -> tuple[str, str]:
    """Split ``"<scheme>[:<argument>]"``; the argument may itself contain colons (paths, URLs)."""
    scheme, _, argument = spec.strip().partition(":")
    if not scheme:
        raise CredentialError(
            f"empty credential provider in credential={spec!r}; "
            f"use credential=<scheme>[:<argument>] with one of: {', '.join(known_schemes())}"
        )
    return scheme.strip().lower(), argument.strip()


def provider_from_url(
    spec: str,
    options: Mapping[str, str] | None = None,
    *,
    defaults: Mapping[str, str | int | None] | None = None,
) -> CredentialProvider:
    """Build the provider named by a URL's ``credential=`` parameter.

    ``options`` are the ``credential_<option>`` parameters without their prefix. ``defaults``
    carries the URL's own parts (``user``, ``host``, ``port``, ``database``) so that, e.g.,
    ``aws-redshift`` asks for credentials for the URL's user without repeating it; an explicit
    ``credential_user=`` wins. Unknown options are refused so that a typo is not ignored.
    """
    scheme, argument = parse_spec(spec)
    cls = provider_class(scheme)
    opts = {k: str(v) for k, v in (options or {}).items() if v is not None}
    margin = parse_seconds(scheme, "refresh_margin", opts.pop("refresh_margin", None))
    unknown = sorted(set(opts) - cls.options)
    if unknown:
        accepted = ", ".join(f"credential_{o}" for o in sorted(cls.options - CONTEXT_KEYS))
        raise CredentialError(
            f"{scheme} credential provider: unknown option(s) "
            f"{', '.join('credential_' + u for u in unknown)}; "
            f"accepted: {accepted or 'none'} and credential_refresh_margin"
        )
    merged: dict[str, str] = {
        k: str(v)
        for k, v in (defaults or {}).items()
        if k in CONTEXT_KEYS and k in cls.options and v not in (None, "")
    }
    merged.update(opts)
    provider = cls.from_url_options(argument, merged)
    if margin is not None:
        provider.refresh_margin = margin
    return provider


def _last(value: Any) -> str:
    if isinstance(value, Sequence) and not isinstance(value, (str, bytes)):
        return str(value[-1]) if value else ""
    return str(value)


def split_credential_options(
    query: Mapping[str, Any],
) -> tuple[str | None, dict[str, str], dict[str, Any]]:
    """Split a URL query into ``(spec, provider options, the rest of the query)``.

    Accepts a plain mapping or ``parse_qs``-style lists (the last value wins). Options given
    without ``credential=`` are an error rather than silently ignored.
    """
    spec: str | None = None
    options: dict[str, str] = {}
    remaining: dict[str, Any] = {}
    for key, value in query.items():
        if key == URL_PARAM:
            spec = _last(value).strip() or None
        elif key.startswith(OPTION_PREFIX):
            options[key[len(OPTION_PREFIX) :]] = _last(value)
        else:
            remaining[key] = value
    if spec is None and options:
        names = ", ".join(sorted(OPTION_PREFIX + k for k in options))
        raise CredentialError(
            f"URL has {names} but no credential=<scheme>; add credential=... "
            f"(one of: {', '.join(known_schemes())})"
        )
    return spec, options, remaining
