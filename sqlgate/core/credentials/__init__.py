"""Credential providers: resolve, cache and refresh the secrets sqlgate sources connect with.

A URL never carries a secret; it names a provider with ``credential=<scheme>[:<argument>]``
and passes its options as ``credential_<option>=<value>`` (see docs/credentials.md).
Provider modules import their optional dependencies lazily, so importing this package is cheap.
"""

from __future__ import annotations

from sqlgate.core.credentials.base import (
    DEFAULT_REFRESH_MARGIN,
    Credential,
    CredentialProvider,
)
from sqlgate.core.credentials.env import EnvProvider
from sqlgate.core.credentials.file import FileProvider
from sqlgate.core.credentials.handle import CredentialHandle, Derived
from sqlgate.core.credentials.registry import (
    known_schemes,
    provider_class,
    provider_from_url,
    register_provider,
    split_credential_options,
)
from sqlgate.core.credentials.static import StaticProvider

__all__ = [
    "DEFAULT_REFRESH_MARGIN",
    "Credential",
    "CredentialHandle",
    "CredentialProvider",
    "Derived",
    "EnvProvider",
    "FileProvider",
    "StaticProvider",
    "known_schemes",
    "provider_class",
    "provider_from_url",
    "register_provider",
    "split_credential_options",
]
