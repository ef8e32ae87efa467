"""OceanBase Oracle mode without a server: the gate corpus, the SQLAlchemy dialect, and the
decoders and literal binder at their edges (the wire is in test_oceanbase_oracle.py)."""

from __future__ import annotations

import datetime
import decimal

import pytest

from sqlgate.core import errors
from sqlgate.core.readonly import gate_for
from tests.corpus import load_corpus
from tests.unit.test_oceanbase_oracle import _otimestamp


# -- the gate corpus and the dialect -----------------------------------------------------------
@pytest.mark.parametrize("case", load_corpus("readonly_oceanbase_oracle"), ids=lambda c: c.id)
def test_corpus_refused(case) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises((errors.ReadOnlyError, errors.UnparseableStatementError)):
        gate_for("oceanbase_oracle").check(case.sql)


@pytest.mark.parametrize("case", load_corpus("allowed_oceanbase_oracle"), ids=lambda c: c.id)
def test_corpus_admitted(case) -> None:  # type: ignore[no-untyped-def]
    assert gate_for("oceanbase_oracle").verdict(case.sql).kind == "SELECT", case.why


def test_mode_oracle_selects_the_oracle_dialect() -> None:
    import sqlalchemy as sa
    from sqlalchemy.schema import CreateTable

    engine = sa.create_engine("oceanbase://u:p@127.0.0.1:1/APP?mode=oracle")
    dialect = engine.dialect
    assert dialect.name == "oceanbase_oracle" and dialect.paramstyle == "pyformat"
    assert sa.create_engine("oceanbase://u:p@127.0.0.1:1/app").dialect.name != dialect.name
    items = sa.table("items", sa.column("id"))
    paged = str(sa.select(items).order_by(items.c.id).limit(5).compile(dialect=dialect))
    assert "FETCH FIRST" in paged or "ROWNUM" in paged  # SQLAlchemy 2 / 1.4
    assert str(sa.select(sa.literal(1)).compile(dialect=dialect)).endswith("FROM DUAL")
    table = sa.Table(
        "t", sa.MetaData(), sa.Column("a", sa.String(10)), sa.Column("n", sa.Numeric(10, 2))
    )
    ddl = str(CreateTable(table).compile(dialect=dialect))
    assert "VARCHAR2(10 CHAR)" in ddl and ("NUMBER(10, 2)" in ddl or "NUMERIC(10, 2)" in ddl)
    args = dialect.create_connect_args(engine.url)[1]
    assert args["mode"] == "oracle"
    engine.dispose()


# -- decoders and literals at their edges ------------------------------------------------------
def test_decoders_refuse_what_python_cannot_hold() -> None:
    from sqlgate.dbapi import oceanbase_oracle_types as ob

    with pytest.raises(errors.DataError, match="year 0"):
        ob.decode_timestamp(bytes([0, 0, 1, 1, 0, 0, 0]) + bytes(4) + b"\x06")
    with pytest.raises(errors.DataError, match="12 bytes"):
        ob.decode_timestamp(b"\x14\x18\x01")
    with pytest.raises(errors.DataError, match="14 bytes"):
        ob.decode_interval_ds(bytes(7))
    with pytest.raises(errors.DataError, match="7 bytes"):
        ob.decode_interval_ym(bytes(14))
    with pytest.raises(errors.DataError, match="time zone"):
        ob.decode_timestamp_tz(_otimestamp(2024, 1, 1, 0, 0, 0, 0))


def test_literals() -> None:
    from sqlgate.dbapi.oceanbase_oracle_literals import bind_oracle, oracle_literal

    aware = datetime.datetime(
        2024, 5, 6, 7, 8, 9, 10, tzinfo=datetime.timezone(-datetime.timedelta(hours=5, minutes=30))
    )
    assert oracle_literal(aware) == "TIMESTAMP '2024-05-06 07:08:09.000010 -05:30'"
    assert (
        oracle_literal(-datetime.timedelta(days=1, seconds=1))
        == "INTERVAL '-1 00:00:01.000000' DAY(9) TO SECOND(6)"
    )
    assert oracle_literal(True) == "1" and oracle_literal(None) == "NULL"
    assert oracle_literal(decimal.Decimal("-1.50")) == "(-1.50)"  # never "--": a comment
    assert bind_oracle("SELECT %(a)s, %(a)s FROM DUAL", {"a": "x"}) == "SELECT 'x', 'x' FROM DUAL"
    for bad in (float("nan"), decimal.Decimal("Infinity"), "a\0b"):
        with pytest.raises(errors.DataError):
            oracle_literal(bad)
    with pytest.raises(errors.ProgrammingError, match="no Oracle literal"):
        oracle_literal(datetime.time(1, 2))
    wrong: list[tuple[str, object]] = [
        ("SELECT %d FROM DUAL", (1,)),
        ("SELECT %s FROM DUAL", (1, 2)),
        ("SELECT %s, %s FROM DUAL", (1,)),
        ("SELECT %(b)s FROM DUAL", {"a": 1}),
    ]
    for sql, params in wrong:
        with pytest.raises(errors.ProgrammingError):
            bind_oracle(sql, params)
