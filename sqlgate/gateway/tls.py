"""TLS for the gateway: the server context from PEM files and PostgreSQL's SSLRequest upgrade.

PostgreSQL negotiates TLS inside its own protocol: the client sends an 8-byte SSLRequest, the
server answers one byte (``S`` yes, ``N`` no) and, after ``S``, the TLS handshake runs on the
same socket before the real StartupMessage. asyncio's ``StreamWriter.start_tls`` upgrades the
connection in place, so the reader and writer go on unchanged.

The key file is held to PostgreSQL's rule (``be-secure-common.c``): no access for others, and
group read only when root owns it. An encrypted key is refused at once: OpenSSL would otherwise
ask for its passphrase on the terminal, or fail with ``Invalid argument`` without one.
"""

from __future__ import annotations

import asyncio
import os
import ssl
import stat
import sys

from sqlgate.core import errors


class _EncryptedKey(Exception):
    """Raised from the passphrase callback: the key is encrypted."""


def _no_passphrase() -> bytes:
    raise _EncryptedKey


def check_key_file(key_file: str) -> None:
    """Refuse a private key others may read (or change): the gateway's identity leaks."""
    if os.name != "posix":  # pragma: no cover - Windows ACLs are not mode bits
        return
    try:
        info = os.stat(key_file)
    except OSError as exc:
        raise errors.InterfaceError(f"cannot read the gateway's TLS key {key_file}: {exc}") from exc
    mode = stat.S_IMODE(info.st_mode)
    allowed = 0o640 if info.st_uid == 0 else 0o600
    if mode & ~allowed:
        raise errors.InterfaceError(
            f"the gateway's TLS key {key_file} has mode {mode:o}: other users could read or "
            f"change it; run chmod 600 {key_file} (0640 is accepted only when root owns it)"
        )


def server_context(cert_file: str, key_file: str) -> ssl.SSLContext:
    """A TLS 1.2+ server context holding the certificate chain and its key."""
    if sys.version_info < (3, 11):  # pragma: no cover - StreamWriter.start_tls is 3.11+
        raise errors.NotSupportedError(
            "TLS in sqlgate serve needs Python 3.11 or newer; listen on 127.0.0.1 without TLS"
        )
    check_key_file(key_file)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    try:
        context.load_cert_chain(cert_file, key_file, password=_no_passphrase)
    except _EncryptedKey:
        raise errors.InterfaceError(
            f"the gateway's TLS key {key_file} is encrypted (has a passphrase): store it "
            f"unencrypted with mode 600 (openssl pkey -in {key_file} -out <new key file>)"
        ) from None
    except ssl.SSLError as exc:
        fix = (
            "the key does not belong to the certificate: give the certificate's own key"
            if "KEY_VALUES_MISMATCH" in str(exc)
            else "both must be PEM files (certificate chain, then an unencrypted key)"
        )
        raise errors.InterfaceError(
            f"cannot load the gateway's TLS certificate {cert_file} / key {key_file}: "
            f"{exc.reason or exc}; {fix}"
        ) from exc
    except OSError as exc:
        raise errors.InterfaceError(
            f"cannot load the gateway's TLS certificate {cert_file} / key {key_file}: {exc}; "
            "both must be readable PEM files"
        ) from exc
    return context


async def upgrade(writer: asyncio.StreamWriter, context: ssl.SSLContext) -> None:
    """Answer an SSLRequest with ``S`` and run the server side of the TLS handshake."""
    writer.write(b"S")
    await writer.drain()
    await writer.start_tls(context)  # type: ignore[attr-defined, unused-ignore]
