"""Databricks OAuth machine-to-machine (``credential=databricks-oauth:<client id>``).

A service principal's client id and secret are exchanged at the workspace's
``/oidc/v1/token`` (client credentials grant, scope ``all-apis``) for an access token that
lives about an hour; the provider caches it and fetches a new one ``refresh_margin`` before it
expires (and after a 401). The secret is read from an environment variable
(``credential_secret_env``, default ``DATABRICKS_CLIENT_SECRET``), never from the URL.
Registered when :mod:`sqlgate.dbapi.databricks` is imported.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Mapping
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from sqlgate.core import errors
from sqlgate.core.credentials.base import Clock, Credential, CredentialProvider, option
from sqlgate.core.credentials.registry import register_provider
from sqlgate.core.redact import register_secret

DEFAULT_SECRET_ENV = "DATABRICKS_CLIENT_SECRET"
_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


@register_provider
class DatabricksOAuthProvider(CredentialProvider):
    """An access token for a service principal, from the workspace's OIDC token endpoint."""

    scheme = "databricks-oauth"
    options = frozenset({"secret_env", "token_url", "scope", "host", "port"})

    def __init__(
        self,
        client_id: str,
        *,
        token_url: str,
        secret_env: str = DEFAULT_SECRET_ENV,
        scope: str = "all-apis",
        environ: Mapping[str, str] | None = None,
        refresh_margin: timedelta | float | None = None,
        clock: Clock | None = None,
    ) -> None:
        super().__init__(refresh_margin=refresh_margin, clock=clock)
        if not client_id:
            raise errors.CredentialError(
                "databricks-oauth credential provider: no client id; fix: write "
                "credential=databricks-oauth:<service principal's application id>"
            )
        self.client_id, self.token_url = client_id, token_url
        self.secret_env, self.scope = secret_env, scope
        self._environ = environ if environ is not None else os.environ

    @classmethod
    def from_url_options(cls, argument: str, options: Mapping[str, str]) -> DatabricksOAuthProvider:
        token_url = option(options, "token_url")
        if token_url is None:
            host = option(options, "host")
            if host is None:
                raise errors.CredentialError(
                    "databricks-oauth credential provider: no workspace host to ask for a "
                    "token; fix: put the host in the URL or give credential_token_url="
                )
            port = option(options, "port")
            scheme = "http" if host in _LOOPBACK else "https"
            token_url = f"{scheme}://{host}{':' + port if port else ''}/oidc/v1/token"
        return cls(
            argument,
            token_url=token_url,
            secret_env=option(options, "secret_env", DEFAULT_SECRET_ENV) or DEFAULT_SECRET_ENV,
            scope=option(options, "scope", "all-apis") or "all-apis",
        )

    def describe(self) -> str:
        return f"client {self.client_id} at {self.token_url.split('?', 1)[0]}"

    def _fetch(self) -> Credential:
        from sqlgate.core.http import HttpClient

        secret = self._environ.get(self.secret_env)
        if not secret:
            raise self.error(
                f"environment variable {self.secret_env} (the client secret) is not set",
                f"export {self.secret_env} with the service principal's OAuth secret",
            )
        register_secret(secret)
        basic = base64.b64encode(f"{self.client_id}:{secret}".encode()).decode()
        register_secret(basic)
        client = HttpClient(self.token_url, connect_timeout=10.0, read_timeout=30.0)
        try:
            response = client.request(
                "POST",
                self.token_url,  # absolute: the base URL would gain a trailing slash
                body=urlencode({"grant_type": "client_credentials", "scope": self.scope}).encode(),
                headers={
                    "Authorization": f"Basic {basic}",
                    "Content-Type": "application/x-www-form-urlencoded",
                },
                idempotent=True,  # asking for a token twice is harmless
                expect=tuple(range(200, 600)),
            )
        finally:
            client.close()
        if response.status != 200:
            raise self.error(
                f"the token endpoint answered {response.status}",
                "check the client id, its secret and that the service principal is enabled",
            )
        body: Any = response.json()
        token = body.get("access_token") if isinstance(body, dict) else None
        if not token:
            raise self.error("the token endpoint answered without access_token", "check token_url")
        register_secret(str(token))
        lifetime = float(body.get("expires_in") or 3600)
        return Credential(
            username=self.client_id,
            secret=str(token),
            expires_at=self.now() + timedelta(seconds=lifetime),
        )
