"""The gateway's pure parts: placeholders, session statements, catalog rewrites, SCRAM, config,
value encoding. The wire and the sources are covered in tests/integration/gateway/."""

from __future__ import annotations

import datetime
import decimal
import struct
from pathlib import Path

import pyarrow as pa
import pytest
from scramp import ScramClient

from sqlgate.core import errors
from sqlgate.gateway import statements
from sqlgate.gateway import types as pgtypes
from sqlgate.gateway.auth import Authenticator, ScramExchange
from sqlgate.gateway.catalog import rewrite
from sqlgate.gateway.config import User, parse_config


# -- placeholders and session statements ----------------------------------------------------
def test_placeholders_follow_the_drivers_paramstyle() -> None:
    sql = "SELECT '$1', \"$2\", x % 2 FROM t WHERE a = $2 AND b = $1 -- $3"
    text, params = statements.rewrite_placeholders(sql, ["one", "two"], "qmark")
    assert text == "SELECT '$1', \"$2\", x % 2 FROM t WHERE a = ? AND b = ? -- $3"
    assert params == ("two", "one")
    text, params = statements.rewrite_placeholders(sql, ["one", "two"], "pyformat")
    assert text == "SELECT '$1', \"$2\", x %% 2 FROM t WHERE a = %s AND b = %s -- $3"
    assert params == ("two", "one")
    # no parameters: the text is untouched (a driver only interprets % when given parameters)
    assert statements.rewrite_placeholders("SELECT 5 % 2", [], "pyformat") == (
        "SELECT 5 % 2",
        None,
    )
    with pytest.raises(errors.ProgrammingError, match=r"no parameter \$3"):
        statements.rewrite_placeholders("SELECT $3", [1], "qmark")
    assert statements.placeholder_count("SELECT $1, $12, '$40'") == 12


def test_session_statements_are_answered_locally() -> None:
    settings = {"timezone": "UTC", "transaction_isolation": "read committed"}
    assert statements.local_answer("SET extra_float_digits = 3", settings) is not None
    assert settings["extra_float_digits"] == "3"
    answer = statements.local_answer("SET application_name TO 'Metabase'", settings)
    assert answer is not None and answer.tag == "SET"
    shown = statements.local_answer("show application_name", settings)
    assert shown is not None and shown.value == "Metabase"
    level = statements.local_answer("SHOW TRANSACTION ISOLATION LEVEL", settings)
    assert level is not None and level.value == "read committed"
    begin = statements.local_answer("BEGIN", settings)
    assert begin is not None and begin.tx == "T"
    with pytest.raises(errors.ProgrammingError, match="unrecognized configuration parameter"):
        statements.local_answer("SHOW no_such_setting", settings)
    assert statements.local_answer("SELECT 1", settings) is None
    # a session statement with another one behind it is not answered here (the gate refuses)
    assert statements.local_answer("BEGIN; DELETE FROM items", settings) is None
    assert statements.local_answer("SET a = ';'; ", settings) is not None
    assert statements.several_statements("SET a = 1; -- done") is False


def test_catalog_queries_are_recognised() -> None:
    assert statements.is_catalog_query("SELECT * FROM pg_catalog.pg_class")
    assert statements.is_catalog_query("select current_schemas(true)")
    assert not statements.is_catalog_query("SELECT pg_id FROM items")
    assert not statements.is_catalog_query("SELECT * FROM items")


def test_catalog_rewrite_keeps_literals() -> None:
    sql = (
        "SELECT c.oid::pg_catalog.regclass::pg_catalog.text FROM pg_catalog.pg_class c "
        "WHERE c.relname OPERATOR(pg_catalog.~) '^(pg_catalog.pg_class)$' "
        "COLLATE pg_catalog.default AND c.oid = 'items'::regclass "
        "AND pg_catalog.array_to_string(x, ',') <> ''"
    )
    out = rewrite(sql)
    assert "sqlgate_pg.pg_class c" in out
    assert "c.relname ~ '^(pg_catalog.pg_class)$'" in out  # the pattern is untouched
    assert "sqlgate_pg.regclass('items')" in out
    assert " array_to_string(x, ',')" in out  # DuckDB's own function
    assert "COLLATE" not in out and "OPERATOR" not in out


# -- SCRAM ----------------------------------------------------------------------------------
def _login(auth: Authenticator, user: str, password: str) -> tuple[ScramExchange, str]:
    client = ScramClient(["SCRAM-SHA-256"], user, password)
    exchange = auth.exchange(user)
    client.set_server_first(exchange.first(client.get_client_first()))
    final = exchange.final(client.get_client_final())
    client.set_server_final(final)  # the client checks the server's signature
    return exchange, final


def test_scram_accepts_the_right_password_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GW_UNIT_PW", "pä55 word")
    auth = Authenticator.from_users({"alice": User("alice", "env:GW_UNIT_PW")})
    _, final = _login(auth, "alice", "pä55 word")
    assert final.startswith("v=")
    with pytest.raises(errors.OperationalError, match="password authentication failed"):
        _login(auth, "alice", "wrong")
    with pytest.raises(errors.OperationalError, match="password authentication failed"):
        _login(auth, "mallory", "pä55 word")


def test_scram_accepts_libpqs_empty_user_name(monkeypatch: pytest.MonkeyPatch) -> None:
    """libpq sends ``n=`` empty; the proof covers the message as sent."""
    monkeypatch.setenv("GW_UNIT_PW", "pw")
    auth = Authenticator.from_users({"alice": User("alice", "env:GW_UNIT_PW")})
    client = ScramClient(["SCRAM-SHA-256"], "x", "pw")
    exchange = auth.exchange("alice")
    first = client.get_client_first().replace("n=x,", "n=,")
    client.set_server_first(exchange.first(first))
    client.client_first_bare = first.split(",", 2)[2]  # what the proof is computed over
    assert exchange.final(client.get_client_final()).startswith("v=")


def test_missing_password_is_refused() -> None:
    with pytest.raises(errors.CredentialError):
        Authenticator.from_users({"alice": User("alice", "env:GW_UNIT_NOT_SET_ANYWHERE")})


# -- config ---------------------------------------------------------------------------------
BASE = {
    "databases": {"lake": {"url": "file:///tmp/x"}},
    "users": {"alice": {"password": "env:PW"}},
}


def test_config_refuses_clear_passwords_and_unknown_keys() -> None:
    config = parse_config(BASE)
    assert config.host == "127.0.0.1" and config.databases == {"lake": "file:///tmp/x"}
    with pytest.raises(errors.InterfaceError, match="credential provider"):
        parse_config({**BASE, "users": {"alice": {"password": "hunter2"}}})
    with pytest.raises(errors.InterfaceError, match="unknown databases"):
        parse_config({**BASE, "users": {"a": {"password": "env:PW", "databases": ["x"]}}})
    with pytest.raises(errors.InterfaceError, match="unknown \\[server\\] keys"):
        parse_config({**BASE, "server": {"prot": 1}})


def test_non_loopback_address_needs_tls(tmp_path: Path) -> None:
    parse_config({**BASE, "server": {"host": "::1"}}).check_listen_address()
    with pytest.raises(errors.InterfaceError, match="need TLS"):
        parse_config({**BASE, "server": {"host": "0.0.0.0"}}).check_listen_address()
    cert = tmp_path / "c.pem"
    cert.write_text("x")
    server = {"host": "192.0.2.1", "tls_cert": str(cert), "tls_key": str(cert)}
    parse_config({**BASE, "server": server}).check_listen_address()  # TLS files given: accepted


# -- values ---------------------------------------------------------------------------------
def test_text_format_matches_postgresql() -> None:
    floats = pa.array([1.5, float("inf"), float("-inf"), float("nan"), None])
    assert pgtypes.text_column(floats) == [b"1.5", b"Infinity", b"-Infinity", b"NaN", None]
    assert pgtypes.text_column(pa.array([True, False, None])) == [b"t", b"f", None]
    assert pgtypes.text_column(pa.array([b"\x00\xff"])) == [b"\\x00ff"]
    stamps = pa.array(
        [datetime.datetime(2026, 1, 2, 3, 4, 5), datetime.datetime(2026, 1, 2, 3, 4, 5, 250000)],
        pa.timestamp("us", tz="UTC"),
    )
    assert pgtypes.text_column(stamps) == [
        b"2026-01-02 03:04:05+00:00",
        b"2026-01-02 03:04:05.25+00:00",
    ]
    amounts = pa.array([decimal.Decimal("-7.25")], pa.decimal128(10, 2))
    assert pgtypes.text_column(amounts) == [b"-7.25"]
    assert pgtypes.text_column(pa.array([[1, 2]])) == [b"[1, 2]"]


def test_binary_format_and_parameters() -> None:
    assert pgtypes.binary_column(pa.array([1, None], pa.int64()), pgtypes.INT8) == [
        struct.pack("!q", 1),
        None,
    ]
    day = pa.array([datetime.date(2000, 1, 3)])
    assert pgtypes.binary_column(day, pgtypes.DATE) == [struct.pack("!i", 2)]
    assert pgtypes.oid_of(pa.decimal128(10, 2)) == pgtypes.NUMERIC
    assert pgtypes.oid_of(pa.uint64()) == pgtypes.NUMERIC
    assert pgtypes.decode_parameter(b"42", pgtypes.INT4, False) == 42
    assert pgtypes.decode_parameter(struct.pack("!q", -5), pgtypes.INT8, True) == -5
    assert pgtypes.decode_parameter(b"1.10", pgtypes.NUMERIC, False) == decimal.Decimal("1.10")
    assert pgtypes.decode_parameter(None, pgtypes.INT4, False) is None
    with pytest.raises(errors.DataError, match="OID 23"):
        pgtypes.decode_parameter(b"x", pgtypes.INT4, False)
    with pytest.raises(errors.NotSupportedError, match="send them as text"):
        pgtypes.decode_parameter(b"\x00", pgtypes.NUMERIC, True)


def test_vectorised_datarows_equal_the_per_value_encoding() -> None:
    """datarow.encode_batch against the plain one: protocol.data_row over types' encoders."""
    from sqlgate.gateway import protocol
    from sqlgate.gateway.datarow import encode_batch

    batch = pa.record_batch(
        {
            "i": pa.array([1, None, -3, 2**40], pa.int64()),
            "s": pa.array(["a", "γάμμα 中文", None, ""]),
            "f": pa.array([1.5, float("inf"), float("nan"), None]),
            "b": pa.array([True, False, None, True]),
            "d": pa.array(
                [decimal.Decimal("1.10"), None, decimal.Decimal("-7.25"), 0], pa.decimal128(10, 2)
            ),
            "t": pa.array(
                [datetime.datetime(2026, 1, 1, 10), datetime.datetime(2026, 1, 1, 10, 0, 0, 500000),
                 None, datetime.datetime(1999, 12, 31, 23, 59, 59, 123456)],
                pa.timestamp("us"),
            ),
            "tz": pa.array([datetime.datetime(2026, 1, 1, 10, tzinfo=datetime.timezone.utc)] * 4,
                           pa.timestamp("us", tz="UTC")),
            "x": pa.array([b"\x00", None, b"", b"\xff\x01"]),
            "l": pa.array([[1], None, [], [2, 3]]),
        }
    )  # fmt: skip
    oids = [pgtypes.oid_of(f.type) for f in batch.schema]
    expected = b"".join(
        protocol.data_row(row)
        for row in zip(*(pgtypes.text_column(c) for c in batch.columns), strict=True)
    )
    assert encode_batch(batch, oids, []) == expected
    # binary for the integer column only, text for the rest
    formats = [1] + [0] * (batch.num_columns - 1)
    columns = [pgtypes.binary_column(batch.column(0), pgtypes.INT8)]
    columns += [pgtypes.text_column(c) for c in batch.columns[1:]]
    assert encode_batch(batch, oids, formats) == b"".join(
        protocol.data_row(row) for row in zip(*columns, strict=True)
    )
    assert encode_batch(batch.slice(1, 2), oids, []) == b"".join(
        protocol.data_row(row)
        for row in zip(*(pgtypes.text_column(c) for c in batch.slice(1, 2).columns), strict=True)
    )


def test_sqlgate_serve_reports_config_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``sqlgate serve`` delegates to the gateway; a bad config is a clear error, exit 2."""
    from sqlgate.cli import main

    assert main(["serve", "--config", str(tmp_path / "missing.toml")]) == 2
    assert "cannot read gateway config" in capsys.readouterr().err
    config = tmp_path / "gateway.toml"
    config.write_text('[databases.x]\nurl = "file:///tmp"\n[users.a]\npassword = "hunter2"\n')
    assert main(["serve", "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert "credential provider" in err and "hunter2" not in err
    config.write_text(
        '[server]\nhost = "0.0.0.0"\n[databases.x]\nurl = "file:///tmp"\n'
        '[users.a]\npassword = "env:PATH"\n'
    )
    assert main(["serve", "--config", str(config)]) == 2
    assert "need TLS" in capsys.readouterr().err
