"""What every source of a wire-protocol family declares about itself.

A family (PostgreSQL protocol, MySQL protocol) subclasses :class:`Flavor` once with how to open
a session; a source is then one instance of that subclass holding only its differences.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from sqlgate.core.connect import open_connection
from sqlgate.core.connection import Connection
from sqlgate.core.params import ConnectParams
from sqlgate.core.registry import get_source
from sqlgate.core.session import Session


def parse_version(pattern: str | None, banner: str) -> tuple[int, ...]:
    """The integers the pattern's groups capture from ``banner``, or ``()``."""
    if not pattern:
        return ()
    match = re.search(pattern, banner or "")
    return tuple(int(group) for group in match.groups()) if match else ()


@dataclass(frozen=True)
class Flavor:
    """One source of a family: its name and the quirks that set it apart."""

    source: str
    # the version of the protocol-compatible engine (e.g. "PostgreSQL 9.2.4" inside openGauss)
    compat_pattern: str | None = None
    # the product's own version (``TiDB-v8.5.0``); informational: logs, ``sqlgate check``
    product_pattern: str | None = None
    # used when the banner names no compatible version at all
    assumed_version: tuple[int, ...] = ()
    connect_defaults: dict[str, Any] = field(default_factory=dict)
    # the driver splices parameter values into the SQL text (psycopg ClientCursor, PyMySQL)
    client_side_binding: bool = True

    def compat_version(self, banner: str) -> tuple[int, ...]:
        return parse_version(self.compat_pattern, banner) or self.assumed_version

    def product_version(self, banner: str) -> tuple[int, ...]:
        return parse_version(self.product_pattern, banner) or self.compat_version(banner)

    def connect(self, url: str | None = None, **kwargs: Any) -> Connection:
        """PEP 249 ``connect``: a URL, keyword arguments, or both (keywords win)."""
        return open_connection(get_source(self.source), self.open_session, url, kwargs)

    def open_session(self, params: ConnectParams) -> Session:
        raise NotImplementedError
