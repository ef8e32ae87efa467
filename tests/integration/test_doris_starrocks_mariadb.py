"""The Doris and StarRocks statement flow that does not depend on their own answers, on a
real MariaDB 10.11 server (no Doris or StarRocks server runs here).

* ``catalog.db`` in the URL: the handshake names no database, the flavor's catalog statement
  and ``USE db`` run on the new link, a failure closes it and reaches the caller.
* Reflection through the Doris / StarRocks dialects of a table without OLAP syntax: the OLAP
  reader leaves MySQL's DDL as it is.

* The gate's Doris / StarRocks reads (``SHOW CATALOGS``, ``SHOW PARTITIONS`` ..., ``SWITCH`` /
  ``SET CATALOG``: ``tests/corpus/allowed_doris.sql``) reach the server, their look-alikes
  (``readonly_doris.sql``) do not, and the dialect's reflection takes the same path.

Their own ``SHOW CREATE TABLE`` and ``SHOW GRANTS`` forms are tested on recorded output in
``tests/unit/test_doris_starrocks.py``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from types import ModuleType

import pytest
import sqlalchemy as sa

import sqlgate
from sqlgate.core import errors
from sqlgate.core.readonly import gate_for
from sqlgate.dbapi import doris, starrocks
from tests.conftest import SEED_ROWS
from tests.corpus import load_corpus
from tests.integration.test_readonly_corpus import _mysql_setup, _refused_by_sqlgate
from tests.servers import mariadb
from tests.servers.base import ServerInfo


def test_catalog_statement_then_use_run_on_the_new_link(seeded_mariadb: ServerInfo) -> None:
    """MariaDB has no catalogs: the flavor's catalog statement is pointed at ``USE`` so that
    the real flow (no database in the handshake, then the two statements) runs end to end."""
    flavor = dataclasses.replace(starrocks.flavor, catalog_statement="USE {}")
    db = seeded_mariadb.database
    assert flavor.catalog_statements(f"{db}.{db}") == [f"USE `{db}`", f"USE `{db}`"]
    url = seeded_mariadb.url("starrocks").rsplit("/", 1)[0] + f"/{db}.{db}"
    with flavor.connect(url) as conn:
        cur = conn.cursor()
        assert cur.execute("SELECT DATABASE()").fetchone()[0] == db
        assert cur.execute("SELECT count(*) FROM items").fetchone()[0] == len(SEED_ROWS)
        with pytest.raises(errors.ReadOnlyError):
            cur.execute("DELETE FROM items")  # the gate still guards the switched session
    admin = mariadb.admin_execute(seeded_mariadb, f"SELECT count(*) FROM `{db}`.items")
    assert admin[0][0] == len(SEED_ROWS)


@pytest.mark.parametrize(
    ("module", "near"),
    [(doris, "SWITCH `hive`"), (starrocks, "`hive`")],  # MariaDB reads SET CATALOG's start
)
def test_a_refused_catalog_switch_fails_the_connect_and_closes_the_link(
    seeded_mariadb: ServerInfo, module: ModuleType, near: str
) -> None:
    """MariaDB refuses the statement as a syntax error quoting it: proof it was sent, after
    a handshake that named no database (``hive`` is no database here either)."""
    source = module.flavor.source
    url = seeded_mariadb.url(source).rsplit("/", 1)[0] + "/hive.sales"
    with pytest.raises(errors.ProgrammingError, match=f"near '{near}' at line 1"):
        module.flavor.connect(url)
    leftover = mariadb.admin_execute(
        seeded_mariadb,
        "SELECT count(*) FROM information_schema.processlist WHERE id <> CONNECTION_ID() "
        f"AND user = '{seeded_mariadb.user}'",
    )
    assert leftover[0][0] == 0  # the failed link was closed, not left open


@pytest.fixture
def plain_table(seeded_mariadb: ServerInfo) -> Iterator[str]:
    db = seeded_mariadb.database
    mariadb.admin_execute(
        seeded_mariadb,
        f"CREATE TABLE `{db}`.olap_plain (id INT NOT NULL PRIMARY KEY, "
        "name VARCHAR(20) COMMENT 'who', amount DECIMAL(32,2)) ENGINE=InnoDB COMMENT='plain'",
    )
    try:
        yield "olap_plain"
    finally:
        mariadb.admin_execute(seeded_mariadb, f"DROP TABLE `{db}`.olap_plain")


@pytest.mark.parametrize("scheme", ["doris+sqlgate", "starrocks+sqlgate"])
def test_reflection_of_a_plain_table(
    seeded_mariadb: ServerInfo, plain_table: str, scheme: str
) -> None:
    engine = sa.create_engine(seeded_mariadb.url(scheme))
    try:
        inspector = sa.inspect(engine)
        columns = {c["name"]: c for c in inspector.get_columns(plain_table)}
        assert list(columns) == ["id", "name", "amount"]
        assert columns["name"]["comment"] == "who"
        assert isinstance(columns["amount"]["type"], sa.Numeric)
        assert inspector.get_pk_constraint(plain_table)["constrained_columns"] == ["id"]
        options = inspector.get_table_options(plain_table)
        assert options["mysql_comment"] == "plain"
        source = scheme.split("+")[0]
        assert not [k for k in options if k.startswith(f"mysql_{source}_")]
        table = sa.Table(plain_table, sa.MetaData(), autoload_with=engine)
        assert [c.name for c in table.primary_key] == ["id"]
        with engine.connect() as conn:
            rows = conn.execute(sa.select(sa.func.count()).select_from(table)).scalar()
            assert rows == 0
    finally:
        engine.dispose()


def test_metadata_statements_take_the_users_path_and_come_back_as_dicts(
    seeded_mariadb: ServerInfo,
) -> None:
    """``get_partitions`` / ``get_catalog_names`` run through the gated path users' SQL takes
    (the gate admits these SHOW forms); MariaDB, which has no catalogs or partitions listing,
    answers them with its syntax error quoting the text: proof that they reached it."""
    engine = sa.create_engine(seeded_mariadb.url("doris+sqlgate"))
    try:
        with engine.connect() as conn:
            rows = engine.dialect._show(conn, "SHOW DATABASES")
            assert {"Database": seeded_mariadb.database} in rows
            with pytest.raises(sa.exc.ProgrammingError, match=r"1064.*near 'CATALOGS'"):
                conn.exec_driver_sql("SHOW CATALOGS")  # the caller's SQL: sent to the server
            with pytest.raises(sa.exc.ProgrammingError, match=r"1064.*near 'CATALOGS'"):
                engine.dialect.get_catalog_names(conn)
            with pytest.raises(sa.exc.ProgrammingError, match=r"1064.*near 'PARTITIONS"):
                engine.dialect.get_partitions(conn, "items", seeded_mariadb.database)
    finally:
        engine.dispose()


# -- the gate: Doris / StarRocks SHOW forms and the catalog switch ----------------------------
POLICIES = ["doris", "starrocks"]


@pytest.mark.parametrize("policy", POLICIES)
def test_olap_reads_admitted_and_their_look_alikes_refused(policy: str) -> None:
    """allowed_doris.sql passes both policies; readonly_doris.sql and the MySQL corpus are
    refused; the MySQL policy keeps refusing the OLAP forms (they are no MySQL syntax)."""
    gate = gate_for(policy)
    allowed = load_corpus("allowed_doris")
    assert len(allowed) >= 20
    for case in allowed:
        assert gate.verdict(case.sql).kind in ("SHOW", "USE"), case.why
    for case in [*load_corpus("readonly_doris"), *load_corpus("readonly_mysql")]:
        with pytest.raises((errors.ReadOnlyError, errors.UnparseableStatementError)):
            gate.check(case.sql)
    mysql = gate_for("mysql")
    for case in allowed:
        with pytest.raises((errors.ReadOnlyError, errors.UnparseableStatementError)):
            mysql.check(case.sql)


@pytest.mark.parametrize("scheme", ["doris+sqlgate", "starrocks+sqlgate"])
def test_olap_reads_reach_the_server_and_look_alikes_do_not(
    mariadb_database: ServerInfo, scheme: str
) -> None:
    """On a real MariaDB (stand-in: no Doris here): every admitted form is sent (MariaDB runs it
    or answers with its own error, which carries a server code); every look-alike is refused
    by sqlgate with no server code, and an admin checksum shows nothing changed."""
    checksum = _mysql_setup(mariadb_database)
    before = checksum()
    with sqlgate.connect(mariadb_database.url(scheme)) as conn:
        cursor = conn.cursor()
        reached = 0
        for case in load_corpus("allowed_doris"):
            try:
                cursor.execute(case.sql)
            except errors.Error as exc:
                assert not _refused_by_sqlgate(exc), (case.sql, exc)
                assert exc.vendor_code in (1064, 1049, 1146), (case.sql, exc)
            reached += 1
        assert reached == len(load_corpus("allowed_doris"))
        got_past = []
        for case in load_corpus("readonly_doris"):
            try:
                cursor.execute(case.sql)
                got_past.append(case.sql)
            except errors.Error as exc:
                if not _refused_by_sqlgate(exc):
                    got_past.append(f"{case.sql} -> {exc}")
        assert got_past == []
    assert checksum() == before
