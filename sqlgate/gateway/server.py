"""The gateway's listener: startup, SCRAM login, limits, cancel requests, the message loop.

Each client gets its own sqlgate connection to the mapped source (opened on a worker thread)
and a random BackendKeyData secret; a CancelRequest carrying it cancels that client's running
statement through ``Cursor.cancel()``. A misbehaving client only ever loses its own connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import os
import secrets
import signal
import ssl
import struct
import threading
from collections.abc import Callable

from sqlgate.core import errors
from sqlgate.core.connect import connect
from sqlgate.gateway import protocol, sqlstate, tls
from sqlgate.gateway.auth import MECHANISM, Authenticator
from sqlgate.gateway.catalog import Catalog
from sqlgate.gateway.client import Client
from sqlgate.gateway.config import GatewayConfig
from sqlgate.gateway.protocol import ProtocolViolation, Reader
from sqlgate.gateway.running import Limits

log = logging.getLogger("sqlgate.gateway")
SERVER_VERSION = "15.0 (sqlgate gateway)"


def initial_settings(params: dict[str, str]) -> dict[str, str]:
    """What ``SHOW`` answers and ParameterStatus reports; clients' own startup options win."""
    settings = {
        "server_version": SERVER_VERSION,
        "server_encoding": "UTF8",
        "client_encoding": "UTF8",
        "datestyle": "ISO, MDY",
        "integer_datetimes": "on",
        "standard_conforming_strings": "on",
        "timezone": "UTC",
        "intervalstyle": "postgres",
        "is_superuser": "off",
        "application_name": "",
        "transaction_isolation": "read committed",
        "transaction_read_only": "on",
        "default_transaction_read_only": "on",
        "extra_float_digits": "1",
        "search_path": '"$user", public',
        "max_identifier_length": "63",
    }
    for name in ("application_name", "extra_float_digits", "client_encoding", "datestyle"):
        if name in params:
            settings[name] = params[name]
    return settings


class Gateway:
    """Serves one configuration; ``serve()`` runs until cancelled."""

    def __init__(self, config: GatewayConfig, authenticator: Authenticator | None = None) -> None:
        config.check_listen_address()
        self.config = config
        self.auth = authenticator or Authenticator.from_users(config.users)
        self.limits = Limits(
            config.max_queries_per_user, config.statement_timeout, config.batch_rows
        )
        self.catalogs = {
            name: Catalog(name, url, list(config.databases))
            for name, url in config.databases.items()
        }
        self.tls = (
            tls.server_context(config.tls_cert, config.tls_key)
            if config.tls_cert and config.tls_key
            else None
        )
        self.clients: dict[int, tuple[int, Client]] = {}
        self._pids: Callable[[], int] = itertools.count(1000).__next__
        self._connections = 0
        self._tasks: set[asyncio.Task[None]] = set()
        self.server: asyncio.Server | None = None

    async def start(self) -> asyncio.Server:
        self.server = await asyncio.start_server(
            self.handle, self.config.host, self.config.port, limit=protocol.MAX_STARTUP_BYTES
        )
        return self.server

    @property
    def port(self) -> int:
        assert self.server is not None
        return int(self.server.sockets[0].getsockname()[1])

    async def serve(self) -> None:
        """Serve until SIGTERM or SIGINT; then stop listening and close every client."""
        server = await self.start()
        loop = asyncio.get_running_loop()
        stop = asyncio.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(NotImplementedError, RuntimeError):  # not the main thread
                loop.add_signal_handler(sig, stop.set)
        log.info("sqlgate gateway listening on %s:%d", self.config.host, self.port)
        await stop.wait()
        server.close()
        for _, client in list(self.clients.values()):
            text = "terminating connection due to administrator command"
            loop.run_in_executor(None, client.cancel, text)
            client.writer.write(protocol.error_response("57P01", text, severity="FATAL"))
            client.writer.close()
        if self._tasks:  # let each connection clean up (a cancelled statement ends quickly)
            await asyncio.wait(list(self._tasks), timeout=5)
        log.info("sqlgate gateway stopped")

    # -- one connection -----------------------------------------------------------------
    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._connections += 1
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        client: Client | None = None
        pid = 0
        try:
            startup = await asyncio.wait_for(self._startup(reader, writer), 60)
            if startup is None:
                return
            if self._connections > self.config.max_connections:
                await self._fatal(writer, sqlstate.TOO_MANY_CONNECTIONS, "too many connections")
                return
            user, database, params = startup
            if not await self._login(reader, writer, user):
                return
            client = await self._open(writer, user, database, params)
            if client is None:
                return
            pid = self._pids()
            secret = secrets.randbits(31)
            self.clients[pid] = (secret, client)
            for name in [
                "server_version",
                "server_encoding",
                "client_encoding",
                "DateStyle",
                "integer_datetimes",
                "standard_conforming_strings",
                "TimeZone",
                "IntervalStyle",
                "is_superuser",
                "application_name",
            ]:
                writer.write(protocol.parameter_status(name, client.settings[name.lower()]))
            writer.write(protocol.backend_key_data(pid, secret))
            writer.write(protocol.ready_for_query())
            await writer.drain()
            await self._loop(reader, writer, client)
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.TimeoutError):
            pass  # the client went away (or never finished its startup): clean up below
        except ssl.SSLError as exc:  # a failed handshake (the client rejected our certificate)
            log.info("gateway TLS handshake failed: %s", exc.reason or exc)
        except ProtocolViolation as exc:
            with contextlib.suppress(ConnectionError):
                await self._fatal(writer, sqlstate.PROTOCOL_VIOLATION, str(exc))
        except Exception:
            log.exception("gateway connection failed")
        finally:
            self._tasks.discard(task)  # type: ignore[arg-type, unused-ignore]
            self._connections -= 1
            self.clients.pop(pid, None)
            if client is not None:
                await client.close()
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _startup(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> tuple[str, str, dict[str, str]] | None:
        secure = False
        for _ in range(3):  # SSLRequest / GSSENCRequest, then the real startup
            code, body = await protocol.read_startup(reader)
            if code == protocol.SSL_REQUEST and self.tls is not None and not secure:
                await tls.upgrade(writer, self.tls)
                secure = True
                continue
            if code in (protocol.SSL_REQUEST, protocol.GSSENC_REQUEST):
                writer.write(b"N")  # no GSSAPI; no TLS configured (loopback only) or again
                await writer.drain()
                continue
            if code == protocol.CANCEL_REQUEST:
                pid, secret = struct.unpack("!ii", body[:8])
                await self._cancel(pid, secret)
                return None
            if code != protocol.PROTOCOL_3:
                raise ProtocolViolation(
                    f"unsupported frontend protocol {code >> 16}.{code & 0xFFFF}"
                )
            params = protocol.parse_startup_parameters(body)
            if self.config.tls_required and not secure:
                await self._fatal(
                    writer,
                    sqlstate.INVALID_AUTHORIZATION,
                    "this sqlgate gateway accepts TLS connections only; connect with "
                    "sslmode=require (or verify-full with the server's CA)",
                )
                return None
            user = params.get("user", "")
            if not user:
                await self._fatal(writer, sqlstate.INVALID_AUTHORIZATION, "no user name given")
                return None
            return user, params.get("database") or user, params
        raise ProtocolViolation("too many startup negotiation requests")

    async def _cancel(self, pid: int, secret: int) -> None:
        entry = self.clients.get(pid)
        if entry is None or not secrets.compare_digest(
            entry[0].to_bytes(4, "big"), (secret & 0xFFFFFFFF).to_bytes(4, "big")
        ):
            return  # like PostgreSQL: no answer either way
        await asyncio.get_running_loop().run_in_executor(None, entry[1].cancel)

    async def _login(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, user: str
    ) -> bool:
        exchange = self.auth.exchange(user)
        writer.write(protocol.auth_request(10, protocol.cstr(MECHANISM) + b"\0"))
        await writer.drain()
        kind, body = await protocol.read_message(reader)
        if kind != b"p":
            raise ProtocolViolation("expected a SASLInitialResponse")
        r = Reader(body)
        if r.cstring() != MECHANISM:
            await self._fatal(writer, sqlstate.INVALID_AUTHORIZATION, "unsupported SASL mechanism")
            return False
        first = r.value() or b""
        try:
            server_first = exchange.first(first.decode("utf-8"))
            writer.write(protocol.auth_request(11, server_first.encode()))
            await writer.drain()
            kind, body = await protocol.read_message(reader)
            if kind != b"p":
                raise ProtocolViolation("expected a SASLResponse")
            final = exchange.final(body.decode("utf-8"))
        except (errors.OperationalError, UnicodeDecodeError, ValueError):
            log.info("gateway login failed for user %s", user)
            await self._fatal(
                writer,
                sqlstate.INVALID_PASSWORD,
                f'password authentication failed for user "{user}"',
            )
            return False
        writer.write(protocol.auth_request(12, final.encode()))
        writer.write(protocol.auth_request(0))
        return True

    async def _open(
        self, writer: asyncio.StreamWriter, user: str, database: str, params: dict[str, str]
    ) -> Client | None:
        url = self.config.databases.get(database)
        allowed = self.config.users[user].databases
        if url is None or (allowed and database not in allowed):
            await self._fatal(
                writer, sqlstate.UNKNOWN_DATABASE, f'database "{database}" does not exist'
            )
            return None
        loop = asyncio.get_running_loop()
        try:
            conn = await loop.run_in_executor(None, connect, url)
        except errors.Error as exc:
            await self._fatal(writer, sqlstate.sqlstate_of(exc), f"cannot open {database}: {exc}")
            return None
        settings = initial_settings(params)
        return Client(conn, self.catalogs[database], user, database, settings, writer, self.limits)

    async def _loop(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, client: Client
    ) -> None:
        idle = self.config.idle_timeout or None
        while True:
            try:
                kind, body = await asyncio.wait_for(protocol.read_message(reader), idle)
            except asyncio.TimeoutError:
                await self._fatal(
                    writer, sqlstate.IDLE_TIMEOUT, "terminating connection due to idle timeout"
                )
                return
            if kind == b"X":
                return
            if kind == b"Q":
                await client.simple_query(body)
            elif kind in b"PBDECSH" and len(kind) == 1:
                await client.extended(kind, body)
            else:
                raise ProtocolViolation(f"unexpected message type {kind!r}")

    @staticmethod
    async def _fatal(writer: asyncio.StreamWriter, code: str, text: str) -> None:
        writer.write(protocol.error_response(code, text, severity="FATAL"))
        await writer.drain()


def serve(config: GatewayConfig) -> None:
    """Run the gateway in the foreground until interrupted."""
    gateway = Gateway(config)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(gateway.serve())
    stuck = [t.name for t in threading.enumerate() if t.name.startswith("sqlgate-gw")]
    if stuck:  # a driver call that ignored its cancel: do not wait for it forever
        log.warning("%d source calls still running at shutdown; exiting anyway", len(stuck))
        logging.shutdown()
        os._exit(0)
