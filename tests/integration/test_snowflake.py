"""Snowflake through sqlgate against fakesnow's server mode (snowflake-connector-python 4.8).

Types as rows and as the connector's own Arrow batches, streaming, the gate on Snowflake's
dangerous statements (judged by an admin connection's view of the data), time travel reaching
the server as ``AT(...)``, query ids in the audit log, errors, and bounded failures.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import logging
import time
from collections.abc import Iterator

import pyarrow as pa
import pytest

from sqlgate.core import errors
from tests.corpus import load_corpus
from tests.servers.base import free_port
from tests.servers.snowflake import SnowflakeServerInfo, admin_execute

pytest.importorskip("snowflake.connector")

TYPES_TABLE = "sf_types"


@pytest.fixture(scope="module")
def typed(fakesnow_server: SnowflakeServerInfo) -> SnowflakeServerInfo:
    admin_execute(
        fakesnow_server,
        f"CREATE OR REPLACE TABLE {TYPES_TABLE} (id INT, n NUMBER(10,2), big NUMBER(38,0), "
        "f FLOAT, s VARCHAR(20), b BOOLEAN, d DATE, ntz TIMESTAMP_NTZ, ltz TIMESTAMP_LTZ, "
        "tz TIMESTAMP_TZ, v VARIANT, o OBJECT, a ARRAY, bin BINARY)",
        f"INSERT INTO {TYPES_TABLE} SELECT 1, 12.34, 12345678901234, 1.5, 'héllo 中文', TRUE, "
        "'2026-01-02', '2026-01-02 03:04:05.123456', '2026-01-02 03:04:05'::TIMESTAMP_LTZ, "
        "'2026-01-02 03:04:05 +00:00'::TIMESTAMP_TZ, PARSE_JSON('{\"k\": [1, 2]}'), "
        "OBJECT_CONSTRUCT('a', 1), ARRAY_CONSTRUCT(1, 2, 3), TO_BINARY('abcd', 'HEX')",
        f"INSERT INTO {TYPES_TABLE} (id) VALUES (2)",
    )
    return fakesnow_server


@pytest.fixture
def conn(typed: SnowflakeServerInfo) -> Iterator[object]:
    from sqlgate.dbapi import snowflake

    with snowflake.connect(typed.url("snowflake+sqlgate")) as connection:
        yield connection


def test_rows_come_from_the_connectors_converters(conn: object) -> None:
    cur = conn.cursor()  # type: ignore[attr-defined]
    cur.execute(f"SELECT * FROM {TYPES_TABLE} ORDER BY id")
    codes = {d[0]: d[1] for d in cur.description}
    assert codes["N"] == "NUMBER(10,2)" and codes["NTZ"] == "TIMESTAMP_NTZ(9)"
    assert codes["V"] == "VARIANT" and codes["TZ"].startswith("TIMESTAMP_TZ")
    row = cur.fetchone()
    assert cur._result.path == "rows"
    values = dict(zip([d[0] for d in cur.description], row, strict=True))
    assert values["N"] == decimal.Decimal("12.34") and values["BIG"] == 12345678901234
    assert values["S"] == "héllo 中文" and values["B"] is True
    assert values["D"] == dt.date(2026, 1, 2)
    assert values["NTZ"] == dt.datetime(2026, 1, 2, 3, 4, 5, 123456)
    assert values["TZ"].utcoffset() is not None  # aware
    assert json.loads(values["V"]) == {"k": [1, 2]}  # semi-structured: JSON text
    assert json.loads(values["O"]) == {"a": 1} and json.loads(values["A"]) == [1, 2, 3]
    assert bytes(values["BIN"]) == bytes.fromhex("abcd")
    nulls = dict(zip([d[0] for d in cur.description], cur.fetchone(), strict=True))
    # fakesnow sends a NULL timestamp as 1970-01-01 (its own Arrow encoding): not compared
    assert all(v is None for k, v in nulls.items() if k not in ("ID", "NTZ", "LTZ", "TZ"))


def test_arrow_comes_from_the_connectors_batches(conn: object) -> None:
    cur = conn.cursor()  # type: ignore[attr-defined]
    cur.execute(f"SELECT * FROM {TYPES_TABLE} ORDER BY id")
    table = cur.fetch_arrow_table()
    assert cur._result.path == "arrow"  # never rebuilt from Python rows
    types = {f.name: f.type for f in table.schema}
    assert types["ID"] == pa.int64() and types["N"] == pa.decimal128(10, 2)
    assert types["NTZ"] == pa.timestamp("ns") and types["TZ"].tz is not None
    assert types["LTZ"].tz is not None and types["D"] == pa.date32()
    assert types["V"] == pa.string() and types["BIN"] == pa.binary()
    first = table.slice(0, 1).to_pylist()[0]
    assert json.loads(first["V"]) == {"k": [1, 2]}
    assert first["N"] == decimal.Decimal("12.34")
    assert table.column("ID").to_pylist() == [1, 2]


def test_empty_arrow_result_has_the_described_schema(conn: object) -> None:
    cur = conn.cursor()  # type: ignore[attr-defined]
    cur.execute(f"SELECT id, n, v FROM {TYPES_TABLE} WHERE id < 0")
    table = cur.fetch_arrow_table()
    assert table.num_rows == 0
    assert table.schema.types == [pa.int64(), pa.decimal128(10, 2), pa.string()]


def test_rows_then_arrow_continues_where_rows_stopped(conn: object) -> None:
    cur = conn.cursor()  # type: ignore[attr-defined]
    cur.execute("SELECT SEQ4() AS n FROM TABLE(GENERATOR(ROWCOUNT => 10)) ORDER BY n")
    assert cur.fetchone() == (0,)
    assert cur.fetch_arrow_table().column("N").to_pylist() == list(range(1, 10))


def test_record_batches_stream_in_the_requested_size(conn: object) -> None:
    cur = conn.cursor()  # type: ignore[attr-defined]
    cur.execute("SELECT SEQ4() AS n FROM TABLE(GENERATOR(ROWCOUNT => 25000)) ORDER BY n")
    sizes, total = [], 0
    for batch in cur.fetch_record_batch(rows_per_batch=10_000):
        sizes.append(batch.num_rows)
        total += sum(batch.column(0).to_pylist())
    assert max(sizes) <= 10_000 and sum(sizes) == 25_000
    assert total == sum(range(25_000))


def _snapshot(info: SnowflakeServerInfo) -> list[object]:
    return admin_execute(
        info,
        "SELECT * FROM accounts ORDER BY id",
        "SELECT table_name FROM information_schema.tables ORDER BY 1",
    )


@pytest.fixture(scope="module")
def accounts(fakesnow_server: SnowflakeServerInfo) -> SnowflakeServerInfo:
    admin_execute(
        fakesnow_server,
        "CREATE OR REPLACE TABLE accounts (id INT, owner VARCHAR, balance NUMBER(10,2))",
        "INSERT INTO accounts VALUES (1, 'alice', 100), (2, 'bob', 250.5), (3, '张伟', 0.01)",
    )
    return fakesnow_server


@pytest.mark.parametrize("case", load_corpus("readonly_snowflake"), ids=lambda c: c.id)
def test_corpus_statement_is_refused_and_nothing_changes(
    accounts: SnowflakeServerInfo, case: object
) -> None:
    from sqlgate.dbapi import snowflake

    before = _snapshot(accounts)
    with snowflake.connect(accounts.url("snowflake+sqlgate")) as connection:
        with pytest.raises(errors.ProgrammingError) as info:
            connection.cursor().execute(case.sql)  # type: ignore[attr-defined]
        assert isinstance(info.value, (errors.ReadOnlyError, errors.UnparseableStatementError))
    assert _snapshot(accounts) == before


@pytest.mark.parametrize("case", load_corpus("allowed_snowflake"), ids=lambda c: c.id)
def test_corpus_read_is_admitted(accounts: SnowflakeServerInfo, case: object) -> None:
    """Admitted by the gate; fakesnow may still not know the statement (no stages, no AT)."""
    from sqlgate.dbapi import snowflake

    # fakesnow answers some of these with HTTP 500, which the connector retries until
    # read_timeout: keep that short here
    with snowflake.connect(accounts.url("snowflake+sqlgate"), read_timeout=3) as connection:
        try:
            connection.cursor().execute(case.sql)  # type: ignore[attr-defined]
        except errors.ReadOnlyError:
            pytest.fail(f"refused a read: {case.sql}")
        except errors.DatabaseError as exc:  # the emulator's own limits, not the gate
            assert not isinstance(exc, errors.ReadOnlyError)


def test_time_travel_reaches_the_server_as_at(accounts: SnowflakeServerInfo) -> None:
    """fakesnow runs on DuckDB, which has no time travel: its error proves AT(...) was sent."""
    from sqlgate.dbapi import snowflake

    with snowflake.connect(accounts.url("snowflake+sqlgate")) as connection:
        cur = connection.cursor()
        with pytest.raises(errors.ProgrammingError, match="time travel"):
            cur.execute("SELECT * FROM accounts FOR TIMESTAMP AS OF '2026-01-01 00:00:00'")
        with pytest.raises(errors.ProgrammingError, match="no table version numbers"):
            cur.execute("SELECT * FROM accounts FOR VERSION AS OF 3")


def test_query_ids_are_in_the_audit_log(
    accounts: SnowflakeServerInfo, caplog: pytest.LogCaptureFixture
) -> None:
    from sqlgate.dbapi import snowflake

    url = accounts.url("snowflake+sqlgate")
    with caplog.at_level(logging.INFO, logger="sqlgate.snowflake"), snowflake.connect(url) as conn:
        cur = conn.cursor()
        ids = []
        for n in (1, 2):
            cur.execute("SELECT owner FROM accounts WHERE id = %s", (n,))
            ids.append(cur.query_id)
    assert all(ids) and ids[0] != ids[1]
    audit = [r.getMessage() for r in caplog.records if "audit" in r.getMessage()]
    assert any(f"query_id={ids[0]}" in line for line in audit)
    assert any(f"query_id={ids[1]}" in line for line in audit)


def test_bound_values_are_spliced_by_the_connectors_rules(accounts: SnowflakeServerInfo) -> None:
    from sqlgate.dbapi import snowflake

    with snowflake.connect(accounts.url("snowflake+sqlgate")) as connection:
        cur = connection.cursor()
        cur.execute("SELECT id FROM accounts WHERE owner = %(o)s", {"o": "张伟"})
        assert cur.fetchall() == [(3,)]
        cur.execute("SELECT %s AS q", ("it's; DELETE FROM accounts",))
        assert cur.fetchone() == ("it's; DELETE FROM accounts",)
        cur.execute("SELECT count(*) FROM accounts WHERE owner LIKE 'a%%'", {})
        assert cur.fetchone() == (1,)
    assert len(_snapshot(accounts)[0]) == 3


def test_missing_objects_are_programming_errors_naming_them(conn: object) -> None:
    cur = conn.cursor()  # type: ignore[attr-defined]
    with pytest.raises(errors.ProgrammingError, match="NO_SUCH_TABLE"):
        cur.execute("SELECT * FROM no_such_table")
    with pytest.raises(errors.DataError):
        cur.execute("SELECT CAST('x' AS NUMBER(10,2))")


def test_an_unreachable_endpoint_fails_within_the_connect_timeout() -> None:
    from sqlgate.dbapi import snowflake

    port = free_port()
    started = time.monotonic()
    with pytest.raises(errors.OperationalError):
        snowflake.connect(
            f"snowflake+sqlgate://u:pw@127.0.0.1:{port}/DB?account=a&protocol=http",
            connect_timeout=2,
        )
    assert time.monotonic() - started < 20


def test_plain_http_to_a_remote_host_is_refused_before_connecting() -> None:
    from sqlgate.dbapi import snowflake

    with pytest.raises(errors.InterfaceError, match="loopback"):
        snowflake.connect("snowflake+sqlgate://u:pw@sf.example.com/DB?account=a&protocol=http")


def test_unknown_options_are_refused(fakesnow_server: SnowflakeServerInfo) -> None:
    from sqlgate.dbapi import snowflake

    with pytest.raises(errors.InterfaceError, match="unknown Snowflake option"):
        snowflake.connect(fakesnow_server.url("snowflake+sqlgate"), ocsp_fail_open="true")


def test_sqlgate_check_reports_the_role_it_cannot_judge(
    fakesnow_server: SnowflakeServerInfo,
) -> None:
    """fakesnow has no SHOW GRANTS: check says the gate is active and why the role is not
    judged (exit status 3: a warning)."""
    import io

    from sqlgate.cli import main

    out = io.StringIO()
    code = main(["check", fakesnow_server.url("snowflake+sqlgate")], out)
    text = out.getvalue()
    assert "statement gate: active (CREATE TABLE refused)" in text
    assert "server read-only guard: none on this engine (gate only)" in text
    assert "unguarded: SHOW GRANTS could not be run" in text
    assert code == 3
    assert "sqlgate_guard_probe" not in str(admin_execute(fakesnow_server, "SHOW TABLES"))
