"""AWS IAM database credentials: Redshift ``GetClusterCredentials`` and RDS auth tokens.

Both replace a stored database password with a short-lived one derived from the caller's AWS
identity (a profile, the default chain, or an assumed role), so nothing long-lived has to be
kept for the database itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from sqlgate.core.credentials.base import (
    Clock,
    Credential,
    CredentialProvider,
    option,
    parse_bool,
    parse_seconds,
    require,
    scrub,
)
from sqlgate.core.errors import CredentialError
from sqlgate.core.redact import register_secret

RDS_TOKEN_LIFETIME = timedelta(minutes=15)

# botocore exception class name -> the fix to suggest
_FIXES = {
    "NoCredentialsError": "configure AWS credentials (AWS_PROFILE, ~/.aws/credentials, "
    "an instance role) or set credential_profile=",
    "PartialCredentialsError": "complete the AWS credentials (key id and secret key)",
    "ProfileNotFound": "correct credential_profile= or add the profile to ~/.aws/config",
    "NoRegionError": "set credential_region= (or AWS_REGION)",
    "EndpointConnectionError": "check credential_region=, credential_endpoint_url= and the network",
}


class _AwsProvider(CredentialProvider):
    """Shared session handling: profile, default chain, optional assumed role."""

    extra = "aws"
    common = frozenset({"region", "profile", "role_arn", "role_session_name", "endpoint_url"})

    def __init__(
        self,
        *,
        region: str | None = None,
        profile: str | None = None,
        role_arn: str | None = None,
        role_session_name: str = "sqlgate",
        endpoint_url: str | None = None,
        refresh_margin: timedelta | float | None = None,
        clock: Clock | None = None,
    ) -> None:
        super().__init__(refresh_margin=refresh_margin, clock=clock)
        self.region = region
        self.profile = profile
        self.role_arn = role_arn
        self.role_session_name = role_session_name
        self.endpoint_url = endpoint_url

    @staticmethod
    def _common_kwargs(options: Mapping[str, str]) -> dict[str, Any]:
        return {
            "region": option(options, "region"),
            "profile": option(options, "profile"),
            "role_arn": option(options, "role_arn"),
            "role_session_name": option(options, "role_session_name", "sqlgate"),
            "endpoint_url": option(options, "endpoint_url"),
        }

    def session(self) -> Any:
        """A boto3 session for the configured identity (assuming the role if one is set)."""
        boto3 = require("boto3", scheme=self.scheme, extra="aws")
        session = boto3.Session(profile_name=self.profile, region_name=self.region)
        if not self.role_arn:
            return session
        sts = session.client("sts", endpoint_url=self.endpoint_url)
        creds = sts.assume_role(RoleArn=self.role_arn, RoleSessionName=self.role_session_name)[
            "Credentials"
        ]
        for key in ("SecretAccessKey", "SessionToken"):
            register_secret(creds[key])
        return boto3.Session(
            aws_access_key_id=creds["AccessKeyId"],
            aws_secret_access_key=creds["SecretAccessKey"],
            aws_session_token=creds["SessionToken"],
            region_name=self.region or session.region_name,
        )

    def _fetch(self) -> Credential:
        try:
            return self._fetch_aws()
        except Exception as exc:
            name = type(exc).__name__
            botocore = require("botocore.exceptions", scheme=self.scheme, extra="aws")
            if name in _FIXES or isinstance(exc, botocore.ClientError):
                scrub(exc)
                raise self.error(f"{name}: {exc}", _FIXES.get(name, self._client_fix())) from exc
            raise

    def _client_fix(self) -> str:
        return "check the IAM policy of the AWS identity and the provider's options"

    def _fetch_aws(self) -> Credential:
        raise NotImplementedError


class RedshiftProvider(_AwsProvider):
    """``credential=aws-redshift``: temporary DbUser/DbPassword from GetClusterCredentials."""

    scheme = "aws-redshift"
    options = _AwsProvider.common | {
        "cluster_id",
        "user",
        "database",
        "auto_create",
        "duration",
        "db_groups",
    }

    def __init__(
        self,
        cluster_id: str,
        user: str,
        *,
        database: str | None = None,
        auto_create: bool = False,
        duration: int = 900,
        db_groups: list[str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.cluster_id, self.user, self.database = cluster_id, user, database
        self.auto_create, self.duration, self.db_groups = auto_create, duration, db_groups or []
        missing = [n for n, v in (("credential_cluster_id", cluster_id), ("user", user)) if not v]
        if missing:
            raise self.error(
                f"missing {' and '.join(missing)}",
                "add credential_cluster_id=<cluster> and a user in the URL "
                "(redshift+sqlgate://USER@host/db) or credential_user=",
            )
        if not 900 <= duration <= 3600:
            raise self.error(
                f"credential_duration={duration} is out of range", "use 900 to 3600 seconds"
            )

    @classmethod
    def from_url_options(cls, argument: str, options: Mapping[str, str]) -> RedshiftProvider:
        groups = option(options, "db_groups")
        return cls(
            option(options, "cluster_id") or argument,
            option(options, "user") or "",
            database=option(options, "database"),
            auto_create=parse_bool(cls.scheme, "auto_create", options.get("auto_create")),
            duration=int(parse_seconds(cls.scheme, "duration", options.get("duration")) or 900),
            db_groups=[g.strip() for g in groups.split(",") if g.strip()] if groups else None,
            **cls._common_kwargs(options),
        )

    def describe(self) -> str:
        return f"cluster {self.cluster_id}, user {self.user}"

    def _client_fix(self) -> str:
        return (
            "check credential_cluster_id/credential_region and that the AWS identity may call "
            "redshift:GetClusterCredentials for this user"
        )

    def _fetch_aws(self) -> Credential:
        client = self.session().client("redshift", endpoint_url=self.endpoint_url)
        params: dict[str, Any] = {
            "DbUser": self.user,
            "ClusterIdentifier": self.cluster_id,
            "AutoCreate": self.auto_create,
            "DurationSeconds": self.duration,
        }
        if self.database:
            params["DbName"] = self.database
        if self.db_groups:
            params["DbGroups"] = self.db_groups
        resp = client.get_cluster_credentials(**params)
        return Credential(
            username=resp["DbUser"],
            secret=resp["DbPassword"],
            expires_at=resp["Expiration"],
            extras={"cluster_id": self.cluster_id},
        )


class RdsIamProvider(_AwsProvider):
    """``credential=aws-rds``: an IAM auth token (a presigned URL, valid 15 minutes)."""

    scheme = "aws-rds"
    options = _AwsProvider.common | {"user", "host", "port"}

    def __init__(self, host: str, port: int, user: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.host, self.port, self.user = host, int(port or 0), user
        if not (host and port and user):
            raise self.error(
                "host, port and user are all required",
                "put them in the URL (mysql://USER@HOST:PORT/db) or pass credential_host=, "
                "credential_port=, credential_user=",
            )

    @classmethod
    def from_url_options(cls, argument: str, options: Mapping[str, str]) -> RdsIamProvider:
        port = option(options, "port") or "0"
        if not port.isdigit():
            raise CredentialError(
                f"aws-rds credential provider: credential_port={port!r} is not a port number; "
                "fix: give the database port, e.g. credential_port=5432"
            )
        return cls(
            option(options, "host") or "",
            int(port),
            option(options, "user") or "",
            **cls._common_kwargs(options),
        )

    def describe(self) -> str:
        return f"{self.user}@{self.host}:{self.port}"

    def _fetch_aws(self) -> Credential:
        session = self.session()
        region = self.region or session.region_name
        client = session.client("rds", region_name=region, endpoint_url=self.endpoint_url)
        issued = self.now()
        token = client.generate_db_auth_token(
            DBHostname=self.host, Port=self.port, DBUsername=self.user, Region=region
        )
        return Credential(
            username=self.user,
            secret=token,
            expires_at=issued + RDS_TOKEN_LIFETIME,
            extras={"region": region or ""},
        )
