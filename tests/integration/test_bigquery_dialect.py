"""The ``bigquery+sqlgate://`` dialect's identifier quoting, on bqemulator.

GoogleSQL reads C-style escapes inside backquotes (``\\``` is a backquote, ``\\\\`` a
backslash); SQLAlchemy's default escaping doubles the quote character instead, which left a
backquote in a name ending the identifier early - whatever followed it became SQL.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.servers.bigquery import DATASET, BigQueryInfo

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
    """On the emulator: the old quoting's text runs and returns the smuggled column. The gate
    reads GoogleSQL's escapes, so the escaped text is admitted as one label and sent; BigQuery
    reads it as one name, bqemulator (whose lexer ends a backquoted name at the first
    backquote) refuses it itself. Either way no second column ever comes back."""
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
    assert not isinstance(info.value.orig, errors.ReadOnlyError)  # the gate let it through
    assert isinstance(info.value.orig, errors.ProgrammingError)
    assert "Unexpected character" in str(info.value.orig)  # bqemulator's own lexer
    assert info.value.statement is not None
    assert r"AS `x\` , 'smuggled' AS \`y`" in info.value.statement


def _scratch_table(info: BigQueryInfo, name: str) -> str:
    """A one-row table of its own (``items`` is shared by the session's tests)."""
    client = info.client()
    try:
        client.query(f"CREATE OR REPLACE TABLE {DATASET}.{name} AS SELECT 1 AS id").result()
    finally:
        client.close()
    return name


def _tables(info: BigQueryInfo) -> set[str]:
    client = info.client()
    try:
        return {t.table_id for t in client.list_tables(DATASET)}
    finally:
        client.close()


def test_an_escaped_backquote_beside_a_semicolon_is_refused(
    seeded_bigquery: BigQueryInfo,
) -> None:
    """BigQuery reads an escaped backquote as part of the name; bqemulator ends the name
    there, reads a script, and its dry run *executes* scripts (the control drops a table that
    way). The gate refuses an escaped backquote when the text holds an inner ``;`` (fail
    closed), so the read-only connection never sends it: the table is still there after."""
    from google.cloud import bigquery

    from sqlgate.core import errors

    control, target = _scratch_table(seeded_bigquery, "bt_control"), "bt_target"
    _scratch_table(seeded_bigquery, target)
    hostile = r"SELECT 1 AS `a\`; DROP TABLE {}.{}; --`"
    client = seeded_bigquery.client()
    try:  # the hazard is real: bqemulator's dry run of this text drops the table
        job = client.query(
            hostile.format(DATASET, control), job_config=bigquery.QueryJobConfig(dry_run=True)
        )
        assert job.statement_type == "SCRIPT"
    finally:
        client.close()
    assert control not in _tables(seeded_bigquery)
    engine = sa.create_engine(seeded_bigquery.url(SCHEME))
    try:
        with engine.connect() as conn, pytest.raises(sa.exc.DBAPIError) as info:
            conn.exec_driver_sql(hostile.format(DATASET, target))
    finally:
        engine.dispose()
    assert isinstance(info.value.orig, errors.ReadOnlyError)
    assert "escaped quote beside a semicolon" in str(info.value.orig)
    assert target in _tables(seeded_bigquery)


def test_an_escaped_quote_beside_a_semicolon_is_refused(seeded_bigquery: BigQueryInfo) -> None:
    """The same fail-closed rule holds for an escaped quote in a string: a reader that ends
    the string at ``\'`` would see a second statement, so the text is never sent."""
    from sqlgate.core import errors

    target = _scratch_table(seeded_bigquery, "sq_target")
    hostile = rf"SELECT 'x\'; DROP TABLE {DATASET}.{target}; --' AS s"
    engine = sa.create_engine(seeded_bigquery.url(SCHEME))
    try:
        with engine.connect() as conn, pytest.raises(sa.exc.DBAPIError) as info:
            conn.exec_driver_sql(hostile)
    finally:
        engine.dispose()
    assert isinstance(info.value.orig, errors.ReadOnlyError)
    assert "escaped quote beside a semicolon" in str(info.value.orig)
    assert target in _tables(seeded_bigquery)


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        (r"SELECT 'it\'s' AS s", "it's"),
        (r'SELECT "back\\slash" AS s', "back\\slash"),
    ],
)
def test_escaped_strings_are_admitted_and_read_alike(
    seeded_bigquery: BigQueryInfo, sql: str, expected: str
) -> None:
    """The gate reads GoogleSQL's escapes in strings as the server does: admitted, and the
    emulator returns the one string the gate saw (the ``DROP`` stays text)."""
    engine = sa.create_engine(seeded_bigquery.url(SCHEME))
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql(sql).scalar() == expected
    finally:
        engine.dispose()
    assert "items" in _tables(seeded_bigquery)


@pytest.mark.parametrize("name", ["back\\slash", "spaced name"])
def test_unusual_names_round_trip(seeded_bigquery: BigQueryInfo, name: str) -> None:
    engine = sa.create_engine(seeded_bigquery.url(SCHEME))
    try:
        with engine.connect() as conn:
            result = conn.execute(sa.select(sa.literal_column("7").label(name)))
            assert list(result.keys()) == [name] and result.scalar() == 7
    finally:
        engine.dispose()
