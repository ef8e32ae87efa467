"""An openGauss authentication front door on 127.0.0.1, in front of the real PostgreSQL 15.

No openGauss server runs here (no Debian/PyPI package, no Docker). This server follows
openGauss' documented login exchange (``auth.cpp`` ``sendAuthRequest`` / ``crypt_verify``):
StartupMessage -> AuthenticationRequest(10 SHA256 or 13 SM3, password_stored_method, salt,
token, [server signature for protocol < 3.50], [iteration for 3.51]) -> the client's proof,
checked against the stored keys only -> then it logs in to PostgreSQL 15 over its Unix socket
(trust) with the client's startup parameters and copies bytes both ways, so everything after
AuthenticationOk is a real server's. The stored keys are derived here with hashlib, apart from
sqlgate's code, so a wrong client algorithm fails the login.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import secrets
import socket
import struct
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

from .base import HOST, ServerInfo, server_unavailable

CANCEL = 80877102
SSL_REQUEST = 80877103
LOGIN_DENIED = "Invalid username/password,login denied."
_HASH = {"sha256": hashlib.sha256, "sm3": lambda b: hashlib.new("sm3", b)}


@dataclass
class GaussUser:
    """A login as openGauss stores it: salt, ServerKey, StoredKey (or an MD5 hash)."""

    name: str
    password: str
    method: str  # "sha256", "sm3" or "md5" (MD5-stored, asked for with a SHA256 request)
    iteration: int = 10000
    salt: str = field(default_factory=lambda: secrets.token_hex(32))

    def keys(self) -> tuple[bytes, bytes]:
        k = hashlib.pbkdf2_hmac("sha1", self.password.encode(), bytes.fromhex(self.salt),
                                self.iteration, 32)  # fmt: skip
        server_label = b"Sever Key" if self.method == "sha256" else b"Server Key"
        client_key = hmac.new(k, b"Client Key", hashlib.sha256).digest()
        stored = _HASH[self.method](client_key).digest()
        return hmac.new(k, server_label, hashlib.sha256).digest(), stored


def _exact(sock: socket.socket, n: int) -> bytes:
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise ConnectionError("closed")
        data += chunk
    return data


def _msg(kind: bytes, body: bytes) -> bytes:
    return kind + struct.pack(">i", len(body) + 4) + body


class OpenGaussAuthServer:
    """Listens on 127.0.0.1; each login is checked, then relayed to the backend's socket."""

    def __init__(self, backend: ServerInfo, users: list[GaussUser]) -> None:
        self.backend = backend
        self.users = {u.name: u for u in users}
        self.logins: list[tuple[str, int, int, bool]] = []  # user, request code, minor, ok
        self.cancels = 0
        self._sock = socket.create_server((HOST, 0))
        self.port = self._sock.getsockname()[1]
        self._threads: list[threading.Thread] = []
        self._accept = threading.Thread(target=self._loop, daemon=True)
        self._accept.start()

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._sock.shutdown(socket.SHUT_RDWR)
        self._sock.close()
        self._accept.join(5)
        for thread in self._threads[-64:]:
            thread.join(5)

    def _loop(self) -> None:
        for _ in range(10_000):  # bounded: a test session makes a few dozen logins
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            thread = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _backend(self) -> socket.socket:
        sock = socket.socket(socket.AF_UNIX)
        sock.settimeout(10)
        sock.connect(f"{self.backend.extra['socket_dir']}/.s.PGSQL.{self.backend.port}")
        return sock

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(10)
            with contextlib.suppress(OSError, ConnectionError):
                self._session(conn)

    def _session(self, conn: socket.socket) -> None:
        length, code = struct.unpack(">ii", _exact(conn, 8))
        if code == SSL_REQUEST:
            conn.sendall(b"N")
            length, code = struct.unpack(">ii", _exact(conn, 8))
        body = _exact(conn, length - 8)
        if code == CANCEL:
            self.cancels += 1
            with self._backend() as backend:
                backend.sendall(struct.pack(">ii", 16, CANCEL) + body)
            return
        parts = body.split(b"\x00")
        params = {parts[i].decode(): parts[i + 1].decode() for i in range(0, len(parts) - 1, 2)
                  if parts[i]}  # fmt: skip
        minor = code & 0xFFFF
        user = self.users.get(params.get("user", ""))
        request, ok = self._challenge(conn, user, minor)
        self.logins.append((params.get("user", ""), request, minor, ok))
        if not ok:
            fields = [b"SFATAL", b"VFATAL", b"C28P01", b"M" + LOGIN_DENIED.encode()]
            conn.sendall(_msg(b"E", b"\x00".join(fields) + b"\x00\x00"))
            return
        params["user"] = self.backend.user
        startup = (
            struct.pack(">i", 3 << 16)
            + b"".join(k.encode() + b"\x00" + v.encode() + b"\x00" for k, v in params.items())
            + b"\x00"
        )
        with self._backend() as backend:
            backend.sendall(struct.pack(">i", len(startup) + 4) + startup)
            conn.settimeout(None)
            backend.settimeout(None)
            _pipe(conn, backend)

    def _challenge(
        self, conn: socket.socket, user: GaussUser | None, minor: int
    ) -> tuple[int, bool]:
        """Send the request for the user's stored method; check the PasswordMessage."""
        token = secrets.token_hex(4)
        probe = user or GaussUser("?", secrets.token_hex(8), "sha256")  # unknown: fail alike
        if probe.method == "md5":
            md5_salt = secrets.token_bytes(4)
            conn.sendall(_msg(b"R", struct.pack(">ii", 10, 1) + md5_salt))
            inner = hashlib.md5((probe.password + probe.name).encode()).hexdigest()
            expected = "sha256" + hashlib.sha256(inner.encode() + md5_salt).hexdigest()
            return 10, _read_password(conn) == expected and user is not None
        server_key, stored_key = probe.keys()
        code, stored_method = (10, 2) if probe.method == "sha256" else (13, 3)
        payload = struct.pack(">ii", code, stored_method) + probe.salt.encode() + token.encode()
        if minor < 50 and code == 10:
            signature = hmac.new(server_key, bytes.fromhex(token), hashlib.sha256).hexdigest()
            payload += signature.encode()
        if minor > 50:
            payload += struct.pack(">i", probe.iteration)
        conn.sendall(_msg(b"R", payload))
        proof = _read_password(conn)
        try:
            sent = bytes.fromhex(proof)
        except ValueError:
            return code, False
        mac = hmac.new(stored_key, bytes.fromhex(token), hashlib.sha256).digest()
        client_key = bytes(a ^ b for a, b in zip(sent, mac, strict=False))
        digest = _HASH[probe.method](client_key).digest()
        matched = len(sent) == 32 and hmac.compare_digest(digest, stored_key)
        return code, matched and user is not None


def _read_password(conn: socket.socket) -> str:
    kind, length = struct.unpack(">ci", _exact(conn, 5))
    body = _exact(conn, length - 4)
    return body.rstrip(b"\x00").decode() if kind == b"p" else ""


def _pipe(a: socket.socket, b: socket.socket) -> None:
    """Copy both ways until one side closes (one thread each direction)."""

    def copy(src: socket.socket, dst: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := src.recv(65536):
                dst.sendall(data)
        for sock in (a, b):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    other = threading.Thread(target=copy, args=(b, a), daemon=True)
    other.start()
    copy(a, b)
    other.join(10)


@contextlib.contextmanager
def running_gauss(backend: ServerInfo, users: list[GaussUser]) -> Iterator[OpenGaussAuthServer]:
    if "socket_dir" not in backend.extra:
        server_unavailable("opengauss-auth", "needs the throwaway PostgreSQL's Unix socket")
    server = OpenGaussAuthServer(backend, users)
    try:
        yield server
    finally:
        server.close()
