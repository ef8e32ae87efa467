"""Cancel statements that clients send as SQL, turned into a cancel of a sqlgate session.

Superset stops a query by sending, on another connection, PostgreSQL's
``SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid='<pid>'``, MySQL's
``KILL CONNECTION <id>`` or Snowflake's ``SELECT SYSTEM$CANCEL_ALL_QUERIES(<session id>)``
(the id came from ``pg_backend_pid()`` / ``CONNECTION_ID()`` / ``CURRENT_SESSION()`` on the
running connection; Snowflake's ``SYSTEM$CANCEL_QUERY('<query id>')`` names a statement).
All stay refused as SQL: they would end sessions sqlgate does not own.
Instead, when the id names a live sqlgate session of this process, on the same server and
login, the cursor cancels that session's running statement (a protocol cancel, ``KILL
QUERY``) and answers as the statement would have. Any other id falls through to the gate.
"""

from __future__ import annotations

import re
import threading
import weakref
from typing import TYPE_CHECKING, Any

from sqlgate.core.results import ArrowResult, Column, EmptyResult, Result
from sqlgate.core.translate import call_translated

if TYPE_CHECKING:
    import pyarrow as pa

_PATTERNS = (
    re.compile(
        r"\s*SELECT\s+pg_(?:terminate|cancel)_backend\s*\(\s*pid\s*\)\s+FROM\s+"
        r"pg_stat_activity\s+WHERE\s+pid\s*=\s*'?(\d{1,10})'?\s*;?\s*",
        re.I,
    ),
    re.compile(r"\s*SELECT\s+pg_(?:terminate|cancel)_backend\s*\(\s*(\d{1,10})\s*\)\s*;?\s*", re.I),
    re.compile(r"\s*KILL\s+(?:CONNECTION\s+|QUERY\s+)?(\d{1,20})\s*;?\s*", re.I),
    # Superset's SnowflakeEngineSpec: the session id came from CURRENT_SESSION()
    re.compile(r"\s*SELECT\s+SYSTEM\$CANCEL_ALL_QUERIES\s*\(\s*(\d{1,20})\s*\)\s*;?\s*", re.I),
    # Snowflake's per-statement form, by query id (a UUID)
    re.compile(
        r"\s*SELECT\s+SYSTEM\$CANCEL_QUERY\s*\(\s*'([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-"
        r"[0-9a-f]{4}-[0-9a-f]{12})'\s*\)\s*;?\s*",
        re.I,
    ),
)
#: what every pattern above starts with: one anchored match turns an ordinary statement away
#: after a few characters (this runs before every statement without parameters)
_PREFILTER = re.compile(r"\s*(?:SELECT\s+(?:pg_|SYSTEM\$CANCEL_)|KILL\s)", re.I)
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
    ident = match.group(1)
    if ident.isdigit():
        key = _key(session, int(ident))
        with _lock:
            target = None if key is None else _live.get(key)
    else:
        target = _running(session, ident)
    if target is None or target is session:
        return None  # not ours: the gate refuses it as before
    target.cancel()
    if operation.lstrip()[:4].upper() == "KILL":
        return EmptyResult(0)
    import pyarrow as pa  # here: a wire-only user never loads Arrow for this rare answer

    if "$" in operation:  # Snowflake answers with one text value
        return _one_value("status", pa.array(["1 queries terminated."], pa.string()), "text")
    return _one_value("pg_terminate_backend", pa.array([True], pa.bool_()), "bool")


def _one_value(name: str, values: pa.Array, type_code: str) -> Result:
    import pyarrow as pa

    table = pa.Table.from_arrays([values], [name])
    column = Column(name, type_code, None, None, None, None, True)
    return ArrowResult(table.to_reader(), (column,), call_translated)


def _running(session: Any, query_id: str) -> Any:
    """The live session (same server and login as ``session``) running ``query_id``: a
    statement id names no link, so the sessions that can say what they run are asked."""
    identity = getattr(session, "cancel_identity", None)
    if identity is None:
        return None
    try:
        mine = tuple(identity())
    except Exception:
        return None
    with _lock:
        candidates = [s for k, s in _live.items() if k[:-1] == mine]
    for candidate in candidates:
        running = getattr(candidate, "running_query_id", None)
        if running is not None and running() == query_id.lower():
            return candidate
    return None
