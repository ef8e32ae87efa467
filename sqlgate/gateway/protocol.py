"""PostgreSQL frontend/backend protocol 3.0: reading client messages, building server ones.

Only the message framing lives here (no state): the connection loop in ``server.py`` decides
what to send. Every length read from the wire is checked against a limit before anything is
allocated, so a malformed or hostile message costs bounded memory.
"""

from __future__ import annotations

import asyncio
import struct
from collections.abc import Sequence

PROTOCOL_3 = 196608
SSL_REQUEST = 80877103
GSSENC_REQUEST = 80877104
CANCEL_REQUEST = 80877102
#: a startup packet is small (user, database, a few options)
MAX_STARTUP_BYTES = 10_000
#: a query or a Bind with its parameters; bigger messages are refused, not buffered
MAX_MESSAGE_BYTES = 64 * 1024 * 1024

_I16 = struct.Struct("!h")
_I32 = struct.Struct("!i")


class ProtocolViolation(Exception):
    """The client sent bytes that are not a valid message; the connection is closed."""


class Reader:
    """Cursor over one message body; every read is bounds-checked."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def _take(self, size: int) -> bytes:
        if size < 0 or self.pos + size > len(self.data):
            raise ProtocolViolation("message shorter than its contents say")
        chunk = self.data[self.pos : self.pos + size]
        self.pos += size
        return chunk

    def int16(self) -> int:
        return int(_I16.unpack(self._take(2))[0])

    def int32(self) -> int:
        return int(_I32.unpack(self._take(4))[0])

    def cstring(self) -> str:
        end = self.data.find(b"\0", self.pos)
        if end < 0:
            raise ProtocolViolation("unterminated string in message")
        text = self.data[self.pos : end]
        self.pos = end + 1
        try:
            return text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ProtocolViolation("string in message is not UTF-8") from exc

    def value(self) -> bytes | None:
        """A length-prefixed value (-1 means NULL), as in Bind."""
        size = self.int32()
        return None if size == -1 else self._take(size)

    def byte(self) -> bytes:
        return self._take(1)


async def read_startup(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    """The untyped first message: (protocol code, body)."""
    (length,) = _I32.unpack(await reader.readexactly(4))
    if length < 8 or length > MAX_STARTUP_BYTES:
        raise ProtocolViolation(f"invalid startup packet length {length}")
    body = await reader.readexactly(length - 4)
    return int(_I32.unpack(body[:4])[0]), body[4:]


def parse_startup_parameters(body: bytes) -> dict[str, str]:
    """The name/value pairs of a StartupMessage."""
    reader = Reader(body)
    params: dict[str, str] = {}
    while reader.pos < len(body):
        name = reader.cstring()
        if not name:
            break
        params[name] = reader.cstring()
    return params


async def read_message(reader: asyncio.StreamReader) -> tuple[bytes, bytes]:
    """One typed message: (type byte, body)."""
    header = await reader.readexactly(5)
    kind = header[:1]
    (length,) = _I32.unpack(header[1:])
    if length < 4 or length > MAX_MESSAGE_BYTES:
        raise ProtocolViolation(f"invalid length {length} for message {kind!r}")
    return kind, await reader.readexactly(length - 4)


def message(kind: bytes, body: bytes = b"") -> bytes:
    """Frame a server message."""
    return kind + _I32.pack(len(body) + 4) + body


def cstr(text: str) -> bytes:
    return text.encode("utf-8").replace(b"\0", b"") + b"\0"


def auth_request(code: int, data: bytes = b"") -> bytes:
    return message(b"R", _I32.pack(code) + data)


def parameter_status(name: str, value: str) -> bytes:
    return message(b"S", cstr(name) + cstr(value))


def backend_key_data(pid: int, secret: int) -> bytes:
    return message(b"K", struct.pack("!ii", pid, secret))


def ready_for_query(status: bytes = b"I") -> bytes:
    return message(b"Z", status)


def command_complete(tag: str) -> bytes:
    return message(b"C", cstr(tag))


def row_description(fields: Sequence[tuple[str, int, int, int, int]]) -> bytes:
    """``fields``: (name, type OID, type size, type modifier, format code) per column."""
    parts = [_I16.pack(len(fields))]
    for name, oid, size, typmod, fmt in fields:
        parts.append(cstr(name) + struct.pack("!ihihih", 0, 0, oid, size, typmod, fmt))
    return message(b"T", b"".join(parts))


def parameter_description(oids: Sequence[int]) -> bytes:
    return message(b"t", _I16.pack(len(oids)) + b"".join(_I32.pack(o) for o in oids))


def data_row(values: Sequence[bytes | None]) -> bytes:
    parts = [_I16.pack(len(values))]
    for value in values:
        if value is None:
            parts.append(b"\xff\xff\xff\xff")
        else:
            parts.append(_I32.pack(len(value)))
            parts.append(value)
    body = b"".join(parts)
    return b"D" + _I32.pack(len(body) + 4) + body


def error_response(sqlstate: str, text: str, *, severity: str = "ERROR", hint: str = "") -> bytes:
    fields = [b"S" + cstr(severity), b"V" + cstr(severity), b"C" + cstr(sqlstate)]
    fields.append(b"M" + cstr(text))
    if hint:
        fields.append(b"H" + cstr(hint))
    return message(b"E", b"".join(fields) + b"\0")


def notice_response(text: str) -> bytes:
    return message(b"N", b"S" + cstr("NOTICE") + b"C" + cstr("00000") + b"M" + cstr(text) + b"\0")


PARSE_COMPLETE = message(b"1")
BIND_COMPLETE = message(b"2")
CLOSE_COMPLETE = message(b"3")
NO_DATA = message(b"n")
EMPTY_QUERY = message(b"I")
PORTAL_SUSPENDED = message(b"s")
