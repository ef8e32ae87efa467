"""The Snowflake session on snowflake-connector-python: results, binding, cancel, the role check.

Results keep both of the connector's paths (:class:`~sqlgate.dbapi.warehouse_family.DualResult`):
rows come from its own converters, Arrow from ``fetch_arrow_batches`` (the chunks Snowflake
sends, decoded to Arrow without Python objects). Either streams: the connector downloads one
result chunk at a time as the caller reads.

Snowflake has no read-only session mode: the second layer behind sqlgate's gate is a role
with read privileges only, which :meth:`SnowflakeSession.server_guard_active` checks with
``SHOW GRANTS`` (``sqlgate check`` prints the verdict).
"""

from __future__ import annotations

import threading
from collections.abc import Hashable, Iterator
from typing import Any

import pyarrow as pa

from sqlgate.core import errors
from sqlgate.core.driver import DriverSession
from sqlgate.core.flavor import Flavor
from sqlgate.core.redact import redact
from sqlgate.core.results import Column, Result
from sqlgate.core.session import Parameters
from sqlgate.core.translate import call_translated, register_classifier
from sqlgate.dbapi.snowflake_grants import RoleReport, role_report
from sqlgate.dbapi.snowflake_timetravel import to_snowflake_time_travel
from sqlgate.dbapi.snowflake_types import SNOWFLAKE_TYPES
from sqlgate.dbapi.warehouse_family import (
    DualResult,
    Interruptible,
    WaitCancelled,
    reader_of_tables,
)

#: the connector's result-metadata type codes (``FIELD_TYPES`` order in its constants)
FIELD_NAMES = (
    "FIXED", "REAL", "TEXT", "DATE", "TIMESTAMP", "VARIANT", "TIMESTAMP_LTZ", "TIMESTAMP_TZ",
    "TIMESTAMP_NTZ", "OBJECT", "ARRAY", "BINARY", "TIME", "BOOLEAN", "GEOGRAPHY", "GEOMETRY",
    "VECTOR", "MAP", "FILE", "INTERVAL_YEAR_MONTH", "INTERVAL_DAY_TIME",
)  # fmt: skip
_SQL_NAMES = {"FIXED": "NUMBER", "REAL": "FLOAT", "TEXT": "VARCHAR"}
#: login and connection failures: the connector files some under DatabaseError
_CONNECT_CODES = range(250000, 252000)
_LOGIN_CODES = range(390000, 391000)
#: the connector's classes for an endpoint that answered HTTP 4xx/5xx (not PEP 249 names)
_HTTP_ERRORS = frozenset(
    {
        "InternalServerError", "ServiceUnavailableError", "GatewayTimeoutError",
        "BadGatewayError", "OtherHTTPRetryableError", "RequestTimeoutError", "BadRequest",
        "ForbiddenError", "MethodNotAllowed", "TooManyRequests",
    }
)  # fmt: skip


def _classify(exc: BaseException) -> errors.Error | None:
    """Login and network failures are operational and SQLSTATE class 22 (a value that does
    not convert) is a data error, whatever class the connector chose (it files every server
    error under ProgrammingError)."""
    code, state = getattr(exc, "errno", None), getattr(exc, "sqlstate", None)
    http = type(exc).__name__ in _HTTP_ERRORS
    if http or (isinstance(code, int) and (code in _CONNECT_CODES or code in _LOGIN_CODES)):
        return errors.OperationalError(redact(str(exc).strip()) or type(exc).__name__)
    if isinstance(state, str) and state.startswith("22"):
        return errors.DataError(redact(str(exc).strip()) or type(exc).__name__)
    return None


register_classifier("snowflake", _classify)


def type_name(code: int, precision: int | None, scale: int | None) -> str:
    """Snowflake's SQL name of a result column (``NUMBER(10,2)``, ``TIMESTAMP_TZ(9)``)."""
    base = FIELD_NAMES[code] if 0 <= code < len(FIELD_NAMES) else "VARCHAR"
    name = _SQL_NAMES.get(base, base)
    if name == "NUMBER":
        return f"NUMBER({precision if precision is not None else 38},{scale or 0})"
    if name.startswith(("TIMESTAMP", "TIME")) and scale is not None:
        return f"{'TIMESTAMP_NTZ' if name == 'TIMESTAMP' else name}({scale})"
    return name


class SnowflakeSession(DriverSession):
    """One Snowflake session (the connector's ``SnowflakeConnection``)."""

    def __init__(self, raw: Any, flavor: Flavor, banner: str, statement_timeout: float | None):
        super().__init__(raw, flavor, banner)
        self._timeout = max(1, round(statement_timeout)) if statement_timeout else None
        self._running: Any = None  # the connector cursor of the statement in flight
        self._lock = threading.Lock()
        #: statements run on a worker, so cancel() ends the caller's wait at once
        self._calls = Interruptible("sqlgate-snowflake")
        self._last_qid: str | None = None
        self._report: RoleReport | None = None

    # -- statements --------------------------------------------------------------------------
    def prepare(self, operation: str) -> str:
        """sqlgate's ``FOR TIMESTAMP|VERSION AS OF`` becomes Snowflake's ``AT(...)``."""
        return to_snowflake_time_travel(operation)

    def bind(self, operation: str, parameters: Parameters) -> str | None:
        """The text Snowflake will run: the connector's own pyformat splicing (its converters
        and escaping), done here so the gate reads exactly that text. Given values, even
        none (SQLAlchemy passes ``{}``), ``%%`` means ``%``, as psycopg and PyMySQL read it;
        the connector itself would leave ``%%`` alone then."""
        if parameters is None:
            return operation
        if isinstance(parameters, (dict, list, tuple)) and not parameters:
            if "%" not in operation:
                return operation
            try:
                return operation % ({} if isinstance(parameters, dict) else ())
            except (TypeError, ValueError, KeyError) as exc:
                raise errors.ProgrammingError(
                    f"parameters do not fit the statement: {exc}"
                ) from None
        if self._binder is None:
            self._binder = self._raw.cursor()
        try:
            return str(self._binder._preprocess_pyformat_query(operation, parameters))
        except (TypeError, ValueError, KeyError) as exc:
            raise errors.ProgrammingError(f"parameters do not fit the statement: {exc}") from None

    def run(self, operation: str, parameters: Parameters) -> Result:
        text = operation if parameters is None else self.bind(operation, parameters)
        cursor = self._raw.cursor()
        with self._lock:
            self._running = cursor
        try:
            self._calls.run(
                lambda: cursor.execute(text, timeout=self._timeout),
                "the Snowflake statement was cancelled (Cursor.cancel()); sqlgate sent the "
                "abort for its request id",
            )
        except WaitCancelled:
            raise  # the abandoned worker still runs the cursor: it closes with its statement
        except BaseException:
            cursor.close()
            raise
        finally:
            with self._lock:
                self._running = None
            self._last_qid = getattr(cursor, "sfqid", None)
        if cursor.description is None:
            return self.no_rows(cursor)
        return DualResult(
            cursor,
            lambda: self._arrow_reader(cursor),
            self.description_of(cursor),
            self.arrow_type,
            call_translated,
            cursor.rowcount if cursor.rowcount is not None else -1,
        )

    def _arrow_reader(self, cursor: Any) -> pa.RecordBatchReader:
        """The connector's own Arrow chunks, one at a time, under one schema."""
        tables: Iterator[pa.Table] = iter(cursor.fetch_arrow_batches())
        first = next(tables, None)
        if first is None:  # no rows: the schema comes from the result metadata
            schema = pa.schema(
                [
                    pa.field(c.name, self.arrow_type(c) or pa.string())
                    for c in self.description_of(cursor)
                ]
            )
            return pa.RecordBatchReader.from_batches(schema, iter(()))
        schema = first.schema.remove_metadata()
        schema = pa.schema([f.remove_metadata() for f in schema])
        return reader_of_tables(schema, tables, first.cast(schema))

    def describe(self, cursor: Any) -> tuple[Column, ...]:
        return tuple(
            Column(
                m.name,
                type_name(m.type_code, m.precision, m.scale),
                m.display_size,
                m.internal_size,
                m.precision,
                m.scale,
                m.is_nullable,
            )
            for m in cursor.description
        )

    def result_shape(self, cursor: Any) -> Hashable | None:
        return tuple(tuple(m) for m in cursor.description)

    def arrow_type(self, column: Column) -> pa.DataType | None:
        return SNOWFLAKE_TYPES.to_arrow(str(column.type_code))

    @property
    def query_id(self) -> str | None:
        """Snowflake's query id of the last statement (``LAST_QUERY_ID()``, the history)."""
        return self._last_qid

    def link_id(self) -> int | str:
        """Snowflake's session id (``CURRENT_SESSION()``, what Superset's Snowflake spec hands
        to ``SYSTEM$CANCEL_ALL_QUERIES``). fakesnow sends none: a name of this object then,
        which no cancel statement can spell, keeps sessions apart for ``SYSTEM$CANCEL_QUERY``."""
        session_id = getattr(self._raw, "session_id", None)
        return f"unnamed-{id(self):x}" if session_id is None else int(session_id)

    def cancel_identity(self) -> tuple[str, str, int, str, str]:
        """Whose statements a cancel request from this session may stop: same account and
        endpoint, same login."""
        raw = self._raw
        return ("snowflake", str(raw.host), int(raw.port), str(raw.account), str(raw.user))

    def running_query_id(self) -> str | None:
        """The query id of the statement in flight, once the connector knows it."""
        with self._lock:
            cursor = self._running
        qid = getattr(cursor, "sfqid", None) if cursor is not None else None
        return str(qid).lower() if qid else None

    def cancel(self) -> None:
        """Abort the statement in flight, the way the connector's own timeout does (by its
        request id, so it works before Snowflake has answered with a query id)."""
        with self._lock:
            cursor = self._running
        self._calls.wake()  # the caller's wait ends now, whatever the server does
        if cursor is None:
            return
        request_id = getattr(cursor, "_request_id", None)
        if request_id is None:
            return
        call_translated(lambda: self._raw._cancel_query(cursor.query or "", request_id))

    # -- the second layer: the role ----------------------------------------------------------
    def role_report(self) -> RoleReport:
        """What the session's roles may do (asked once per session)."""
        if self._report is None:
            self._report = role_report(lambda sql: call_translated(lambda: self._show(sql)))
        return self._report

    def _show(self, statement: str) -> list[dict[str, Any]]:
        cursor = self._raw.cursor()
        try:
            cursor.execute(statement)
            names = [d.name.lower() for d in cursor.description or ()]
            return [dict(zip(names, row, strict=False)) for row in cursor.fetchall()]
        finally:
            cursor.close()

    def server_guard_active(self) -> bool | None:
        """True when the session's roles hold read privileges only, False when one may
        write, None when Snowflake could not be asked (``SHOW GRANTS`` refused)."""
        return self.role_report().read_only

    def guard_warnings(self) -> list[str]:
        return list(self.role_report().warnings)

    def commit(self) -> None:
        self._raw.commit()

    def rollback(self) -> None:
        self._raw.rollback()

    def close(self) -> None:
        self._calls.close()
        if self._binder is not None:
            self._binder.close()
            self._binder = None
        self._raw.close()
