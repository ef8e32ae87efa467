"""The ClickHouse dialect's DDL and the SQL the compliance suite made it fix, compiled (the same
statements run on chdb's ClickHouse 26.9 in ``tests/integration/test_clickhouse_*``). Runs on
SQLAlchemy 1.4 and 2.x."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.schema import CreateIndex, CreateSchema, CreateTable, DropSchema

from sqlgate.dialects.clickhouse import ClickHouseDialect

DIALECT = ClickHouseDialect()


def _sql(element: object) -> str:
    return " ".join(str(element.compile(dialect=DIALECT)).split())  # type: ignore[attr-defined]


def test_create_table_reads_on_every_version() -> None:
    table = sa.Table(
        "t", sa.MetaData(),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(20), comment="who"),
        sa.Column("tags", sa.ARRAY(sa.String)),
        sa.Column("parent", sa.Integer, sa.ForeignKey("t.id"), nullable=False),
        sa.UniqueConstraint("name"),
        comment="people",
    )  # fmt: skip
    assert _sql(CreateTable(table)) == (
        "CREATE TABLE t ( id Int32, name Nullable(String) COMMENT 'who', tags Array(String), "
        "parent Int32 ) ENGINE = MergeTree ORDER BY id COMMENT 'people'"
    )
    index = sa.Index("ix_name", table.c.name.desc(), unique=True)
    assert _sql(CreateIndex(index)) == (
        "ALTER TABLE t ADD INDEX ix_name (name) TYPE minmax GRANULARITY 1"
    )
    assert _sql(CreateSchema("s")) == "CREATE DATABASE s"
    assert _sql(DropSchema("s")) == "DROP DATABASE s"


def test_union_delete_and_regexp() -> None:
    table = sa.table("t", sa.column("id"), sa.column("n"))
    union = sa.select(table.c.id).union(sa.select(table.c.id))
    assert "UNION DISTINCT" in _sql(union)
    assert "UNION ALL" in _sql(sa.select(table.c.id).union_all(sa.select(table.c.id)))
    assert _sql(table.delete()) == "DELETE FROM t WHERE 1"
    assert _sql(table.delete().where(table.c.id == 1)) == "DELETE FROM t WHERE t.id = %(id_1)s"
    assert _sql(sa.select(table.c.n.regexp_match("^a"))).startswith("SELECT match(t.n, %(n_1)s)")


def test_statement_cache_is_on() -> None:
    assert ClickHouseDialect.__dict__["supports_statement_cache"] is True
