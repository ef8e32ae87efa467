"""The Doris and StarRocks statement flow that does not depend on their own answers, on a
real MariaDB 10.11 server (no Doris or StarRocks server runs here).

* ``catalog.db`` in the URL: the handshake names no database, the flavor's catalog statement
  and ``USE db`` run on the new link, a failure closes it and reaches the caller.
* Reflection through the Doris / StarRocks dialects of a table without OLAP syntax: the OLAP
  reader leaves MySQL's DDL as it is.

Their own ``SHOW CREATE TABLE`` and ``SHOW GRANTS`` forms are tested on recorded output in
``tests/unit/test_doris_starrocks.py``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from types import ModuleType

import pytest
import sqlalchemy as sa

from sqlgate.core import errors
from sqlgate.dbapi import doris, starrocks
from tests.conftest import SEED_ROWS
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


def test_metadata_statements_run_on_the_link_and_come_back_as_dicts(
    seeded_mariadb: ServerInfo,
) -> None:
    """``get_partitions`` / ``get_catalog_names`` run sqlgate's own fixed statement on the
    session's link (the gate reviews the caller's SQL, and refuses these SHOW forms from it);
    the plumbing shown with a statement MariaDB knows."""
    engine = sa.create_engine(seeded_mariadb.url("doris+sqlgate"))
    try:
        with engine.connect() as conn:
            rows = engine.dialect._show(conn, "SHOW DATABASES")
            assert {"Database": seeded_mariadb.database} in rows
            with pytest.raises(sa.exc.DBAPIError, match="SHOW"):
                conn.exec_driver_sql("SHOW CATALOGS")  # the caller's SQL: refused by the gate
            with pytest.raises(errors.ProgrammingError, match="1064"):
                engine.dialect.get_catalog_names(conn)  # MariaDB has no catalogs
    finally:
        engine.dispose()
