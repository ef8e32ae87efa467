"""The ADBC connection beside a PostgreSQL session (``arrow_path=native``, postgres_arrow.py).

Opened from the session's own libpq settings, checked against the session before first use,
asked for its guard before every statement. ADBC's errors name its status codes and quote the
statement; they are turned into sqlgate's classes in the server's words.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable
from typing import Any

import pyarrow as pa

from sqlgate.core import errors
from sqlgate.core.driver import guard_lost, server_refused_write
from sqlgate.core.errors import DataError, Error
from sqlgate.core.redact import redact
from sqlgate.core.translate import register_classifier

# what must be equal on the session and its side connection (else the side is not used)
IDENTITY = (
    "SELECT current_user, session_user, current_database(), inet_server_addr()::text,"
    " inet_server_port(), extract(epoch FROM pg_postmaster_start_time())::text,"
    " current_setting('default_transaction_read_only'),"
    " current_setting('default_transaction_isolation'), current_setting('statement_timeout'),"
    " current_setting('TimeZone'), current_setting('search_path'),"
    " current_setting('client_encoding')"
)
_GUARD = "SELECT current_setting('default_transaction_read_only')"


def adbc_available() -> bool:
    """Whether ``adbc-driver-postgresql`` is importable (the ``postgres-arrow`` extra)."""
    try:
        import adbc_driver_postgresql.dbapi  # type: ignore[import-untyped]  # noqa: F401
    except ImportError:
        return False
    return True


def _classify(exc: BaseException) -> Error | None:
    """ADBC quotes the statement in its messages; sqlgate keeps the server's words only."""
    text = str(exc)
    start = text.find("ERROR:")
    if start < 0:
        return None
    body = text[start + len("ERROR:") :]
    message = redact(re.split(r"\n\s*(?:LINE \d+:|Query was:)", body)[0].strip())
    if getattr(exc, "sqlstate", None) == "25006":
        return server_refused_write(message)
    for klass in type(exc).__mro__:
        target = getattr(errors, klass.__name__, None)
        if isinstance(target, type) and issubclass(target, Error):
            return target(message)
    return None


register_classifier("adbc_driver_manager", _classify)


class SideLink:
    """The ADBC connection beside a session: opened from its settings, checked, guarded."""

    def __init__(self, conninfo: str) -> None:
        import adbc_driver_postgresql.dbapi as adbc

        self._conn = adbc.connect(conninfo, autocommit=True)
        self._cursor: Any = None  # the cursor whose statement runs (for cancel)

    def identity(self) -> tuple[Any, ...]:
        with self._conn.cursor() as cur:
            cur.execute(IDENTITY)
            row = cur.fetchone()
        return tuple(row or ())

    def start(self, query: str) -> pa.RecordBatchReader:
        """Ask for the guard, then run ``query`` (a statement the gate admitted)."""
        with self._conn.cursor() as cur:
            cur.execute(_GUARD)
            row = cur.fetchone()
        if not row or str(row[0]).lower() != "on":
            raise guard_lost("default_transaction_read_only on the ADBC connection")
        cursor = self._conn.cursor()
        self._cursor = cursor
        try:  # ADBC wraps it in COPY (...): a trailing line comment must not hide the ")"
            cursor.execute(query + "\n")
            return cursor.fetch_record_batch()
        except BaseException:
            self.finish(cancel=False)
            raise

    def finish(self, *, cancel: bool) -> None:
        cursor, self._cursor = self._cursor, None
        if cursor is not None:
            if cancel:
                with contextlib.suppress(Exception):
                    cursor.adbc_cancel()
            with contextlib.suppress(Exception):
                cursor.close()

    def cancel(self) -> None:
        cursor = self._cursor
        if cursor is not None:
            cursor.adbc_cancel()

    def close(self) -> None:
        self.finish(cancel=True)
        with contextlib.suppress(Exception):
            self._conn.close()


_CANCELLED = "canceling statement due to"  # 57014: a timeout or a cancel, never run again


def first_batch(
    side: SideLink,
    query: str,
    schema: pa.Schema,
    cast: Callable[[pa.RecordBatch, pa.Schema], pa.RecordBatch],
) -> tuple[pa.RecordBatchReader, pa.RecordBatch | None] | None:
    """Start ``query`` on the side and read its first batch, ``cast`` (None in the pair: no
    rows); None: it failed before handing anything over (an error whose SQLSTATE ADBC's
    stream drops, a NaN that does not fit): psycopg is to run it, for the row path's answer."""
    try:
        reader = side.start(query)
        batch = reader.read_next_batch()
    except StopIteration:
        return reader, None
    except Error:  # the side's guard was lifted: never run anything again
        raise
    except Exception as exc:  # ADBC's classes follow its status codes, not the SQLSTATE
        if _CANCELLED in str(exc):
            raise stream_error(exc) from None
        return None
    try:
        return reader, cast(batch, schema)
    except DataError:
        return None


def stream_error(exc: BaseException) -> Error:
    """An error ADBC's stream raised (an OSError without SQLSTATE), in the server's words."""
    text = str(exc)
    start = text.find("ERROR:")
    message = text[start + len("ERROR:") :].strip() if start >= 0 else text
    message = redact(re.split(r"\n\s*(?:LINE \d+:|Query was:)", message)[0].strip())
    if "read-only transaction" in message:
        return server_refused_write(message)
    return errors.OperationalError(message)
