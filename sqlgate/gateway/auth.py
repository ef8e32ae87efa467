"""SCRAM-SHA-256 password authentication, the server side (RFC 5802/7677 via ``scramp``).

Passwords come from sqlgate's credential providers when the gateway starts; only the salted
verifier (salt, StoredKey, ServerKey) stays in memory. An unknown user gets the same exchange
against a random verifier, so a client cannot tell a wrong user from a wrong password.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Mapping
from typing import Any

from sqlgate.core import errors
from sqlgate.core.credentials import provider_from_url
from sqlgate.gateway.config import User

MECHANISM = "SCRAM-SHA-256"
ITERATIONS = 4096


def _mechanism() -> Any:
    try:
        from scramp import ScramMechanism  # type: ignore[import-untyped, unused-ignore]
    except ImportError as exc:
        raise errors.MissingExtraError("gateway", "gateway", "scramp") from exc
    return ScramMechanism(MECHANISM)


Verifier = tuple[bytes, bytes, bytes, int]


class Authenticator:
    """Holds one verifier per configured user and runs SCRAM exchanges."""

    def __init__(self, verifiers: Mapping[str, Verifier]) -> None:
        self._mech = _mechanism()
        self._verifiers = dict(verifiers)
        self._decoy: Verifier = self._mech.make_auth_info(
            secrets.token_urlsafe(24), iteration_count=ITERATIONS
        )

    @classmethod
    def from_users(cls, users: Mapping[str, User]) -> Authenticator:
        """Resolve each user's password through its credential provider, keep the verifier."""
        mech = _mechanism()
        verifiers: dict[str, Verifier] = {}
        for name, user in users.items():
            secret = provider_from_url(user.password).get().secret
            if not secret:
                raise errors.CredentialError(
                    f"gateway user {name}: credential provider {user.password.split(':')[0]} "
                    "returned no password"
                )
            verifiers[name] = mech.make_auth_info(secret, iteration_count=ITERATIONS)
        return cls(verifiers)

    def knows(self, user: str) -> bool:
        return user in self._verifiers

    def exchange(self, user: str) -> ScramExchange:
        verifier = self._verifiers.get(user, self._decoy)
        return ScramExchange(verifier, user in self._verifiers)


class ScramExchange:
    """One client's SCRAM conversation: client-first -> server-first, client-final -> final.

    libpq sends an empty ``n=`` (PostgreSQL takes the user from the startup packet), which
    scramp's server refuses, so the few RFC 5802 steps are done here on hashlib/hmac.
    """

    def __init__(self, verifier: Verifier, known: bool) -> None:
        self._salt, self._stored_key, self._server_key, self._iterations = verifier
        self._known = known
        self._client_first_bare = ""
        self._server_first = ""
        self._nonce = ""

    def first(self, client_first: str) -> str:
        parts = client_first.split(",", 2)
        if len(parts) != 3 or parts[0] not in ("n", "y") or parts[1]:
            raise errors.OperationalError("unsupported SCRAM channel binding or malformed message")
        self._client_first_bare = parts[2]
        attrs = dict(a.split("=", 1) for a in parts[2].split(",") if "=" in a)
        client_nonce = attrs.get("r", "")
        if not client_nonce:
            raise errors.OperationalError("malformed SCRAM client-first message")
        self._nonce = client_nonce + secrets.token_urlsafe(18)
        salt = base64.b64encode(self._salt).decode()
        self._server_first = f"r={self._nonce},s={salt},i={self._iterations}"
        return self._server_first

    def final(self, client_final: str) -> str:
        """The server-final message; raises ``errors.OperationalError`` on a wrong proof."""
        without_proof, _, proof_attr = client_final.rpartition(",p=")
        attrs = dict(a.split("=", 1) for a in without_proof.split(",") if "=" in a)
        failed = errors.OperationalError("password authentication failed")
        if attrs.get("r") != self._nonce or not proof_attr:
            raise failed
        auth_message = ",".join((self._client_first_bare, self._server_first, without_proof))
        signature = hmac.digest(self._stored_key, auth_message.encode(), "sha256")
        try:
            proof = base64.b64decode(proof_attr, validate=True)
        except ValueError as exc:
            raise failed from exc
        if len(proof) != len(signature):
            raise failed
        client_key = bytes(a ^ b for a, b in zip(proof, signature, strict=True))
        ok = hmac.compare_digest(hashlib.sha256(client_key).digest(), self._stored_key)
        if not (ok and self._known):
            raise failed
        server_signature = hmac.digest(self._server_key, auth_message.encode(), "sha256")
        return "v=" + base64.b64encode(server_signature).decode()
