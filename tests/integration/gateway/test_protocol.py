"""The wire protocol itself, from a raw socket: portals with max_rows, bad input, disconnects."""

from __future__ import annotations

import signal
import socket
import struct
import subprocess
import threading
import time
from pathlib import Path

import psycopg
import pytest
from scramp import ScramClient

from sqlgate.gateway import protocol
from tests.integration.gateway.conftest import PASSWORD, GatewayInfo, start_gateway
from tests.servers.base import HOST, ServerProcess, free_port


class RawClient:
    """A minimal frontend: enough to log in and send hand-made messages."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection((HOST, port), timeout=20)

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def _exactly(self, size: int) -> bytes:
        data = b""
        while len(data) < size:
            chunk = self.sock.recv(size - len(data))
            if not chunk:
                raise ConnectionError("closed")
            data += chunk
        return data

    def recv(self) -> tuple[bytes, bytes]:
        head = self._exactly(5)
        (length,) = struct.unpack("!i", head[1:])
        return head[:1], self._exactly(length - 4)

    def until(self, kind: bytes) -> list[tuple[bytes, bytes]]:
        got = []
        for _ in range(100_000):
            msg = self.recv()
            got.append(msg)
            if msg[0] == kind:
                return got
        raise AssertionError(f"no {kind!r}")

    def login(self, user: str = "alice", database: str = "lake", password: str = PASSWORD) -> None:
        params = protocol.cstr("user") + protocol.cstr(user)
        params += protocol.cstr("database") + protocol.cstr(database) + b"\0"
        body = struct.pack("!i", protocol.PROTOCOL_3) + params
        self.send(struct.pack("!i", len(body) + 4) + body)
        kind, body = self.recv()
        assert kind == b"R" and struct.unpack("!i", body[:4])[0] == 10
        scram = ScramClient(["SCRAM-SHA-256"], user, password)
        first = scram.get_client_first().encode()
        mech = protocol.cstr("SCRAM-SHA-256") + struct.pack("!i", len(first)) + first
        self.send(protocol.message(b"p", mech))
        kind, body = self.recv()
        assert kind == b"R", body
        scram.set_server_first(body[4:].decode())
        self.send(protocol.message(b"p", scram.get_client_final().encode()))
        kind, body = self.recv()
        assert kind == b"R" and struct.unpack("!i", body[:4])[0] == 12
        scram.set_server_final(body[4:].decode())
        self.until(b"Z")

    def close(self) -> None:
        self.sock.close()


def _bind(portal: str, statement: str) -> bytes:
    body = protocol.cstr(portal) + protocol.cstr(statement) + struct.pack("!hhh", 0, 0, 0)
    return protocol.message(b"B", body)


def _execute(portal: str, max_rows: int) -> bytes:
    return protocol.message(b"E", protocol.cstr(portal) + struct.pack("!i", max_rows))


def test_named_portal_with_max_rows_suspends(gateway: GatewayInfo) -> None:
    client = RawClient(gateway.port)
    try:
        client.login()
        parse = protocol.cstr("s1") + protocol.cstr("SELECT n FROM big WHERE n < 7 ORDER BY n")
        client.send(protocol.message(b"P", parse + struct.pack("!h", 0)))
        client.send(_bind("p1", "s1"))
        client.send(_execute("p1", 3))
        client.send(protocol.message(b"S"))
        first = client.until(b"Z")
        kinds = [k for k, _ in first]
        assert kinds == [b"1", b"2", b"D", b"D", b"D", b"s", b"Z"]
        values = [int(body[6:]) for k, body in first if k == b"D"]
        assert values == [0, 1, 2]
        client.send(_execute("p1", 3))
        client.send(_execute("p1", 3))
        client.send(protocol.message(b"S"))
        rest = client.until(b"Z")
        assert [int(body[6:]) for k, body in rest if k == b"D"] == [3, 4, 5, 6]
        assert [k for k, _ in rest if k in (b"s", b"C")] == [b"s", b"C"]
    finally:
        client.close()


def test_malformed_message_closes_only_that_connection(gateway: GatewayInfo) -> None:
    client = RawClient(gateway.port)
    try:
        client.login()
        client.send(b"Q" + struct.pack("!i", 2))  # a length shorter than its own header
        kind, body = client.recv()
        assert kind == b"E" and b"08P01" in body
        with pytest.raises((ConnectionError, OSError)):
            client.recv()
    finally:
        client.close()
    bad = RawClient(gateway.port)
    try:
        bad.send(b"\x00\x00\x00\x08\x00\x01\x00\x00")  # protocol 1.0
        kind, body = bad.recv()
        assert kind == b"E" and b"08P01" in body
    finally:
        bad.close()
    with psycopg.connect(gateway.dsn("lake"), autocommit=True) as conn:
        assert conn.execute("SELECT count(*) FROM items").fetchone() == (4,)


def test_client_disconnecting_mid_result_is_cleaned_up(gateway: GatewayInfo) -> None:
    """More abandoned streams than max_queries_per_user (8): a leaked slot would show."""
    for _ in range(10):
        client = RawClient(gateway.port)
        client.login()
        client.send(protocol.message(b"Q", protocol.cstr("SELECT n, label FROM big")))
        kind, _ = client.recv()
        assert kind == b"T"
        client.close()
    with psycopg.connect(gateway.dsn("lake"), autocommit=True) as conn:
        assert conn.execute("SELECT count(*) FROM big").fetchone() == (100_000,)
    # a client leaving is routine: no traceback in the gateway's log
    assert "Traceback" not in gateway.process.log_path.read_text(errors="replace")


def test_wrong_password_unknown_user_and_database(gateway: GatewayInfo) -> None:
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(gateway.dsn("lake", password="wrong"))
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(gateway.dsn("lake", user="mallory"))
    with pytest.raises(psycopg.OperationalError, match='database "nope" does not exist'):
        psycopg.connect(gateway.dsn("nope"))
    # bob may open lake only
    with pytest.raises(psycopg.OperationalError, match='database "pg" does not exist'):
        psycopg.connect(gateway.dsn("pg", user="bob", password=PASSWORD + "-bob"))
    with psycopg.connect(gateway.dsn("lake", user="bob", password=PASSWORD + "-bob")) as conn:
        assert conn.execute("SELECT count(*) FROM items").fetchone() == (4,)


def test_sigterm_ends_statements_and_exits(gateway_lake: Path) -> None:
    """SIGTERM: running statements are cancelled, clients get FATAL 57P01, the process exits."""
    port = free_port()
    with ServerProcess("gateway-stop") as proc:
        start_gateway(
            proc,
            port,
            f'[server]\nport = {port}\n[databases.lake]\nurl = "file://{gateway_lake}"\n'
            '[users.alice]\npassword = "env:GW_TEST_ALICE"\n',
            env={"PYTHONFAULTHANDLER": "1"},
        )
        dsn = f"host={HOST} port={port} dbname=lake user=alice password={PASSWORD}"
        with psycopg.connect(dsn, autocommit=True) as conn:
            outcome: list[BaseException] = []

            def run() -> None:
                try:
                    conn.execute("SELECT count(*) FROM big a, big b, big c")
                except psycopg.Error as exc:
                    outcome.append(exc)

            worker = threading.Thread(target=run)
            worker.start()
            deadline = time.monotonic() + 30
            while "start gateway_user=alice" not in proc.log_path.read_text(errors="replace"):
                assert time.monotonic() < deadline
                time.sleep(0.05)
            assert proc.proc is not None
            started = time.monotonic()
            proc.proc.send_signal(signal.SIGTERM)
            try:
                code = proc.proc.wait(20)
            except subprocess.TimeoutExpired:  # show where it hangs (faulthandler on SIGABRT)
                proc.proc.send_signal(signal.SIGABRT)
                proc.proc.wait(10)
                pytest.fail("the gateway did not exit:\n" + proc.log_tail(200))
            assert code == 0
            assert time.monotonic() - started < 15
            worker.join(10)
        assert outcome and isinstance(outcome[0], psycopg.errors.AdminShutdown)
        assert "Traceback" not in proc.log_path.read_text(errors="replace")
