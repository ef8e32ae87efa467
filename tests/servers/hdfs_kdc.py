"""A throwaway MIT KDC (k5test) on 127.0.0.1 with HDFS's service principals and keytabs.

Kept apart from :mod:`tests.servers.hdfs` so the cluster module stays about the JVM; the realm
is reusable by any test that needs service keytabs (``realm.extract_keytab``).
"""

from __future__ import annotations

import os
import random
import shutil
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from .base import server_unavailable

REALM = "KRBTEST.COM"
#: NameNode/DataNode RPC principal and the SPNEGO principals for both names of the loopback host
SERVICE = f"hdfs/localhost@{REALM}"
HTTP_PRINCIPALS = (f"HTTP/localhost@{REALM}", f"HTTP/127.0.0.1@{REALM}")
#: the test client; its short name (auth_to_local) is ``reader``
CLIENT = f"reader@{REALM}"
_KINDS = (socket.SOCK_STREAM, socket.SOCK_DGRAM)


@dataclass(frozen=True)
class Kdc:
    """Where the realm's files are: what the JVM and the Python client need."""

    realm: Any
    krb5_conf: str
    service_keytab: str
    client_keytab: str


def _free_base(width: int = 10, attempts: int = 200) -> int:
    """A base port whose next ``width`` TCP and UDP ports are free (KDC, kadmind, kpasswd)."""
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
def running_kdc() -> Iterator[Kdc]:
    """Start the realm, add the principals, write the keytabs; stop and remove it afterwards."""
    try:
        import k5test
    except ImportError:
        server_unavailable("kerberos KDC", "k5test is not installed (pip install k5test)")
    for tool in ("krb5kdc", "kdb5_util", "kadmin.local"):
        if not shutil.which(tool, path=os.environ.get("PATH", "") + ":/usr/sbin"):
            server_unavailable("kerberos KDC", f"{tool} not found (apt-get install krb5-kdc)")
    loopback = {"kdc": "127.0.0.1:$port0", "admin_server": "127.0.0.1:$port1"}
    realm = k5test.K5Realm(
        realm=REALM,
        portbase=_free_base(),
        create_user=False,
        create_host=False,
        get_creds=False,
        krb5_conf={
            "libdefaults": {
                "rdns": "false",
                "dns_canonicalize_hostname": "false",
                "dns_lookup_realm": "false",
                "udp_preference_limit": "1",  # TCP: the JVM and libkrb5 alike
            },
            "realms": {"$realm": {**loopback, "kpasswd_server": "127.0.0.1:$port2"}},
            "domain_realm": {"localhost": "$realm", "127.0.0.1": "$realm"},
        },
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
        service_keytab = os.path.join(realm.tmpdir, "hdfs.keytab")
        for principal in (SERVICE, *HTTP_PRINCIPALS):
            realm.addprinc(principal)
        # one keytab for all service principals: Hadoop's "*" SPNEGO principal reads them all
        realm.run_kadminl(
            f"ktadd -k {service_keytab} -norandkey {SERVICE} {' '.join(HTTP_PRINCIPALS)}"
        )
        client_keytab = os.path.join(realm.tmpdir, "reader.keytab")
        realm.addprinc(CLIENT)
        realm.extract_keytab(CLIENT, client_keytab)
        yield Kdc(realm, realm.env["KRB5_CONFIG"], service_keytab, client_keytab)
    finally:
        realm.stop()
        shutil.rmtree(realm.tmpdir, ignore_errors=True)
