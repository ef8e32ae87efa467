"""One client connection after login: simple and extended query protocol over a sqlgate cursor.

The sqlgate connection is used from one worker thread only (drivers are not thread-safe); the
event loop writes each encoded batch and waits for the socket to drain before asking for the
next, which is what keeps a million-row result at one batch of memory.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from sqlgate.core import errors
from sqlgate.core.audit import MAX_LOGGED_STATEMENT_CHARS
from sqlgate.core.connection import Connection
from sqlgate.core.redact import redact_truncated
from sqlgate.core.registry import get_source
from sqlgate.gateway import copy_out, describe, protocol, statements
from sqlgate.gateway import types as pgtypes
from sqlgate.gateway.catalog import Catalog
from sqlgate.gateway.protocol import Reader
from sqlgate.gateway.running import (
    Limits,
    Portal,
    Prepared,
    Running,
    check_formats,
    local_result,
)
from sqlgate.gateway.sqlstate import QUERY_CANCELED, InFailedTransactionError, sqlstate_of

log = logging.getLogger("sqlgate.gateway")
#: how long closing a client's source connection may take
CLOSE_SECONDS = 5.0
#: a cancel is repeated while its statement still runs: how often, how far apart
CANCEL_ATTEMPTS, CANCEL_RETRY_SECONDS = 20, 0.25
#: what a failed transaction still accepts (COMMIT then rolls back, as PostgreSQL does)
_ENDS_FAILED = ("ROLLBACK", "ABORT", "COMMIT", "END")
audit_log = logging.getLogger("sqlgate.gateway.audit")
T = TypeVar("T")


class Client:
    """The state of one logged-in client: its source connection, statements and portals."""

    def __init__(
        self,
        conn: Connection,
        catalog: Catalog,
        user: str,
        database: str,
        settings: dict[str, str],
        writer: asyncio.StreamWriter,
        limits: Limits,
    ) -> None:
        self.conn = conn
        self.cursor = conn.cursor()
        self.catalog = catalog
        self.user = user
        self.database = database
        self.settings = settings
        self.writer = writer
        self.limits = limits
        self.worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlgate-gw")
        self.statements: dict[str, Prepared] = {}
        self.portals: dict[str, Portal] = {}
        self.tx = "I"
        self.failed_extended = False
        self.running_statement = False
        self.statement_number = 0
        self.cancelled = ""
        self._style = ""

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self.worker, fn, *args)

    # -- cancel -------------------------------------------------------------------------
    def cancel(self, reason: str = "canceling statement due to user request") -> None:
        """Called from another thread (a CancelRequest, the statement timer, shutdown).

        A cancel that lands while the source is still starting the statement can find
        nothing to stop, so it is repeated (bounded) until that statement has ended.
        """
        statement = self.statement_number
        for _ in range(CANCEL_ATTEMPTS):
            if not self.running_statement or self.statement_number != statement:
                return
            self.cancelled = reason
            try:
                self.cursor.cancel()
            except errors.Error as exc:
                log.warning("cancel failed: %s", exc)
                return
            time.sleep(CANCEL_RETRY_SECONDS)

    # -- running a statement ------------------------------------------------------------
    def _execute(self, sql: str, params: list[Any]) -> Running:
        """Blocking: run one statement on the source, the catalog, or answer it locally."""
        answer = statements.local_answer(sql, self.settings)
        if answer is not None:
            if answer.tx == "I":  # COMMIT/ROLLBACK: end the source's transaction (reads only)
                self._end_source_transaction()
            failed = self.tx == "E"
            if answer.tx:
                self.tx = answer.tx
            if answer.column:
                return local_result(sql, answer.column, answer.value, answer.tag)
            return Running(sql, tag=answer.tag, failed_transaction=failed)
        if statements.is_catalog_query(sql):
            reader = self.catalog.query(sql, params)
            return Running(sql, reader.schema, iter(reader), closers=[reader])
        if statements.mentions_public(sql) and self.catalog.source_schema() not in ("", "public"):
            sql = statements.map_public(sql, self.catalog.source_schema())
        text, bound = statements.rewrite_placeholders(sql, params, self._paramstyle())
        try:
            self.cursor.execute(text, bound)
        except errors.Error:
            # a failed statement aborts a PostgreSQL-family source's transaction: the client's
            # ROLLBACK is answered here, so the source is rolled back now
            self._end_source_transaction()
            raise
        if self.cursor.description is None:
            return Running(sql, rowcount=self.cursor.rowcount)
        reader = self.cursor.fetch_record_batch(self.limits.batch_rows)
        return Running(sql, reader.schema, iter(reader), closers=[reader])

    def _end_source_transaction(self) -> None:
        try:
            self.conn.rollback()
        except errors.Error as exc:  # the next statement reports a broken link itself
            log.warning("rollback on the source failed: %s", exc)

    def _paramstyle(self) -> str:
        if not self._style:
            self._style = str(get_source(self.conn.source).load_dbapi().paramstyle)
        return self._style

    async def start(self, sql: str, params: list[Any]) -> Running:
        """Run a statement within the per-user limit and the statement timeout; both hold
        until its result is fully sent or closed (``Running.release``)."""
        self.limits.acquire(self.user)
        timer = None
        loop = asyncio.get_running_loop()
        if self.limits.statement_timeout > 0:
            timer = loop.call_later(
                self.limits.statement_timeout,
                lambda: loop.run_in_executor(
                    None, self.cancel, "canceling statement due to statement timeout"
                ),
            )

        def release() -> None:  # on the loop or on the worker thread
            if timer is not None:
                loop.call_soon_threadsafe(timer.cancel)
            self.limits.release(self.user)

        self.cancelled = ""
        self.statement_number += 1
        self.running_statement = True
        started = time.perf_counter()
        audit_log.info(
            "start gateway_user=%s database=%s kind=%s",
            self.user,
            self.database,
            statements.first_word(sql) or "EMPTY",
        )
        try:
            running = await self.run(self._execute, sql, params)
        except BaseException as exc:
            release()
            self.audit(sql, type(exc).__name__, -1, started)
            raise
        finally:
            self.running_statement = False
        running.started = started
        running.on_release = release
        if not running.has_rows:
            running.release()
        return running

    async def stream(self, running: Running, formats: list[int], max_rows: int) -> bool:
        """Send rows; True when the result is complete, False when ``max_rows`` stopped it."""
        self.running_statement = True
        try:
            while max_rows == 0 or running.sent < max_rows:
                want = max_rows - running.sent if max_rows else 0
                data, count = await self.run(running.next_rows, want, formats)
                if not count:
                    return True
                self.writer.write(data)
                await self.writer.drain()
            return running.pending is None and running.done
        finally:
            self.running_statement = False

    def audit(self, sql: str, outcome: str, rows: int, started: float) -> None:
        """One record per statement on ``sqlgate.gateway.audit``, naming the gateway user."""
        audit_log.info(
            "audit gateway_user=%s database=%s kind=%s duration_ms=%.2f rows=%d outcome=%s",
            self.user,
            self.database,
            statements.first_word(sql) or "EMPTY",
            (time.perf_counter() - started) * 1000,
            rows,
            outcome,
        )
        if audit_log.isEnabledFor(logging.DEBUG):
            audit_log.debug(
                "statement gateway_user=%s: %s",
                self.user,
                redact_truncated(sql, MAX_LOGGED_STATEMENT_CHARS),
            )

    def error(self, exc: BaseException) -> bytes:
        code = QUERY_CANCELED if self.cancelled else sqlstate_of(exc)
        text = self.cancelled or str(exc) or type(exc).__name__
        if self.tx == "T":
            self.tx = "E"
        return protocol.error_response(code, text)

    # -- simple query -------------------------------------------------------------------
    async def simple_query(self, body: bytes) -> None:
        sql = Reader(body).cstring()
        try:
            if statements.is_empty(sql):
                self.writer.write(protocol.EMPTY_QUERY)
            elif copy_out.is_copy(sql):  # psql's \copy: COPY (query) TO STDOUT
                self._check_transaction(sql)
                self.writer.write(protocol.command_complete(await copy_out.copy_out(self, sql)))
            else:
                self._check_transaction(sql)
                running = await self.start(sql, [])
                try:
                    if running.has_rows:
                        self.writer.write(running.row_description([]))
                        await self.stream(running, [], 0)
                    self.writer.write(protocol.command_complete(running.command_tag()))
                    self.audit(sql, "ok", running.sent or running.rowcount, running.started)
                except BaseException as exc:
                    self.audit(sql, type(exc).__name__, running.sent, running.started)
                    raise
                finally:
                    await self.run(running.close)
        except (ConnectionError, asyncio.IncompleteReadError):
            raise  # the client left mid-result: the connection's cleanup handles it
        except errors.Error as exc:
            self.writer.write(self.error(exc))
        except Exception as exc:
            log.exception("unexpected error")
            self.writer.write(self.error(errors.InternalError(str(exc))))
        self.writer.write(protocol.ready_for_query(self.tx.encode()))
        await self.writer.drain()

    def _check_transaction(self, sql: str) -> None:
        if self.tx == "E" and statements.first_word(sql) not in _ENDS_FAILED:
            raise InFailedTransactionError(
                "current transaction is aborted, commands ignored until end of transaction block"
            )

    # -- extended query -----------------------------------------------------------------
    async def extended(self, kind: bytes, body: bytes) -> None:
        """Parse/Bind/Describe/Execute/Close/Flush/Sync; after an error, skip until Sync."""
        if kind == b"S":
            self.failed_extended = False
            unnamed = self.portals.pop("", None)  # Sync ends the unnamed portal
            if unnamed and unnamed.running:
                await self.run(unnamed.running.close)
            self.writer.write(protocol.ready_for_query(self.tx.encode()))
            await self.writer.drain()
            return
        if kind == b"H":
            await self.writer.drain()
            return
        if self.failed_extended:
            return
        try:
            await self._extended_step(kind, Reader(body))
        except errors.Error as exc:
            self.failed_extended = True
            self.writer.write(self.error(exc))
        except (protocol.ProtocolViolation, ConnectionError, asyncio.IncompleteReadError):
            raise
        except Exception as exc:
            log.exception("unexpected error")
            self.failed_extended = True
            self.writer.write(self.error(errors.InternalError(str(exc))))

    async def _extended_step(self, kind: bytes, r: Reader) -> None:
        if kind == b"P":
            name, sql = r.cstring(), r.cstring()
            oids = [r.int32() for _ in range(r.int16())]
            if name and name in self.statements:
                raise errors.ProgrammingError(f'prepared statement "{name}" already exists')
            self.statements[name] = Prepared(sql, oids)
            self.writer.write(protocol.PARSE_COMPLETE)
        elif kind == b"B":
            await self._bind(r)
        elif kind == b"D":
            await self._describe(r.byte(), r.cstring())
        elif kind == b"E":
            await self._execute_portal(r.cstring(), r.int32())
        elif kind == b"C":
            what, name = r.byte(), r.cstring()
            if what == b"S":
                self.statements.pop(name, None)
            else:
                portal = self.portals.pop(name, None)
                if portal and portal.running:
                    await self.run(portal.running.close)
            self.writer.write(protocol.CLOSE_COMPLETE)
        else:
            raise protocol.ProtocolViolation(f"unknown message type {kind!r}")

    def _statement(self, name: str) -> Prepared:
        if name not in self.statements:
            raise errors.ProgrammingError(f'prepared statement "{name}" does not exist')
        return self.statements[name]

    async def _bind(self, r: Reader) -> None:
        portal_name, stmt = r.cstring(), self._statement(r.cstring())
        param_formats = [r.int16() for _ in range(r.int16())]
        raw = [r.value() for _ in range(r.int16())]
        formats = [r.int16() for _ in range(r.int16())]
        values = []
        for index, value in enumerate(raw):
            fmt = (
                param_formats[0]
                if len(param_formats) == 1
                else (param_formats[index] if param_formats else 0)
            )
            oid = stmt.param_oids[index] if index < len(stmt.param_oids) else 0
            values.append(pgtypes.decode_parameter(value, oid, fmt == 1))
        old = self.portals.pop(portal_name, None)
        if old and old.running:
            await self.run(old.running.close)
        self.portals[portal_name] = Portal(stmt, values, formats)
        self.writer.write(protocol.BIND_COMPLETE)

    async def _portal_running(self, portal: Portal) -> Running:
        if portal.running is None:
            self._check_transaction(portal.statement.sql)
            portal.running = await self.start(portal.statement.sql, portal.params)
            if portal.running.has_rows:
                check_formats(portal.running.oids(), portal.formats)
        return portal.running

    async def _describe(self, what: bytes, name: str) -> None:
        if what == b"S":
            stmt = self._statement(name)
            count = max(statements.placeholder_count(stmt.sql), len(stmt.param_oids))
            oids = [o or pgtypes.TEXT for o in stmt.param_oids]
            oids += [pgtypes.TEXT] * (count - len(oids))
            self.writer.write(protocol.parameter_description(oids))
            self.writer.write(await describe.row_description(self, stmt.sql, count))
            return
        portal = self.portals.get(name)
        if portal is None:
            raise errors.ProgrammingError(f'portal "{name}" does not exist')
        running = await self._portal_running(portal)
        self.writer.write(
            running.row_description(portal.formats) if running.has_rows else protocol.NO_DATA
        )

    async def _execute_portal(self, name: str, max_rows: int) -> None:
        portal = self.portals.get(name)
        if portal is None:
            raise errors.ProgrammingError(f'portal "{name}" does not exist')
        if statements.is_empty(portal.statement.sql):
            self.writer.write(protocol.EMPTY_QUERY)
            return
        running = await self._portal_running(portal)
        if running.has_rows and not running.done:
            try:
                complete = await self.stream(running, portal.formats, max(max_rows, 0))
            except BaseException as exc:
                self.audit(portal.statement.sql, type(exc).__name__, running.sent, running.started)
                raise
            if not complete:
                running.sent = 0 if max_rows else running.sent
                self.writer.write(protocol.PORTAL_SUSPENDED)
                return
        self.writer.write(protocol.command_complete(running.command_tag()))
        self.audit(portal.statement.sql, "ok", running.sent or running.rowcount, running.started)

    async def close(self) -> None:
        for portal in self.portals.values():
            if portal.running:
                portal.running.close()
        self.portals.clear()
        try:
            # bounded: a driver stuck in a call must not hold the gateway's shutdown
            await asyncio.wait_for(self.run(self.conn.close), CLOSE_SECONDS)
        except (asyncio.TimeoutError, errors.Error) as exc:
            log.warning("closing the source connection failed: %s", exc or "timeout")
        finally:
            self.worker.shutdown(wait=False)
