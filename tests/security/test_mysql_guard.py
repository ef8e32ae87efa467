"""A stored function that lifts MariaDB's session read-only mode cannot outlive its statement.

``SET SESSION TRANSACTION READ WRITE`` inside an administrator's function changes the mode of
the *next* transaction. sqlgate asks the server at every transaction boundary and closes a
connection found lifted, so neither the next statement nor a pool's next user runs read-write.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

import sqlgate
from tests.servers import mariadb
from tests.servers.base import ServerInfo

LIFTERS = {
    "set_session_transaction": "SET SESSION TRANSACTION READ WRITE",
    "tx_read_only_variable": "SET @@session.tx_read_only = 0",
}


@pytest.fixture()
def lifting_db(mariadb_database: ServerInfo) -> ServerInfo:
    with (
        mariadb.admin_connect(mariadb_database, database=mariadb_database.database) as conn,
        conn.cursor() as cur,
    ):
        cur.execute("CREATE TABLE t (x int)")
        for name, body in LIFTERS.items():
            cur.execute(f"CREATE FUNCTION {name}() RETURNS int BEGIN {body}; RETURN 1; END")
        conn.commit()
    return mariadb_database


def _rows(info: ServerInfo) -> int:
    with mariadb.admin_connect(info, database=info.database) as conn, conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM t")
        return int(cur.fetchone()[0])


@pytest.mark.parametrize("lifter", sorted(LIFTERS))
@pytest.mark.parametrize("autocommit", [False, True], ids=["transaction", "autocommit"])
def test_lifted_guard_closes_the_connection(
    lifting_db: ServerInfo, lifter: str, autocommit: bool
) -> None:
    conn = sqlgate.connect(lifting_db.url("mysql+sqlgate"))
    if autocommit:
        conn.set_isolation_level("AUTOCOMMIT")
    cur = conn.cursor()
    with pytest.raises(sqlgate.GuardLostError):
        cur.execute(f"SELECT {lifter}()")
        conn.commit()  # in a transaction the boundary is the commit
    assert conn.closed
    assert _rows(lifting_db) == 0


@pytest.mark.parametrize("lifter", sorted(LIFTERS))
def test_pool_never_hands_out_a_lifted_connection(lifting_db: ServerInfo, lifter: str) -> None:
    engine = sa.create_engine(lifting_db.url("mysql+sqlgate"), pool_size=1, max_overflow=0)
    try:
        with pytest.raises(sa.exc.DBAPIError), engine.connect() as conn:
            conn.exec_driver_sql(f"SELECT {lifter}()").fetchall()
            conn.commit()
        with engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT @@session.tx_read_only").scalar() == 1
    finally:
        engine.dispose()
    assert _rows(lifting_db) == 0
