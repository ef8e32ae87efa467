"""The SeaweedFS test harness itself (tests/servers/seaweedfs.py): loopback only, robust start."""

from __future__ import annotations

import contextlib
import os
import socket
from pathlib import Path

import pytest

from tests.servers.seaweedfs import s3_client


def _listening(pid: int) -> list[str]:
    """The local addresses (hex, as /proc/net/tcp writes them) ``pid`` listens on."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        with contextlib.suppress(OSError):
            target = os.readlink(fd)
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    out = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A" and fields[9] in inodes:  # 0A: LISTEN
                out.append(fields[1])
    return out


def test_server_listens_on_loopback_only(seaweedfs_server):
    pid = seaweedfs_server.extra.get("pid")
    if not pid:
        pytest.skip("an override URL's server is not ours to inspect")
    addresses = _listening(pid)
    assert len(addresses) >= 10, addresses  # master, volume, filer, S3, Iceberg, ... and gRPC
    # 0100007F:PORT is 127.0.0.1 in /proc's little-endian hex; nothing on 0.0.0.0 or ::
    assert all(a.startswith("0100007F:") for a in addresses), addresses


def test_a_port_taken_before_start_is_retried_on_fresh_ports(monkeypatch):
    """Other suites start servers concurrently: a port taken between our pick and weed's bind
    makes weed exit; the harness starts it once more on fresh ports instead of failing."""
    from tests.servers import seaweedfs

    picks: list[list[int]] = []
    real = seaweedfs._distinct_ports
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen(1)

        def first_pick_collides(count: int) -> list[int]:
            ports = real(count)
            if not picks:
                ports[seaweedfs._PORT_FLAGS.index("s3.port")] = held.getsockname()[1]
            picks.append(ports)
            return ports

        monkeypatch.setattr(seaweedfs, "_distinct_ports", first_pick_collides)
        server = seaweedfs.SeaweedServer()
        try:
            info = server.start()
            s3_port = seaweedfs._PORT_FLAGS.index("s3.port")
            assert len(picks) == 2 and info.port == picks[1][s3_port] != held.getsockname()[1]
            assert s3_client(info).list_buckets()["Buckets"] == []
        finally:
            server.stop()
