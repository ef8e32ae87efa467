"""Read the secret from an environment variable (``credential=env:TIDB_PASSWORD``).

The variable is re-read on :meth:`refresh`, so a supervisor that rotates it and signals the
process can make a long-lived pool pick up the new value.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, MutableMapping
from datetime import timedelta

from sqlgate.core.credentials.base import Clock, Credential, CredentialProvider, option
from sqlgate.core.errors import CredentialError


class EnvProvider(CredentialProvider):
    """Secret from ``$var``; optionally the username from ``$user_var``."""

    scheme = "env"
    options = frozenset({"user_env"})

    def __init__(
        self,
        var: str,
        *,
        user_var: str | None = None,
        environ: Mapping[str, str] | MutableMapping[str, str] | None = None,
        refresh_margin: timedelta | float | None = None,
        clock: Clock | None = None,
    ) -> None:
        super().__init__(refresh_margin=refresh_margin, clock=clock)
        if not var:
            raise CredentialError(
                "env credential provider: no variable named; "
                "fix: write credential=env:VARIABLE_NAME"
            )
        self.var = var
        self.user_var = user_var
        self._environ = environ if environ is not None else os.environ

    @classmethod
    def from_url_options(cls, argument: str, options: Mapping[str, str]) -> EnvProvider:
        return cls(argument, user_var=option(options, "user_env"))

    def describe(self) -> str:
        return f"${self.var}"

    def _read(self, name: str) -> str:
        value = self._environ.get(name)
        if not value:
            state = "is empty" if value == "" else "is not set"
            raise self.error(
                f"environment variable {name} {state}",
                f"export {name} in the environment of the process that connects, "
                "or point credential=env:NAME at another variable",
            )
        return value

    def _fetch(self) -> Credential:
        secret = self._read(self.var)
        username = self._read(self.user_var) if self.user_var else None
        return Credential(username=username, secret=secret)
