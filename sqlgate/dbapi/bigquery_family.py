"""BigQuery on google-cloud-bigquery: URL options, credentials, clients, error classes.

``bigquery+sqlgate://project/dataset?location=EU``: the URL's host is the project (from the
credential's own project when left out), its path the default dataset. Credentials come from
sqlgate's ``gcp`` provider (``credential=gcp`` for Application Default Credentials: user
credentials, workload identity, an attached service account; ``credential=gcp:/path/sa.json``
for a service-account key); the token is asked for before every request, so a long
connection never presents an expired one. ``anonymous=true`` (no credentials at all) is only
for an emulator and only together with a non-Google ``api_endpoint``.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import timezone
from typing import Any
from urllib.parse import urlsplit

from sqlgate.core import errors
from sqlgate.core.flavor import Flavor
from sqlgate.core.params import ConnectParams, parse_bool, parse_int, parse_seconds
from sqlgate.core.registry import import_driver
from sqlgate.core.translate import register_classifier
from sqlgate.dbapi.bigquery_session import BigQuerySession, Limits

OPTIONS = frozenset(
    {
        "location", "api_endpoint", "storage_endpoint", "anonymous", "storage_api", "page_size",
        "max_results", "connect_timeout", "request_timeout", "statement_timeout",
        "maximum_bytes_billed",
    }
)  # fmt: skip
DEFAULT_PAGE_SIZE = 100_000
DEFAULT_REQUEST_TIMEOUT = 60.0
#: words in a 400 answer that mean the data, not the statement, is wrong (PEP 249 DataError)
_DATA_WORDS = ("bad int64", "bad double", "bad numeric", "bad bool", "bad date", "overflow",
               "division by zero", "out of range", "invalid cast", "could not cast",
               "conversion", "could not convert", "invalid input syntax")  # fmt: skip


def _handle_credentials(handle: Any) -> Any:
    """google-auth credentials that ask sqlgate's credential handle before every request."""
    from google.auth import credentials as ga_credentials

    class HandleCredentials(ga_credentials.Credentials):
        """The provider caches the token until shortly before it expires (then fetches a
        new one), so asking per request costs a dictionary lookup, not a token exchange."""

        def __init__(self) -> None:
            super().__init__()
            self._lock = threading.Lock()

        def refresh(self, request: Any) -> None:
            credential = handle.current()
            with self._lock:
                self.token = credential.secret
                expiry = credential.expires_at
                if expiry is not None and expiry.tzinfo is not None:  # google-auth: naive UTC
                    expiry = expiry.astimezone(timezone.utc).replace(tzinfo=None)
                self.expiry = expiry

        def before_request(self, request: Any, method: str, url: str, headers: Any) -> None:
            self.refresh(request)
            self.apply(headers)

    return HandleCredentials()


def _is_google_host(endpoint: str) -> bool:
    host = (urlsplit(endpoint if "://" in endpoint else f"//{endpoint}").hostname or "").lower()
    return host.endswith("googleapis.com") or host.endswith("google.com") or not host


def _classify(exc: BaseException) -> errors.Error | None:
    """google-api-core's HTTP classes onto PEP 249's; messages name the fix."""
    from google.api_core import exceptions as gexc

    from sqlgate.core.redact import redact

    text = redact(str(exc))
    if isinstance(exc, gexc.RetryError):
        return errors.OperationalError(
            f"BigQuery did not answer in time ({text}); check api_endpoint, the network, or "
            "raise request_timeout"
        )
    if isinstance(exc, gexc.Unauthorized):
        return errors.OperationalError(f"BigQuery refused the credentials: {text}")
    if isinstance(exc, gexc.Forbidden):
        reasons = {str(e.get("reason", "")) for e in getattr(exc, "errors", None) or ()}
        what = "a quota" if reasons & {"quotaExceeded", "rateLimitExceeded"} else "permission"
        return errors.OperationalError(
            f"BigQuery refused the request ({what}): {text}; check the principal's IAM roles "
            "(bigquery.jobUser, bigquery.dataViewer) and the project's quotas"
        )
    if isinstance(exc, gexc.TooManyRequests):
        return errors.OperationalError(f"BigQuery quota or rate limit exceeded: {text}")
    if isinstance(exc, gexc.NotFound):
        return errors.ProgrammingError(f"BigQuery object not found: {text}")
    if isinstance(exc, gexc.BadRequest):
        lowered = text.lower()
        if any(word in lowered for word in _DATA_WORDS):
            return errors.DataError(text)
        return errors.ProgrammingError(text)
    if isinstance(exc, gexc.GoogleAPICallError):
        return errors.OperationalError(text)
    return None


register_classifier("google", _classify)


@dataclass(frozen=True)
class BigQueryFlavor(Flavor):
    """The one BigQuery source; a declarative flavor over :class:`BigQuerySession`."""

    client_side_binding: bool = False

    def open_session(self, params: ConnectParams) -> BigQuerySession:
        import_driver(self.source, "google.cloud.bigquery")
        from google.api_core.client_options import ClientOptions
        from google.cloud import bigquery

        options = dict(params.options)
        unknown = sorted(set(options) - OPTIONS)
        if unknown:
            raise errors.InterfaceError(
                f"unknown BigQuery option(s) {', '.join(unknown)}; "
                f"known: {', '.join(sorted(OPTIONS))}"
            )
        endpoint = str(options.get("api_endpoint") or "").rstrip("/")
        anonymous = parse_bool("anonymous", options.get("anonymous", False))
        credentials = self._credentials(params, anonymous, endpoint)
        project = params.host or params.credential_extras.get("project")
        if not project:
            raise errors.InterfaceError(
                "no BigQuery project: name it as the URL's host (bigquery+sqlgate://PROJECT/"
                "dataset) or use credentials that carry one"
            )
        connect_timeout = parse_seconds("connect_timeout", options.get("connect_timeout")) or 10.0
        limits = Limits(
            page_size=_optional_int("page_size", options, DEFAULT_PAGE_SIZE),
            max_results=_optional_int("max_results", options, None),
            request_timeout=parse_seconds("request_timeout", options.get("request_timeout"))
            or DEFAULT_REQUEST_TIMEOUT,
            statement_timeout=parse_seconds("statement_timeout", options.get("statement_timeout")),
            maximum_bytes_billed=_optional_int("maximum_bytes_billed", options, None),
        )
        storage_api = str(options.get("storage_api", "auto")).lower()
        if storage_api not in ("auto", "true", "false"):
            raise errors.InterfaceError(
                f"option storage_api={storage_api!r} must be auto, true or false"
            )
        client = bigquery.Client(
            project=project,
            credentials=credentials,
            location=options.get("location") or None,
            client_options=ClientOptions(api_endpoint=endpoint) if endpoint else None,
        )
        read_client = None
        if storage_api != "false":
            read_client = self._read_client(
                credentials, str(options.get("storage_endpoint") or ""), storage_api
            )
        session = BigQuerySession(
            client,
            read_client,
            dataset=params.database,
            location=options.get("location") or None,
            limits=Limits(**{**limits.__dict__, "request_timeout": connect_timeout}),
            storage_api=storage_api,
            read_only=params.read_only,
            banner=f"BigQuery API v2 at {endpoint or 'bigquery.googleapis.com'}"
            f" (google-cloud-bigquery {bigquery.__version__})",
        )
        try:  # fail at connect, within connect_timeout: bad credentials, endpoint, dataset
            session.ping()
        except BaseException:
            session.close()
            raise
        session.limits = limits
        return session

    @staticmethod
    def _credentials(params: ConnectParams, anonymous: bool, endpoint: str) -> Any:
        if anonymous:
            if not endpoint or _is_google_host(endpoint):
                raise errors.InterfaceError(
                    "anonymous=true sends no credentials and is only for a BigQuery emulator: "
                    "give api_endpoint=http://127.0.0.1:PORT, or use credential=gcp"
                )
            if params.credential is not None:
                raise errors.InterfaceError("give either anonymous=true or credential=, not both")
            from google.auth.credentials import AnonymousCredentials

            return AnonymousCredentials()
        if params.credential_handle is None:
            if params.credential is None:  # Application Default Credentials, through sqlgate
                params.credential = "gcp"
            params.resolve_credential()
        return _handle_credentials(params.credential_handle)

    @staticmethod
    def _read_client(credentials: Any, endpoint: str, mode: str) -> Any:
        """The Storage Read API client, or None when google-cloud-bigquery-storage is missing
        (``storage_api=true`` then names the extra)."""
        try:
            from google.cloud import bigquery_storage
        except ImportError as exc:
            if mode == "true":
                raise errors.MissingExtraError(
                    "bigquery", "bigquery", "google.cloud.bigquery_storage"
                ) from exc
            return None
        if endpoint and not _is_google_host(endpoint):  # an emulator: plain gRPC on loopback
            import grpc  # type: ignore[import-untyped]
            from google.cloud.bigquery_storage_v1.services.big_query_read.transports import (
                BigQueryReadGrpcTransport,
            )

            channel = grpc.insecure_channel(endpoint.split("://")[-1])
            return bigquery_storage.BigQueryReadClient(
                transport=BigQueryReadGrpcTransport(channel=channel)
            )
        from google.api_core.client_options import ClientOptions

        return bigquery_storage.BigQueryReadClient(
            credentials=credentials,
            client_options=ClientOptions(api_endpoint=endpoint) if endpoint else None,
        )


def _optional_int(name: str, options: dict[str, Any], default: int | None) -> int | None:
    value = options.get(name)
    if value is None or value == "":
        return default
    return parse_int(name, value, minimum=1, maximum=2**62)
