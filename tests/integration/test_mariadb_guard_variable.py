"""The MariaDB guard check asks for the read-only variable this server has.

MariaDB 10.11 knows only ``tx_read_only`` (``transaction_read_only`` arrived in 11.1). Asking
for the other name failed with error 1193, and as a SELECT without tables leaves the
diagnostics area alone, the user's ``SHOW WARNINGS`` showed that error after every check.
"""

from __future__ import annotations

import pytest

import sqlgate
from sqlgate.core import errors
from sqlgate.dbapi.mysql_session import MySQLSession, guard_variables
from tests.servers import mariadb
from tests.servers.base import ServerInfo


@pytest.fixture()
def ledger(mariadb_database: ServerInfo) -> ServerInfo:
    mariadb.admin_execute(
        mariadb_database,
        f"CREATE TABLE `{mariadb_database.database}`.ledger (x int)",
        f"INSERT INTO `{mariadb_database.database}`.ledger VALUES (1), (2)",
    )
    return mariadb_database


def test_no_warnings_after_connect_and_the_server_refuses_writes(ledger: ServerInfo) -> None:
    with sqlgate.connect(ledger.url("mysql+sqlgate")) as conn:
        session = conn.session
        assert isinstance(session, MySQLSession)
        cur = conn.cursor()
        cur.execute("SHOW WARNINGS")  # what the guard's check at connect left behind
        assert cur.fetchall() == []
        assert session.banner and "mariadb" in session.banner.lower()
        expected = "tx_read_only" if session.server_version < (11, 1) else "transaction_read_only"
        assert session._guard_variables[0] == expected
        assert session.server_guard_active() is True
        cur.execute("SELECT COUNT(*) FROM ledger")  # a statement, then its guard check
        assert cur.fetchall() == [(2,)]
        conn.commit()  # a boundary: the guard is asked again
        cur.execute("SHOW WARNINGS")
        assert cur.fetchall() == []
        # the gate bypassed: the server's own READ ONLY mode refuses the write
        with session.raw.cursor() as raw_cursor, pytest.raises(Exception) as refused:
            raw_cursor.execute("INSERT INTO ledger VALUES (3)")
        assert refused.value.args[0] == 1792  # ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION
        conn.rollback()
        with pytest.raises(errors.ReadOnlyError):
            cur.execute("INSERT INTO ledger VALUES (4)")  # and the gate refuses it too
    rows = mariadb.admin_execute(ledger, f"SELECT x FROM `{ledger.database}`.ledger ORDER BY x")
    assert rows == [(1,), (2,)]


@pytest.mark.parametrize(
    ("banner", "version", "first"),
    [
        ("5.5.5-10.11.6-MariaDB-0+deb12u1", (10, 11, 6), "tx_read_only"),
        ("11.1.2-MariaDB", (11, 1, 2), "transaction_read_only"),
        ("11.0.3-MariaDB", (11, 0, 3), "tx_read_only"),
        ("8.0.36", (8, 0, 36), "transaction_read_only"),
        ("5.7.19-log", (5, 7, 19), "tx_read_only"),
        ("", (), "tx_read_only"),
    ],
)
def test_the_banner_picks_the_name_asked_first(
    banner: str, version: tuple[int, ...], first: str
) -> None:
    names = guard_variables(banner, version)
    assert names[0] == first and set(names) == {"tx_read_only", "transaction_read_only"}
