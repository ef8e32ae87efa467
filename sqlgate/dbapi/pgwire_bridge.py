"""A per-connection login bridge that lets psycopg reach openGauss / GaussDB servers.

libpq cannot answer openGauss' default SHA256 / SM3 authentication requests, and nothing can
be plugged into it. So psycopg connects to a private Unix socket (a fresh 0700 directory) where
this bridge listens; the bridge opens the TCP (optionally TLS) connection to the real server,
announces protocol 3.51 as openGauss' own clients do, answers openGauss' requests itself
(:mod:`~sqlgate.dbapi.opengauss_auth`) and relays every other request (MD5, SCRAM, GSS) to
psycopg, which keeps the password and libpq's own code for them. From AuthenticationOk on it
copies bytes both ways; the listener stays open for the connection's life only to pass
CancelRequests on. Everything else (the read-only guard, streaming, types) is the family's.
"""

from __future__ import annotations

import contextlib
import selectors
import shutil
import socket
import ssl
import struct
import tempfile
import threading
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from sqlgate.core.errors import InterfaceError, NotSupportedError
from sqlgate.core.params import ConnectParams, parse_seconds
from sqlgate.dbapi.opengauss_auth import AUTH_REQ_MD5_SHA256, AuthFailure, answer
from sqlgate.dbapi.pgwire_types import ForkFlavor
from sqlgate.dbapi.postgres_session import PostgresSession

SSL_REQUEST = 80877103
GSSENC_REQUEST = 80877104
CANCEL_REQUEST = 80877102
GAUSS_MINOR = 51  # what gsql and the openGauss JDBC driver announce
#: ``gauss_protocol=`` -> the minor version announced (3.0: as a PostgreSQL client; the server
#: then sends a signature to check and no iteration count, so only 2048 iterations work)
_PROTOCOLS = {"3.51": 51, "3.50": 50, "3.0": 0}
_SOCKET_PORT = 5432  # names the socket file inside the private directory
_SASL_CODES = frozenset({10, 11, 12})  # PostgreSQL's SASL, SASLContinue, SASLFinal
_TLS_OPTIONS = ("sslmode", "sslrootcert", "sslcert", "sslkey")
#: private socket directory -> the server it stands for (while the bridge lives)
_ENDPOINTS: dict[str, tuple[str, int]] = {}


def _recv_exact(sock: socket.socket, n: int) -> bytes:
    data = bytearray()
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise ConnectionError("the peer closed the connection during login")
        data += chunk
    return bytes(data)


def read_message(sock: socket.socket) -> tuple[bytes, bytes]:
    """One typed protocol message: (type byte, body)."""
    head = _recv_exact(sock, 5)
    (length,) = struct.unpack(">i", head[1:])
    if not 4 <= length <= 1 << 20:
        raise ConnectionError("malformed protocol message during login")
    return head[:1], _recv_exact(sock, length - 4)


def read_startup(sock: socket.socket) -> tuple[int, bytes]:
    """An untyped startup-phase packet: (code or protocol version, rest)."""
    (length,) = struct.unpack(">i", _recv_exact(sock, 4))
    if not 8 <= length <= 10_000:
        raise ConnectionError("malformed startup packet")
    body = _recv_exact(sock, length - 4)
    return struct.unpack(">i", body[:4])[0], body[4:]


def message(kind: bytes, body: bytes) -> bytes:
    return kind + struct.pack(">i", len(body) + 4) + body


def startup_params(body: bytes) -> dict[str, str]:
    parts = body.split(b"\x00")
    return {
        parts[i].decode(): parts[i + 1].decode() for i in range(0, len(parts) - 1, 2) if parts[i]
    }


def error_response(text: str, sqlstate: str = "08001") -> bytes:
    fields = [b"SFATAL", b"VFATAL", b"C" + sqlstate.encode(), b"M" + text.encode()]
    return message(b"E", b"\x00".join(fields) + b"\x00\x00")


@dataclass(frozen=True)
class Tls:
    """libpq's sslmode semantics for the bridge's own connection to the server."""

    mode: str = "prefer"
    rootcert: str | None = None
    cert: str | None = None
    key: str | None = None

    @classmethod
    def pop_from(cls, options: dict[str, Any]) -> Tls:
        values = {name: options.pop(name, None) for name in _TLS_OPTIONS}
        mode = str(values["sslmode"] or "prefer").lower()
        if mode not in ("disable", "allow", "prefer", "require", "verify-ca", "verify-full"):
            raise InterfaceError(f"option sslmode={mode!r} is not a libpq sslmode")
        leftover = sorted(k for k in options if k.startswith("ssl") or k.startswith("gss"))
        if leftover:
            raise InterfaceError(
                f"option {leftover[0]!r} is not supported by the openGauss login bridge; "
                "use gauss_auth=libpq if the server accepts MD5 or SCRAM"
            )
        return cls(mode, values["sslrootcert"], values["sslcert"], values["sslkey"])

    def context(self, host: str) -> ssl.SSLContext:
        verify = self.mode in ("verify-ca", "verify-full") or self.rootcert is not None
        ctx = (
            ssl.create_default_context(cafile=self.rootcert)
            if verify
            else ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        )
        ctx.check_hostname = self.mode == "verify-full"
        if not verify:
            ctx.verify_mode = ssl.CERT_NONE
        if self.cert:
            ctx.load_cert_chain(self.cert, self.key)
        return ctx

    def wrap(self, sock: socket.socket, host: str) -> socket.socket:
        if self.mode in ("disable", "allow"):
            return sock
        sock.sendall(struct.pack(">ii", 8, SSL_REQUEST))
        if _recv_exact(sock, 1) == b"S":
            return self.context(host).wrap_socket(sock, server_hostname=host)
        if self.mode != "prefer":
            raise ConnectionError(f"the server refused TLS, which sslmode={self.mode} requires")
        return sock


class AuthBridge:
    """One connection's bridge: a private socket for psycopg, a link to the real server."""

    def __init__(
        self,
        host: str,
        port: int,
        password: str | None,
        tls: Tls,
        timeout: float,
        minor: int = GAUSS_MINOR,
    ) -> None:
        self.host, self.port, self.tls, self.timeout = host, port, tls, timeout
        self.minor = minor
        self._password = password
        self._dir = Path(tempfile.mkdtemp(prefix="sqlgate-gauss-"))  # mode 0700
        self._listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._listener.bind(str(self._dir / f".s.PGSQL.{_SOCKET_PORT}"))
        self._listener.listen(4)
        self._listener.settimeout(timeout)
        self._closed = threading.Event()
        _ENDPOINTS[str(self._dir)] = (host, port)
        self.error: str | None = None  # why the login failed on the bridge's side
        threading.Thread(target=self._serve, name="sqlgate-gauss-bridge", daemon=True).start()

    @property
    def socket_dir(self) -> str:
        return str(self._dir)

    @property
    def socket_port(self) -> int:
        return _SOCKET_PORT

    def close(self) -> None:
        if self._closed.is_set():
            return
        self._closed.set()
        _ENDPOINTS.pop(str(self._dir), None)
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)  # wakes a blocked accept() on Linux
        with contextlib.suppress(OSError):
            self._listener.close()
        shutil.rmtree(self._dir, ignore_errors=True)

    # -- the server side -------------------------------------------------------------------
    def _open_server(self) -> socket.socket:
        if self.host.startswith("/"):
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(self.timeout)
            sock.connect(f"{self.host}/.s.PGSQL.{self.port}")
            return sock
        sock = socket.create_connection((self.host, self.port), timeout=self.timeout)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
        return self.tls.wrap(sock, self.host)

    def _serve(self) -> None:
        try:
            client, _ = self._listener.accept()
        except OSError:  # psycopg never came (it failed first) or the bridge was closed
            self.close()
            return
        with contextlib.suppress(OSError):
            self._listener.settimeout(None)  # from now on it waits for cancel requests
        threading.Thread(
            target=self._pass_cancels, name="sqlgate-gauss-cancel", daemon=True
        ).start()
        server = None
        try:
            client.settimeout(self.timeout)
            server = self._login(client)
            if server is not None:
                client.settimeout(None)
                server.settimeout(None)
                _relay(client, server)
        except (OSError, ConnectionError):
            pass  # psycopg reports the broken connection; the bridge only cleans up
        finally:
            for sock in (client, server):
                if sock is not None:
                    with contextlib.suppress(OSError):
                        sock.close()
            self.close()

    def _login(self, client: socket.socket) -> socket.socket | None:
        """Startup and authentication; the server socket once AuthenticationOk was relayed."""
        code, body = read_startup(client)
        while code in (SSL_REQUEST, GSSENC_REQUEST):  # not over the private socket
            client.sendall(b"N")
            code, body = read_startup(client)
        if code == CANCEL_REQUEST:
            return None
        params = startup_params(body)
        where = f"{self.host}:{self.port}"
        try:
            server = self._open_server()
        except (OSError, ConnectionError) as exc:
            self.error = f"could not connect to the openGauss server at {where}: {exc}"
            client.sendall(error_response(self.error))
            return None
        packet = struct.pack(">i", (3 << 16) | self.minor) + body
        server.sendall(struct.pack(">i", len(packet) + 4) + packet)
        try:
            return self._authenticate(client, server, params.get("user", ""))
        except AuthFailure as exc:
            self.error = f"openGauss login to {where} failed: {exc}"
        except (OSError, ConnectionError) as exc:
            self.error = f"openGauss login to {where} failed: {exc}"
        with contextlib.suppress(OSError):
            client.sendall(error_response(self.error or "login failed", "28000"))
        server.close()
        return None

    def _authenticate(
        self, client: socket.socket, server: socket.socket, user: str
    ) -> socket.socket | None:
        minor, sasl = self.minor, False
        for _ in range(64):  # a login is a handful of round trips
            kind, body = read_message(server)
            if kind == b"v":  # NegotiateProtocolVersion: a stock PostgreSQL speaks 3.x < 3.51
                minor = struct.unpack(">i", body[:4])[0]
                continue
            if kind != b"R":
                client.sendall(message(kind, body))
                if kind == b"E":
                    server.close()
                    return None
                continue
            (code,) = struct.unpack(">i", body[:4])
            payload = body[4:]
            if code == 0:
                client.sendall(message(kind, body))
                return server
            if self._gauss_request(code, payload, sasl):
                text = answer(code, payload, self._password or "", user, minor)
                server.sendall(message(b"p", text.encode() + b"\x00"))
                continue
            sasl = sasl or code == 10
            client.sendall(message(kind, body))  # libpq answers: MD5, SCRAM, GSS...
            if code != 12:  # SASLFinal expects no answer
                reply_kind, reply = read_message(client)
                server.sendall(message(reply_kind, reply))
        raise ConnectionError("the login did not finish")

    def _gauss_request(self, code: int, payload: bytes, sasl: bool) -> bool:
        """openGauss' own requests; PostgreSQL's SASL reuses 10 and 11 with text payloads."""
        if sasl:
            return False
        if code == AUTH_REQ_MD5_SHA256:
            return len(payload) == 68
        if code in (10, 13) and payload[:1] == b"\x00":  # a stored method, not a mechanism
            if not self._password:
                raise AuthFailure("the server asked for a password and none was given")
            return True
        return False

    def _pass_cancels(self) -> None:
        """psycopg's CancelRequests arrive here; they go to the server over a new link."""
        while not self._closed.is_set():
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            with conn, contextlib.suppress(OSError, ConnectionError):
                conn.settimeout(self.timeout)
                code, body = read_startup(conn)
                if code == CANCEL_REQUEST and len(body) == 8:
                    with self._open_server() as server:
                        server.sendall(struct.pack(">ii", 16, CANCEL_REQUEST) + body)


def _relay(client: socket.socket, server: socket.socket) -> None:
    """Copy bytes both ways until either side closes."""
    peers = {client: server, server: client}
    with selectors.DefaultSelector() as sel:
        for sock in peers:
            sel.register(sock, selectors.EVENT_READ, sock)
        while True:
            # TLS may hold decrypted bytes the socket no longer signals: do not wait then
            buffered = isinstance(server, ssl.SSLSocket) and server.pending() > 0
            ready: list[socket.socket] = [
                key.data for key, _ in sel.select(0 if buffered else None)
            ]
            if buffered and server not in ready:
                ready.append(server)
            for sock in ready:
                try:
                    data = sock.recv(65536)
                    if data:
                        peers[sock].sendall(data)
                except OSError:  # ssl.SSLError is an OSError
                    data = b""
                if not data:
                    return


class BridgedSession(PostgresSession):
    """psycopg's host is the bridge's private socket; cancel requests from other sessions
    (``pg_cancel_backend``) match by the server the bridge stands for."""

    def cancel_identity(self) -> tuple[str, str, int, str]:
        info = self._raw.info
        host, port = _ENDPOINTS.get(str(info.host), (str(info.host), int(info.port)))
        return ("postgres", host, port, str(info.user))


@dataclass(frozen=True)
class GaussFlavor(ForkFlavor):
    """openGauss / GaussDB: psycopg through :class:`AuthBridge` unless ``gauss_auth=libpq``."""

    session_type: type[PostgresSession] = BridgedSession

    def open_session(self, params: ConnectParams) -> PostgresSession:
        options = dict(params.options)
        mode = str(options.pop("gauss_auth", "bridge")).lower()
        if mode == "libpq":  # servers configured for MD5 or SCRAM only
            return super().open_session(replace(params, options=options))
        if mode != "bridge":
            raise InterfaceError(f"option gauss_auth={mode!r}: use bridge or libpq")
        if str(options.get("arrow_path", "")).lower() == "native":
            raise NotSupportedError("arrow_path=native needs gauss_auth=libpq (ADBC uses libpq)")
        tls = Tls.pop_from(options)
        host = params.host or "localhost"
        if "," in host:
            raise InterfaceError("the openGauss login bridge takes one host; list one")
        timeout = parse_seconds("connect_timeout", options.get("connect_timeout")) or 10.0
        protocol = str(options.pop("gauss_protocol", "3.51"))
        if protocol not in _PROTOCOLS:
            raise InterfaceError(f"option gauss_protocol={protocol!r}: use 3.51, 3.50 or 3.0")
        port = int(params.effective_port() or 5432)
        bridge = AuthBridge(host, port, params.password, tls, timeout, _PROTOCOLS[protocol])
        bridged = replace(params, host=bridge.socket_dir, port=bridge.socket_port, options=options)
        try:
            return super().open_session(bridged)
        except BaseException:
            bridge.close()
            raise
