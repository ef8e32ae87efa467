"""The connect pipeline shared by every source: parameters, credentials, session, guard."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from sqlgate.core.connection import Connection
from sqlgate.core.params import ConnectParams, describe_malformed_url, merge_url_and_kwargs
from sqlgate.core.registry import SourceSpec, get_source
from sqlgate.core.session import Session
from sqlgate.core.translate import translated

# the scheme, then '://': the only part of a URL an error may quote before it is parsed
_SCHEME = re.compile(r"([A-Za-z][\w+.\-]{0,63})(?=://)")
SessionOpener = Callable[[ConnectParams], Session]


def open_connection(
    source: SourceSpec, open_session: SessionOpener, url: str | None, kwargs: Mapping[str, Any]
) -> Connection:
    """Resolve parameters and credentials, open the session, wrap it in a Connection.

    Credentials are resolved on every call, so a pool that reconnects always presents a fresh
    token; the family's ``open_session`` applies the server-side read-only guard.
    """
    params = merge_url_and_kwargs(source, url, kwargs)
    with translated():
        params.resolve_credential()
        session = open_session(params)
    return Connection(
        session,
        source=source.name,
        url=params.redacted_url(),
        gate_policy=source.gate_policy,
        read_only=params.read_only,
    )


def connect(url: str, **kwargs: Any) -> Connection:
    """Open a connection to any registered source from its URL.

    ``sqlgate.connect("tidb://analyst@db:4000/sales?credential=env:TIDB_PASSWORD")``
    """
    from sqlgate.core import errors

    match = _SCHEME.match(url) if isinstance(url, str) else None
    if match is None:
        raise errors.InterfaceError(describe_malformed_url(url))
    scheme = match.group()
    module = get_source(scheme).load_dbapi()
    return module.connect(url, **kwargs)
