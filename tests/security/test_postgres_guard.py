"""The PostgreSQL family's server-side defences, on a real PostgreSQL 15.

* the function allow-list is what its rule derives from the server's own catalogue;
* ``options`` in a URL can set only harmless settings;
* a stalled server (SIGSTOP) cannot block a query past ``read_timeout``;
* ``statement_timeout`` becomes the server's own statement timeout;
* a connection whose guard is gone at connect is refused (fail closed).
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import Iterator

import pytest

import sqlgate
from sqlgate.core.allowlists import POSTGRES_RULE, derive_postgres, postgres_functions
from tests.servers import postgres
from tests.servers.base import ServerInfo
from tests.servers.postgres import PostgresServer


def test_allow_list_is_the_rule_applied_to_the_server(postgres_server: ServerInfo) -> None:
    with postgres.connect(postgres_server, admin=True) as conn:
        names = [row[0] for row in conn.execute(POSTGRES_RULE).fetchall()]
    derived = derive_postgres(names)
    shipped = postgres_functions()
    assert derived == shipped, (sorted(derived - shipped)[:20], sorted(shipped - derived)[:20])
    for dangerous in (
        "set_config",
        "ts_stat",
        "ts_rewrite",
        "query_to_xml",
        "table_to_xml",
        "pg_read_file",
        "pg_sleep",
        "nextval",
        "setval",
        "lo_import",
        "pg_terminate_backend",
        "pg_advisory_lock",
        "txid_current",
        "dblink",
        "crosstab",
        "xpath_table",
        "pg_file_write",
        "pg_notify",
    ):
        assert dangerous not in shipped, dangerous
    for useful in (
        "lower",
        "count",
        "date_trunc",
        "to_char",
        "format_type",
        "pg_get_expr",
        "array_agg",
        "generate_series",
        "json_build_object",
        "now",
        "random",
    ):
        assert useful in shipped, useful


@pytest.mark.parametrize(
    "options",
    [
        "-c default_transaction_read_only=off",
        "-cdefault_transaction_read_only=off",
        "--default-transaction-read-only=off",
        "-c transaction_read_only=off",
        "-c role=postgres",
        "-c session_authorization=postgres",
        "-c search_path=evil,pg_catalog",
        "-c statement_timeout=0",
        "-c\\ default_transaction_read_only=off",
        "-d 5",
        "-c application_name=x -c default_transaction_read_only=off",
        "-c DEFAULT_TRANSACTION_READ_ONLY=off",
        "-c default_transaction_read_only=on",
    ],
)
def test_startup_options_are_an_allow_list(postgres_server: ServerInfo, options: str) -> None:
    with pytest.raises(sqlgate.Error) as info:
        sqlgate.connect(postgres_server.url("postgresql+sqlgate"), options=options)
    assert "options" in str(info.value)


def test_harmless_startup_options_are_admitted(postgres_server: ServerInfo) -> None:
    with sqlgate.connect(
        postgres_server.url("postgresql+sqlgate"), options="-c extra_float_digits=2 -c TimeZone=UTC"
    ) as conn:
        cur = conn.cursor()
        cur.execute("SHOW extra_float_digits")
        assert cur.fetchone() == ("2",)
        cur.execute("SHOW default_transaction_read_only")
        assert cur.fetchone() == ("on",)


def test_statement_timeout_is_the_servers(postgres_server: ServerInfo) -> None:
    heavy = "SELECT count(*) FROM generate_series(1, 300000000)"
    with sqlgate.connect(postgres_server.url("postgresql+sqlgate"), statement_timeout=1) as conn:
        cur = conn.cursor()
        cur.execute("SHOW statement_timeout")
        assert cur.fetchone() == ("1s",)
        t0 = time.monotonic()
        with pytest.raises(sqlgate.OperationalError, match="statement timeout"):
            cur.execute(heavy)
        assert time.monotonic() - t0 < 5
        conn.rollback()
        cur.execute("SELECT 1")  # the connection stays usable
        assert cur.fetchone() == (1,)


@pytest.mark.parametrize("value", ["abc", "-1", "0", "nan", "1e9", "true"])
def test_bad_timeouts_are_clear_errors(postgres_server: ServerInfo, value: str) -> None:
    for name in ("statement_timeout", "read_timeout", "connect_timeout"):
        with pytest.raises(sqlgate.InterfaceError, match=name):
            sqlgate.connect(postgres_server.url("postgresql+sqlgate"), **{name: value})


@pytest.fixture()
def own_postgres() -> Iterator[ServerInfo]:
    """A server of this test's own, since it will be stopped with SIGSTOP."""
    server = PostgresServer()
    info = server.start()
    try:
        yield info
    finally:
        with contextlib.suppress(OSError):
            _signal_server(info, signal.SIGCONT)  # a stopped server cannot shut down
        server.stop()


def _signal_server(info: ServerInfo, sig: int) -> None:
    """Stop or continue the postmaster and every backend (the whole server stalls)."""
    pid = int(info.extra["pid"])
    children = [p for p in os.listdir("/proc") if p.isdigit() and _parent(int(p)) == pid]
    for target in [pid, *map(int, children)]:
        os.kill(target, sig)


def _parent(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return int(fh.read().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return -1


def test_stalled_server_cannot_block_past_read_timeout(own_postgres: ServerInfo) -> None:
    conn = sqlgate.connect(own_postgres.url("postgresql+sqlgate"), read_timeout=2)
    cur = conn.cursor()
    cur.execute("SELECT 1")
    _signal_server(own_postgres, signal.SIGSTOP)
    try:
        t0 = time.monotonic()
        with pytest.raises(sqlgate.OperationalError, match="read_timeout=2"):
            cur.execute("SELECT 2")
        elapsed = time.monotonic() - t0
    finally:
        _signal_server(own_postgres, signal.SIGCONT)
    assert elapsed < 2 + 3 + 3 + 2, elapsed  # deadline + cancel attempt + grace + slack
    conn.close()


def test_slow_query_is_cancelled_at_read_timeout(postgres_server: ServerInfo) -> None:
    with sqlgate.connect(postgres_server.url("postgresql+sqlgate"), read_timeout=1) as conn:
        cur = conn.cursor()
        t0 = time.monotonic()
        with pytest.raises(sqlgate.OperationalError, match="read_timeout"):
            cur.execute("SELECT count(*) FROM generate_series(1, 300000000)")
        assert time.monotonic() - t0 < 4
        conn.rollback()
        cur.execute("SELECT 1")
        assert cur.fetchone() == (1,)


def test_default_read_timeout_is_finite(postgres_server: ServerInfo) -> None:
    with sqlgate.connect(postgres_server.url("postgresql+sqlgate")) as conn:
        timeout = conn.session._read_timeout
    assert timeout is not None and 0 < timeout <= 3600


def test_a_server_that_drops_the_guard_is_refused(postgres_server: ServerInfo) -> None:
    """A role whose own default is read-write still gets the guard (startup option wins);
    and a login whose guard did not take effect is refused, never used."""
    postgres.admin_execute(
        postgres_server,
        "DROP ROLE IF EXISTS rw_default",
        "CREATE ROLE rw_default LOGIN PASSWORD 'rw_default_pw'",
        "ALTER ROLE rw_default SET default_transaction_read_only = off",
        f"GRANT CONNECT ON DATABASE {postgres_server.database} TO rw_default",
    )
    url = (
        f"postgresql+sqlgate://rw_default:rw_default_pw@{postgres_server.host}:"
        f"{postgres_server.port}/{postgres_server.database}"
    )
    with sqlgate.connect(url) as conn:
        cur = conn.cursor()
        cur.execute("SHOW default_transaction_read_only")
        assert cur.fetchone() == ("on",)
    # the NUL byte class: libpq stops reading at NUL, so the guard option never arrives
    with pytest.raises(sqlgate.Error):
        sqlgate.connect(
            url.replace(f"/{postgres_server.database}", f"/{postgres_server.database}%00")
        )


def test_cancel_from_another_thread(postgres_server: ServerInfo) -> None:
    import threading

    with sqlgate.connect(postgres_server.url("postgresql+sqlgate")) as conn:
        cur = conn.cursor()
        timer = threading.Timer(0.5, cur.cancel)
        timer.start()
        t0 = time.monotonic()
        with pytest.raises(sqlgate.OperationalError, match="cancel"):
            cur.execute("SELECT count(*) FROM generate_series(1, 300000000)")
        assert time.monotonic() - t0 < 2.5
        timer.join()
        conn.rollback()
        cur.execute("SELECT 1")
        assert cur.fetchone() == (1,)
