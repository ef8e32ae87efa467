"""A minimal reader for MIT/Heimdal FILE credential caches (format versions 3 and 4).

The Kerberos provider needs the TGT's end time to know when to renew. ``kinit`` does not
print it in a stable format (``klist`` output is locale-dependent), and gssapi may not be
installed, so the expiry is read straight from the cache file. Only the fields needed to
walk the entries are decoded.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from datetime import datetime, timezone


@dataclass(frozen=True)
class CacheEntry:
    """One ticket in the cache: who, for which service, and its validity."""

    client: str
    server: str
    starttime: datetime
    endtime: datetime


@dataclass(frozen=True)
class CacheInfo:
    """The default principal and the real (non-configuration) tickets of a cache."""

    principal: str
    entries: list[CacheEntry]

    def tgt_endtime(self) -> datetime | None:
        """End time of the TGT for the default principal's realm, else of the first ticket."""
        realm = self.principal.rpartition("@")[2]
        for entry in self.entries:
            if entry.server == f"krbtgt/{realm}@{realm}":
                return entry.endtime
        return min((e.endtime for e in self.entries), default=None)


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data, self.pos = data, 0

    def take(self, n: int) -> bytes:
        if self.pos + n > len(self.data):
            raise ValueError("truncated credential cache")
        chunk = self.data[self.pos : self.pos + n]
        self.pos += n
        return chunk

    def u8(self) -> int:
        return self.take(1)[0]

    def u16(self) -> int:
        return struct.unpack(">H", self.take(2))[0]

    def u32(self) -> int:
        return struct.unpack(">I", self.take(4))[0]

    def counted(self) -> bytes:
        return self.take(self.u32())

    def principal(self) -> str:
        self.u32()  # name type
        count = self.u32()
        realm = self.counted().decode("utf-8", "replace")
        parts = [self.counted().decode("utf-8", "replace") for _ in range(count)]
        return "/".join(parts) + "@" + realm

    def at_end(self) -> bool:
        return self.pos >= len(self.data)


def _time(value: int) -> datetime:
    return datetime.fromtimestamp(value, timezone.utc)


def parse_ccache(data: bytes) -> CacheInfo:
    """Parse the bytes of a FILE ccache; raises ValueError on any other format."""
    r = _Reader(data)
    version = r.u16()
    if version not in (0x0503, 0x0504):
        raise ValueError(f"unsupported credential cache version {version:#06x}")
    if version == 0x0504:
        r.take(r.u16())  # header tags (KDC time offset)
    principal = r.principal()
    entries: list[CacheEntry] = []
    while not r.at_end():
        client, server = r.principal(), r.principal()
        r.u16()  # key enctype
        r.counted()  # key
        _authtime, start, end, _renew = (r.u32() for _ in range(4))
        r.u8()  # is_skey
        r.u32()  # ticket flags
        for _ in range(r.u32()):  # addresses
            r.u16()
            r.counted()
        for _ in range(r.u32()):  # authdata
            r.u16()
            r.counted()
        r.counted()  # ticket
        r.counted()  # second ticket
        if server.endswith("@X-CACHECONF:"):
            continue  # configuration entry, not a ticket
        entries.append(CacheEntry(client, server, _time(start or _authtime), _time(end)))
    return CacheInfo(principal, entries)


def read_ccache(path: str) -> CacheInfo:
    """Read and parse a FILE ccache (the ``FILE:`` prefix is optional)."""
    if path.startswith("FILE:"):
        path = path[len("FILE:") :]
    with open(path, "rb") as fh:
        return parse_ccache(fh.read())
