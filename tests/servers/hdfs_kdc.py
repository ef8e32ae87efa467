"""A throwaway MIT KDC (k5test) on 127.0.0.1 with HDFS's service principals and keytabs.

Kept apart from :mod:`tests.servers.hdfs` so the cluster module stays about the JVM; the realm
is reusable by any test that needs service keytabs (``realm.extract_keytab``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from .kdc import loopback_realm

REALM = "KRBTEST.COM"
#: NameNode/DataNode RPC principal and the SPNEGO principals for both names of the loopback host
SERVICE = f"hdfs/localhost@{REALM}"
HTTP_PRINCIPALS = (f"HTTP/localhost@{REALM}", f"HTTP/127.0.0.1@{REALM}")
#: the test client; its short name (auth_to_local) is ``reader``
CLIENT = f"reader@{REALM}"


@dataclass(frozen=True)
class Kdc:
    """Where the realm's files are: what the JVM and the Python client need."""

    realm: Any
    krb5_conf: str
    service_keytab: str
    client_keytab: str


@contextmanager
def running_kdc() -> Iterator[Kdc]:
    """Start the realm, add the principals, write the keytabs; stop and remove it afterwards."""
    domain_realm = {"localhost": "$realm", "127.0.0.1": "$realm"}
    with loopback_realm(REALM, domain_realm=domain_realm) as realm:
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
