"""TLS: the gateway's SSLRequest upgrade with a server certificate from files, against psql
(``sslmode=require``), psycopg (``sslmode=verify-full`` with a test CA) and pgjdbc; a client
that does not ask for TLS is refused when TLS is required; non-loopback addresses without
TLS are refused at configuration time (the tests never bind anything but 127.0.0.1).
"""

from __future__ import annotations

import datetime
import ipaddress
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from sqlgate.core import errors
from sqlgate.gateway.config import parse_config
from tests.integration.gateway.conftest import HERE, PASSWORD, PGJDBC, start_gateway
from tests.servers.base import HOST, ServerProcess, free_port, server_unavailable


def _write_test_pki(root: Path) -> tuple[Path, Path, Path]:
    """A throwaway CA and a server certificate for 127.0.0.1/localhost signed by it."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.timezone.utc)

    def cert(
        subject: str,
        key: ec.EllipticCurvePrivateKey,
        issuer: x509.Name,
        signer: ec.EllipticCurvePrivateKey,
        ca: bool,
    ) -> x509.Certificate:
        builder = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
            .issuer_name(issuer)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        )
        if not ca:
            builder = builder.add_extension(
                x509.SubjectAlternativeName(
                    [x509.IPAddress(ipaddress.ip_address(HOST)), x509.DNSName("localhost")]
                ),
                critical=False,
            )
        return builder.sign(signer, hashes.SHA256())

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sqlgate test CA")])
    ca_cert = cert("sqlgate test CA", ca_key, ca_name, ca_key, ca=True)
    key = ec.generate_private_key(ec.SECP256R1())
    server_cert = cert(HOST, key, ca_name, ca_key, ca=False)
    pem = serialization.Encoding.PEM
    paths = root / "ca.pem", root / "server.pem", root / "server.key"
    paths[0].write_bytes(ca_cert.public_bytes(pem))
    paths[1].write_bytes(server_cert.public_bytes(pem))
    paths[2].write_bytes(
        key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    paths[2].chmod(0o600)
    return paths


class TlsGateway:
    def __init__(self, port: int, ca: Path, cert: Path, key: Path) -> None:
        self.port, self.ca, self.cert, self.key = port, ca, cert, key

    def conninfo(self, **options: str) -> str:
        extra = " ".join(f"{k}={v}" for k, v in options.items())
        return f"host={HOST} port={self.port} dbname=lake user=alice password={PASSWORD} {extra}"


@pytest.fixture(scope="module")
def tls_gateway(gateway_lake: Path) -> Iterator[TlsGateway]:
    """A gateway on 127.0.0.1 with ``[tls] require = true`` and a test CA's certificate."""
    port = free_port()
    with ServerProcess("gateway-tls") as proc:
        ca, cert, key = _write_test_pki(proc.workdir)
        start_gateway(
            proc,
            port,
            f"""
[server]
host = "127.0.0.1"
port = {port}

[tls]
cert_file = "{cert}"
key_file = "{key}"
require = true

[databases.lake]
url = "file://{gateway_lake}"

[users.alice]
password = "env:GW_TEST_ALICE"
""",
        )
        yield TlsGateway(port, ca, cert, key)


def test_psycopg_verify_full_with_the_test_ca(tls_gateway: TlsGateway) -> None:
    info = tls_gateway.conninfo(sslmode="verify-full", sslrootcert=str(tls_gateway.ca))
    with psycopg.connect(info, autocommit=True) as conn:
        assert conn.pgconn.ssl_in_use
        assert conn.execute("SELECT count(*) FROM items").fetchone() == (4,)


def test_psycopg_verify_full_rejects_a_certificate_of_another_ca(
    tls_gateway: TlsGateway, tmp_path: Path
) -> None:
    other_ca, _, _ = _write_test_pki(tmp_path)
    info = tls_gateway.conninfo(sslmode="verify-full", sslrootcert=str(other_ca))
    with pytest.raises(psycopg.OperationalError, match="SSL error"):
        psycopg.connect(info)


def test_client_without_tls_is_refused(tls_gateway: TlsGateway) -> None:
    with pytest.raises(psycopg.OperationalError, match="accepts TLS connections only"):
        psycopg.connect(tls_gateway.conninfo(sslmode="disable"))
    # the gateway keeps serving TLS clients
    with psycopg.connect(tls_gateway.conninfo(sslmode="require"), autocommit=True) as conn:
        assert conn.pgconn.ssl_in_use


def test_psql_sslmode_require(tls_gateway: TlsGateway) -> None:
    psql = shutil.which("psql")
    if psql is None:
        pytest.skip("psql (Debian postgresql-client) missing")
    result = subprocess.run(
        [psql, "-X", "-v", "ON_ERROR_STOP=1", "-c", r"\conninfo", "-c",
         "SELECT count(*) AS n FROM items", tls_gateway.conninfo(sslmode="require")],
        capture_output=True, text=True, timeout=30, check=False,
        env={**os.environ, "PGCONNECT_TIMEOUT": "10"},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "SSL connection (protocol: TLSv1." in result.stdout
    assert result.stdout.split("\n n \n")[1].split("\n")[1].strip() == "4"


def test_pgjdbc_ssl(tls_gateway: TlsGateway, tmp_path: Path) -> None:
    javac, java = shutil.which("javac"), shutil.which("java")
    if javac is None or java is None or not PGJDBC.is_file():
        server_unavailable("pgjdbc", "needs javac and libpostgresql-jdbc-java")
    subprocess.run(
        [javac, "-d", str(tmp_path), str(HERE / "java" / "TlsClient.java")],
        check=True,
        timeout=120,
    )
    base = f"jdbc:postgresql://{HOST}:{tls_gateway.port}/lake"

    def run(options: str) -> str:
        result = subprocess.run(
            [java, "-cp", f"{tmp_path}{os.pathsep}{PGJDBC}", "TlsClient", f"{base}?{options}",
             "alice", PASSWORD],
            capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()

    assert run("ssl=true&sslfactory=org.postgresql.ssl.NonValidatingFactory") == "count|4"
    assert run(f"sslmode=verify-full&sslrootcert={tls_gateway.ca}") == "count|4"
    refused = run("sslmode=disable")
    assert refused.startswith("error|28000") and "TLS connections only" in refused


def _config(server: dict[str, object], tls: dict[str, object] | None = None) -> dict[str, object]:
    data: dict[str, object] = {
        "server": server,
        "databases": {"lake": {"url": "file:///tmp"}},
        "users": {"alice": {"password": "env:X"}},
    }
    if tls is not None:
        data["tls"] = tls
    return data


def test_config_demands_tls_beyond_loopback(tmp_path: Path) -> None:
    """Validated, never bound: the tests listen on 127.0.0.1 only."""
    for host in ("0.0.0.0", "192.0.2.10", "::"):
        with pytest.raises(errors.InterfaceError, match="need TLS"):
            parse_config(_config({"host": host})).check_listen_address()
    with pytest.raises(errors.InterfaceError, match="need TLS"):
        parse_config(_config({}, {"require": True})).check_listen_address()
    with pytest.raises(errors.InterfaceError, match="TLS file not found"):
        cfg = parse_config(
            _config({"host": "0.0.0.0"}, {"cert_file": "/nope", "key_file": "/nope"})
        )
        cfg.check_listen_address()
    _, cert, key = _write_test_pki(tmp_path)
    cfg = parse_config(_config({"host": "0.0.0.0"}, {"cert_file": str(cert), "key_file": str(key)}))
    cfg.check_listen_address()  # accepted: TLS files present
    assert cfg.tls_required and (cfg.tls_cert, cfg.tls_key) == (str(cert), str(key))
    loopback = parse_config(_config({"host": "127.0.0.1"}))
    loopback.check_listen_address()
    assert not loopback.tls_required
    with pytest.raises(errors.InterfaceError, match=r"unknown \[tls\] keys"):
        parse_config(_config({}, {"cert": "x"}))
