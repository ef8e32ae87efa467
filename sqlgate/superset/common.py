"""What every sqlgate engine spec adds to the Superset base it extends (imports Superset).

* Stop: the cancel id names the running sqlgate cursor in :mod:`sqlgate.superset.cancel`;
  ``cancel_query`` calls that cursor's ``cancel()`` (PEP 249 extension) from Superset's Stop
  thread. Nothing is sent as SQL, so nothing the read-only gate refuses.
* Errors: sqlgate's messages are already written for users; they are shown as they are,
  without SQLAlchemy's ``(module.Class)`` / ``[SQL: ...]`` wrapping or an ``engine error:``
  prefix.
"""

from __future__ import annotations

import re
from typing import Any

from sqlgate.superset import cancel

_SQLA_WRAPPING = re.compile(r"^\((?:sqlgate|builtins)\.[\w.]+\)\s*")
_SQLA_TRAILER = re.compile(r"\n\[(?:SQL|parameters): .*", re.DOTALL)
_SQLA_BACKGROUND = re.compile(r"\n\(Background on this error at: [^)]*\)", re.DOTALL)


def clean_message(ex: Exception) -> str:
    """The sqlgate error's own message (SQLAlchemy wraps DB-API errors as ``ex.orig``)."""
    original = getattr(ex, "orig", None)
    statement = getattr(ex, "statement", None)
    if original is None and statement and str(ex).startswith("(builtins.NoneType) None"):
        # Test Connection re-raises the driver's message as DBAPIError(message, None, None)
        return str(statement).strip()
    text = str(original if isinstance(original, Exception) else ex)
    text = _SQLA_BACKGROUND.sub("", _SQLA_TRAILER.sub("", text))
    return _SQLA_WRAPPING.sub("", text).strip()


class SqlgateSpecMixin:
    """Goes first in a spec's bases; overrides Superset's cancel and error presentation."""

    drivers = {"sqlgate": "sqlgate (read-only, pip install 'sqlgate[superset]')"}
    default_driver = "sqlgate"
    disable_ssh_tunneling = True  # sqlgate URLs carry no tunnel settings
    supports_file_upload = False  # uploads write; sqlgate refuses every write
    has_query_id_before_execute = True

    @classmethod
    def get_cancel_query_id(cls, cursor: Any, query: Any) -> str | None:
        return cancel.register(cursor)

    @classmethod
    def cancel_query(cls, cursor: Any, query: Any, cancel_query_id: str) -> bool:
        return cancel.cancel(cancel_query_id)

    @classmethod
    def _extract_error_message(cls, ex: Exception) -> str:
        return clean_message(ex)

    @classmethod
    def extract_error_message(cls, ex: Exception) -> str:
        return clean_message(ex)
