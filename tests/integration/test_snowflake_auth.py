"""Snowflake authentication through credential providers, checked on what the connector sends.

fakesnow accepts any login, so each test sends its login through a loopback relay that keeps
a copy of the request (tests/servers/snowflake.py ``recording_proxy``) and checks what the real
snowflake-connector-python put in it: the password, a key-pair JWT that verifies against the
public key, a fresh OAuth token per connection. Secrets must not reach logs or messages.
"""

from __future__ import annotations

import base64
import json
import logging
import secrets
import time
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sqlgate.core import errors
from tests.servers.snowflake import ACCOUNT, DATABASE, SCHEMA, SnowflakeServerInfo, recording_proxy

pytest.importorskip("snowflake.connector")
serialization = pytest.importorskip("cryptography.hazmat.primitives.serialization")
from cryptography.hazmat.primitives import hashes  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import padding, rsa  # noqa: E402


@pytest.fixture
def relay(fakesnow_server: SnowflakeServerInfo) -> Iterator[tuple[int, list[dict[str, Any]]]]:
    with recording_proxy(fakesnow_server) as relay:
        yield relay


def url(port: int, query: str) -> str:
    return (
        f"snowflake+sqlgate://analyst@127.0.0.1:{port}/{DATABASE}/{SCHEMA}"
        f"?account={ACCOUNT}&protocol=http&{query}"
    )


def connect_and_query(target: str) -> Any:
    from sqlgate.dbapi import snowflake

    with snowflake.connect(target) as conn:
        assert conn.cursor().execute("SELECT 41 + 1").fetchone()[0] == 42
        return repr(conn)


def b64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@pytest.fixture
def key_pair(tmp_path: Path) -> tuple[Any, Path, str]:
    """An RSA key, written encrypted (PKCS#8 PEM) to a 0600 file; its passphrase."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    passphrase = f"pp-{secrets.token_hex(8)}"
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(passphrase.encode()),
    )
    path = tmp_path / "rsa_key.p8"
    path.write_bytes(pem)
    path.chmod(0o600)
    return key, path, passphrase


def test_password_from_env_provider_is_what_logs_in(
    relay: tuple[int, list[dict[str, Any]]],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    port, logins = relay
    password = f"pw-{secrets.token_hex(8)}"
    monkeypatch.setenv("SQLGATE_TEST_SF_PW", password)
    with caplog.at_level(logging.DEBUG):
        shown = connect_and_query(url(port, "credential=env:SQLGATE_TEST_SF_PW&warehouse=WH"))
    assert logins[-1]["PASSWORD"] == password
    assert logins[-1]["LOGIN_NAME"] == "analyst"
    assert password not in shown and password not in caplog.text


def test_key_pair_with_an_encrypted_key_signs_the_login(
    relay: tuple[int, list[dict[str, Any]]],
    key_pair: tuple[Any, Path, str],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    port, logins = relay
    key, path, passphrase = key_pair
    monkeypatch.setenv("SQLGATE_TEST_SF_KEY_PASS", passphrase)
    target = url(
        port,
        f"authenticator=snowflake_jwt&credential=file:{path}"
        "&private_key_passphrase=env:SQLGATE_TEST_SF_KEY_PASS",
    )
    with caplog.at_level(logging.DEBUG):
        connect_and_query(target)
    login = logins[-1]
    assert login["AUTHENTICATOR"] == "SNOWFLAKE_JWT" and "PASSWORD" not in login
    header, claims, signature = login["TOKEN"].split(".")
    # the JWT verifies against the key's public half: it was signed with the decrypted key
    key.public_key().verify(
        b64url(signature), f"{header}.{claims}".encode(), padding.PKCS1v15(), hashes.SHA256()
    )
    body = json.loads(b64url(claims))
    assert body["sub"] == f"{ACCOUNT}.analyst".upper()
    assert body["iss"].startswith(f"{ACCOUNT}.analyst.SHA256:".upper())
    assert passphrase not in caplog.text
    pem_body = path.read_text().splitlines()[1]
    assert pem_body not in caplog.text


def test_a_wrong_passphrase_is_a_credential_error_without_secrets(
    relay: tuple[int, list[dict[str, Any]]],
    key_pair: tuple[Any, Path, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    port, logins = relay
    _, path, passphrase = key_pair
    wrong = f"wrong-{secrets.token_hex(6)}"
    monkeypatch.setenv("SQLGATE_TEST_SF_KEY_PASS", wrong)
    target = url(
        port,
        f"authenticator=snowflake_jwt&credential=file:{path}"
        "&private_key_passphrase=env:SQLGATE_TEST_SF_KEY_PASS",
    )
    with pytest.raises(errors.CredentialError, match="wrong passphrase") as info:
        connect_and_query(target)
    text = "".join(traceback.format_exception(info.value))
    assert wrong not in text and passphrase not in text
    assert logins == []  # refused before any request left


def test_an_encrypted_key_without_passphrase_names_the_option(
    relay: tuple[int, list[dict[str, Any]]], key_pair: tuple[Any, Path, str]
) -> None:
    port, logins = relay
    with pytest.raises(errors.CredentialError, match="private_key_passphrase"):
        connect_and_query(url(port, f"authenticator=snowflake_jwt&credential=file:{key_pair[1]}"))
    assert logins == []


def test_a_passphrase_written_into_the_url_is_refused(
    relay: tuple[int, list[dict[str, Any]]], key_pair: tuple[Any, Path, str]
) -> None:
    port, logins = relay
    target = url(
        port,
        f"authenticator=snowflake_jwt&credential=file:{key_pair[1]}&private_key_passphrase=hunter2",
    )
    with pytest.raises(errors.InterfaceError, match="never the passphrase itself") as info:
        connect_and_query(target)
    assert "hunter2" not in str(info.value)
    assert logins == []


def test_oauth_token_is_read_fresh_for_each_connection(
    relay: tuple[int, list[dict[str, Any]]], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    port, logins = relay
    token_file = tmp_path / "token"
    first, second = f"tok-{secrets.token_hex(8)}", f"tok-{secrets.token_hex(8)}"
    token_file.write_text(first + "\n")
    target = url(port, f"authenticator=oauth&credential=file:{token_file}&credential_ttl=0.2")
    with caplog.at_level(logging.DEBUG):
        connect_and_query(target)
        token_file.write_text(second + "\n")  # the token was rotated
        time.sleep(0.4)
        connect_and_query(target)
    assert [(x["AUTHENTICATOR"], x["TOKEN"]) for x in logins[-2:]] == [
        ("OAUTH", first),
        ("OAUTH", second),
    ]
    assert first not in caplog.text and second not in caplog.text


def test_statement_timeout_reaches_the_session_parameters(
    relay: tuple[int, list[dict[str, Any]]],
) -> None:
    port, logins = relay
    connect_and_query(url(port, "password=x&statement_timeout=7"))
    assert logins[-1]["SESSION_PARAMETERS"]["STATEMENT_TIMEOUT_IN_SECONDS"] == 7


def assert_signed_by(key: Any, login: dict[str, Any]) -> None:
    """The login is key-pair authentication whose JWT verifies against ``key``'s public half."""
    assert login["AUTHENTICATOR"] == "SNOWFLAKE_JWT" and "PASSWORD" not in login
    header, claims, signature = login["TOKEN"].split(".")
    key.public_key().verify(
        b64url(signature), f"{header}.{claims}".encode(), padding.PKCS1v15(), hashes.SHA256()
    )
    assert json.loads(b64url(claims))["sub"] == f"{ACCOUNT}.analyst".upper()


def test_superset_style_der_key_bytes_sign_the_login(
    relay: tuple[int, list[dict[str, Any]]], key_pair: tuple[Any, Path, str]
) -> None:
    """Superset's key-pair form decrypts the key itself and hands
    ``connect_args={"private_key": <PKCS#8 DER bytes>}``, through the SQLAlchemy dialect."""
    from sqlalchemy import create_engine, text

    port, logins = relay
    der = key_pair[0].private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    assert any(b < 0x20 for b in der)  # what the control-character rule used to refuse
    engine = create_engine(url(port, "warehouse=WH"), connect_args={"private_key": der})
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT 41 + 1")).scalar() == 42
    finally:
        engine.dispose()
    assert_signed_by(key_pair[0], logins[-1])


@pytest.mark.parametrize("encrypted", [True, False], ids=["encrypted", "unencrypted"])
def test_a_pem_key_in_connect_args_signs_the_login(
    relay: tuple[int, list[dict[str, Any]]],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    encrypted: bool,
) -> None:
    """A PEM key (text with line breaks) as ``private_key``; an encrypted one takes its
    passphrase from a provider, never from the arguments."""
    from sqlgate.dbapi import snowflake

    port, logins = relay
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    passphrase = f"pp-{secrets.token_hex(8)}"
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(passphrase.encode())
        if encrypted
        else serialization.NoEncryption(),
    ).decode()
    query = "warehouse=WH"
    if encrypted:
        monkeypatch.setenv("SQLGATE_TEST_SF_KEY_PASS", passphrase)
        query += "&private_key_passphrase=env:SQLGATE_TEST_SF_KEY_PASS"
    with (
        caplog.at_level(logging.DEBUG),
        snowflake.connect(url(port, query), private_key=pem) as conn,
    ):
        assert conn.cursor().execute("SELECT 41 + 1").fetchone()[0] == 42
        shown = repr(conn)
    assert_signed_by(key, logins[-1])
    body = pem.splitlines()[1]
    assert body not in shown and body not in caplog.text and passphrase not in caplog.text


def test_key_material_does_not_open_the_control_character_rule(
    relay: tuple[int, list[dict[str, Any]]], key_pair: tuple[Any, Path, str]
) -> None:
    """Only a value shaped like a private key passes as ``private_key``; every other argument
    is still checked for control characters. Nothing is sent."""
    from sqlgate.dbapi import snowflake

    port, logins = relay
    der = key_pair[0].private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    with pytest.raises(errors.InterfaceError, match="control character"):
        snowflake.connect(url(port, "x=1"), private_key=der, warehouse="WH\x00; role=ADMIN")
    with pytest.raises(errors.InterfaceError, match="neither a PEM nor a DER") as info:
        snowflake.connect(url(port, "warehouse=WH"), private_key="WH\x00secret-ish")
    assert "secret-ish" not in str(info.value)
    forged = "-----BEGIN PRIVATE KEY-----\nAAAA\x00\n-----END PRIVATE KEY-----"
    with pytest.raises(errors.InterfaceError, match="not a PEM private key"):
        snowflake.connect(url(port, "warehouse=WH"), private_key=forged)
    with pytest.raises(errors.InterfaceError, match="password"):
        snowflake.connect(url(port, "warehouse=WH&password=pw"), private_key=der)
    assert logins == []


def test_key_material_is_refused_by_a_source_that_takes_none() -> None:
    from sqlgate.dbapi import postgresql

    pem = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----"
    with pytest.raises(errors.InterfaceError, match="takes no key material"):
        postgresql.connect("postgresql://u@127.0.0.1:1/db", private_key=pem)
