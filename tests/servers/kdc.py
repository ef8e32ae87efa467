"""A throwaway MIT KDC realm (k5test) that listens on 127.0.0.1 only.

Shared by the kerberos credential tests and the Kerberized HDFS (:mod:`tests.servers.hdfs_kdc`):
each adds its own principals and keytabs to the realm this yields.
"""

from __future__ import annotations

import os
import random
import shutil
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from .base import server_unavailable

_KINDS = (socket.SOCK_STREAM, socket.SOCK_DGRAM)


def free_port_base(width: int = 10, attempts: int = 200) -> int:
    """A base port whose next ``width`` ports are free on 127.0.0.1 over TCP and UDP: the
    realm listens on several ports from its base (KDC, kadmind, kpasswd), and a base that is
    free alone may collide with a server another test started beside it."""
    rng = random.Random()
    for _ in range(attempts):
        base = rng.randrange(20_000, 60_000 - width)
        if all(_free(base + i, kind) for i in range(width) for kind in _KINDS):
            return base
    raise RuntimeError(f"no {width} consecutive free ports on 127.0.0.1 in {attempts} tries")


def _free(port: int, kind: int) -> bool:
    with socket.socket(socket.AF_INET, kind) as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


@contextmanager
def loopback_realm(
    realm_name: str,
    tools: tuple[str, ...] = ("krb5kdc", "kdb5_util", "kadmin.local"),
    domain_realm: dict[str, str] | None = None,
) -> Iterator[Any]:
    """A started ``k5test.K5Realm`` on 127.0.0.1 (TCP preferred, no DNS); stopped and removed
    afterwards. A missing k5test or KDC tool skips locally and fails in CI."""
    try:
        import k5test
    except ImportError:
        server_unavailable("kerberos KDC", "k5test is not installed (pip install k5test)")
    for tool in tools:
        if not shutil.which(tool, path=os.environ.get("PATH", "") + ":/usr/sbin"):
            server_unavailable(
                "kerberos KDC",
                f"{tool} not found (apt-get install krb5-kdc krb5-admin-server krb5-user)",
            )
    loopback = {"kdc": "127.0.0.1:$port0", "admin_server": "127.0.0.1:$port1"}
    krb5_conf: dict[str, Any] = {
        "libdefaults": {
            "rdns": "false",
            "dns_canonicalize_hostname": "false",
            "dns_lookup_realm": "false",
            "udp_preference_limit": "1",  # TCP: the JVM and libkrb5 alike
        },
        "realms": {"$realm": {**loopback, "kpasswd_server": "127.0.0.1:$port2"}},
    }
    if domain_realm:
        krb5_conf["domain_realm"] = domain_realm
    realm = k5test.K5Realm(
        realm=realm_name,
        portbase=free_port_base(),
        create_user=False,
        create_host=False,
        get_creds=False,
        krb5_conf=krb5_conf,
        kdc_conf={
            "realms": {
                "$realm": {
                    "kdc_listen": "127.0.0.1:$port0",
                    "kdc_tcp_listen": "127.0.0.1:$port0",
                    "max_life": "10h",
                }
            }
        },
    )
    try:
        yield realm
    finally:
        realm.stop()
        shutil.rmtree(realm.tmpdir, ignore_errors=True)
