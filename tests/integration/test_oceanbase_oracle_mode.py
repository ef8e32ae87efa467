"""The Oracle-mode handshake bit against the real seekdb (OceanBase 4.3.5, MySQL mode only).

No Oracle-mode tenant runs here (tests/unit/test_oceanbase_oracle.py scripts one). What the
real server shows: it accepts a login announcing ``OB_CLIENT_SUPPORT_ORACLE_MODE`` (bit 27)
and stays a MySQL-mode session (status bit 4 clear), so ``mode=oracle`` is refused after the
login by the mode check, not by a broken link.
"""

from __future__ import annotations

import pymysql
import pytest

import sqlgate
from sqlgate.core import errors
from sqlgate.dbapi.oceanbase_oracle import ORACLE_MODE_CAPABILITY, announcing_oracle_mode
from sqlgate.dbapi.oceanbase_session import SERVER_USE_ORACLE_MODE
from tests.servers.base import ServerInfo


@pytest.mark.parametrize("flag", [0, ORACLE_MODE_CAPABILITY], ids=["plain", "oracle-bit"])
def test_seekdb_accepts_the_oracle_bit_and_stays_mysql(
    seeded_seekdb: ServerInfo, flag: int
) -> None:
    link = pymysql.connect(
        unix_socket=seeded_seekdb.extra["unix_socket"],
        user=seeded_seekdb.user,
        password=seeded_seekdb.password,
        database=seeded_seekdb.database,
        client_flag=flag,
        connect_timeout=10,
    )
    try:
        with link.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM items")
            assert cursor.fetchone()[0] > 0
            cursor.execute("SHOW VARIABLES LIKE 'ob_compatibility_mode'")
            assert cursor.fetchall() == ()  # a MySQL-mode build
        assert not link.server_status & SERVER_USE_ORACLE_MODE
    finally:
        link.close()


def test_mode_oracle_on_a_mysql_tenant_is_refused(seeded_seekdb: ServerInfo) -> None:
    url = seeded_seekdb.url("oceanbase") + "&mode=oracle"
    with pytest.raises(errors.NotSupportedError, match="runs in MySQL mode") as info:
        sqlgate.connect(url)
    assert seeded_seekdb.password not in str(info.value)
    with sqlgate.connect(seeded_seekdb.url("oceanbase")) as conn:  # without the bit: fine
        assert conn.session.compatibility_mode == "MYSQL"
        assert conn.cursor().execute("SELECT count(*) FROM items").fetchone()[0] > 0


def test_sqlgate_link_announcing_the_bit_works_on_seekdb(seeded_seekdb: ServerInfo) -> None:
    """sqlgate's own link with the bit (what mode=oracle sends) logs in to a MySQL-mode
    server and runs, guard included: the bit alone breaks nothing there."""
    with announcing_oracle_mode():
        conn = sqlgate.connect(seeded_seekdb.url("oceanbase"))
    with conn:
        assert conn.session._raw.client_flag & ORACLE_MODE_CAPABILITY
        assert conn.session.compatibility_mode == "MYSQL"
        assert conn.session.server_guard_active() is True
        assert conn.cursor().execute("SELECT count(*) FROM items").fetchone()[0] > 0
