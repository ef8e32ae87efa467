"""Red-team attacks on the MySQL family against a real MariaDB (issue #7: classes 3, 5, 8, 10).

An attacker account may write to its database and files (INSERT, UPDATE, DELETE, CREATE, DROP,
EXECUTE, FILE), so only sqlgate stands between a statement and a change. An admin connection
takes a snapshot of the server (table checksum, tables, write-command counters, user locks,
running queries, global variables, accounts) before and after each attack.
"""

from __future__ import annotations

import datetime
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import sqlalchemy as sa

import sqlgate
from sqlgate.core import errors
from sqlgate.dbapi import doris as doris_dbapi
from sqlgate.dbapi import mysql as mysql_dbapi
from sqlgate.dbapi import oceanbase as oceanbase_dbapi
from tests.security.mysql_attack import *  # noqa: F403 - fixtures: admin, target, ...
from tests.security.mysql_attack import (
    LOCK,
    OUTFILE,
    PASSWD_LINES,
    TAG,
    assert_nothing_leaked,
    chain_text,
    snapshot,
)
from tests.servers import mariadb
from tests.servers.base import HOST, ServerInfo

# --- class 5: the driver-option allow-list --------------------------------------------------
OPTION_ATTACKS = [
    ("read_default_file", "/proc/self/environ"), ("read_default_file", "/etc/passwd"),
    ("read_default_group", "client"), ("READ_DEFAULT_FILE", "/proc/self/environ"),
    ("Read_Default_File", "/etc/passwd"), ("client_flag", "65536"),
    ("client_flag", "2147483647"), ("client_flag", "128"), ("client_flag", "-1"),
    ("init_command", "SET SESSION TRANSACTION READ WRITE"),
    ("init_command", "INSERT INTO accounts VALUES (700, 'm', 1)"), ("Init_Command", "DO 1"),
    ("local_infile", "1"), ("LOCAL_INFILE", "true"), ("unix_socket", "SOCKET"),
    ("bind_address", "127.0.0.1"), ("sql_mode", "ANSI_QUOTES,NO_BACKSLASH_ESCAPES"),
    ("collation", "utf8mb4_bin; SET SESSION TRANSACTION READ WRITE"), ("charset", "sjis"),
    ("charset", "utf8mb4 COLLATE utf8mb4_bin"), ("conv", "{}"), ("cursorclass", "SSCursor"),
    ("auth_plugin_map", "{}"), ("server_public_key", "/etc/passwd"), ("defer_connect", "1"),
    ("autocommit", "1"), ("use_unicode", "0"), ("compress", "1"), ("named_pipe", "1"),
    ("ssl", "1"), ("ssl_ca", "/etc/passwd"), ("ssl_ca", "/proc/self/environ"),
    ("ssl_cert", "/etc/passwd"), ("ssl_key", "/etc/shadow"), ("ssl_ca", "/nonexistent/ca.pem"),
    ("ssl_ca", "/dev/zero"), ("connect_timeout", "0"), ("connect_timeout", "1e9"),
    ("read_timeout", "nan"), ("read_timeout", "-1"), ("write_timeout", "inf"),
    ("statement_timeout", "0"), ("max_allowed_packet", "1e12"), ("program_name", "x" * 200),
    ("program_name", "a\x00b"),
]  # fmt: skip


def _refusal(path: str, url: str, key: str, value: str) -> BaseException:
    with pytest.raises(Exception) as caught:  # the class is checked below
        if path == "url":
            sqlgate.connect(f"{url}?{quote(key)}={quote(value)}").close()
        elif path == "kwargs":
            mysql_dbapi.connect(url, **{key: value}).close()
        else:
            engine = sa.create_engine(f"{url}?{quote(key)}={quote(value)}")
            try:
                engine.connect().close()
            finally:
                engine.dispose()
    return caught.value


@pytest.mark.parametrize("path", ["url", "kwargs", "sqlalchemy"])
@pytest.mark.parametrize(("key", "value"), OPTION_ATTACKS)
def test_unsafe_driver_option_is_refused_before_connecting(
    target: ServerInfo, admin: Any, path: str, key: str, value: str
) -> None:
    value = target.extra.get("unix_socket", "/tmp/x.sock") if value == "SOCKET" else value
    before = snapshot(admin, target)
    exc = _refusal(path, target.url("mysql+sqlgate"), key, value)
    sqlgate_exc = exc if isinstance(exc, errors.Error) else getattr(exc, "orig", None)
    assert isinstance(sqlgate_exc, errors.Error), f"not a sqlgate error: {exc!r}"
    if key == "init_command":
        assert isinstance(sqlgate_exc, errors.ReadOnlyError)
    else:
        assert isinstance(sqlgate_exc, errors.InterfaceError)
    assert key in str(sqlgate_exc)
    assert_nothing_leaked(chain_text(exc), target.password)
    assert snapshot(admin, target) == before  # refused before any login was attempted


def test_environment_never_reaches_the_error_of_a_fresh_process(target: ServerInfo) -> None:
    """/proc/self/environ holds the environment a process started with: start one with a
    marker and let it try every way to make PyMySQL read that file."""
    marker = f"MARKER_{uuid.uuid4().hex}"
    script = (
        "import sys, traceback, sqlgate\n"
        "from sqlgate.dbapi import mysql\n"
        "url = sys.argv[1]\n"
        "attempts = [lambda: sqlgate.connect(url + '?read_default_file=/proc/self/environ'),\n"
        "            lambda: mysql.connect(url, read_default_file='/proc/self/environ'),\n"
        "            lambda: mysql.connect(url, read_default_group='client'),\n"
        "            lambda: mysql.connect(url, ssl_ca='/proc/self/environ'),\n"
        "            lambda: mysql.connect(url, ssl_cert='/proc/self/environ')]\n"
        "for attempt in attempts:\n"
        "    try:\n"
        "        attempt()\n"
        "        print('CONNECTED')\n"
        "    except Exception as exc:\n"
        "        print('RESULT', type(exc).__name__)\n"
        "        print(''.join(traceback.format_exception(exc)), repr(exc.args))\n"
    )
    env = {**os.environ, "SQLGATE_ATTACK_MARKER": marker}
    out = subprocess.run(
        [sys.executable, "-c", script, target.url("mysql+sqlgate")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    assert out.count("RESULT InterfaceError") == 5 and "CONNECTED" not in out
    assert marker not in out


def test_allowed_options_reach_the_driver_typed(target: ServerInfo) -> None:
    url = (
        target.url("mysql+sqlgate") + "?charset=gbk&connect_timeout=4&read_timeout=30"
        "&write_timeout=20&max_allowed_packet=1048576&program_name=attack-test"
        "&client_flag=2&ssl_disabled=true"
    )
    with sqlgate.connect(url) as conn:
        raw = conn.session.raw
        assert (
            raw.charset,
            raw.connect_timeout,
            raw._read_timeout,
            raw._write_timeout,
            raw.max_allowed_packet,
        ) == ("gbk", 4.0, 30.0, 20.0, 1048576)
        assert not raw.client_flag & 65536 and not raw.client_flag & 128
        assert conn.cursor().execute("SELECT 1").fetchone() == (1,)


def test_tls_options_are_enforced_not_ignored(target: ServerInfo, tmp_path: Path) -> None:
    """A real CA file is accepted and makes TLS mandatory: this server has none, so it fails."""
    key, cert = tmp_path / "ca.key", tmp_path / "ca.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "1",
            "-subj",
            "/CN=sqlgate-test",
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    with pytest.raises(errors.OperationalError, match="SSL"):
        mysql_dbapi.connect(target.url("mysql+sqlgate"), ssl_ca=str(cert))
    with pytest.raises(errors.InterfaceError, match="ssl_key needs ssl_cert"):
        mysql_dbapi.connect(target.url("mysql+sqlgate"), ssl_key=str(key))


# --- class 3: placeholder splicing with bound parameters ------------------------------------
ERROR, ANY = "error", "any"
SPLICES = [
    ("SELECT '%1.1s' AS a", ["x"], ERROR),
    ("SELECT 'a %1.1s , SLEEP(3) , %1.1s b' AS a", ["x", "y"], ERROR),
    ("SELECT %5s AS a", ["x"], ERROR),
    ("SELECT %-3s AS a", ["x"], ERROR),
    ("SELECT %.0s 1 AS a", ["x"], ERROR),
    ("SELECT %c AS a", [39], ERROR),
    ("SELECT %r AS a", ["x"], ERROR),
    ("SELECT %s AS a -- %(x)s", ["v"], ERROR),
    ("SELECT '%(x)s' AS a", {"x": "', SLEEP(3), '"}, ANY),
    ("SELECT '%(a).1s, SLEEP(3), %(a).1s' AS a", {"a": "z"}, ERROR),
    ("SELECT '%%' AS a, %s AS b", ["v"], ANY),
    ("SELECT %s AS a", ["x'); INSERT INTO accounts VALUES (666,'m',1); -- "], "data"),
    ("SELECT %s AS a", ["' , SLEEP(3) , '"], "data"),
    ("SELECT %s AS a", ["\\' , SLEEP(3) -- "], "data"),
    ("SELECT %(a)s AS a, %(b)s AS b", {"a": "\\", "b": " , SLEEP(3) -- "}, "data"),
    ("SELECT %s AS a, GET_LOCK('" + LOCK + "', 0) AS b", ["x"], ERROR),
    ("SELECT '%1.1s , GET_LOCK(%s, 0) , %1.1s' AS a", ["a", LOCK, "b"], ERROR),
    ("SELECT ' %s , GET_LOCK(%s, 0) , %s ' AS a", ["a", LOCK, "b"], ERROR),
    ("SELECT 'x%1.1s INTO OUTFILE %s -- ' AS a", ["a", OUTFILE], ERROR),
    ("SELECT 'x' AS a %s INTO OUTFILE %s", ["", OUTFILE], ERROR),
    ("SELECT 'a%1.1s, LOAD_FILE(%s) AS f -- ' AS a", ["x", "/etc/passwd"], ERROR),
    ("SELECT ' %s , LOAD_FILE(%s) , %s ' AS a", ["x", "/etc/passwd", "y"], ERROR),
    ("SELECT '%1.1s; INSERT INTO accounts VALUES (667, 'm', 1); -- ' AS a", ["x"], ERROR),
    ("SELECT %s AS a; INSERT INTO accounts VALUES (668, 'm', 1)", ["x"], ERROR),
    ("SELECT 1 AS a /* %s */", ["*/ , SLEEP(3) /*"], ANY),
    ("SELECT 1 AS a /* %s */ , 2 AS b /* %s */", ["*/ , SLEEP(3) AS c /*", "x"], ANY),
    ("SELECT 1 AS a -- %s", ["x\n, SLEEP(3)"], ANY),
    ("SELECT 1 AS a # %s", ["x\n; DELETE FROM accounts"], ANY),
    ("SELECT %s AS a", [("1') , SLEEP(3) , ('1",)], ANY),
    ("SELECT %s AS a", [Decimal("NaN")], ERROR),
    ("SELECT %s AS a", [float("nan")], ERROR),
]  # fmt: skip
GBK_SPLICES = [  # a multi-byte charset whose second byte may be a backslash (0x5c)
    ("SELECT %s AS a", [b"\xbf' , SLEEP(3) -- "], "data"),
    ("SELECT %s AS a", ["\udcbf' , SLEEP(3) -- "], ERROR),
    ("SELECT %s AS a", ["\u4e57' , SLEEP(3) -- "], "data"),  # 乗 is 0x81 0x5c in gbk
    ("SELECT '\udcbf\\' , SLEEP(3) -- ' AS a", None, ERROR),
]  # fmt: skip
SCHEMES = ["mysql+sqlgate", "doris+sqlgate"]  # doris: no server guard, the gate alone


def _attack(
    admin: Any, target: ServerInfo, url: str, operation: str, params: Any, expect: str
) -> None:
    before = snapshot(admin, target, logins=False)
    started = time.monotonic()
    rows: list[tuple[Any, ...]] | None = None
    with sqlgate.connect(url) as conn:
        try:
            rows = conn.cursor().execute(operation, params).fetchall()
        except errors.Error as exc:
            assert expect != "data", f"a plain value was refused: {exc}"
        # taken while the attacker's session is still open, so its locks still show
        after = snapshot(admin, target, logins=False)
    assert time.monotonic() - started < 2.0, "the statement slept"
    assert after == before
    if expect == ERROR:
        assert rows is None, f"spliced statement ran and returned {rows!r}"
    if rows is not None:
        assert all(line not in repr(rows) for line in PASSWD_LINES)
        if expect == "data":
            values = list(params.values()) if isinstance(params, dict) else list(params)
            assert list(rows[0]) == values


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize(("operation", "params", "expect"), SPLICES)
def test_placeholder_splicing(
    target: ServerInfo, admin: Any, scheme: str, operation: str, params: Any, expect: str
) -> None:
    _attack(admin, target, target.url(scheme), operation, params, expect)


@pytest.mark.parametrize(("operation", "params", "expect"), GBK_SPLICES)
def test_splicing_through_a_gbk_connection(
    target: ServerInfo, admin: Any, operation: str, params: Any, expect: str
) -> None:
    _attack(admin, target, target.url("mysql+sqlgate") + "?charset=gbk", operation, params, expect)


@pytest.mark.parametrize("path", ["url", "kwargs", "sqlalchemy"])
def test_multi_statements_cannot_be_switched_on(target: ServerInfo, admin: Any, path: str) -> None:
    before = snapshot(admin, target, logins=False)
    for flag in ("65536", "65538", str(65536 | 128)):
        exc = _refusal(path, target.url("mysql+sqlgate"), "client_flag", flag)
        assert "client_flag" in str(exc) and "FOUND_ROWS" in str(exc)
    with sqlgate.connect(target.url("mysql+sqlgate")) as conn, pytest.raises(errors.Error):
        conn.cursor().execute("SELECT %s AS a; INSERT INTO accounts VALUES (669, 'm', 1)", ["x"])
    assert snapshot(admin, target, logins=False) == before


# --- class 10: hangs --------------------------------------------------------------------------
def test_handshake_with_a_silent_server_is_bounded_by_connect_timeout(silent_port: int) -> None:
    url = f"mysql+sqlgate://u:p@{HOST}:{silent_port}/db"
    for attempt in (
        lambda: sqlgate.connect(url + "?connect_timeout=2"),
        lambda: mysql_dbapi.connect(url, connect_timeout=2),
    ):
        started = time.monotonic()
        with pytest.raises(errors.OperationalError, match="did not answer in time"):
            attempt()
        assert time.monotonic() - started < 3.5


def test_handshake_with_a_silent_server_is_bounded_by_default(silent_port: int) -> None:
    started = time.monotonic()
    with pytest.raises(errors.OperationalError, match="did not answer in time"):
        sqlgate.connect(f"mysql+sqlgate://u:p@{HOST}:{silent_port}/db")
    assert time.monotonic() - started < 12.5  # the 10 s default connect_timeout


def test_default_read_and_write_timeouts_are_finite_and_applied(target: ServerInfo) -> None:
    with sqlgate.connect(target.url("mysql+sqlgate")) as conn:
        conn.cursor().execute("SELECT 1").fetchall()
        raw = conn.session.raw
        assert raw.connect_timeout == 10
        assert raw._read_timeout == raw._write_timeout == 900
        assert raw._sock.gettimeout() == 900  # the handshake's bound was lifted to it


def test_stalled_server_fails_within_read_timeout(own_mariadb: ServerInfo) -> None:
    pid = own_mariadb.extra["pid"]
    conn = sqlgate.connect(own_mariadb.url("mysql+sqlgate") + "?read_timeout=2")
    os.kill(pid, signal.SIGSTOP)
    try:
        started = time.monotonic()
        with pytest.raises(errors.OperationalError, match="read_timeout"):
            conn.cursor().execute("SELECT COUNT(*) FROM information_schema.tables")
        assert time.monotonic() - started < 4.0
    finally:
        os.kill(pid, signal.SIGCONT)
        conn.close()
    with sqlgate.connect(own_mariadb.url("mysql+sqlgate")) as conn:  # the server is fine again
        assert conn.cursor().execute("SELECT 1").fetchone() == (1,)


HEAVY = "SELECT COUNT(*) FROM seq_1_to_100000 a JOIN seq_1_to_100000 b ON a.seq + b.seq = 3"


def test_statement_timeout_is_the_servers_and_the_guard_still_wins(
    target: ServerInfo, admin: Any
) -> None:
    before = snapshot(admin, target)
    with sqlgate.connect(target.url("mysql+sqlgate") + "?statement_timeout=1") as conn:
        cursor = conn.cursor()
        assert cursor.execute(
            "SELECT @@session.max_statement_time, @@session.tx_read_only"
        ).fetchone() == (1.0, 1)
        started = time.monotonic()
        with pytest.raises(errors.OperationalError, match="statement_timeout"):
            cursor.execute(HEAVY)
        assert time.monotonic() - started < 3.0
        with conn.session.raw.cursor() as raw, pytest.raises(Exception, match="1792"):
            raw.execute("INSERT INTO accounts VALUES (670, 'm', 1)")  # past the gate: the server
    assert snapshot(admin, target)["running"] == before["running"]  # the server stopped it


@pytest.mark.parametrize(("module", "banner", "seconds", "expected"), [
    (mysql_dbapi, "5.5.5-10.11.6-MariaDB-0+deb12u1", 1.5, "max_statement_time = 1.500000"),
    (mysql_dbapi, "8.0.36", 1.5, "max_execution_time = 1500"),
    (mysql_dbapi, "8.0.11-TiDB-v8.5.0", 0.0001, "max_execution_time = 1"),
    (oceanbase_dbapi, "5.7.25-OceanBase_CE-v4.2.1", 2, "ob_query_timeout = 2000000"),
    (doris_dbapi, "5.7.99", 0.5, "query_timeout = 1"),
])  # fmt: skip
def test_statement_timeout_variable_follows_the_server(
    module: Any, banner: str, seconds: float, expected: str
) -> None:
    assert module.flavor.timeout_statement(banner, seconds) == f"SET SESSION {expected}"


# --- class 8: a non-latin-1 password ---------------------------------------------------------
PASSWORD = "пароль密码"


@pytest.fixture(scope="module")
def unicode_user(target: ServerInfo) -> Iterator[ServerInfo]:
    user = f"pw_{TAG}"
    mariadb.create_user(target, user, PASSWORD, privileges="SELECT", on=f"{target.database}.*")
    try:
        yield replace(target, user=user, password=PASSWORD)
    finally:
        mariadb.drop_user(target, user)


def test_non_latin1_password_logs_in(unicode_user: ServerInfo) -> None:
    for conn in (
        sqlgate.connect(unicode_user.url("mysql+sqlgate")),
        mysql_dbapi.connect(unicode_user.url("mysql+sqlgate", password="x"), password=PASSWORD),
    ):
        with conn:
            user = conn.cursor().execute("SELECT CURRENT_USER()").fetchone()[0]
            assert user.startswith(unicode_user.user + "@")


@pytest.mark.parametrize(
    "attempt", [PASSWORD + "неверный", "密码" + PASSWORD, "пароль\udcbf密码", PASSWORD[:-1]]
)
def test_no_password_in_any_connect_error(unicode_user: ServerInfo, attempt: str) -> None:
    info, quoted = unicode_user, quote(attempt, safe="", errors="surrogatepass")
    url = f"mysql+sqlgate://{info.user}:{quoted}@{info.host}:{info.port}/{info.database}"
    for connect in (
        lambda: mysql_dbapi.connect(info.url("mysql+sqlgate", password=""), password=attempt),
        lambda: sqlgate.connect(url),
        lambda: sa.create_engine(url).connect(),
    ):
        with pytest.raises(Exception) as caught:  # the class is checked below
            connect()
        exc = caught.value
        assert isinstance(exc if isinstance(exc, errors.Error) else exc.orig, errors.Error)
        text = chain_text(exc)
        assert attempt not in text and PASSWORD not in text and quoted not in text


# --- aware datetimes ---------------------------------------------------------------------------
UTC_NOON = datetime.datetime(2024, 3, 1, 12, 0, tzinfo=datetime.timezone.utc)


@pytest.mark.parametrize("value", [
    UTC_NOON, UTC_NOON.astimezone(datetime.timezone(datetime.timedelta(hours=8))),
    datetime.time(12, 0, tzinfo=datetime.timezone.utc), [UTC_NOON], (1, UTC_NOON),
])  # fmt: skip
def test_aware_datetime_parameter_is_refused_not_shifted(target: ServerInfo, value: Any) -> None:
    with sqlgate.connect(target.url("mysql+sqlgate")) as conn:
        with pytest.raises(errors.ProgrammingError, match="time-zone-aware"):
            conn.cursor().execute("SELECT %s AS a", [value])
        naive = datetime.datetime(2024, 3, 1, 12, 0)
        cursor = conn.cursor().execute("SELECT CAST(%s AS DATETIME) AS a", [naive])
        assert cursor.fetchone() == (naive,)


def test_aware_pandas_timestamp_is_refused(target: ServerInfo) -> None:
    pandas = pytest.importorskip("pandas")
    with (
        sqlgate.connect(target.url("mysql+sqlgate")) as conn,
        pytest.raises(errors.ProgrammingError, match="time-zone-aware"),
    ):
        conn.cursor().execute("SELECT %(t)s AS a", {"t": pandas.Timestamp(UTC_NOON)})
