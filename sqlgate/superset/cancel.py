"""Stop for Superset: find the running sqlgate cursor again from the id Superset stored.

Superset asks the spec for a *cancel query id* on the cursor that will run the query
(``get_cancel_query_id``), stores it with the query, and on Stop calls ``cancel_query`` with a
new connection, from another request thread. The id is a random token naming the cursor in
this process-wide registry (weakly: a finished, dropped cursor leaves it by itself), prefixed
with the process id so that a Stop handled by another process (a Celery worker runs the query,
the web server gets the Stop) is recognised and answered with False instead of a wrong cancel.
"""

from __future__ import annotations

import logging
import os
import secrets
import threading
import weakref
from typing import Any

_log = logging.getLogger("sqlgate.superset")
_lock = threading.Lock()
_running: weakref.WeakValueDictionary[str, Any] = weakref.WeakValueDictionary()


def register(cursor: Any) -> str:
    """Remember ``cursor`` (a sqlgate DB-API cursor) and return the id that finds it."""
    token = f"sqlgate:{os.getpid()}:{secrets.token_hex(16)}"
    with _lock:
        _running[token] = cursor
    return token


def cancel(token: str) -> bool:
    """Cancel the statement of the cursor ``token`` names; False if it is not in this process."""
    parts = str(token).split(":")
    if len(parts) != 3 or parts[0] != "sqlgate":
        return False
    if parts[1] != str(os.getpid()):
        _log.warning(
            "Stop for a query running in process %s, not in this one (%s): "
            "sqlgate can only stop statements of its own process",
            parts[1],
            os.getpid(),
        )
        return False
    with _lock:
        cursor = _running.get(token)
    if cursor is None:
        return False  # finished (and dropped) already: nothing left to stop
    try:
        cursor.cancel()
    except Exception as exc:  # Superset turns False into "could not cancel"
        _log.warning("cancel failed: %s", exc)
        return False
    return True
