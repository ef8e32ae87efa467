"""Real checks of the throwaway-server harness in tests/servers."""

from __future__ import annotations

import json
import os
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import psycopg
import pymysql
import pytest

from tests.servers import ServerInfo, ServerProcess, server_unavailable
from tests.servers import mariadb as mariadb_mod
from tests.servers import moto as moto_mod
from tests.servers import postgres as postgres_mod
from tests.servers.base import info_from_url, port_open
from tests.servers.fixtures import *  # noqa: F403 - registers the fixtures

WRONG = "definitely-not-the-password"


def pg_connect(info: ServerInfo, *, user: str | None = None, password: str | None = None):
    return psycopg.connect(
        host=info.host,
        port=info.port,
        user=user or info.user,
        password=info.password if password is None else password,
        dbname=info.database,
        connect_timeout=5,
    )


def my_connect(info: ServerInfo, *, password: str | None = None, database: str | None = None):
    return pymysql.connect(
        host=info.host,
        port=info.port,
        user=info.user,
        password=info.password if password is None else password,
        database=database or info.database,
        connect_timeout=5,
    )


# --- PostgreSQL ---------------------------------------------------------------


def test_postgres_accepts_right_password(postgres_server: ServerInfo) -> None:
    with pg_connect(postgres_server) as conn:
        user, db, version = conn.execute(
            "SELECT current_user, current_database(), current_setting('server_version_num')"
        ).fetchone()
    assert (user, db) == ("sqlgate", "sqlgate_test")
    assert int(version) // 10000 == 15


def test_postgres_admin_user(postgres_server: ServerInfo) -> None:
    extra = postgres_server.extra
    with pg_connect(postgres_server, user=extra["admin_user"], password=extra["admin_password"]):
        pass


@pytest.mark.parametrize("who", ["sqlgate", "postgres"])
def test_postgres_rejects_wrong_password(postgres_server: ServerInfo, who: str) -> None:
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        pg_connect(postgres_server, user=who, password=WRONG)


def test_postgres_rejects_empty_password(postgres_server: ServerInfo) -> None:
    with pytest.raises(psycopg.OperationalError):
        pg_connect(postgres_server, password="")


def test_postgres_fresh_database(postgres_database: ServerInfo) -> None:
    assert postgres_database.database.startswith("sqlgate_")
    with pg_connect(postgres_database) as conn:
        conn.execute("CREATE TABLE t (x int)")
        assert conn.execute("SELECT current_database()").fetchone() == (postgres_database.database,)


# --- MariaDB ------------------------------------------------------------------


def test_mariadb_accepts_right_password(mariadb_server: ServerInfo) -> None:
    with my_connect(mariadb_server) as conn, conn.cursor() as cur:
        cur.execute("SELECT CURRENT_USER(), DATABASE(), @@character_set_server, VERSION()")
        user, db, charset, version = cur.fetchone()
    assert user == "sqlgate@127.0.0.1"
    assert db == "sqlgate_test"
    assert charset == "utf8mb4"
    assert "MariaDB" in version


def test_mariadb_rejects_wrong_password(mariadb_server: ServerInfo) -> None:
    with pytest.raises(pymysql.err.OperationalError) as exc_info:
        my_connect(mariadb_server, password=WRONG)
    assert exc_info.value.args[0] == 1045  # ER_ACCESS_DENIED_ERROR


def test_mariadb_read_only_session(mariadb_database: ServerInfo) -> None:
    with my_connect(mariadb_database) as conn, conn.cursor() as cur:
        cur.execute("CREATE TABLE t (x INT)")
        cur.execute("SET SESSION TRANSACTION READ ONLY")
        cur.execute("SELECT COUNT(*) FROM t")
        assert cur.fetchone() == (0,)
        with pytest.raises(pymysql.err.MySQLError):
            cur.execute("INSERT INTO t VALUES (1)")


def test_mariadb_charsets_recorded(mariadb_server: ServerInfo) -> None:
    charsets = mariadb_server.extra["charsets"]
    assert "gbk" in charsets
    assert set(charsets) <= {"gbk", "gb2312", "gb18030"}


# --- moto ---------------------------------------------------------------------


def test_moto_answers(moto_clean: ServerInfo) -> None:
    url = moto_clean.extra["endpoint_url"] + "/moto-api/data.json"
    with urllib.request.urlopen(url, timeout=5) as resp:
        assert resp.status == 200
        json.loads(resp.read())


def test_moto_s3_roundtrip(moto_clean: ServerInfo, unique_name: str) -> None:
    boto3 = pytest.importorskip("boto3")
    s3 = boto3.client(
        "s3",
        endpoint_url=moto_clean.extra["endpoint_url"],
        region_name=moto_clean.extra["region"],
        aws_access_key_id=moto_clean.extra["aws_access_key_id"],
        aws_secret_access_key=moto_clean.extra["aws_secret_access_key"],
    )
    bucket = unique_name.replace("_", "-")
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="k", Body=b"v")
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"v"


# --- lifecycle ----------------------------------------------------------------

STARTERS: dict[str, tuple[Callable[[], AbstractContextManager[ServerInfo]], str]] = {
    "postgres": (postgres_mod.running_postgres, postgres_mod.OVERRIDE_ENV),
    "mariadb": (mariadb_mod.running_mariadb, mariadb_mod.OVERRIDE_ENV),
    "moto": (moto_mod.running_moto, moto_mod.OVERRIDE_ENV),
}


def pid_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


@pytest.mark.parametrize("kind", sorted(STARTERS))
def test_server_stops_and_cleans_up(kind: str, monkeypatch: pytest.MonkeyPatch) -> None:
    start, env = STARTERS[kind]
    monkeypatch.delenv(env, raising=False)
    t0 = time.monotonic()
    with start() as info:
        workdir, pid = Path(info.extra["workdir"]), info.extra["pid"]
        assert workdir.is_dir() and port_open(info.port)
        started = time.monotonic() - t0
    stopped = time.monotonic() - t0 - started
    assert not workdir.exists()
    assert pid_gone(pid)
    assert not port_open(info.port)
    print(f"{kind}: start {started:.2f}s, stop {stopped:.2f}s")


def test_override_url_reuses_running_server(
    postgres_server: ServerInfo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(postgres_mod.OVERRIDE_ENV, postgres_server.url("postgresql"))
    with postgres_mod.running_postgres() as info:
        assert "workdir" not in info.extra
        assert (info.port, info.user, info.database) == (
            postgres_server.port,
            postgres_server.user,
            postgres_server.database,
        )
        with pg_connect(info) as conn:
            assert conn.execute("SELECT 1").fetchone() == (1,)


def test_info_from_url_unquotes() -> None:
    info = info_from_url("postgresql://u%40x:p%2Fw@127.0.0.1:6543/db", default_port=5432)
    assert (info.user, info.password, info.port, info.database) == ("u@x", "p/w", 6543, "db")
    assert info.url("postgresql") == "postgresql://u%40x:p%2Fw@127.0.0.1:6543/db"


@pytest.mark.parametrize(("ci", "expected"), [("true", "fail"), ("", "skip"), ("false", "skip")])
def test_server_unavailable_policy(ci: str, expected: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", ci)
    exc = pytest.fail.Exception if expected == "fail" else pytest.skip.Exception
    with pytest.raises(exc, match="unavailable: gone"):
        server_unavailable("x", "gone")


def test_missing_binary_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(postgres_mod.OVERRIDE_ENV, raising=False)
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv(postgres_mod.BINDIR_ENV, "/nonexistent/bin")
    with (
        pytest.raises(pytest.skip.Exception, match="binary not found"),
        postgres_mod.running_postgres(),
    ):
        pass


@pytest.fixture
def py_server() -> Iterator[Callable[[str], ServerProcess]]:
    """ServerProcess running a Python snippet; stopped afterwards."""
    procs: list[ServerProcess] = []

    def make(code: str) -> ServerProcess:
        proc = ServerProcess("dummy", stop_timeout=1.0)
        procs.append(proc)
        proc.start([sys.executable, "-u", "-c", code])
        return proc

    yield make
    for p in procs:
        p.stop()


def test_early_exit_raises_with_log_tail(py_server: Callable[[str], ServerProcess]) -> None:
    proc = py_server("print('boom-early'); raise SystemExit(3)")
    with pytest.raises(RuntimeError, match=r"(?s)exited with 3.*boom-early"):
        proc.wait_ready(lambda: False, timeout=10)
    assert not proc.workdir.exists()


def test_timeout_raises_and_sigkills(py_server: Callable[[str], ServerProcess]) -> None:
    # Ignores SIGTERM, so stop() must escalate to SIGKILL after stop_timeout.
    code = (
        "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN);"
        " print('hung'); time.sleep(60)"
    )
    proc = py_server(code)
    t0 = time.monotonic()
    with pytest.raises(RuntimeError, match=r"(?s)not ready after.*hung"):
        proc.wait_ready(lambda: False, timeout=0.5)
    assert time.monotonic() - t0 < 5
    assert proc.pid is not None and pid_gone(proc.pid)
    assert not proc.workdir.exists()
