"""A token that expires during a long-lived connection is refreshed; no query fails.

The credential source is an STS-like provider registered through the public
``register_provider`` API: each fetch issues the next secret of a queue with a 2-second
lifetime, like AssumeRole/IAM/OAuth2 tokens (minus the minutes). The servers are real and
enforce whichever secret is current:

* lakehouse on moto with IAM enforcement on: the secrets are two IAM access keys, and the
  first one is deleted after the first query, so a later query can only succeed with the new
  key (object stores authenticate every request, so the session must switch keys itself);
* PostgreSQL and MariaDB: the role's password is rotated between two logins. The open
  connection keeps working (the server checked the password at login only) and the pool's
  reconnect after expiry presents the fresh token, the only one the server then accepts.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.request
import uuid
from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta, timezone

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.fs as pafs
import pytest
import sqlalchemy as sa

import sqlgate
from sqlgate.core.credentials import Credential, CredentialProvider, register_provider
from tests.servers import mariadb, postgres
from tests.servers.base import ServerInfo

LIFETIME = 2.0  # seconds each issued secret lives
MARGIN = "0.5"  # credential_refresh_margin: replaced half a second before expiry
BUCKET = "tokens"
SALES = pa.table({"id": pa.array([1, 2, 3], pa.int64()), "amount": [1.5, 2.5, 3.5]})


class Issuer:
    """The secrets one test hands out, in order, and how often the provider asked."""

    def __init__(self, secrets: list[tuple[str | None, str]]) -> None:
        self.secrets = list(secrets)
        self.issued: list[str] = []
        self.lock = threading.Lock()

    def issue(self) -> tuple[str | None, str]:
        with self.lock:
            user, secret = self.secrets[min(len(self.issued), len(self.secrets) - 1)]
            self.issued.append(secret)
            return user, secret


ISSUERS: dict[str, Issuer] = {}


@register_provider
class ExpiringProvider(CredentialProvider):
    """``credential=test-expiring:<issuer>``: the issuer's next secret, valid LIFETIME s."""

    scheme = "test-expiring"

    def __init__(self, issuer: str) -> None:
        super().__init__()
        self.issuer = ISSUERS[issuer]

    @classmethod
    def from_url_options(cls, argument: str, options: Mapping[str, str]) -> CredentialProvider:
        return cls(argument)

    def _fetch(self) -> Credential:
        user, secret = self.issuer.issue()
        return Credential(user, secret, datetime.now(timezone.utc) + timedelta(seconds=LIFETIME))


def _issuer(*secrets: tuple[str | None, str]) -> tuple[str, Issuer]:
    name = f"i{uuid.uuid4().hex[:10]}"
    ISSUERS[name] = Issuer(list(secrets))
    return name, ISSUERS[name]


def _wait_past_expiry() -> None:
    time.sleep(LIFETIME + 0.3)


# ---------------------------------------------------------------------------- lakehouse / S3
def _moto_auth(info: ServerInfo, count: str) -> None:
    req = urllib.request.Request(
        info.extra["endpoint_url"] + "/moto-api/reset-auth",
        data=count.encode(),
        method="POST",
        headers={"Content-Type": "text/plain"},
    )
    with urllib.request.urlopen(req, timeout=10):
        pass


@pytest.fixture
def s3_two_keys(moto_clean: ServerInfo, tmp_path) -> Iterator[tuple[ServerInfo, object, list, str]]:
    """A bucket with a Parquet, a Delta and an Iceberg table (SQL catalog in tmp_path), two
    IAM keys, and IAM auth enforced."""
    import boto3
    from deltalake import write_deltalake
    from pyiceberg.catalog import load_catalog

    endpoint = moto_clean.extra["endpoint_url"]
    common = {
        "endpoint_url": endpoint,
        "region_name": "us-east-1",
        "aws_access_key_id": moto_clean.user,
        "aws_secret_access_key": moto_clean.password,
    }
    boto3.client("s3", **common).create_bucket(Bucket=BUCKET)
    fs = pafs.S3FileSystem(
        endpoint_override=f"{moto_clean.host}:{moto_clean.port}",
        scheme="http",
        access_key=moto_clean.user,
        secret_key=moto_clean.password,
        region="us-east-1",
    )
    ds.write_dataset(SALES, f"{BUCKET}/files/sales", filesystem=fs, format="parquet")
    write_deltalake(
        f"s3://{BUCKET}/delta/sales",
        SALES,
        storage_options={
            "AWS_ENDPOINT_URL": endpoint,
            "AWS_ALLOW_HTTP": "true",
            "AWS_REGION": "us-east-1",
            "AWS_ACCESS_KEY_ID": moto_clean.user,
            "AWS_SECRET_ACCESS_KEY": moto_clean.password,
        },
    )
    catalog = load_catalog(
        "lake",
        type="sql",
        uri=f"sqlite:///{tmp_path}/catalog.db",
        warehouse=f"s3://{BUCKET}/wh",
        **{
            "s3.endpoint": endpoint,
            "s3.region": "us-east-1",
            "s3.access-key-id": moto_clean.user,
            "s3.secret-access-key": moto_clean.password,
        },
    )
    catalog.create_namespace("main")
    catalog.create_table("main.sales", schema=SALES.schema).append(SALES)
    iam = boto3.client("iam", **common)
    iam.create_user(UserName="rotating")
    iam.put_user_policy(
        UserName="rotating",
        PolicyName="all",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
            }
        ),
    )
    keys = [iam.create_access_key(UserName="rotating")["AccessKey"] for _ in range(2)]
    # under enforcement only a real key may call IAM: revoke the first key with the second
    admin = boto3.client(
        "iam",
        **{
            **common,
            "aws_access_key_id": keys[1]["AccessKeyId"],
            "aws_secret_access_key": keys[1]["SecretAccessKey"],
        },
    )
    _moto_auth(moto_clean, "0")
    try:
        yield moto_clean, admin, keys, f"{tmp_path}/catalog.db"
    finally:
        _moto_auth(moto_clean, "inf")


@pytest.mark.parametrize(
    ("scheme", "path", "query"),
    [
        ("s3", BUCKET + "/files", "&format=parquet"),
        ("delta", BUCKET + "/delta", "&store=s3"),
        ("iceberg", "", f"&catalog_name=lake&warehouse=s3://{BUCKET}/wh&default_namespace=main"),
    ],
)
def test_lakehouse_switches_to_the_fresh_key(s3_two_keys, scheme, path, query) -> None:
    info, iam, keys, catalog_path = s3_two_keys
    old, new = keys
    name, issuer = _issuer(
        (old["AccessKeyId"], old["SecretAccessKey"]), (new["AccessKeyId"], new["SecretAccessKey"])
    )
    path = path or "/" + catalog_path
    url = (
        f"{scheme}://{path}?endpoint={info.extra['endpoint_url']}&region=us-east-1"
        f"{query}&credential=test-expiring:{name}&credential_refresh_margin={MARGIN}"
    )
    with sqlgate.connect(url) as conn:
        cur = conn.cursor()
        cur.execute("SELECT sum(amount) FROM sales")
        assert cur.fetchall() == [(7.5,)]
        assert issuer.issued == [old["SecretAccessKey"]]
        # the first key is rotated away: from now on moto refuses it on every request
        iam.delete_access_key(UserName="rotating", AccessKeyId=old["AccessKeyId"])
        _wait_past_expiry()
        cur.execute("SELECT count(*), max(id) FROM sales")
        assert cur.fetchall() == [(3, 3)]  # only the new key can have read this
        assert issuer.issued == [old["SecretAccessKey"], new["SecretAccessKey"]]
        cur.execute("SELECT count(*) FROM sales")  # still valid: no fetch per request
        assert cur.fetchall() == [(3,)]
        assert len(issuer.issued) == 2


def test_lakehouse_refused_key_is_refreshed_before_its_expiry(s3_two_keys) -> None:
    """A key revoked before it expires: the refused request forces one refresh, then works."""
    info, iam, keys, _ = s3_two_keys
    old, new = keys
    name, issuer = _issuer(
        (old["AccessKeyId"], old["SecretAccessKey"]), (new["AccessKeyId"], new["SecretAccessKey"])
    )
    url = (
        f"s3://{BUCKET}/files?endpoint={info.extra['endpoint_url']}&region=us-east-1"
        f"&credential=test-expiring:{name}&credential_refresh_margin=0"
    )
    with sqlgate.connect(url) as conn:
        cur = conn.cursor()
        iam.delete_access_key(UserName="rotating", AccessKeyId=old["AccessKeyId"])
        cur.execute("SELECT count(*) FROM sales")
        assert cur.fetchall() == [(3,)]
        assert issuer.issued == [old["SecretAccessKey"], new["SecretAccessKey"]]


# ---------------------------------------------------------------------------- wire families
def _set_pg_password(server: ServerInfo, role: str, password: str, *, create: bool = False) -> None:
    verb = "CREATE" if create else "ALTER"
    postgres.admin_execute(server, f"{verb} ROLE {role} LOGIN PASSWORD '{password}'")


def _pg_login_works(server: ServerInfo, role: str, password: str) -> bool:
    import psycopg

    try:
        psycopg.connect(
            host=server.host,
            port=server.port,
            user=role,
            password=password,
            dbname=server.database,
            connect_timeout=5,
        ).close()
    except psycopg.OperationalError:
        return False
    return True


def _check_pool_refresh(
    url: str, rotate, login_works, issuer: Issuer, secrets: tuple[str, str]
) -> None:
    """The scenario both wire families share (see the module docstring)."""
    first, second = secrets
    engine = sa.create_engine(url, pool_size=1, max_overflow=0, pool_recycle=LIFETIME)
    try:
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT 1")).scalar() == 1
            assert issuer.issued == [first]
            rotate(second)  # the server now accepts only the second token
            _wait_past_expiry()
            # the open connection was authenticated at login: the expiry does not touch it
            assert conn.execute(sa.text("SELECT 2")).scalar() == 2
        assert not login_works(first) and login_works(second)
        # the pool recycles the connection; the reconnect asks the provider, which renews
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT 3")).scalar() == 3
        assert issuer.issued == [first, second]
        with sqlgate.connect(url.replace("+sqlgate", "", 1)) as direct:  # the DB-API path too
            cur = direct.cursor()
            cur.execute("SELECT 4")
            assert cur.fetchall() == [(4,)]
        assert len(issuer.issued) == 2  # cached until shortly before its own expiry
    finally:
        engine.dispose()


def test_postgres_pool_reconnect_gets_the_fresh_token(postgres_server: ServerInfo) -> None:
    role = f"tok_{uuid.uuid4().hex[:8]}"
    first, second = f"pw1-{uuid.uuid4().hex}", f"pw2-{uuid.uuid4().hex}"
    name, issuer = _issuer((None, first), (None, second))
    _set_pg_password(postgres_server, role, first, create=True)
    url = (
        f"postgresql+sqlgate://{role}@{postgres_server.host}:{postgres_server.port}/"
        f"{postgres_server.database}?credential=test-expiring:{name}"
        f"&credential_refresh_margin={MARGIN}"
    )
    try:
        _check_pool_refresh(
            url,
            lambda pw: _set_pg_password(postgres_server, role, pw),
            lambda pw: _pg_login_works(postgres_server, role, pw),
            issuer,
            (first, second),
        )
    finally:
        postgres.admin_execute(postgres_server, f"DROP ROLE IF EXISTS {role}")


def _maria_login_works(server: ServerInfo, user: str, password: str) -> bool:
    import pymysql

    try:
        pymysql.connect(
            host=server.host, port=server.port, user=user, password=password, connect_timeout=5
        ).close()
    except pymysql.err.OperationalError:
        return False
    return True


def _set_maria_password(server: ServerInfo, user: str, password: str) -> None:
    mariadb.admin_execute(
        server,
        *(
            f"SET PASSWORD FOR '{user}'@'{host}' = PASSWORD('{password}')"
            for host in ("127.0.0.1", "localhost")
        ),
    )


def test_mariadb_pool_reconnect_gets_the_fresh_token(mariadb_server: ServerInfo) -> None:
    user = f"tok_{uuid.uuid4().hex[:8]}"
    first, second = f"pw1-{uuid.uuid4().hex}", f"pw2-{uuid.uuid4().hex}"
    name, issuer = _issuer((None, first), (None, second))
    mariadb.create_user(
        mariadb_server, user, first, privileges="SELECT", on=f"{mariadb_server.database}.*"
    )
    url = (
        f"mysql+sqlgate://{user}@{mariadb_server.host}:{mariadb_server.port}/"
        f"{mariadb_server.database}?credential=test-expiring:{name}"
        f"&credential_refresh_margin={MARGIN}"
    )
    try:
        _check_pool_refresh(
            url,
            lambda pw: _set_maria_password(mariadb_server, user, pw),
            lambda pw: _maria_login_works(mariadb_server, user, pw),
            issuer,
            (first, second),
        )
    finally:
        mariadb.drop_user(mariadb_server, user)
