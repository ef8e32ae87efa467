"""openGauss / GaussDB logins end to end: SHA256, SM3 and MD5 through sqlgate's login bridge.

The SHA256/SM3 server is the protocol-only front door in ``tests/servers/opengauss.py`` (no
openGauss server runs here); after the login every byte is the real PostgreSQL 15's. MD5 runs
against PostgreSQL 15 itself, with a dedicated MD5-stored role and an ``md5`` pg_hba line.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import sqlgate
from sqlgate.core.errors import OperationalError
from tests.servers import postgres
from tests.servers.base import ServerInfo
from tests.servers.opengauss import LOGIN_DENIED, GaussUser, OpenGaussAuthServer, running_gauss

USERS = [
    GaussUser("gauss_sha256", secrets.token_urlsafe(12), "sha256", iteration=10000),
    GaussUser("gauss_sm3", secrets.token_urlsafe(12), "sm3", iteration=2048),
    GaussUser("gauss_md5", secrets.token_urlsafe(12), "md5"),
]
# older clients assume 2048 iterations: a login they can use
OLD_CLIENTS = GaussUser("gauss_sha256_2048", secrets.token_urlsafe(12), "sha256", iteration=2048)


@pytest.fixture(scope="module")
def gauss(postgres_server: ServerInfo) -> Iterator[OpenGaussAuthServer]:
    with running_gauss(postgres_server, [*USERS, OLD_CLIENTS]) as server:
        yield server


def _url(scheme: str, server: OpenGaussAuthServer, user: GaussUser, password: str = "") -> str:
    from urllib.parse import quote

    pw = quote(password or user.password, safe="")
    db = server.backend.database
    return f"{scheme}://{user.name}:{pw}@127.0.0.1:{server.port}/{db}"


@pytest.mark.parametrize(
    ("scheme", "user", "code"),
    [("opengauss", USERS[0], 10), ("gaussdb", USERS[1], 13), ("opengauss", USERS[2], 10)],
    ids=["sha256", "sm3", "md5-stored"],
)
def test_login_methods(gauss: OpenGaussAuthServer, scheme: str, user: GaussUser, code: int) -> None:
    before = len(gauss.logins)
    with sqlgate.connect(_url(scheme, gauss, user)) as conn:
        cur = conn.cursor()
        cur.execute("SELECT current_user, current_setting('default_transaction_read_only')")
        # the backend's answer: the relay reached PostgreSQL, with the read-only guard on
        assert cur.fetchall() == [(gauss.backend.user, "on")]
    assert gauss.logins[before:] == [(user.name, code, 51, True)]


@pytest.mark.parametrize("user", USERS, ids=lambda u: u.method)
def test_wrong_password_is_refused_cleanly(gauss: OpenGaussAuthServer, user: GaussUser) -> None:
    wrong = "not-" + user.password
    before = len(gauss.logins)
    with pytest.raises(OperationalError) as info:
        sqlgate.connect(_url("opengauss", gauss, user, wrong))
    text = str(info.value)
    assert LOGIN_DENIED in text
    assert wrong not in text and user.password not in text
    assert gauss.logins[before:] == [(user.name, 13 if user.method == "sm3" else 10, 51, False)]


def test_cancel_passes_through_the_bridge(gauss: OpenGaussAuthServer) -> None:
    """A statement over its read deadline is cancelled on the server via the bridge's socket."""
    cancels = gauss.cancels
    url = _url("opengauss", gauss, USERS[0]) + "?read_timeout=1"
    with sqlgate.connect(url) as conn:
        cur = conn.cursor()
        started = time.monotonic()
        with pytest.raises(OperationalError):
            cur.execute("SELECT count(*) FROM generate_series(1, 300000000)")
        assert time.monotonic() - started < 10
    assert gauss.cancels == cancels + 1


def test_unknown_option_names_the_fix(gauss: OpenGaussAuthServer) -> None:
    with pytest.raises(sqlgate.InterfaceError, match="gauss_auth=libpq"):
        sqlgate.connect(_url("opengauss", gauss, USERS[0]) + "?sslcrl=/x")


@pytest.fixture(scope="module")
def md5_login(postgres_server: ServerInfo) -> Iterator[tuple[ServerInfo, str]]:
    """A role stored as MD5, with a pg_hba ``md5`` line for it alone (PostgreSQL 15, real)."""
    data_dir = postgres_server.extra.get("data_dir")
    if not data_dir:
        pytest.skip("needs the throwaway PostgreSQL's data directory")
    password, role = secrets.token_urlsafe(12), "sqlgate_md5"
    postgres.admin_execute(
        postgres_server,
        f"DROP ROLE IF EXISTS {role}",
        "SET password_encryption = 'md5'",
        f"CREATE ROLE {role} LOGIN PASSWORD '{password}'",
    )
    hba = Path(data_dir) / "pg_hba.conf"
    original = hba.read_text()
    with hba.open("w") as out:  # in place: the file keeps its owner
        out.write(f"host all {role} 127.0.0.1/32 md5\n" + original)
    postgres.admin_execute(postgres_server, "SELECT pg_reload_conf()")
    yield postgres_server, password
    with hba.open("w") as out:
        out.write(original)
    postgres.admin_execute(postgres_server, "SELECT pg_reload_conf()", f"DROP ROLE {role}")


@pytest.mark.parametrize("auth", ["bridge", "libpq"])
def test_md5_against_postgres(md5_login: tuple[ServerInfo, str], auth: str) -> None:
    info, password = md5_login
    with postgres.connect(info, admin=True) as admin:
        stored = admin.execute(
            "SELECT rolpassword FROM pg_authid WHERE rolname = 'sqlgate_md5'"
        ).fetchone()
    assert stored is not None and stored[0].startswith("md5")  # so the server asks for MD5
    url = f"opengauss://sqlgate_md5:{password}@{info.host}:{info.port}/{info.database}"
    with sqlgate.connect(f"{url}?gauss_auth={auth}") as conn:
        cur = conn.cursor()
        cur.execute("SELECT current_user")
        assert cur.fetchall() == [("sqlgate_md5",)]
    with pytest.raises(OperationalError) as refused:
        sqlgate.connect(f"{url.replace(password, 'wrong' + password)}?gauss_auth={auth}")
    assert password not in str(refused.value)


def test_superset_stop_reaches_a_bridged_session(gauss: OpenGaussAuthServer) -> None:
    """``pg_cancel_backend(pid)`` from a sibling session (Superset's Stop) is matched by the
    server the bridge stands for, not by the private socket, and cancels through the bridge."""
    url = _url("opengauss", gauss, USERS[0])
    cancels = gauss.cancels
    with sqlgate.connect(url) as running, sqlgate.connect(url) as stopper:
        cur = running.cursor()
        pid = cur.execute("SELECT pg_backend_pid()").fetchone()[0]
        busy = f"SELECT count(*) FROM pg_stat_activity WHERE pid = {pid} AND state = 'active'"

        def stop() -> None:
            probe = stopper.cursor()
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline and not probe.execute(busy).fetchone()[0]:
                stopper.rollback()  # pg_stat_activity is a snapshot per transaction
                time.sleep(0.05)
            stopper.cursor().execute(f"SELECT pg_cancel_backend({pid})")

        thread = threading.Thread(target=stop)
        thread.start()
        started = time.monotonic()
        with pytest.raises(OperationalError):
            cur.execute(
                "SELECT count(*) FROM generate_series(1, 100000) a, generate_series(1, 100000) b"
            )
        thread.join(30)
        assert time.monotonic() - started < 20
    assert gauss.cancels == cancels + 1


def test_missing_password_is_named(gauss: OpenGaussAuthServer) -> None:
    url = f"opengauss://{USERS[0].name}@127.0.0.1:{gauss.port}/{gauss.backend.database}"
    with pytest.raises(OperationalError, match="none was given"):
        sqlgate.connect(url)


@pytest.mark.parametrize(
    ("protocol", "minor", "refusal"),
    [
        ("3.50", 50, "Invalid username/password"),  # the server refuses the proof
        ("3.0", 0, "signature does not match"),  # the bridge refuses the server first
    ],
)
def test_older_protocols(
    gauss: OpenGaussAuthServer, protocol: str, minor: int, refusal: str
) -> None:
    """3.50: no iteration sent (2048 assumed); 3.0: also the server signature, checked."""
    before = len(gauss.logins)
    url = _url("opengauss", gauss, OLD_CLIENTS) + f"?gauss_protocol={protocol}"
    with sqlgate.connect(url) as conn:
        assert conn.cursor().execute("SELECT 1").fetchall() == [(1,)]
    assert gauss.logins[before:] == [(OLD_CLIENTS.name, 10, minor, True)]
    # a login stored with 10000 iterations cannot be used without the server naming them
    with pytest.raises(OperationalError, match=refusal):
        sqlgate.connect(_url("opengauss", gauss, USERS[0]) + f"?gauss_protocol={protocol}")
