"""Hostile input to the gateway's parsing and configuration: COPY text that hides a second
statement or an option the gateway would ignore, EXPLAIN ANALYZE spellings that Describe would
run, TLS set-ups that must be refused at start (a key others can read, an encrypted key, a
certificate without its key, a mistyped option). The wire is in tests/integration/gateway/."""

from __future__ import annotations

import datetime
import os
import socket
import ssl
from pathlib import Path
from typing import Any

import pytest

from sqlgate.core import errors
from sqlgate.gateway import copy_out, describe, tls
from sqlgate.gateway.config import parse_config


# -- COPY ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "sql",
    [
        "COPY (SELECT 1) TO STDOUT; DELETE FROM items",
        "COPY items TO STDOUT WITH (FORMAT csv) ; COPY items TO '/tmp/sqlgate-copy-x'",
        "COPY items TO STDOUT;; DROP TABLE items",
        "COPY items TO STDOUT (FORMAT csv) RETURNING 1",
        "COPY items TO STDOUT (FORCE_QUOTE *)",
        "COPY items TO STDOUT (DELIMITER E'\\n')",
        "COPY items TO STDOUT WITHOUT OIDS",
    ],
)
def test_copy_text_beyond_the_options_is_refused(sql: str) -> None:
    """Before, the tail was skipped and the first query streamed as if nothing followed."""
    with pytest.raises(errors.ProgrammingError, match="COPY option text not understood"):
        copy_out.parse(sql)


@pytest.mark.parametrize(
    ("sql", "kind", "sqlstate"),
    [
        ("COPY items FROM STDIN", errors.ReadOnlyError, None),
        ("COPY (SELECT 1) TO STDOUT WITH (FORMAT csv) FROM STDIN", errors.ReadOnlyError, None),
        ("COPY items TO '/tmp/sqlgate-copy-x'", copy_out.CopyToServerFileError, "42501"),
        ("COPY items TO PROGRAM 'touch /tmp/x'", copy_out.CopyToServerFileError, "42501"),
        (
            "COPY (SELECT 1) TO STDOUT (FORMAT csv) TO '/tmp/x'",
            copy_out.CopyToServerFileError,
            None,
        ),
        ("COPY items TO STDOUT (FORMAT binary)", errors.NotSupportedError, None),
        ("COPY items TO STDOUT (DELIMITER '||')", errors.ProgrammingError, None),
        ("COPY items TO STDOUT (FORMAT csv, DELIMITER '\"')", errors.ProgrammingError, None),
        ("COPY items TO STDOUT (DELIMITER '\\')", errors.ProgrammingError, None),
        ("COPY items TO STDOUT (NULL '\n')", errors.ProgrammingError, None),
    ],
)
def test_copy_forms_that_write_or_mislead_are_refused(
    sql: str, kind: type[Exception], sqlstate: str | None
) -> None:
    with pytest.raises(kind) as info:
        copy_out.parse(sql)
    if sqlstate is not None:
        assert getattr(info.value, "sqlstate", None) == sqlstate


def test_copy_forms_psql_sends_still_parse() -> None:
    """The legitimate forms: new and old option syntax, ``AS`` and ``HEADER QUOTE`` in a row."""
    assert copy_out.parse("COPY (SELECT 1) TO STDOUT WITH (FORMAT csv, HEADER)").header
    old = copy_out.parse("COPY t TO STDOUT WITH CSV HEADER QUOTE AS '''' DELIMITER AS ';'")
    assert (old.csv, old.header, old.quote, old.delimiter) == (True, True, "'", ";")
    cols = copy_out.parse('COPY "s"."t" (a, b) TO STDOUT;')
    assert cols.query == 'SELECT a, b FROM "s"."t"' and not cols.csv
    text = copy_out.parse("COPY t TO STDOUT (NULL 'x', DELIMITER '|', HEADER false)")
    assert (text.null, text.delimiter, text.header) == ("x", "|", False)


# -- Describe --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "sql",
    [
        "EXPLAIN ANALYZE SELECT * FROM t",
        "EXPLAIN ANALYSE SELECT * FROM t",
        "EXPLAIN (ANALYSE) SELECT * FROM t",
        "EXPLAIN /* plan */ ANALYZE SELECT * FROM t",
        "EXPLAIN VERBOSE ANALYZE SELECT * FROM t",
        "explain (format json, analyse on) select * from t",
        "EXPLAIN (ANALYZE true, BUFFERS) DELETE FROM t",
    ],
)
def test_describe_never_runs_explain_analyze(sql: str) -> None:
    """Describe answers NoData (``None``) instead of running a statement that executes."""
    assert describe.probe_sql(sql) is None


def test_describe_wraps_queries_and_passes_plain_explain() -> None:
    assert describe.probe_sql("EXPLAIN SELECT 1") == "EXPLAIN SELECT 1"
    wrapped = describe.probe_sql("SELECT a FROM t;")
    assert wrapped == "SELECT * FROM (\nSELECT a FROM t\n) sqlgate_describe WHERE 1 = 0"
    assert describe.probe_sql("DELETE FROM t") is None


# -- TLS set-ups -----------------------------------------------------------------------------
def _pki(root: Path) -> tuple[Path, Path, Any]:
    """A self-signed certificate for 127.0.0.1 and its key (mode 600)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.timezone.utc)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    cert_path, key_path = root / "server.pem", root / "server.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    key_path.chmod(0o600)
    return cert_path, key_path, key


def test_server_context_loads_a_proper_key(tmp_path: Path) -> None:
    cert, key, _ = _pki(tmp_path)
    context = tls.server_context(str(cert), str(key))
    assert context.minimum_version >= ssl.TLSVersion.TLSv1_2


@pytest.mark.parametrize("mode", [0o644, 0o604, 0o660, 0o622])
def test_a_key_others_can_read_or_change_is_refused(tmp_path: Path, mode: int) -> None:
    cert, key, _ = _pki(tmp_path)
    key.chmod(mode)
    with pytest.raises(errors.InterfaceError, match="chmod 600") as info:
        tls.server_context(str(cert), str(key))
    assert f"{mode:o}" in str(info.value)
    assert "BEGIN" not in str(info.value)  # never the key's text


def test_group_read_is_accepted_only_for_a_root_owned_key(tmp_path: Path) -> None:
    cert, key, _ = _pki(tmp_path)
    key.chmod(0o640)
    if os.stat(key).st_uid == 0:
        tls.server_context(str(cert), str(key))  # PostgreSQL's rule for root-owned keys
    else:
        with pytest.raises(errors.InterfaceError, match="chmod 600"):
            tls.server_context(str(cert), str(key))


def test_an_encrypted_key_fails_at_once_with_the_fix(tmp_path: Path) -> None:
    """Before: OpenSSL asked for a passphrase on the terminal (``Invalid argument`` without
    one); now a clear error, with no prompt (stdin is never read)."""
    from cryptography.hazmat.primitives import serialization

    cert, key, private = _pki(tmp_path)
    key.write_bytes(
        private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(b"passphrase"),
        )
    )
    with pytest.raises(errors.InterfaceError, match="encrypted") as info:
        tls.server_context(str(cert), str(key))
    assert "passphrase" not in str(info.value).replace("has a passphrase", "")


def test_a_key_of_another_certificate_is_named(tmp_path: Path) -> None:
    cert, _, _ = _pki(tmp_path)
    (tmp_path / "other").mkdir()
    _, other_key, _ = _pki(tmp_path / "other")
    with pytest.raises(errors.InterfaceError, match="does not belong to the certificate"):
        tls.server_context(str(cert), str(other_key))
    with pytest.raises(errors.InterfaceError, match="PEM"):
        tls.server_context(str(other_key), str(other_key))


BASE: dict[str, Any] = {
    "databases": {"lake": {"url": "file:///tmp/x"}},
    "users": {"alice": {"password": "env:PW"}},
}


def test_a_certificate_without_its_key_is_never_silently_no_tls(tmp_path: Path) -> None:
    cert, key, _ = _pki(tmp_path)
    for tls_table, missing in (
        ({"cert_file": str(cert)}, "key_file"),
        ({"key_file": str(key)}, "cert_file"),
    ):
        config = parse_config({**BASE, "tls": tls_table})
        with pytest.raises(errors.InterfaceError, match=f"not {missing}"):
            config.check_listen_address()
    with pytest.raises(errors.InterfaceError, match="TLS file not found"):
        parse_config(
            {**BASE, "tls": {"cert_file": str(cert), "key_file": str(tmp_path / "gone")}}
        ).check_listen_address()  # on loopback too


@pytest.mark.parametrize(
    "tls_table",
    [{"require": "false"}, {"require": 1}, {"cert_file": 5, "key_file": "k"}, {"key_file": ["k"]}],
)
def test_mistyped_tls_options_are_refused(tls_table: dict[str, Any]) -> None:
    """``require = "false"`` is a non-empty string: it must not pass for a boolean."""
    with pytest.raises(errors.InterfaceError, match=r"\[tls\]"):
        parse_config({**BASE, "tls": tls_table})


def test_loopback_means_every_address_of_the_name() -> None:
    for host in ("127.0.0.1", "127.0.0.2", "::1"):
        assert not parse_config({**BASE, "server": {"host": host}}).tls_required
    for host in ("0.0.0.0", "::", "", "192.0.2.1", "db.example.invalid", "127.0.0.1.nip.io"):
        assert parse_config({**BASE, "server": {"host": host}}).tls_required, host
    resolved = {a[4][0] for a in socket.getaddrinfo("localhost", None)}
    local = parse_config({**BASE, "server": {"host": "localhost"}})
    assert local.tls_required == (not all(a in ("127.0.0.1", "::1") for a in resolved))
    with pytest.raises(errors.InterfaceError, match="must be a string"):
        parse_config({**BASE, "server": {"host": 2130706433}})  # 127.0.0.1 as an integer


def test_sqlgate_serve_refuses_a_readable_key_before_listening(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The whole start-up path: exit 2 with the fix, and the port never opened."""
    pytest.importorskip("scramp")  # the gateway extra (SCRAM); Superset's venv lacks it
    from sqlgate.cli import main
    from tests.servers.base import free_port, port_open

    cert, key, _ = _pki(tmp_path)
    key.chmod(0o644)
    port = free_port()
    config = tmp_path / "gateway.toml"
    config.write_text(
        f'[server]\nhost = "127.0.0.1"\nport = {port}\n'
        f'[tls]\ncert_file = "{cert}"\nkey_file = "{key}"\n'
        '[databases.x]\nurl = "file:///tmp"\n[users.a]\npassword = "env:PATH"\n'
    )
    assert main(["serve", "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert "chmod 600" in err and "BEGIN" not in err
    assert not port_open(port)


def test_copy_refusal_never_quotes_a_literal_back() -> None:
    with pytest.raises(errors.ProgrammingError) as info:
        copy_out.parse("COPY t TO STDOUT; ALTER USER bob PASSWORD 's3cret-pw'")
    assert "s3cret" not in str(info.value) and "ALTER USER" in str(info.value)


def test_copy_options_that_would_be_ignored_are_refused() -> None:
    """The output would not be what was asked: an ESCAPE or ENCODING the gateway cannot
    honour is refused rather than silently dropped."""
    with pytest.raises(errors.NotSupportedError, match="ESCAPE"):
        copy_out.parse("COPY t TO STDOUT (FORMAT csv, ESCAPE '\\')")
    with pytest.raises(errors.NotSupportedError, match="UTF8"):
        copy_out.parse("COPY t TO STDOUT (ENCODING 'LATIN1')")
    assert copy_out.parse("COPY t TO STDOUT (FORMAT csv, ESCAPE '\"', ENCODING 'utf-8')").csv
