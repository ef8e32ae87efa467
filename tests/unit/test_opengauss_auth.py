"""openGauss' SHA256 / SM3 / MD5 answers against the published algorithm, computed apart.

The expected values are derived here step by step with hashlib/hmac from openGauss' sources
(``sha2.cpp`` ``pg_sha256_encrypt`` / ``GsSm3Encrypt``, ``fe-auth.cpp``), not with sqlgate's
helpers; SM3 is checked against the GB/T 32905-2016 example vectors.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import struct

import pytest

from sqlgate.dbapi import opengauss_auth as oa

PASSWORD = "Gauss@123中"
SALT = "3f" * 8 + "a1" * 8 + "00" * 8 + "c7" * 8  # random64code: 64 hex characters
TOKEN = "0badf00d"  # 8 hex characters = 4 bytes


def _sm3(data: bytes) -> bytes:
    """OpenSSL's SM3: an implementation apart from sqlgate's (checked on the standard's
    vectors below); without it the SM3 exchange has no independent reference here."""
    if "sm3" not in hashlib.algorithms_available:
        pytest.skip("this OpenSSL has no SM3")
    return hashlib.new("sm3", data).digest()


def expected_proof(password: str, salt: str, token: str, iteration: int, method: str) -> str:
    """The proof as the sources describe it, written out without sqlgate's code."""
    k = hashlib.pbkdf2_hmac("sha1", password.encode(), bytes.fromhex(salt), iteration, 32)
    client_key = hmac.new(k, b"Client Key", hashlib.sha256).digest()
    stored_key = hashlib.sha256(client_key).digest() if method == "sha256" else _sm3(client_key)
    mac = hmac.new(stored_key, bytes.fromhex(token), hashlib.sha256).digest()
    return bytes(a ^ b for a, b in zip(mac, client_key, strict=True)).hex()


@pytest.mark.parametrize(
    ("data", "digest"),
    [
        (b"abc", "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"),
        (b"abcd" * 16, "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"),
    ],
)
def test_sm3_standard_vectors(data: bytes, digest: str) -> None:
    assert oa.sm3_pure(data).hex() == digest
    assert oa.sm3(data).hex() == digest  # OpenSSL's where it has SM3, else sm3_pure


def test_pure_sm3_matches_openssl_on_all_lengths() -> None:
    """Padding crosses a block boundary at 56 bytes: every length up to three blocks."""
    if "sm3" not in hashlib.algorithms_available:
        pytest.skip("this OpenSSL has no SM3")
    for length in range(0, 200):
        data = os.urandom(length)
        assert oa.sm3_pure(data) == _sm3(data), length


def _request(method: str, minor: int, iteration: int, password: str = PASSWORD) -> bytes:
    """The AuthenticationRequest payload as openGauss' auth.cpp builds it for ``minor``."""
    stored = oa.SHA256_PASSWORD if method == "sha256" else oa.SM3_PASSWORD
    payload = struct.pack(">i", stored) + SALT.encode() + TOKEN.encode()
    if minor < 50 and method == "sha256":
        k = hashlib.pbkdf2_hmac("sha1", password.encode(), bytes.fromhex(SALT), iteration, 32)
        server_key = hmac.new(k, b"Sever Key", hashlib.sha256).digest()
        payload += hmac.new(server_key, bytes.fromhex(TOKEN), hashlib.sha256).hexdigest().encode()
    if minor > 50:
        payload += struct.pack(">i", iteration)
    return payload


@pytest.mark.parametrize(
    ("method", "code", "minor", "iteration"),
    [
        ("sha256", 10, 51, 10000),  # current clients: the server sends its iteration
        ("sha256", 10, 50, 2048),  # 3.50: no iteration, 2048 assumed
        ("sha256", 10, 0, 2048),  # PostgreSQL clients: plus the server signature
        ("sm3", 13, 51, 2048),
        ("sm3", 13, 51, 10000),
    ],
)
def test_proof_matches_published_algorithm(
    method: str, code: int, minor: int, iteration: int
) -> None:
    got = oa.answer(code, _request(method, minor, iteration), PASSWORD, "alice", minor)
    assert got == expected_proof(PASSWORD, SALT, TOKEN, iteration, method)
    assert len(got) == 64


def test_sha256_and_sm3_proofs_differ() -> None:
    """Only StoredKey's hash differs; a mix-up of the two must not go unnoticed."""
    sha = oa.answer(10, _request("sha256", 51, 2048), PASSWORD, "u", 51)
    sm3 = oa.answer(13, _request("sm3", 51, 2048), PASSWORD, "u", 51)
    assert sha != sm3


def test_server_check_accepts_right_and_refuses_wrong_password() -> None:
    for method in ("sha256", "sm3"):
        keys = oa.derive_keys(PASSWORD, SALT, 2048, method)
        good = oa.client_proof(keys, TOKEN)
        bad = oa.client_proof(oa.derive_keys(PASSWORD + "x", SALT, 2048, method), TOKEN)
        assert oa.verify_proof(good, keys.stored_key, TOKEN, method)
        assert not oa.verify_proof(bad, keys.stored_key, TOKEN, method)
        assert not oa.verify_proof("zz", keys.stored_key, TOKEN, method)


def test_wrong_server_signature_is_refused() -> None:
    """Before protocol 3.50 the client checks the server knows the keys (fe-auth.cpp)."""
    payload = _request("sha256", 0, 2048, password="someone else's")
    with pytest.raises(oa.AuthFailure, match="signature"):
        oa.answer(10, payload, PASSWORD, "alice", 0)


def test_md5_stored_password_under_sha256_request() -> None:
    """AUTH_REQ_SHA256 with password_stored_method MD5: sha256 over the MD5 hash and salt."""
    salt = b"\x01\x02\x03\x04"
    inner = hashlib.md5((PASSWORD + "alice").encode()).hexdigest()
    want = "sha256" + hashlib.sha256(inner.encode() + salt).hexdigest()
    assert oa.answer(10, struct.pack(">i", oa.MD5_PASSWORD) + salt, PASSWORD, "alice", 51) == want


def test_md5_sha256_request() -> None:
    """AUTH_REQ_MD5_SHA256: MD5 over the SHA256-stored string "salt + ServerKey + StoredKey"."""
    salt = b"\x09\x08\x07\x06"
    k = hashlib.pbkdf2_hmac("sha1", PASSWORD.encode(), bytes.fromhex(SALT), 2048, 32)
    server_key = hmac.new(k, b"Sever Key", hashlib.sha256).hexdigest()
    stored_key = hashlib.sha256(hmac.new(k, b"Client Key", hashlib.sha256).digest()).hexdigest()
    want = "md5" + hashlib.md5((SALT + server_key + stored_key).encode() + salt).hexdigest()
    assert oa.answer(11, SALT.encode() + salt, PASSWORD, "alice", 51) == want


def test_postgres_md5_response() -> None:
    inner = hashlib.md5(b"secretbob").hexdigest()
    assert oa.md5_response("secret", "bob", b"salt") == (
        "md5" + hashlib.md5(inner.encode() + b"salt").hexdigest()
    )


@pytest.mark.parametrize(
    ("code", "payload", "message"),
    [
        (10, b"\x00\x00", "truncated"),
        (10, struct.pack(">i", 2) + b"ab", "truncated"),
        (13, struct.pack(">i", oa.SHA256_PASSWORD) + SALT.encode() + TOKEN.encode(), "stored"),
        (10, struct.pack(">i", 2) + b"zz" * 32 + TOKEN.encode(), "malformed salt"),
        (10, _request("sha256", 51, 0), "iterations"),
    ],
)
def test_malformed_requests_fail_cleanly(code: int, payload: bytes, message: str) -> None:
    with pytest.raises(oa.AuthFailure, match=message):
        oa.answer(code, payload, PASSWORD, "alice", 51)
