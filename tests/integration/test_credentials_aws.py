"""AWS credential providers against a real moto_server on 127.0.0.1."""

from __future__ import annotations

import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from sqlgate.core.credentials import provider_from_url
from sqlgate.core.credentials.aws import RDS_TOKEN_LIFETIME
from sqlgate.core.errors import CredentialError

MOTO = Path(sys.executable).parent / "moto_server"


@pytest.fixture(scope="module")
def moto_endpoint(moto_server) -> str:
    """The shared moto_server (tests/servers/moto.py) on 127.0.0.1."""
    return moto_server.extra["endpoint_url"]


@pytest.fixture()
def aws_env(monkeypatch, tmp_path):
    """Fake static AWS credentials and private config files, so no real profile is read."""
    creds = tmp_path / "credentials"
    creds.write_text(
        "[default]\naws_access_key_id = testing\naws_secret_access_key = testing\n"
        "[sqlgate-test]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = profilesecret\n"
    )
    config = tmp_path / "config"
    config.write_text("[default]\nregion = us-east-1\n")
    for name in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(creds))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@pytest.fixture(scope="module")
def cluster(moto_endpoint):
    import boto3

    client = boto3.client(
        "redshift",
        region_name="us-east-1",
        endpoint_url=moto_endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    client.create_cluster(
        ClusterIdentifier="c1",
        NodeType="dc2.large",
        MasterUsername="awsuser",
        MasterUserPassword="Master-Passw0rd",
        DBName="dev",
        ClusterType="single-node",
    )
    return "c1"


def test_redshift_get_cluster_credentials(moto_endpoint, cluster, aws_env):
    before = datetime.now(timezone.utc)
    provider = provider_from_url(
        "aws-redshift",
        {
            "cluster_id": cluster,
            "region": "us-east-1",
            "endpoint_url": moto_endpoint,
            "duration": "1800",
            "auto_create": "true",
        },
        defaults={"user": "analyst", "database": "dev", "host": "ignored", "port": "5439"},
    )
    cred = provider.get()
    assert cred.username and cred.username.endswith("analyst")
    assert cred.username.startswith("IAM")
    assert cred.secret and cred.secret not in repr(cred) and cred.secret not in repr(provider)
    assert cred.expires_at is not None and cred.expires_at.tzinfo is not None
    assert before + timedelta(minutes=25) < cred.expires_at < before + timedelta(minutes=35)
    assert provider.get() is cred
    assert provider.refresh().secret != cred.secret


def test_redshift_with_profile_and_assumed_role(moto_endpoint, cluster, aws_env):
    provider = provider_from_url(
        "aws-redshift",
        {
            "cluster_id": cluster,
            "region": "us-east-1",
            "endpoint_url": moto_endpoint,
            "profile": "sqlgate-test",
            "role_arn": "arn:aws:iam::123456789012:role/sqlgate-reader",
        },
        defaults={"user": "awsuser"},
    )
    cred = provider.get()
    assert cred.username == "IAM:awsuser" and cred.secret


def test_redshift_unknown_cluster_and_profile_errors(moto_endpoint, cluster, aws_env):
    options = {"cluster_id": "nope", "region": "us-east-1", "endpoint_url": moto_endpoint}
    with pytest.raises(
        CredentialError,
        match=r"aws-redshift credential provider.*ClusterNotFound.*credential_cluster_id",
    ):
        provider_from_url("aws-redshift", options, defaults={"user": "u"}).get()
    options = {**options, "cluster_id": cluster, "profile": "missing-profile"}
    with pytest.raises(CredentialError, match=r"ProfileNotFound.*credential_profile"):
        provider_from_url("aws-redshift", options, defaults={"user": "u"}).get()


def test_rds_auth_token_shape_and_expiry(moto_endpoint, aws_env):
    provider = provider_from_url(
        "aws-rds",
        {"region": "eu-west-1", "endpoint_url": moto_endpoint},
        defaults={"user": "iam_reader", "host": "db.example.internal", "port": 3306},
    )
    before = datetime.now(timezone.utc)
    cred = provider.get()
    token = cred.secret
    assert token and cred.username == "iam_reader"
    parts = urlsplit("https://" + token)
    assert (parts.hostname, parts.port, parts.path) == ("db.example.internal", 3306, "/")
    query = parse_qs(parts.query)
    assert query["Action"] == ["connect"] and query["DBUser"] == ["iam_reader"]
    assert query["X-Amz-Expires"] == [str(int(RDS_TOKEN_LIFETIME.total_seconds()))]
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
    assert "/eu-west-1/rds-db/aws4_request" in query["X-Amz-Credential"][0]
    assert query["X-Amz-Signature"][0]
    assert before + timedelta(minutes=14) < cred.expires_at <= before + timedelta(minutes=16)
    assert token not in repr(cred)


def test_rds_without_aws_credentials_fails_clearly(moto_endpoint, aws_env, monkeypatch, tmp_path):
    empty = tmp_path / "empty"
    empty.write_text("")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(empty))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(empty))
    provider = provider_from_url(
        "aws-rds",
        {"region": "us-east-1", "endpoint_url": moto_endpoint},
        defaults={"user": "u", "host": "h", "port": "5432"},
    )
    with pytest.raises(CredentialError, match=r"NoCredentialsError.*configure AWS credentials"):
        provider.get()
