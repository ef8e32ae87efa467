"""TLS for the gateway: the server context from PEM files and PostgreSQL's SSLRequest upgrade.

PostgreSQL negotiates TLS inside its own protocol: the client sends an 8-byte SSLRequest, the
server answers one byte (``S`` yes, ``N`` no) and, after ``S``, the TLS handshake runs on the
same socket before the real StartupMessage. asyncio's ``StreamWriter.start_tls`` upgrades the
connection in place, so the reader and writer go on unchanged.
"""

from __future__ import annotations

import asyncio
import ssl
import sys

from sqlgate.core import errors


def server_context(cert_file: str, key_file: str) -> ssl.SSLContext:
    """A TLS 1.2+ server context holding the certificate chain and its key."""
    if sys.version_info < (3, 11):  # pragma: no cover - StreamWriter.start_tls is 3.11+
        raise errors.NotSupportedError(
            "TLS in sqlgate serve needs Python 3.11 or newer; listen on 127.0.0.1 without TLS"
        )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    try:
        context.load_cert_chain(cert_file, key_file)
    except (OSError, ssl.SSLError) as exc:
        raise errors.InterfaceError(
            f"cannot load the gateway's TLS certificate {cert_file} / key {key_file}: {exc}; "
            "both must be PEM files, the key unencrypted"
        ) from exc
    return context


async def upgrade(writer: asyncio.StreamWriter, context: ssl.SSLContext) -> None:
    """Answer an SSLRequest with ``S`` and run the server side of the TLS handshake."""
    writer.write(b"S")
    await writer.drain()
    await writer.start_tls(context)  # type: ignore[attr-defined, unused-ignore]
