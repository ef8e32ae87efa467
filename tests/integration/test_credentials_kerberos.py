"""The kerberos provider against a real throwaway MIT KDC (k5test) on 127.0.0.1.

Needs Debian's krb5-kdc, krb5-admin-server, krb5-user and libkrb5-dev, plus the Python
packages k5test and gssapi.
"""

from __future__ import annotations

import os
import stat
import subprocess
import time
from datetime import datetime, timedelta, timezone

import pytest

from sqlgate.core.credentials import provider_from_url
from sqlgate.core.credentials._ccache import read_ccache
from sqlgate.core.credentials.kerberos import KerberosProvider
from sqlgate.core.errors import CredentialError
from tests.servers.kdc import loopback_realm

REALM = "KRBTEST.COM"
PRINCIPAL = f"svc-reader@{REALM}"
TICKET_LIFE = timedelta(minutes=10)


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (required in CI)")
    pytest.skip(reason)


def _need_gssapi() -> None:
    try:
        import gssapi  # noqa: F401
    except ImportError:
        _unavailable("gssapi is not installed (pip install 'sqlgate[kerberos]')")


@pytest.fixture(scope="module")
def kdc():
    """A realm whose KDC listens on 127.0.0.1 only, plus a keytab for PRINCIPAL."""
    with loopback_realm(REALM, tools=("krb5kdc", "kdb5_util", "kadmin.local", "kinit")) as realm:
        realm.addprinc(PRINCIPAL)  # random key: only the keytab can authenticate
        realm.run_kadminl(
            f'modprinc -maxlife "{int(TICKET_LIFE.total_seconds())} seconds" {PRINCIPAL}'
        )
        keytab = os.path.join(realm.tmpdir, "svc-reader.keytab")
        realm.extract_keytab(PRINCIPAL, keytab)
        yield realm, keytab


@pytest.fixture()
def krb_env(kdc, monkeypatch, tmp_path):
    realm, keytab = kdc
    monkeypatch.setenv("KRB5_CONFIG", realm.env["KRB5_CONFIG"])
    # Point the ambient cache somewhere empty: the provider must never touch it.
    monkeypatch.setenv("KRB5CCNAME", f"FILE:{tmp_path}/ambient-ccache")
    monkeypatch.delenv("KRB5_CLIENT_KTNAME", raising=False)
    return realm, keytab


@pytest.mark.parametrize("method", ["gssapi", "kinit"])
def test_tgt_from_keytab_into_private_ccache(krb_env, method, tmp_path):
    _, keytab = krb_env
    if method == "gssapi":
        _need_gssapi()
    before = datetime.now(timezone.utc)
    provider = provider_from_url(
        "kerberos", {"keytab": keytab, "principal": PRINCIPAL, "method": method}
    )
    cred = provider.get()
    assert cred.username == PRINCIPAL and cred.secret is None
    ccache = cred.extras["ccache"]
    assert ccache.startswith("FILE:") and cred.extras["principal"] == PRINCIPAL
    path = ccache[len("FILE:") :]
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(os.path.dirname(path)).st_mode) == 0o700
    assert not os.path.exists(f"{tmp_path}/ambient-ccache")
    # the expiry is the ticket's: the principal's 10-minute max life
    lifetime = cred.expires_at - before
    assert TICKET_LIFE - timedelta(seconds=30) < lifetime <= TICKET_LIFE + timedelta(seconds=5)
    assert provider.expires_at == cred.expires_at
    info = read_ccache(path)
    assert info.principal == PRINCIPAL
    assert f"krbtgt/{REALM}@{REALM}" in {e.server for e in info.entries}
    klist = subprocess.run(
        ["klist", "-c", ccache], capture_output=True, text=True, env={**os.environ, "LC_ALL": "C"}
    )
    assert klist.returncode == 0 and f"krbtgt/{REALM}@{REALM}" in klist.stdout


def test_refresh_before_expiry_renews_the_ticket(krb_env):
    _, keytab = krb_env
    offset = timedelta(0)

    def clock() -> datetime:
        return datetime.now(timezone.utc) + offset

    provider = KerberosProvider(PRINCIPAL, keytab=keytab, clock=clock)
    first = provider.get()
    path = first.extras["ccache"][len("FILE:") :]
    inode = os.stat(path).st_ino
    offset = timedelta(minutes=4)  # about 6 minutes left: the cached ticket is kept
    assert provider.get() is first
    offset = timedelta(minutes=6)  # about 4 minutes left: within the 5-minute margin
    second = provider.get()
    assert second is not first and second.expires_at >= first.expires_at
    assert os.stat(path).st_ino != inode  # a new cache was renamed into place
    assert second.extras["ccache"] == first.extras["ccache"]


def test_existing_cache_reports_expiry(krb_env):
    _, keytab = krb_env
    owner = KerberosProvider(PRINCIPAL, keytab=keytab, method="kinit")
    cred = owner.get()
    ambient = provider_from_url("kerberos", {"ccache": cred.extras["ccache"]}).get()
    assert ambient.username == PRINCIPAL and ambient.expires_at == cred.expires_at
    path = cred.extras["ccache"][len("FILE:") :]
    del owner  # the private cache lives only as long as its provider
    assert not os.path.exists(path)


def test_wrong_principal_is_a_clear_error(krb_env):
    _, keytab = krb_env
    for method in ("kinit", "gssapi"):
        if method == "gssapi":
            _need_gssapi()
        provider = KerberosProvider(f"nobody@{REALM}", keytab=keytab, method=method)
        with pytest.raises(CredentialError, match=r"kerberos credential provider.*fix:"):
            provider.get()


def test_non_file_cache_is_inquired_through_gssapi(krb_env, tmp_path):
    _need_gssapi()
    _, keytab = krb_env
    collection = tmp_path / "collection"
    collection.mkdir(mode=0o700)
    ccache = f"DIR:{collection}"
    subprocess.run(["kinit", "-k", "-t", keytab, "-c", ccache, PRINCIPAL], check=True)
    before = datetime.now(timezone.utc)
    cred = provider_from_url("kerberos", {"ccache": ccache}).get()
    assert cred.username == PRINCIPAL and cred.extras["ccache"] == ccache
    assert before < cred.expires_at <= before + TICKET_LIFE + timedelta(seconds=5)
    empty = tmp_path / "empty"
    empty.mkdir(mode=0o700)
    with pytest.raises(CredentialError, match=r"no valid ticket.*kinit"):
        provider_from_url("kerberos", {"ccache": f"DIR:{empty}"}).get()


def test_renewable_ticket_in_an_existing_cache_is_renewed(krb_env, tmp_path):
    """No keytab, a renewable ticket near its end (as after ``kinit -r``): the provider
    renews it in place (``kinit -R``), so its end time moves forward; a ticket that is not
    renewable is reported unchanged."""
    realm, keytab = krb_env
    for principal in (PRINCIPAL, f"krbtgt/{REALM}@{REALM}"):
        realm.run_kadminl(f'modprinc -maxrenewlife "3600 seconds" {principal}')
    renewable, plain = tmp_path / "renewable", tmp_path / "plain"
    for cache, extra in ((renewable, ["-r", "3600s"]), (plain, [])):
        subprocess.run(
            ["kinit", "-l", "60s", *extra, "-kt", keytab, "-c", str(cache), PRINCIPAL],
            check=True,
        )
    first_end = read_ccache(str(renewable)).tgt_endtime()
    plain_end = read_ccache(str(plain)).tgt_endtime()
    time.sleep(1.1)  # ticket times are whole seconds: let the renewal's start time move
    margin = timedelta(minutes=5)  # both tickets are within it
    renewed = KerberosProvider(ccache=str(renewable), refresh_margin=margin).get()
    assert first_end is not None and renewed.expires_at > first_end
    assert read_ccache(str(renewable)).tgt_endtime() == renewed.expires_at
    kept = KerberosProvider(ccache=str(plain), refresh_margin=margin).get()
    assert kept.expires_at == plain_end
