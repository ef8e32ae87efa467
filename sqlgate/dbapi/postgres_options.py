"""What a PostgreSQL-family URL may set: libpq options checked before connecting, timeouts.

A read-only connection's libpq ``options`` may carry only ``-c`` settings from an allow-list,
and keywords that would read client files or skip the guard are refused by name.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from sqlgate.core.errors import InterfaceError, ProgrammingError
from sqlgate.core.params import parse_seconds

# the settings a URL's libpq "options" may carry while read-only: nothing that touches the
# guard, who we are or how names resolve (an allow-list: every other switch is refused)
_STARTUP_SETTINGS = frozenset(
    {
        "application_name",
        "timezone",
        "datestyle",
        "intervalstyle",
        "extra_float_digits",
        "client_encoding",
        "lock_timeout",
        "idle_in_transaction_session_timeout",
        "work_mem",
        "jit",
        "bytea_output",
        "geqo",
        "enable_seqscan",
        "random_page_cost",
        "effective_cache_size",
    }
)
# libpq keywords that would let a URL read client files into errors or skip the guard
REFUSED_OPTIONS = frozenset(
    {
        "service",
        "passfile",
        "sslpassword",
        "target_session_attrs",
        "replication",
        "dbname",
        "host",
        "hostaddr",
        "port",
        "user",
        "password",
        "cursor_factory",
        "autocommit",
        "prepare_threshold",
        "context",
        "row_factory",
    }
)
#: seconds sqlgate waits for any answer from the server before cancelling, then closing
DEFAULT_READ_TIMEOUT = 900.0


def check_startup_options(text: str) -> None:
    """Split libpq's ``options`` as the server does; admit only ``-c`` of allowed settings."""
    words: list[str] = []
    current, escaped = "", False
    for ch in text:
        if escaped:
            current, escaped = current + ch, False
        elif ch == "\\":
            escaped = True
        elif ch.isspace():
            words, current = ([*words, current] if current else words), ""
        elif ord(ch) < 32 or ord(ch) == 127:
            raise InterfaceError("the 'options' connection parameter contains a control character")
        else:
            current += ch
    words += [current] if current else []
    i = 0
    while i < len(words):
        word = words[i]
        if word in ("-c", "--"):
            setting, i = (words[i + 1] if i + 1 < len(words) else ""), i + 2
        elif word.startswith(("-c", "--")):
            setting, i = word[2:], i + 1
        else:
            raise ProgrammingError(
                f"the 'options' connection parameter may only set -c name=value; "
                f"{word[:20]!r} is refused on a read-only connection"
            )
        name = setting.split("=", 1)[0].strip().lower().replace("-", "_")
        if name not in _STARTUP_SETTINGS:
            raise ProgrammingError(
                f"the 'options' connection parameter may not set {name[:40]!r} while "
                f"read-only connection (allowed: {', '.join(sorted(_STARTUP_SETTINGS))})"
            )


@dataclass(frozen=True)
class Timeouts:
    """``connect_timeout``, ``read_timeout`` and ``statement_timeout`` in seconds."""

    connect: float = 10.0
    read: float | None = DEFAULT_READ_TIMEOUT
    statement: float | None = None

    @classmethod
    def pop_from(cls, options: dict[str, Any]) -> Timeouts:
        connect = parse_seconds("connect_timeout", options.pop("connect_timeout", None))
        read = parse_seconds("read_timeout", options.pop("read_timeout", None))
        statement = parse_seconds("statement_timeout", options.pop("statement_timeout", None))
        return cls(connect or cls.connect, read or DEFAULT_READ_TIMEOUT, statement)

    def connect_seconds(self) -> int:
        return max(2, math.ceil(self.connect))  # libpq: whole seconds, 2 at least

    def startup_options(self) -> list[str]:
        if self.statement is None:
            return []
        return [f"-c statement_timeout={math.ceil(self.statement * 1000)}"]


def libpq_startup(
    options: dict[str, Any], timeouts: Timeouts, read_only: bool, guard_option: str
) -> str | None:
    """Refuse the connection options sqlgate does not support, then take the user's
    ``options`` out of ``options`` and return libpq's startup string: those ``-c`` settings
    (checked when read-only), the statement timeout, and the guard last (with repeated ``-c``
    settings PostgreSQL keeps the last one). Sets the default ``application_name``."""
    refused = sorted(REFUSED_OPTIONS & options.keys())
    if refused:
        raise InterfaceError(f"connection option {refused[0]!r} is not supported by sqlgate")
    extra = str(options.pop("options", ""))
    if read_only:
        check_startup_options(extra)
    startup = [extra, *timeouts.startup_options()]
    if read_only:
        startup.append(guard_option)
    options.setdefault("application_name", "sqlgate")
    return " ".join(startup).strip() or None
