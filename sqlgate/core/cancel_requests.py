"""Cancel statements that clients send as SQL, turned into a cancel of a sqlgate session.

Superset stops a query by sending, on another connection, PostgreSQL's
``SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid='<pid>'`` or MySQL's
``KILL CONNECTION <id>`` (the id came from ``pg_backend_pid()`` / ``CONNECTION_ID()`` on the
running connection). Both stay refused as SQL: they would end sessions sqlgate does not own.
Instead, when the id names a live sqlgate session of this process, on the same server and
login, the cursor cancels that session's running statement (a protocol cancel, ``KILL
QUERY``) and answers as the statement would have. Any other id falls through to the gate.
"""

from __future__ import annotations

import re
import threading
import weakref
from typing import Any

import pyarrow as pa

from sqlgate.core.results import ArrowResult, Column, EmptyResult, Result
from sqlgate.core.translate import call_translated

_PATTERNS = (
    re.compile(
        r"\s*SELECT\s+pg_(?:terminate|cancel)_backend\s*\(\s*pid\s*\)\s+FROM\s+"
        r"pg_stat_activity\s+WHERE\s+pid\s*=\s*'?(\d{1,10})'?\s*;?\s*",
        re.I,
    ),
    re.compile(r"\s*SELECT\s+pg_(?:terminate|cancel)_backend\s*\(\s*(\d{1,10})\s*\)\s*;?\s*", re.I),
    re.compile(r"\s*KILL\s+(?:CONNECTION\s+|QUERY\s+)?(\d{1,20})\s*;?\s*", re.I),
)
#: what every pattern above starts with: one anchored match turns an ordinary statement away
#: after a few characters (this runs before every statement without parameters)
_PREFILTER = re.compile(r"\s*(?:SELECT\s+pg_|KILL\s)", re.I)
_lock = threading.Lock()
_live: weakref.WeakValueDictionary[tuple[Any, ...], Any] = weakref.WeakValueDictionary()


def _key(session: Any, link: int) -> tuple[Any, ...] | None:
    identity = getattr(session, "cancel_identity", None)
    return None if identity is None else (*identity(), link)


def register(session: Any) -> None:
    """Remember a session that can be cancelled, by (server, login, link id)."""
    link = getattr(session, "link_id", None)
    if link is None:
        return
    try:
        key = _key(session, link())
    except Exception:  # a session that cannot say who it is is simply not registered
        return
    if key is not None:
        with _lock:
            _live[key] = session


def answer(session: Any, operation: str) -> Result | None:
    """If ``operation`` is a cancel request for a sibling session, cancel it and answer."""
    if len(operation) > 300 or _PREFILTER.match(operation) is None:
        return None
    for pattern in _PATTERNS:
        match = pattern.fullmatch(operation)
        if match is not None:
            break
    else:
        return None
    key = _key(session, int(match.group(1)))
    with _lock:
        target = None if key is None else _live.get(key)
    if target is None or target is session:
        return None  # not ours: the gate refuses it as before
    target.cancel()
    if operation.lstrip()[:4].upper() == "KILL":
        return EmptyResult(0)
    table = pa.Table.from_arrays([pa.array([True], pa.bool_())], ["pg_terminate_backend"])
    column = Column("pg_terminate_backend", "bool", None, None, None, None, True)
    return ArrowResult(table.to_reader(), (column,), call_translated)
