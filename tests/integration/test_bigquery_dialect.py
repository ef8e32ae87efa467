"""The ``bigquery+sqlgate://`` dialect's identifier quoting, on bqemulator.

GoogleSQL reads C-style escapes inside backquotes (``\\``` is a backquote, ``\\\\`` a
backslash); SQLAlchemy's default escaping doubles the quote character instead, which left a
backquote in a name ending the identifier early - whatever followed it became SQL.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.servers.bigquery import BigQueryInfo

SCHEME = "bigquery+sqlgate"
#: a label that, quoted the old way, closes the identifier and adds a second column
INJECTING = "x` , 'smuggled' AS `y"


def test_a_backquote_inside_a_name_is_escaped() -> None:
    from sqlgate.dialects.bigquery import BigQueryDialect

    preparer = BigQueryDialect().identifier_preparer
    assert preparer.quote("we`ird") == r"`we\`ird`"
    assert preparer.quote("back\\slash") == r"`back\\slash`"
    assert preparer.quote(INJECTING) == r"`x\` , 'smuggled' AS \`y`"
    assert preparer.quote("plain_name") == "plain_name"


def test_a_quoted_label_with_a_backquote_never_becomes_sql(
    seeded_bigquery: BigQueryInfo,
) -> None:
    """On the emulator: the old quoting's text runs and returns the smuggled column; the
    escaped text is one identifier, which sqlgate's gate (its lexer does not read GoogleSQL's
    escapes inside backquotes) refuses whole - it fails closed, nothing after the backquote
    runs."""
    from sqlgate.core import errors

    engine = sa.create_engine(seeded_bigquery.url(SCHEME))
    try:
        with engine.connect() as conn:
            old = conn.exec_driver_sql("SELECT 1 AS `x` , 'smuggled' AS `y`")
            assert old.fetchall() == [(1, "smuggled")]  # what the unescaped label ran
            query = sa.select(sa.literal_column("1").label(INJECTING))
            with pytest.raises(sa.exc.DBAPIError) as info:
                conn.execute(query)
    finally:
        engine.dispose()
    assert isinstance(info.value.orig, errors.ReadOnlyError)
    assert info.value.statement is not None
    assert r"AS `x\` , 'smuggled' AS \`y`" in info.value.statement


@pytest.mark.parametrize("name", ["back\\slash", "spaced name"])
def test_unusual_names_round_trip(seeded_bigquery: BigQueryInfo, name: str) -> None:
    engine = sa.create_engine(seeded_bigquery.url(SCHEME))
    try:
        with engine.connect() as conn:
            result = conn.execute(sa.select(sa.literal_column("7").label(name)))
            assert list(result.keys()) == [name] and result.scalar() == 7
    finally:
        engine.dispose()
