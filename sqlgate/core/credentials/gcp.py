"""Google Cloud OAuth2 access tokens (``credential=gcp`` or ``credential=gcp:/path/sa.json``).

BigQuery, AlloyDB/Cloud SQL IAM login and Spanner accept a short-lived access token instead
of a password. google-auth does the work: Application Default Credentials (ADC) or a
service-account key file; the token lives about an hour and is refreshed before it expires.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any

from sqlgate.core.credentials.base import (
    Clock,
    Credential,
    CredentialProvider,
    option,
    require,
    scrub,
)

DEFAULT_SCOPES = ("https://www.googleapis.com/auth/cloud-platform",)
_FIX_ADC = (
    "run `gcloud auth application-default login`, set GOOGLE_APPLICATION_CREDENTIALS, "
    "or name a service-account key with credential=gcp:/path/sa.json"
)


class GcpProvider(CredentialProvider):
    """An access token from ADC or a service-account JSON key file."""

    scheme = "gcp"
    options = frozenset({"scopes", "user", "quota_project"})

    def __init__(
        self,
        key_file: str | os.PathLike[str] | None = None,
        *,
        scopes: Sequence[str] | None = None,
        username: str | None = None,
        quota_project: str | None = None,
        refresh_margin: timedelta | float | None = None,
        clock: Clock | None = None,
    ) -> None:
        super().__init__(refresh_margin=refresh_margin, clock=clock)
        self.key_file = os.path.expanduser(str(key_file)) if key_file else None
        self.scopes = list(scopes or DEFAULT_SCOPES)
        self.username = username
        self.quota_project = quota_project
        self._credentials: Any = None  # google-auth object, kept to reuse its signer
        self.project: str | None = None

    @classmethod
    def from_url_options(cls, argument: str, options: Mapping[str, str]) -> GcpProvider:
        scopes = option(options, "scopes")
        return cls(
            argument or None,
            scopes=[s.strip() for s in scopes.split(",") if s.strip()] if scopes else None,
            username=option(options, "user"),
            quota_project=option(options, "quota_project"),
        )

    def describe(self) -> str:
        return f"service account {self.key_file}" if self.key_file else "application default"

    def _load_credentials(self) -> Any:
        google_auth = require("google.auth", scheme="gcp", extra="gcp", package="google-auth")
        exceptions = require("google.auth.exceptions", scheme="gcp", extra="gcp")
        try:
            if self.key_file:
                service_account = require(
                    "google.oauth2.service_account", scheme="gcp", extra="gcp"
                )
                creds = service_account.Credentials.from_service_account_file(
                    self.key_file, scopes=self.scopes
                )
            else:
                creds, self.project = google_auth.default(scopes=self.scopes)
        except FileNotFoundError:
            raise self.error(
                "the service-account key file does not exist",
                "correct the path in credential=gcp:/path/sa.json",
            ) from None
        except (ValueError, KeyError) as exc:
            scrub(exc)
            raise self.error(
                f"the service-account key file is not valid ({exc})",
                "download a new JSON key for the service account",
            ) from exc
        except exceptions.DefaultCredentialsError as exc:
            scrub(exc)
            raise self.error(f"no application default credentials ({exc})", _FIX_ADC) from exc
        if self.quota_project and hasattr(creds, "with_quota_project"):
            creds = creds.with_quota_project(self.quota_project)
        return creds

    def _fetch(self) -> Credential:
        if self._credentials is None:
            self._credentials = self._load_credentials()
        transport = require(
            "google.auth.transport.requests", scheme="gcp", extra="gcp", package="requests"
        )
        exceptions = require("google.auth.exceptions", scheme="gcp", extra="gcp")
        creds = self._credentials
        try:
            creds.refresh(transport.Request())
        except exceptions.RefreshError as exc:
            scrub(exc)
            raise self.error(
                f"the token endpoint refused the refresh ({exc})",
                "check that the service account/key is enabled and not deleted, and the scopes",
            ) from exc
        except exceptions.TransportError as exc:
            scrub(exc)
            raise self.error(
                f"cannot reach the token endpoint ({exc})", "check the network or proxy settings"
            ) from exc
        username = (
            self.username
            or getattr(creds, "service_account_email", None)
            or getattr(creds, "_service_account_email", None)
        )
        if username == "default":  # GCE metadata credentials before the first lookup
            username = None
        extras = {"project": self.project} if self.project else {}
        return Credential(
            username=username, secret=creds.token, expires_at=creds.expiry, extras=extras
        )
