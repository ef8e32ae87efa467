"""A local encrypted vault of named credentials (``credential=vault:prod/warehouse``).

For laptops and CI runners that have no secret manager: secrets live in one JSON file, each
encrypted with Fernet (AES-128-CBC + HMAC). Names and usernames stay in clear text so that
``sqlgate vault list`` works without the key; a ``key_check`` token lets every operation tell
a wrong key from a corrupt entry. The key comes from ``$SQLGATE_VAULT_KEY`` or the OS keyring.
Writes are atomic (temp file + rename) and the file is created 0600.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from sqlgate.core.credentials.base import Clock, Credential, CredentialProvider, option, require
from sqlgate.core.errors import CredentialError
from sqlgate.core.redact import register_secret

KEY_ENV = "SQLGATE_VAULT_KEY"
PATH_ENV = "SQLGATE_VAULT"
KEYRING_SERVICE = "sqlgate"
KEYRING_USER = "vault-key"
DEFAULT_PATH = "~/.config/sqlgate/vault.json"
_CHECK = b"sqlgate-vault-v1"
_FIX_KEY = (
    f"export {KEY_ENV}=<key> or store it with `sqlgate vault init --keyring`; "
    "a new vault is created with `sqlgate vault init`"
)


def default_path() -> Path:
    """``$SQLGATE_VAULT`` or ``~/.config/sqlgate/vault.json``."""
    return Path(os.path.expanduser(os.environ.get(PATH_ENV) or DEFAULT_PATH))


def generate_key() -> str:
    """A new random Fernet key (url-safe base64 text)."""
    fernet = require("cryptography.fernet", scheme="vault", extra="vault", package="cryptography")
    return fernet.Fernet.generate_key().decode("ascii")


def load_key() -> str:
    """The vault key from the environment, else from the OS keyring (if installed)."""
    key = os.environ.get(KEY_ENV)
    if key:
        register_secret(key)
        return key
    try:
        import keyring  # optional: only needed when the key is not in the environment
    except ImportError:
        raise CredentialError(
            f"vault credential provider: no key: {KEY_ENV} is not set and the 'keyring' "
            f"package is not installed; fix: {_FIX_KEY} (pip install 'sqlgate[vault]')"
        ) from None
    try:
        key = keyring.get_password(KEYRING_SERVICE, KEYRING_USER)
    except Exception as exc:  # keyring.errors.* vary by backend
        raise CredentialError(
            f"vault credential provider: the OS keyring failed ({type(exc).__name__}); "
            f"fix: {_FIX_KEY}"
        ) from None
    if not key:
        raise CredentialError(
            f"vault credential provider: no key: {KEY_ENV} is not set and the OS keyring has "
            f"no entry {KEYRING_SERVICE}/{KEYRING_USER}; fix: {_FIX_KEY}"
        )
    register_secret(key)
    return key


def store_key_in_keyring(key: str) -> None:
    """Save the vault key in the OS keyring (used by ``sqlgate vault init --keyring``)."""
    keyring = require("keyring", scheme="vault", extra="vault")
    try:
        keyring.set_password(KEYRING_SERVICE, KEYRING_USER, key)
    except Exception as exc:  # keyring.errors.* vary by backend (NoKeyringError on servers)
        raise CredentialError(
            f"vault: the OS keyring cannot store the key ({type(exc).__name__}: no usable "
            f"keyring backend?); fix: run `sqlgate vault init` without --keyring and "
            f"export {KEY_ENV}=<key>"
        ) from None


def _valid_document(data: Any) -> bool:
    """The shape every operation relies on; anything else is a corrupt vault, not a crash."""
    if not isinstance(data, dict) or not isinstance(data.get("entries"), dict):
        return False
    if not isinstance(data.get("key_check", ""), str):
        return False
    for name, entry in data["entries"].items():
        if not isinstance(name, str) or not isinstance(entry, dict):
            return False
        if not isinstance(entry.get("secret"), str):
            return False
        if not all(isinstance(entry.get(k), (str, type(None))) for k in ("user", "updated_at")):
            return False
    return True


@dataclass(frozen=True)
class VaultEntry:
    """A vault entry as listed: never the secret."""

    name: str
    username: str | None
    updated_at: str | None


class Vault:
    """The vault file: read, decrypt, and atomically rewrite it."""

    def __init__(self, path: str | os.PathLike[str] | None = None, key: str | None = None):
        self.path = Path(os.path.expanduser(str(path))) if path else default_path()
        self._key = key

    # -- crypto ----------------------------------------------------------------------------
    def _fernet(self) -> Any:
        fernet_mod = require(
            "cryptography.fernet", scheme="vault", extra="vault", package="cryptography"
        )
        key = self._key or load_key()
        try:
            return fernet_mod.Fernet(key.encode("ascii"))
        except (ValueError, UnicodeEncodeError):
            raise CredentialError(
                "vault credential provider: the vault key is malformed "
                f"(a Fernet key is 44 url-safe base64 characters); fix: {_FIX_KEY}"
            ) from None

    def _decrypt(self, fernet: Any, token: str, what: str) -> str:
        from cryptography.fernet import InvalidToken

        try:
            return fernet.decrypt(token.encode("ascii")).decode("utf-8")
        except (InvalidToken, ValueError, UnicodeError):
            raise CredentialError(
                f"vault credential provider ({self.path}): cannot decrypt {what}: wrong key "
                f"or corrupt vault; fix: use the key this vault was created with ({_FIX_KEY})"
            ) from None

    def _check_key(self, fernet: Any, data: Mapping[str, Any]) -> None:
        check = data.get("key_check")
        if check and self._decrypt(fernet, check, "the key check").encode() != _CHECK:
            raise CredentialError(f"vault credential provider ({self.path}): bad key check")

    # -- file ------------------------------------------------------------------------------
    def exists(self) -> bool:
        return self.path.exists()

    def read(self) -> dict[str, Any]:
        """The raw JSON document (secrets still encrypted); an absent file is an empty vault."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {"version": 1, "entries": {}}
        except OSError as exc:
            raise CredentialError(
                f"vault credential provider ({self.path}): cannot read the vault "
                f"({exc.strerror}); fix: check the path and its permissions"
            ) from None
        try:
            data = json.loads(text)
        except ValueError:
            data = None
        if not _valid_document(data):
            raise CredentialError(
                f"vault credential provider ({self.path}): the vault file is not valid; "
                "fix: restore it from a backup or recreate it with `sqlgate vault init --force`"
            ) from None
        return data

    def write(self, data: Mapping[str, Any]) -> None:
        """Atomically replace the vault file, created with mode 0600 in a 0700 directory."""
        try:
            self._write(data)
        except OSError as exc:
            raise CredentialError(
                f"vault credential provider ({self.path}): cannot write the vault "
                f"({exc.strerror or type(exc).__name__}); fix: check the path (--path or "
                f"${PATH_ENV}) and the permissions of its directory"
            ) from None

    def _write(self, data: Mapping[str, Any]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(prefix=".vault-", suffix=".tmp", dir=self.path.parent)
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(data, fh, indent=2, sort_keys=True)
                fh.write("\n")
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    # -- operations ------------------------------------------------------------------------
    def check_replaceable(self, *, force: bool = False) -> None:
        """Refuse to replace a vault that holds entries unless forced (checked before a new
        key is stored anywhere)."""
        if force or not self.exists():
            return
        try:
            has_entries = bool(self.read()["entries"])
        except CredentialError:
            has_entries = True  # unreadable or corrupt: may still hold someone's secrets
        if has_entries:
            raise CredentialError(
                f"vault credential provider ({self.path}): a vault with entries (or one that "
                "cannot be read) already exists; fix: pass --force to replace it (its entries "
                "will be lost)"
            )

    def init(self, *, force: bool = False) -> None:
        """Create an empty vault bound to the current key."""
        self.check_replaceable(force=force)
        token = self._fernet().encrypt(_CHECK).decode("ascii")
        self.write({"version": 1, "key_check": token, "entries": {}})

    def put(self, name: str, secret: str, username: str | None = None) -> None:
        """Add or replace an entry."""
        if not name:
            raise CredentialError("vault: the entry name must not be empty")
        if not secret:
            raise CredentialError(f"vault: refusing to store an empty secret for {name!r}")
        register_secret(secret)
        fernet = self._fernet()
        data = self.read()
        self._check_key(fernet, data)
        data.setdefault("key_check", fernet.encrypt(_CHECK).decode("ascii"))
        data["entries"][name] = {
            "user": username,
            "secret": fernet.encrypt(secret.encode("utf-8")).decode("ascii"),
            "updated_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        }
        self.write(data)

    def get(self, name: str) -> tuple[str | None, str]:
        """Decrypt one entry: ``(username, secret)``."""
        data = self.read()
        entry = data["entries"].get(name)
        if entry is None:
            known = ", ".join(sorted(data["entries"])) or "none"
            raise CredentialError(
                f"vault credential provider ({self.path}): no entry {name!r} (entries: {known}); "
                f"fix: sqlgate vault put {name} [--user USER]"
            )
        fernet = self._fernet()
        self._check_key(fernet, data)
        return entry.get("user"), self._decrypt(fernet, entry["secret"], f"entry {name!r}")

    def remove(self, name: str) -> bool:
        """Delete an entry; ``False`` if it did not exist."""
        data = self.read()
        if data["entries"].pop(name, None) is None:
            return False
        self.write(data)
        return True

    def entries(self) -> list[VaultEntry]:
        """Names and usernames, sorted by name (needs no key)."""
        data = self.read()
        return [
            VaultEntry(name, e.get("user"), e.get("updated_at"))
            for name, e in sorted(data["entries"].items())
        ]


class VaultProvider(CredentialProvider):
    """Username and secret from a vault entry; re-read on refresh (``vault put`` rotates)."""

    scheme = "vault"
    options = frozenset({"path"})

    def __init__(
        self,
        name: str,
        *,
        path: str | os.PathLike[str] | None = None,
        key: str | None = None,
        refresh_margin: timedelta | float | None = None,
        clock: Clock | None = None,
    ) -> None:
        super().__init__(refresh_margin=refresh_margin, clock=clock)
        if not name:
            raise CredentialError(
                "vault credential provider: no entry named; fix: write credential=vault:NAME"
            )
        self.name = name
        self.vault = Vault(path, key)

    @classmethod
    def from_url_options(cls, argument: str, options: Mapping[str, str]) -> VaultProvider:
        return cls(argument, path=option(options, "path"))

    def describe(self) -> str:
        return f"{self.name} in {self.vault.path}"

    def _fetch(self) -> Credential:
        username, secret = self.vault.get(self.name)
        return Credential(username=username, secret=secret)
