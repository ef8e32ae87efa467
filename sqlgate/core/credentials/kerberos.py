"""Kerberos: a TGT from a keytab in a private credential cache (``credential=kerberos``).

Services (Hive, Impala, Trino, SQL Server, Postgres GSSAPI) authenticate with a ticket, not a
password. With ``credential_keytab=`` and ``credential_principal=`` the provider gets a TGT
into a cache of its own (a 0700 temp directory), so it never clobbers the user's default
cache and two sources with different principals can coexist. It uses gssapi when installed,
else ``kinit -k -t``. The new ticket is written to a temporary cache and renamed into place,
so a driver reading the cache never sees a half-written file. Without a keytab the provider
reports the ambient cache (after the user's own ``kinit``) and its expiry.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import shutil
import subprocess
import tempfile
import weakref
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlgate.core.credentials._ccache import read_ccache
from sqlgate.core.credentials.base import (
    Clock,
    Credential,
    CredentialProvider,
    option,
    require,
    scrub,
)
from sqlgate.core.errors import CredentialError
from sqlgate.core.redact import redact

METHODS = ("auto", "gssapi", "kinit")
_FIX_KINIT = "run `kinit` first, or give credential_keytab= and credential_principal="
_counter = itertools.count()
#: seconds a ``kinit -R`` may take (one KDC round trip)
_KINIT_TIMEOUT = 30


def _file_path(ccache: str) -> str | None:
    """The filesystem path of a FILE: cache name (or a bare path), else None."""
    if ccache.startswith("FILE:"):
        return ccache[len("FILE:") :]
    return None if ":" in ccache.split("/", 1)[0] else ccache


class KerberosProvider(CredentialProvider):
    """A Kerberos TGT; the Credential's extras carry ``ccache`` and ``principal``."""

    scheme = "kerberos"
    options = frozenset({"keytab", "principal", "ccache", "method", "kinit", "user"})

    def __init__(
        self,
        principal: str | None = None,
        *,
        keytab: str | os.PathLike[str] | None = None,
        ccache: str | None = None,
        method: str = "auto",
        kinit: str = "kinit",
        refresh_margin: timedelta | float | None = None,
        clock: Clock | None = None,
    ) -> None:
        super().__init__(refresh_margin=refresh_margin, clock=clock)
        if method not in METHODS:
            raise CredentialError(
                f"kerberos credential provider: credential_method={method!r} is unknown; "
                f"fix: use one of {', '.join(METHODS)}"
            )
        self.principal = principal
        self.keytab = os.path.expanduser(str(keytab)) if keytab else None
        self.method, self.kinit = method, kinit
        if self.keytab and not principal:
            raise self.error("a keytab needs a principal", "add credential_principal=user@REALM")
        if self.keytab and not ccache:
            # A private cache, removed with the provider (or at interpreter exit).
            tmpdir = tempfile.mkdtemp(prefix="sqlgate-krb5-")
            self._finalizer = weakref.finalize(self, shutil.rmtree, tmpdir, True)
            ccache = "FILE:" + os.path.join(tmpdir, "ccache")
        elif ccache and ":" not in ccache.split("/", 1)[0]:
            ccache = "FILE:" + os.path.expanduser(ccache)
        self.ccache = ccache  # None = the ambient default cache

    @classmethod
    def from_url_options(cls, argument: str, options: Mapping[str, str]) -> KerberosProvider:
        return cls(
            option(options, "principal") or argument or option(options, "user"),
            keytab=option(options, "keytab"),
            ccache=option(options, "ccache"),
            method=option(options, "method", "auto") or "auto",
            kinit=option(options, "kinit", "kinit") or "kinit",
        )

    def describe(self) -> str:
        who = self.principal or "default principal"
        return f"{who} from keytab {self.keytab}" if self.keytab else f"{who}, existing cache"

    # -- mechanics -------------------------------------------------------------------------
    def _gssapi(self, required: bool) -> Any:
        if self.method == "kinit":
            return None
        try:
            return require("gssapi", scheme="kerberos", extra="kerberos")
        except Exception:
            if required or self.method == "gssapi" or not shutil.which(self.kinit):
                raise
            return None

    def _acquire_gssapi(self, gssapi: Any, target: str) -> None:
        name = gssapi.Name(self.principal, gssapi.NameType.kerberos_principal)
        store = {"client_keytab": self.keytab, "ccache": "FILE:" + target}
        try:
            creds = gssapi.Credentials(name=name, usage="initiate", store=store)
            creds.lifetime  # noqa: B018 - forces the AS exchange if it was deferred
        except gssapi.exceptions.GSSError as exc:
            scrub(exc)
            raise self.error(
                f"the KDC refused the keytab ({redact(exc.gen_message())})",
                "check the principal's spelling and realm, that the keytab holds its "
                "current key (klist -k), and that krb5.conf names a reachable KDC",
            ) from exc

    def _acquire_kinit(self, target: str) -> None:
        cmd = [
            self.kinit,
            "-k",
            "-t",
            self.keytab or "",
            "-c",
            "FILE:" + target,
            self.principal or "",
        ]
        env = {**os.environ, "LC_ALL": "C"}
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=60)
        except FileNotFoundError:
            raise self.error(
                f"{self.kinit!r} was not found",
                "install krb5-user (Debian) / krb5-workstation, or pip install 'sqlgate[kerberos]'",
            ) from None
        if proc.returncode != 0:
            raise self.error(
                f"kinit failed: {redact(proc.stderr.strip() or proc.stdout.strip())}",
                "check the principal, that the keytab holds its current key (klist -k), "
                "and that krb5.conf names a reachable KDC",
            )

    def _from_keytab(self) -> Credential:
        if not self.keytab or not os.path.isfile(self.keytab):
            raise self.error("the keytab does not exist", "correct credential_keytab=/path")
        if not os.access(self.keytab, os.R_OK):
            raise self.error("the keytab is not readable", "chmod/chown it for this user")
        path = _file_path(self.ccache or "")
        if path is None:
            raise self.error("credential_ccache must be a FILE: cache", "use a file path")
        os.makedirs(os.path.dirname(path) or ".", mode=0o700, exist_ok=True)
        target = f"{path}.new-{os.getpid()}-{next(_counter)}"
        try:
            gssapi = self._gssapi(required=False)
            if gssapi is not None:
                self._acquire_gssapi(gssapi, target)
            else:
                self._acquire_kinit(target)
            os.chmod(target, 0o600)
            os.replace(target, path)
        finally:
            if os.path.exists(target):
                os.unlink(target)
        return self._describe_cache(self.ccache or "", gssapi=None)

    def _describe_cache(self, ccache: str, gssapi: Any) -> Credential:
        """Principal and TGT expiry of a cache: parsed from FILE caches, else via gssapi."""
        principal, expires = self.principal, None
        path = _file_path(ccache) if ccache else None
        if path is not None:
            try:
                info = read_ccache(path)
            except FileNotFoundError:
                raise self.error("the credential cache does not exist", _FIX_KINIT) from None
            except (OSError, ValueError):
                info = None
            if info is not None:
                principal, expires = info.principal, info.tgt_endtime()
                if expires is None:
                    raise self.error("the credential cache holds no ticket", _FIX_KINIT)
        if expires is None:
            principal, expires = self._inquire(gssapi or self._gssapi(required=True), ccache)
        if expires <= self.now():
            raise self.error(f"the ticket expired at {expires:%Y-%m-%d %H:%M} UTC", _FIX_KINIT)
        return Credential(
            username=principal,
            secret=None,
            expires_at=expires,
            extras={"ccache": ccache, "principal": principal or ""},
        )

    def _inquire(self, gssapi: Any, ccache: str) -> tuple[str | None, datetime]:
        store = {"ccache": ccache} if ccache else None
        name = (
            gssapi.Name(self.principal, gssapi.NameType.kerberos_principal)
            if self.principal
            else None
        )
        try:
            creds = gssapi.Credentials(name=name, usage="initiate", store=store)
            lifetime, principal = creds.lifetime, str(creds.name)
        except gssapi.exceptions.GSSError as exc:
            scrub(exc)
            raise self.error(f"no valid ticket ({redact(exc.gen_message())})", _FIX_KINIT) from exc
        return principal, self.now() + timedelta(seconds=lifetime)

    def _fetch(self) -> Credential:
        if self.keytab:
            return self._from_keytab()
        ccache = self.ccache or os.environ.get("KRB5CCNAME", "")
        credential = self._describe_cache(ccache, gssapi=None)
        expires = credential.expires_at  # always set for a cache (_describe_cache)
        if expires is None or self.now() < expires - self.refresh_margin:
            return credential
        # near its end: a renewable TGT gets a new end time from the KDC (kinit -R) without
        # a password or keytab; one that is not renewable is reported as it is
        self._renew(ccache)
        return self._describe_cache(ccache, gssapi=None)

    def _renew(self, ccache: str) -> None:
        argv = [self.kinit, "-R", *(["-c", ccache] if ccache else [])]
        # no kinit, or no answer: the ticket stays as it is, and expires as reported
        with contextlib.suppress(OSError, subprocess.TimeoutExpired):
            subprocess.run(argv, capture_output=True, timeout=_KINIT_TIMEOUT, check=False)
