"""Admitted session statements take effect and keep the guard; errors carry the server's code.

Real PostgreSQL 15 and MariaDB 10.11 servers: the session statements the gate admits
(issue #9) change what they say and nothing else (the session stays read-only, writes are
still refused by the server), and a server error keeps its SQLSTATE / vendor code (issue #8).
"""

from __future__ import annotations

import pytest

import sqlgate
from sqlgate.core import errors
from sqlgate.core.connection import Connection
from tests.servers import mariadb, postgres
from tests.servers.base import ServerInfo


def _admin(info: ServerInfo, *statements: str) -> None:
    """Run statements as the admin user in the test's own database."""
    with postgres.connect(info, admin=True) as admin:
        for statement in statements:
            admin.execute(statement)


def _pg(info: ServerInfo) -> Connection:
    _admin(
        info,
        "CREATE SCHEMA analytics",
        "CREATE TABLE analytics.facts (x int)",
        "GRANT USAGE ON SCHEMA analytics TO PUBLIC",
        "GRANT SELECT ON analytics.facts TO PUBLIC",
    )
    return sqlgate.connect(info.url("postgresql+sqlgate"))


def test_postgres_session_statements_take_effect_and_keep_the_guard(
    postgres_database: ServerInfo,
) -> None:
    with _pg(postgres_database) as conn:
        cur = conn.cursor()
        for sql, show, expected in [
            ('set search_path = "analytics"', "SHOW search_path", "analytics"),
            ("SET TIME ZONE 'UTC'", "SHOW timezone", "UTC"),
            ("SET application_name = 'superset'", "SHOW application_name", "superset"),
            ("SET statement_timeout = '30s'", "SHOW statement_timeout", "30s"),
            (
                "SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL REPEATABLE READ",
                "SHOW default_transaction_isolation",
                "repeatable read",
            ),
        ]:
            cur.execute(sql)
            conn.commit()
            cur.execute(show)
            assert cur.fetchone()[0] == expected, sql
        cur.execute("SELECT count(*) FROM facts")  # resolved through the new search_path
        assert cur.fetchone()[0] == 0
        cur.execute("SHOW default_transaction_read_only")
        assert cur.fetchone()[0] == "on"
        with pytest.raises(errors.ReadOnlyError) as info:
            cur.execute("SELECT * FROM facts FOR UPDATE")
        assert info.value.sqlstate is None  # the gate's, before the server
        conn.rollback()
        cur.execute("RESET search_path")
        cur.execute("SHOW search_path")
        assert "analytics" not in cur.fetchone()[0]


def test_mariadb_session_statements_take_effect_and_keep_the_guard(
    mariadb_database: ServerInfo,
) -> None:
    with sqlgate.connect(mariadb_database.url("mysql+sqlgate")) as conn:
        cur = conn.cursor()
        for sql, variable, expected in [
            ("SET time_zone = '+01:00'", "@@session.time_zone", "+01:00"),
            ("SET SESSION sql_select_limit = 1000", "@@session.sql_select_limit", 1000),
            ("SET max_statement_time = 30", "@@session.max_statement_time", 30.0),
            (
                "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED",
                "@@session.tx_isolation",
                "READ-COMMITTED",
            ),
        ]:
            cur.execute(sql)
            cur.execute(f"SELECT {variable}")
            assert cur.fetchone()[0] == expected, sql
        cur.execute("SELECT @@session.tx_read_only")  # the isolation level kept READ ONLY
        assert cur.fetchone()[0] == 1
        cur.execute("USE information_schema")
        cur.execute("SELECT DATABASE()")
        assert cur.fetchone()[0] == "information_schema"


@pytest.mark.parametrize(
    ("sql", "sqlstate", "error"),
    [
        ("SELECT 1/0", "22012", errors.DataError),
        ("SELECT * FROM no_such_table", "42P01", errors.ProgrammingError),
        ("SELECT no_such_column FROM pg_class", "42703", errors.ProgrammingError),
    ],
)
def test_postgres_errors_keep_the_sqlstate(
    postgres_database: ServerInfo, sql: str, sqlstate: str, error: type[errors.Error]
) -> None:
    with sqlgate.connect(postgres_database.url("postgresql+sqlgate")) as conn:
        with pytest.raises(error) as info:
            conn.cursor().execute(sql)
        assert info.value.sqlstate == sqlstate and info.value.vendor_code is None
        conn.rollback()


def test_postgres_guard_refusal_keeps_25006(postgres_database: ServerInfo) -> None:
    """A write the gate cannot see (inside a function) is refused by the server: 25006."""
    _admin(
        postgres_database,
        "CREATE TABLE t25006 (x int)",
        "GRANT ALL ON t25006 TO PUBLIC",
        "CREATE FUNCTION w25006() RETURNS int LANGUAGE sql AS 'INSERT INTO t25006 VALUES (1) "
        "RETURNING x'",
    )
    url = postgres_database.url("postgresql+sqlgate") + "?allow_functions=w25006"
    with sqlgate.connect(url) as conn:
        with pytest.raises(errors.ReadOnlyError) as info:
            conn.cursor().execute("SELECT w25006()")
        assert info.value.sqlstate == "25006"
        conn.rollback()


@pytest.mark.parametrize(
    ("sql", "code", "sqlstate"),
    [
        ("SELECT * FROM no_such_table", 1146, "42S02"),
        ("SELECT no_such_column FROM DUAL", 1054, "42S22"),
        ("SELEKT 1 FROM DUAL", 1064, "42000"),
    ],
)
def test_mariadb_errors_keep_the_vendor_code(
    mariadb_database: ServerInfo, sql: str, code: int, sqlstate: str
) -> None:
    with sqlgate.connect(mariadb_database.url("mysql+sqlgate") + "?read_only=false") as conn:
        with pytest.raises(errors.ProgrammingError) as info:
            conn.cursor().execute(sql)  # read_only=false: the server parses SELEKT, not the gate
        assert info.value.vendor_code == code and info.value.sqlstate == sqlstate
        conn.rollback()


def test_mariadb_guard_refusal_keeps_1792(mariadb_database: ServerInfo) -> None:
    """A write hidden in a stored function is refused by the session's READ ONLY mode."""
    with (
        mariadb.admin_connect(mariadb_database, database=mariadb_database.database) as admin,
        admin.cursor() as cur,
    ):
        cur.execute("CREATE TABLE t1792 (x int)")
        cur.execute(
            "CREATE FUNCTION w1792() RETURNS int MODIFIES SQL DATA "
            "BEGIN INSERT INTO t1792 VALUES (1); RETURN 1; END"
        )
        admin.commit()
    with sqlgate.connect(mariadb_database.url("mysql+sqlgate")) as conn:
        with pytest.raises(errors.ReadOnlyError) as info:
            conn.cursor().execute("SELECT w1792()")
        assert info.value.vendor_code == 1792
        conn.rollback()
    rows = mariadb.admin_execute(
        mariadb_database, f"SELECT COUNT(*) FROM `{mariadb_database.database}`.t1792"
    )
    assert rows[0][0] == 0
