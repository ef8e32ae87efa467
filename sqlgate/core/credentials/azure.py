"""Azure Storage credentials: an account key, a SAS token, or an azure-identity token.

Keys and SAS tokens are secrets that must not sit in a URL, so the argument names *where* to
read them: ``credential=azure-key:ACCOUNT_KEY_ENV`` (an environment variable), or the nested
forms ``azure-key:file:/run/secrets/key`` and ``azure-sas:vault:prod/lake``. A SAS token says
when it expires (``se=``), which becomes the credential's expiry. ``credential=azure`` uses
azure-identity (managed identity, workload identity, Azure CLI ...) for an OAuth2 token.
"""

from __future__ import annotations

import base64
import binascii
import os
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import parse_qs

from sqlgate.core.credentials.base import (
    Clock,
    Credential,
    CredentialProvider,
    option,
    require,
    scrub,
)
from sqlgate.core.errors import CredentialError

DEFAULT_SCOPE = "https://storage.azure.com/.default"
_NESTED = ("env", "file", "vault")


def _inner_provider(argument: str, default_env: str) -> CredentialProvider:
    """Resolve the argument to an env/file/vault provider (a bare name is an env variable)."""
    from sqlgate.core.credentials.env import EnvProvider
    from sqlgate.core.credentials.registry import provider_from_url

    argument = argument or default_env
    scheme, _, rest = argument.partition(":")
    if rest and scheme in _NESTED:
        return provider_from_url(argument, {})
    return EnvProvider(argument)


class _AzureSecretProvider(CredentialProvider):
    """Shared: read a secret through an inner provider and label it with the account name."""

    default_env = ""
    options = frozenset({"account"})

    def __init__(
        self,
        source: str | CredentialProvider = "",
        *,
        account: str | None = None,
        refresh_margin: timedelta | float | None = None,
        clock: Clock | None = None,
    ) -> None:
        super().__init__(refresh_margin=refresh_margin, clock=clock)
        self.inner = (
            source
            if isinstance(source, CredentialProvider)
            else _inner_provider(source, self.default_env)
        )
        self.account = account or os.environ.get("AZURE_STORAGE_ACCOUNT")

    @classmethod
    def from_url_options(cls, argument: str, options: Mapping[str, str]) -> CredentialProvider:
        return cls(argument, account=option(options, "account"))

    def describe(self) -> str:
        account = f"account {self.account}, " if self.account else ""
        return f"{account}from {self.inner.scheme} {self.inner.describe()}"

    def _secret(self) -> tuple[str, Credential]:
        try:
            inner = self.inner.refresh()
        except CredentialError as exc:
            raise CredentialError(f"{self.scheme} credential provider: {exc}") from exc
        if not inner.secret:
            raise self.error("the secret is empty", "store the key or token at its source")
        return inner.secret.strip(), inner


class AzureKeyProvider(_AzureSecretProvider):
    """``credential=azure-key[:SOURCE]``: a storage account key (base64)."""

    scheme = "azure-key"
    default_env = "AZURE_STORAGE_KEY"

    def _fetch(self) -> Credential:
        key, inner = self._secret()
        try:
            base64.b64decode(key, validate=True)
        except (binascii.Error, ValueError):
            raise self.error(
                "the value is not a base64 account key",
                "copy key1/key2 from the storage account's Access keys page "
                "(use credential=azure-sas for a SAS token)",
            ) from None
        return Credential(
            username=self.account or inner.username,
            secret=key,
            expires_at=inner.expires_at,
            extras={"account": self.account or "", "account_key": key},
        )


class AzureSasProvider(_AzureSecretProvider):
    """``credential=azure-sas[:SOURCE]``: a SAS token; its ``se=`` field is the expiry."""

    scheme = "azure-sas"
    default_env = "AZURE_STORAGE_SAS_TOKEN"

    def _fetch(self) -> Credential:
        token, inner = self._secret()
        token = token.lstrip("?")
        fields = parse_qs(token)
        if "sig" not in fields:
            raise self.error(
                "the value is not a SAS token (it has no sig= field)",
                "generate a SAS token for the container or account",
            )
        expires = inner.expires_at
        if "se" in fields:
            try:
                expires = datetime.fromisoformat(fields["se"][0].replace("Z", "+00:00"))
            except ValueError:
                raise self.error(
                    "the SAS token's expiry (se=) is not a date", "generate a new SAS token"
                ) from None
            if expires.tzinfo is None:
                expires = expires.replace(tzinfo=timezone.utc)
            if expires <= self.now():
                raise self.error(
                    f"the SAS token expired at {expires:%Y-%m-%d %H:%M} UTC",
                    "generate a new SAS token and store it at its source",
                )
        return Credential(
            username=self.account or inner.username,
            secret=token,
            expires_at=expires,
            extras={"account": self.account or "", "sas_token": token},
        )


class AzureIdentityProvider(CredentialProvider):
    """``credential=azure``: an Entra ID (AAD) token from azure-identity's credential chain."""

    scheme = "azure"
    options = frozenset({"scope", "tenant_id", "client_id", "user"})

    def __init__(
        self,
        *,
        scope: str = DEFAULT_SCOPE,
        tenant_id: str | None = None,
        client_id: str | None = None,
        username: str | None = None,
        token_credential: Any = None,
        refresh_margin: timedelta | float | None = None,
        clock: Clock | None = None,
    ) -> None:
        super().__init__(refresh_margin=refresh_margin, clock=clock)
        self.scope, self.tenant_id, self.client_id = scope, tenant_id, client_id
        self.username = username
        self._token_credential = token_credential  # any object with get_token(scope)

    @classmethod
    def from_url_options(cls, argument: str, options: Mapping[str, str]) -> AzureIdentityProvider:
        return cls(
            scope=option(options, "scope") or argument or DEFAULT_SCOPE,
            tenant_id=option(options, "tenant_id"),
            client_id=option(options, "client_id"),
            username=option(options, "user"),
        )

    def describe(self) -> str:
        return f"scope {self.scope}"

    def _credential(self) -> Any:
        if self._token_credential is None:
            identity = require(
                "azure.identity", scheme="azure", extra="azure", package="azure-identity"
            )
            kwargs: dict[str, Any] = {}
            if self.tenant_id:
                kwargs["additionally_allowed_tenants"] = [self.tenant_id]
            if self.client_id:
                kwargs["managed_identity_client_id"] = self.client_id
            self._token_credential = identity.DefaultAzureCredential(**kwargs)
        return self._token_credential

    def _fetch(self) -> Credential:
        credential = self._credential()
        try:
            token = credential.get_token(self.scope)
        except Exception as exc:
            if type(exc).__name__ != "ClientAuthenticationError":
                raise
            scrub(exc)
            raise self.error(
                "no Azure identity could issue a token",
                "sign in with `az login`, or configure a managed/workload identity "
                "or AZURE_CLIENT_ID/AZURE_TENANT_ID/AZURE_CLIENT_SECRET",
            ) from exc
        return Credential(
            username=self.username,
            secret=token.token,
            expires_at=datetime.fromtimestamp(token.expires_on, timezone.utc),
        )
