"""Redshift IAM end to end: moto_server issues cluster credentials, PostgreSQL accepts them.

moto's GetClusterCredentials returns a user ``IAM:<name>`` and a random password; the test
gives that password to a real PostgreSQL role, so the login through ``redshift+sqlgate://``
is checked for real, and so is the refresh a pool relies on.
"""

from __future__ import annotations

import boto3
import pytest
import sqlalchemy as sa
from psycopg import sql

from sqlgate.core.params import ConnectParams
from sqlgate.core.registry import get_source
from tests.servers import postgres
from tests.servers.base import ServerInfo

CLUSTER = "sqlgate-iam"


@pytest.fixture
def redshift_url(
    moto_clean: ServerInfo, postgres_server: ServerInfo, monkeypatch: pytest.MonkeyPatch
) -> str:
    endpoint = moto_clean.extra["endpoint_url"]
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", moto_clean.user)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", moto_clean.password)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    boto3.client("redshift", endpoint_url=endpoint, region_name="us-east-1").create_cluster(
        ClusterIdentifier=CLUSTER,
        NodeType="dc2.large",
        MasterUsername="admin",
        MasterUserPassword="Admin-pass-1",
        DBName=postgres_server.database,
    )
    return (
        f"redshift+sqlgate://analyst@{postgres_server.host}:{postgres_server.port}/"
        f"{postgres_server.database}?credential=aws-redshift"
        f"&credential_cluster_id={CLUSTER}&credential_region=us-east-1"
        f"&credential_endpoint_url={endpoint}"
    )


def _grant_login(server: ServerInfo, user: str, password: str) -> None:
    with postgres.connect(server) as conn:
        exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (user,)).fetchone()
        statement = sql.SQL("{} ROLE {} LOGIN PASSWORD {}").format(
            sql.SQL("ALTER" if exists else "CREATE"), sql.Identifier(user), sql.Literal(password)
        )
        conn.execute(statement)


def test_iam_login_and_fresh_token_on_reconnect(
    redshift_url: str, postgres_server: ServerInfo
) -> None:
    provider = ConnectParams.from_url(get_source("redshift"), redshift_url).credential_provider()
    first = provider.get()
    assert first.username == "IAM:analyst" and first.expires_at is not None
    _grant_login(postgres_server, first.username, first.secret)

    engine = sa.create_engine(redshift_url)
    try:
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT current_user")).scalar() == "IAM:analyst"
        assert first.secret not in str(engine.url) and first.secret not in repr(engine.pool)

        second = provider.refresh()  # what happens shortly before the token expires
        assert second.secret != first.secret
        _grant_login(postgres_server, second.username, second.secret)  # old one now invalid
        engine.dispose()
        with engine.connect() as conn:  # the pool reconnects with the fresh token
            assert conn.execute(sa.text("SELECT 1")).scalar() == 1
    finally:
        engine.dispose()


def test_stale_password_is_refused_with_a_clean_message(
    redshift_url: str, postgres_server: ServerInfo
) -> None:
    import sqlgate

    provider = ConnectParams.from_url(get_source("redshift"), redshift_url).credential_provider()
    credential = provider.get()
    _grant_login(postgres_server, credential.username, "something-else-entirely")
    with pytest.raises(sqlgate.OperationalError) as info:
        sqlgate.connect(redshift_url)
    assert credential.secret not in str(info.value)
