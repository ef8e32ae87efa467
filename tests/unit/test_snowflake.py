"""Snowflake pieces that need no server: options, time travel, types, the role verdict, SQL."""

from __future__ import annotations

import pyarrow as pa
import pytest
import sqlalchemy as sa

from sqlgate.core import errors
from sqlgate.core.params import ConnectParams
from sqlgate.core.readonly import gate_for
from sqlgate.core.registry import get_source
from sqlgate.dbapi.snowflake_grants import role_report
from sqlgate.dbapi.snowflake_options import connector_options, is_loopback, private_key_der
from sqlgate.dbapi.snowflake_session import type_name
from sqlgate.dbapi.snowflake_timetravel import to_snowflake_time_travel
from sqlgate.dbapi.snowflake_types import SNOWFLAKE_TYPES, TIMESTAMP_TZ, VARIANT

SPEC = get_source("snowflake")


def options(url: str, **kwargs: object) -> dict[str, object]:
    params = ConnectParams.from_url(SPEC, url)
    params.options.update(kwargs)
    return connector_options(params).kwargs


# -- options ---------------------------------------------------------------------------------
def test_the_url_host_is_the_account_and_the_path_database_and_schema() -> None:
    kw = options("snowflake+sqlgate://ann:pw@xy12345.eu-west-1/SALES/PUBLIC?warehouse=WH&role=R")
    assert kw["account"] == "xy12345.eu-west-1" and "host" not in kw
    assert (kw["database"], kw["schema"], kw["warehouse"], kw["role"]) == (
        "SALES",
        "PUBLIC",
        "WH",
        "R",
    )
    assert kw["protocol"] == "https" and kw["login_timeout"] == 10
    assert kw["network_timeout"] == 900


def test_a_full_host_name_keeps_the_host_and_reads_the_account() -> None:
    kw = options("snowflake+sqlgate://ann:pw@org-acct.snowflakecomputing.com/DB")
    assert kw["account"] == "org-acct" and kw["host"] == "org-acct.snowflakecomputing.com"


def test_plain_http_only_for_loopback() -> None:
    kw = options("snowflake+sqlgate://a:p@127.0.0.1:8080/DB?account=x&protocol=http")
    assert (kw["host"], kw["port"], kw["protocol"]) == ("127.0.0.1", 8080, "http")
    with pytest.raises(errors.InterfaceError, match="loopback"):
        options("snowflake+sqlgate://a:p@10.0.0.5:8080/DB?account=x&protocol=http")
    assert is_loopback("::1") and is_loopback("localhost") and not is_loopback("example.com")


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("session_parameters=x", "unknown Snowflake option"),
        ("authenticator=externalbrowser", "not supported"),
        ("authenticator=oauth", "needs a credential provider"),
        ("statement_timeout=abc", "not a number of seconds"),
        ("protocol=ftp", "use https"),
    ],
)
def test_bad_options_are_refused_with_the_fix(query: str, message: str) -> None:
    with pytest.raises(errors.Error, match=message):
        options(f"snowflake+sqlgate://a@acct/DB?{query}")


def test_statement_timeout_is_a_session_parameter() -> None:
    kw = options("snowflake+sqlgate://a:p@acct/DB?statement_timeout=2.4&read_timeout=30")
    assert kw["session_parameters"] == {"STATEMENT_TIMEOUT_IN_SECONDS": 2}
    assert kw["network_timeout"] == 30


def test_a_schema_given_twice_is_refused() -> None:
    with pytest.raises(errors.InterfaceError, match="twice"):
        options("snowflake+sqlgate://a:p@acct/DB/S?schema=T")


def test_key_pair_keys_load_encrypted_or_not() -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    der = key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    encrypted = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"s3cret-pass"),
    ).decode()
    assert private_key_der(encrypted, b"s3cret-pass") == der
    with pytest.raises(errors.CredentialError, match="private_key_passphrase"):
        private_key_der(encrypted, None)
    with pytest.raises(errors.CredentialError, match="wrong passphrase") as info:
        private_key_der(encrypted, b"nope")
    assert "s3cret" not in str(info.value) and info.value.__cause__ is None
    with pytest.raises(errors.CredentialError, match="not a"):
        private_key_der("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----", None)


# -- time travel -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        (
            "SELECT * FROM t FOR TIMESTAMP AS OF '2026-01-01 00:00:00'",
            "SELECT * FROM t AT (TIMESTAMP => CAST('2026-01-01 00:00:00' AS TIMESTAMPLTZ))",
        ),
        (
            "SELECT a FROM db.s.t FOR VERSION AS OF '01b2-3' x JOIN u ON x.id = u.id",
            "SELECT a FROM db.s.t AT (STATEMENT => '01b2-3') AS x JOIN u ON x.id = u.id",
        ),
        (
            "SELECT * FROM t FOR SYSTEM_TIME AS OF %(ts)s WHERE n LIKE 'a%%'",
            "SELECT * FROM t AT (TIMESTAMP => CAST(%(ts)s AS TIMESTAMPLTZ)) WHERE n LIKE 'a%%'",
        ),
        ("SELECT 'FOR TIMESTAMP AS OF 1' AS x", "SELECT 'FOR TIMESTAMP AS OF 1' AS x"),
        ("SELECT 1", "SELECT 1"),
    ],
)
def test_time_travel_becomes_at(sql: str, expected: str) -> None:
    assert to_snowflake_time_travel(sql) == expected


def test_translated_time_travel_passes_the_gate() -> None:
    gate = gate_for("snowflake")
    sql = to_snowflake_time_travel("SELECT * FROM t FOR TIMESTAMP AS OF '2026-01-01'")
    assert gate.check(sql) == "SELECT"


def test_a_version_number_is_refused_with_the_reason() -> None:
    with pytest.raises(errors.ProgrammingError, match="query id"):
        to_snowflake_time_travel("SELECT * FROM t FOR VERSION AS OF 3")


# -- types -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "arrow", "sa_type"),
    [
        ("NUMBER(38,0)", pa.int64(), sa.NUMERIC),
        ("NUMBER(10,2)", pa.decimal128(10, 2), sa.NUMERIC),
        ("TIMESTAMP_NTZ(9)", pa.timestamp("ns"), sa.DateTime),
        ("TIMESTAMP_TZ(3)", pa.timestamp("ms", tz="UTC"), TIMESTAMP_TZ),
        ("TIMESTAMP_LTZ(9)", pa.timestamp("ns", tz="UTC"), sa.DateTime),
        ("VARIANT", pa.string(), VARIANT),
        ("OBJECT", pa.string(), sa.JSON),
        ("ARRAY", pa.string(), sa.JSON),
        ("GEOGRAPHY", pa.string(), sa.String),
        ("VARCHAR(16777216)", pa.string(), sa.String),
        ("BINARY", pa.binary(), sa.LargeBinary),
        ("FLOAT", pa.float64(), sa.Float),
    ],
)
def test_type_table(text: str, arrow: pa.DataType, sa_type: type) -> None:
    assert SNOWFLAKE_TYPES.to_arrow(text) == arrow
    assert isinstance(SNOWFLAKE_TYPES.to_sqlalchemy(text), sa_type)


def test_result_metadata_names() -> None:
    assert type_name(0, 10, 2) == "NUMBER(10,2)"
    assert type_name(8, 0, 9) == "TIMESTAMP_NTZ(9)"
    assert type_name(5, None, None) == "VARIANT"
    assert type_name(2, None, None) == "VARCHAR"


# -- the role verdict ------------------------------------------------------------------------
def grants(table: dict[str, list[tuple[str, str, str]]], start: dict[str, object]):  # type: ignore[no-untyped-def]
    """SHOW GRANTS rows, in Snowflake's column names, per statement."""

    def show(sql: str) -> list[dict[str, object]]:
        if sql.startswith("SELECT CURRENT_ROLE()"):
            return [start]
        role = sql.rsplit(" ", 1)[-1].strip('"')
        return [{"privilege": p, "granted_on": on, "name": n} for p, on, n in table.get(role, [])]

    return show


def test_a_read_only_role_tree_is_read_only() -> None:
    show = grants(
        {
            "ANALYST": [("USAGE", "WAREHOUSE", "WH"), ("USAGE", "ROLE", "READER")],
            "READER": [("SELECT", "TABLE", "DB.S.T"), ("USAGE", "SCHEMA", "DB.S")],
        },
        {"r": "ANALYST", "s": '{"roles":"","value":""}', "u": "ANN"},
    )
    report = role_report(show)
    assert report.read_only is True and report.roles == ("ANALYST", "READER")


def test_a_write_privilege_in_an_inherited_role_is_found() -> None:
    show = grants(
        {
            "ANALYST": [("USAGE", "ROLE", "LOADER")],
            "LOADER": [("INSERT", "TABLE", "DB.S.T"), ("USAGE", "ROLE", "ANALYST")],
        },
        {"r": "ANALYST", "s": '{"roles":"","value":""}', "u": "ANN"},
    )
    report = role_report(show)
    assert report.read_only is False
    assert any("LOADER holds INSERT on TABLE DB.S.T" in w for w in report.warnings)


def test_secondary_roles_count_and_are_named() -> None:
    show = grants(
        {"ANALYST": [("SELECT", "TABLE", "T")], "ETL": [("OWNERSHIP", "TABLE", "T")]},
        {"r": "ANALYST", "s": '{"roles":"ETL","value":""}', "u": "ANN"},
    )
    report = role_report(show)
    assert report.read_only is False
    assert any("secondary roles are active (ETL)" in w for w in report.warnings)


def test_show_grants_refused_means_not_known() -> None:
    def show(sql: str) -> list[dict[str, object]]:
        raise errors.ProgrammingError("SHOW GRANTS not supported")

    report = role_report(show)
    assert report.read_only is None and "could not be run" in report.warnings[0]


# -- SQL the dialect writes ------------------------------------------------------------------
def test_compiler_spellings() -> None:
    from sqlgate.dialects.snowflake import SnowflakeDialect

    dialect = SnowflakeDialect()
    t = sa.table("items", sa.column("id"), sa.column("name"))
    offset_only = str(sa.select(t.c.id).offset(5).compile(dialect=dialect))
    assert "LIMIT NULL OFFSET" in offset_only
    literal = sa.select(sa.literal("a\\b'c", sa.String)).compile(
        dialect=dialect, compile_kwargs={"literal_binds": True}
    )
    assert "'a\\\\b''c'" in str(literal)
    assert "ILIKE" in str(sa.select(t.c.id).where(t.c.name.ilike("x")).compile(dialect=dialect))
    assert dialect.normalize_name("ITEMS") == "items"
    assert dialect.normalize_name("MixedCase") == "MixedCase"
    assert dialect.denormalize_name("items") == "ITEMS"
    ddl = sa.schema.CreateTable(
        sa.Table(
            "x",
            sa.MetaData(),
            sa.Column("v", VARIANT()),
            sa.Column("ts", sa.DateTime(timezone=True)),
            sa.Column("n", sa.DateTime()),
        )
    ).compile(dialect=dialect)
    assert (
        "v VARIANT" in str(ddl) and "ts TIMESTAMP_TZ" in str(ddl) and "n TIMESTAMP_NTZ" in str(ddl)
    )
