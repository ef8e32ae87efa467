"""The read-only bypass corpus against real PostgreSQL and MariaDB servers.

Every statement of ``tests/corpus/readonly_<family>.sql`` is sent through sqlgate and must be
refused before it reaches the server: a ReadOnlyError, or an UnparseableStatementError for text
the gate could not parse (both ProgrammingErrors raised by sqlgate itself); a checksum of the
data, the sequence and the catalog taken before and after must be identical. Every statement
of ``allowed_<family>.sql`` must be admitted.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import pytest

import sqlgate
from sqlgate.core import errors
from tests.corpus import load_corpus
from tests.servers import mariadb, postgres
from tests.servers.base import ServerInfo

ACCOUNTS = [(1, "alice", "100.00"), (2, "bob", "250.50"), (3, "张伟", "0.01")]


def _pg_setup(info: ServerInfo) -> Callable[[], str]:
    with postgres.connect(info) as conn:
        conn.execute(
            "CREATE TABLE public.accounts (id int PRIMARY KEY, owner text, balance numeric)"
        )
        conn.execute("CREATE SEQUENCE acct_seq")
        with conn.cursor() as cur:
            cur.executemany("INSERT INTO public.accounts VALUES (%s, %s, %s)", ACCOUNTS)

    def checksum() -> str:
        with postgres.connect(info) as conn:
            parts = [
                conn.execute("SELECT * FROM public.accounts ORDER BY id").fetchall(),
                conn.execute("SELECT last_value, is_called FROM acct_seq").fetchall(),
                conn.execute(
                    "SELECT schemaname, tablename FROM pg_tables WHERE schemaname "
                    "NOT IN ('pg_catalog','information_schema') ORDER BY 1, 2"
                ).fetchall(),
                conn.execute(
                    "SELECT rolname, rolsuper, rolcanlogin FROM pg_roles ORDER BY 1"
                ).fetchall(),
                conn.execute(
                    "SELECT name, setting FROM pg_settings WHERE name IN "
                    "('default_transaction_read_only', 'log_statement') "
                    "ORDER BY 1"
                ).fetchall(),
            ]
        return hashlib.sha256(repr(parts).encode()).hexdigest()

    return checksum


def _mysql_setup(info: ServerInfo) -> Callable[[], str]:
    with mariadb.admin_connect(info, database=info.database) as conn, conn.cursor() as cur:
        cur.execute(
            "CREATE TABLE accounts (id int PRIMARY KEY, owner varchar(100), balance decimal(12,2))"
        )
        cur.executemany("INSERT INTO accounts VALUES (%s, %s, %s)", ACCOUNTS)
        conn.commit()

    def checksum() -> str:
        with mariadb.admin_connect(info, database=info.database) as conn, conn.cursor() as cur:
            parts = []
            for query in (
                "SELECT * FROM accounts ORDER BY id",
                "SELECT table_schema, table_name FROM information_schema.tables "
                "WHERE table_schema NOT IN ('mysql', 'information_schema', "
                "'performance_schema', 'sys') ORDER BY 1, 2",
                "SELECT user, host FROM mysql.user ORDER BY 1, 2",
                "SELECT @@global.read_only, @@global.general_log",
            ):
                cur.execute(query)
                parts.append(cur.fetchall())
        return hashlib.sha256(repr(parts).encode()).hexdigest()

    return checksum


FAMILIES = {
    "postgres": ("postgres_database", "postgresql+sqlgate", _pg_setup),
    "mysql": ("mariadb_database", "mysql+sqlgate", _mysql_setup),
    "oceanbase": ("seekdb_database", "oceanbase", _mysql_setup),  # OceanBase's own engine
    "tidb": ("tidb_database", "tidb", _mysql_setup),  # tidb-server on unistore
}
# a product-native server runs its family's corpus
CORPUS = {"oceanbase": "mysql", "tidb": "mysql"}


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_every_bypass_attempt_is_refused_and_data_unchanged(
    family: str, request: pytest.FixtureRequest
) -> None:
    fixture, scheme, setup = FAMILIES[family]
    info: ServerInfo = request.getfixturevalue(fixture)
    checksum = setup(info)
    cases = load_corpus(f"readonly_{CORPUS.get(family, family)}")
    assert len(cases) >= 150
    before = checksum()
    admitted = []
    with sqlgate.connect(info.url(scheme)) as conn:
        cursor = conn.cursor()
        for case in cases:
            try:
                cursor.execute(case.sql)
            except errors.Error as exc:
                if _refused_by_sqlgate(exc):
                    continue
                # reached the server (even a refusal by its read-only guard): a gate failure
                admitted.append((case.id, case.why, f"server said: {exc}"))
                conn.rollback()
            else:
                admitted.append((case.id, case.why, "executed"))
                conn.rollback()
    assert admitted == [], f"{len(admitted)} statements got past the gate"
    assert checksum() == before


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_legitimate_reads_are_admitted(family: str, request: pytest.FixtureRequest) -> None:
    fixture, scheme, setup = FAMILIES[family]
    info: ServerInfo = request.getfixturevalue(fixture)
    setup(info)
    refused = []
    with sqlgate.connect(info.url(scheme)) as conn:
        cursor = conn.cursor()
        for case in load_corpus(f"allowed_{CORPUS.get(family, family)}"):
            try:
                cursor.execute(case.sql, _dummy_params(case.sql))
            except errors.Error as exc:  # an admitted read may still fail on the server
                if _refused_by_sqlgate(exc):
                    refused.append((case.id, case.why, exc.kind))  # type: ignore[attr-defined]
            conn.rollback()
    assert refused == []


def _refused_by_sqlgate(exc: errors.Error) -> bool:
    """Raised by sqlgate's gate before anything reached the server: a ProgrammingError that
    names what it refused and carries no server error code."""
    return (
        isinstance(exc, (errors.ReadOnlyError, errors.UnparseableStatementError))
        and exc.sqlstate is None
        and exc.vendor_code is None
    )


def _dummy_params(sql: str) -> dict[str, str] | tuple[str, ...] | None:
    """Values for reflection queries that carry placeholders, so they really run."""
    import re

    names = re.findall(r"%\((\w+)\)s", sql)
    if names:
        return dict.fromkeys(names, "accounts")
    count = len(re.findall(r"(?<!%)%s", sql))
    return ("accounts",) * count if count else None
