"""openGauss / GaussDB password authentication: the client side of its RFC 5802-style exchange.

Stock libpq cannot answer openGauss' own authentication requests (``AUTH_REQ_SHA256`` = 10,
``AUTH_REQ_MD5_SHA256`` = 11, ``AUTH_REQ_SM3`` = 13), which openGauss uses by default. The
algorithm follows openGauss' sources: ``src/common/interfaces/libpq/fe-auth.cpp``
(``pg_password_sendauth``), ``src/common/backend/utils/auth/sha2.cpp`` (``pg_sha256_encrypt``,
``GsSm3Encrypt``) and the server's ``src/gausskernel/.../libpq/auth.cpp`` (``sendAuthRequest``):

* ``K = PBKDF2-HMAC-SHA1(password, unhex(random64code), iteration, 32)``
* ``ClientKey = HMAC-SHA256(K, "Client Key")``; ``ServerKey = HMAC-SHA256(K, "Sever Key")``
  (sic; ``"Server Key"`` for SM3)
* ``StoredKey = SHA256(ClientKey)`` (``SM3(ClientKey)`` for SM3)
* the proof sent in a PasswordMessage: ``hex(HMAC-SHA256(StoredKey, unhex(token)) XOR ClientKey)``

The server keeps only salt, ServerKey and StoredKey; it recovers ClientKey from the proof and
checks ``hash(ClientKey) == StoredKey``. :func:`verify_proof` is that check (used by the tests'
protocol server).
"""

from __future__ import annotations

import hashlib
import hmac
import struct
from collections.abc import Callable
from dataclasses import dataclass

AUTH_REQ_MD5 = 5
AUTH_REQ_SHA256 = 10  # PostgreSQL uses 10 for SASL: the payload tells them apart
AUTH_REQ_MD5_SHA256 = 11
AUTH_REQ_SM3 = 13
GAUSS_AUTH_CODES = frozenset({AUTH_REQ_SHA256, AUTH_REQ_MD5_SHA256, AUTH_REQ_SM3})

# password_stored_method values the server reports (auth.cpp)
PLAIN_PASSWORD = 0
MD5_PASSWORD = 1
SHA256_PASSWORD = 2
SM3_PASSWORD = 3

DEFAULT_ITERATION = 2048  # servers before protocol 3.51 do not send it (ITERATION_COUNT)
GAUSS_BASE_MINOR = 50  # protocol minor >= 50: an openGauss client; < 50 gets a server signature
_CLIENT = b"Client Key"
_SERVER = {"sha256": b"Sever Key", "sm3": b"Server Key"}


class AuthFailure(Exception):
    """The exchange cannot go on (unknown method, malformed request, bad server signature)."""


# -- SM3 (GB/T 32905-2016) -------------------------------------------------------------------
_SM3_IV = (
    0x7380166F,
    0x4914B2B9,
    0x172442D7,
    0xDA8A0600,
    0xA96F30BC,
    0x163138AA,
    0xE38DEE4D,
    0xB0FB0E4E,
)
_MASK = 0xFFFFFFFF


def _rotl(x: int, n: int) -> int:
    n %= 32
    return ((x << n) | (x >> (32 - n))) & _MASK


def _sm3_compress(v: list[int], block: bytes) -> list[int]:
    w = list(struct.unpack(">16I", block))
    for j in range(16, 68):
        x = w[j - 16] ^ w[j - 9] ^ _rotl(w[j - 3], 15)
        w.append((x ^ _rotl(x, 15) ^ _rotl(x, 23)) ^ _rotl(w[j - 13], 7) ^ w[j - 6])
    a, b, c, d, e, f, g, h = v
    for j in range(64):
        t = 0x79CC4519 if j < 16 else 0x7A879D8A
        ss1 = _rotl((_rotl(a, 12) + e + _rotl(t, j)) & _MASK, 7)
        ss2 = ss1 ^ _rotl(a, 12)
        if j < 16:
            ff, gg = a ^ b ^ c, e ^ f ^ g
        else:
            ff, gg = (a & b) | (a & c) | (b & c), (e & f) | (~e & g)
        tt1 = (ff + d + ss2 + (w[j] ^ w[j + 4])) & _MASK
        tt2 = (gg + h + ss1 + w[j]) & _MASK
        a, b, c, d = tt1, a, _rotl(b, 9), c
        e, f, g, h = tt2 ^ _rotl(tt2, 9) ^ _rotl(tt2, 17), e, _rotl(f, 19), g
    return [x ^ y for x, y in zip(v, (a, b, c, d, e, f, g, h), strict=True)]


def sm3_pure(data: bytes) -> bytes:
    """SM3 in Python, for OpenSSL builds without it (it is short, and only hashes 32 bytes here)."""
    padded = data + b"\x80" + b"\x00" * ((55 - len(data)) % 64) + struct.pack(">Q", len(data) * 8)
    v = list(_SM3_IV)
    for i in range(0, len(padded), 64):
        v = _sm3_compress(v, padded[i : i + 64])
    return struct.pack(">8I", *v)


def sm3(data: bytes) -> bytes:
    """SM3 through OpenSSL when it offers it, else :func:`sm3_pure`."""
    try:
        return hashlib.new("sm3", data).digest()
    except ValueError:
        return sm3_pure(data)


def _sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


_HASHES: dict[str, Callable[[bytes], bytes]] = {"sha256": _sha256, "sm3": sm3}


# -- keys and proofs -------------------------------------------------------------------------
@dataclass(frozen=True)
class GaussKeys:
    """What openGauss derives from a password: the client's ClientKey, the stored keys."""

    client_key: bytes
    server_key: bytes
    stored_key: bytes


def _unhex(text: str | bytes, what: str) -> bytes:
    try:
        return bytes.fromhex(text.decode("ascii") if isinstance(text, bytes) else text)
    except (ValueError, UnicodeDecodeError):
        raise AuthFailure(f"the server sent a malformed {what}") from None


def derive_keys(password: str, random64code: str, iteration: int, method: str) -> GaussKeys:
    """The keys for ``method`` ("sha256" or "sm3"); ``random64code`` is the hex salt."""
    salt = _unhex(random64code, "salt")
    k = hashlib.pbkdf2_hmac("sha1", password.encode(), salt, iteration, 32)
    client_key = hmac.digest(k, _CLIENT, "sha256")
    server_key = hmac.digest(k, _SERVER[method], "sha256")
    return GaussKeys(client_key, server_key, _HASHES[method](client_key))


def client_proof(keys: GaussKeys, token: str) -> str:
    """``hex(HMAC-SHA256(StoredKey, unhex(token)) XOR ClientKey)``: what the client sends."""
    mac = hmac.digest(keys.stored_key, _unhex(token, "token"), "sha256")
    return bytes(x ^ y for x, y in zip(mac, keys.client_key, strict=True)).hex()


def server_signature(server_key: bytes, token: str) -> str:
    """``hex(HMAC-SHA256(ServerKey, unhex(token)))``: sent to clients older than protocol 3.50."""
    return hmac.digest(server_key, _unhex(token, "token"), "sha256").hex()


def verify_proof(proof: str, stored_key: bytes, token: str, method: str) -> bool:
    """The server's check: ClientKey recovered from the proof must hash to StoredKey."""
    try:
        sent = bytes.fromhex(proof)
    except ValueError:
        return False
    mac = hmac.digest(stored_key, _unhex(token, "token"), "sha256")
    if len(sent) != len(mac):
        return False
    client_key = bytes(x ^ y for x, y in zip(sent, mac, strict=True))
    return hmac.compare_digest(_HASHES[method](client_key), stored_key)


def md5_response(password: str, user: str, salt: bytes) -> str:
    """PostgreSQL's MD5 answer: ``"md5" + md5(md5(password + user) + salt)``."""
    inner = hashlib.md5((password + user).encode()).hexdigest()
    return "md5" + hashlib.md5(inner.encode() + salt).hexdigest()


def sha256_over_md5(password: str, user: str, salt: bytes) -> str:
    """AUTH_REQ_SHA256 for an MD5-stored password: ``"sha256" + sha256(md5hex + salt)``."""
    inner = hashlib.md5((password + user).encode()).hexdigest()
    return "sha256" + hashlib.sha256(inner.encode() + salt).hexdigest()


def md5_over_sha256(password: str, random64code: str, salt: bytes, iteration: int) -> str:
    """AUTH_REQ_MD5_SHA256: MD5 over the SHA256-stored string (salt, ServerKey, StoredKey hex)."""
    keys = derive_keys(password, random64code, iteration, "sha256")
    stored = random64code + keys.server_key.hex() + keys.stored_key.hex()
    return "md5" + hashlib.md5(stored.encode() + salt).hexdigest()


# -- the request, as the server sends it -----------------------------------------------------
def answer(code: int, payload: bytes, password: str, user: str, minor: int) -> str:
    """The PasswordMessage text for an openGauss authentication request.

    ``payload`` follows the request code; ``minor`` is the protocol minor version the client
    announced (51 for current openGauss clients), which decides what the server included.
    """
    if code == AUTH_REQ_MD5_SHA256:  # random64code, md5 salt (4)
        if len(payload) < 68:
            raise AuthFailure("the server sent a truncated MD5_SHA256 request")
        return md5_over_sha256(
            password, payload[:64].decode("ascii"), payload[64:68], DEFAULT_ITERATION
        )
    if len(payload) < 4:
        raise AuthFailure("the server sent a truncated authentication request")
    (stored,) = struct.unpack(">i", payload[:4])
    rest = payload[4:]
    if code == AUTH_REQ_SHA256 and stored == MD5_PASSWORD:
        return sha256_over_md5(password, user, rest[:4])
    method = {AUTH_REQ_SHA256: "sha256", AUTH_REQ_SM3: "sm3"}[code]
    expected = {"sha256": (PLAIN_PASSWORD, SHA256_PASSWORD), "sm3": (SM3_PASSWORD,)}[method]
    if stored not in expected:
        raise AuthFailure(f"unsupported password_stored_method {stored} for {method}")
    if len(rest) < 72:
        raise AuthFailure("the server sent a truncated authentication request")
    random64code, token = rest[:64].decode("ascii"), rest[64:72].decode("ascii")
    rest = rest[72:]
    signature = None
    if minor < GAUSS_BASE_MINOR and method == "sha256":
        signature, rest = rest[:64].decode("ascii"), rest[64:]
    iteration = DEFAULT_ITERATION
    if minor > GAUSS_BASE_MINOR and len(rest) >= 4:
        (iteration,) = struct.unpack(">i", rest[:4])
    if not 1 <= iteration <= 10_000_000:
        raise AuthFailure(f"the server asked for {iteration} PBKDF2 iterations")
    keys = derive_keys(password, random64code, iteration, method)
    if signature is not None and not hmac.compare_digest(
        server_signature(keys.server_key, token), signature
    ):
        raise AuthFailure("the server's signature does not match: not the expected server")
    return client_proof(keys, token)
