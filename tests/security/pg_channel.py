"""How an attacker reaches PostgreSQL through sqlgate, and how one attack is judged.

A :class:`Channel` is one attacker connection: the plain DB-API or a SQLAlchemy engine whose
pool holds exactly one connection, so the connection checked out after an attack is the one
the attack used. :func:`observe` runs an attack on a new channel and fails on anything the
caller should not see (an admitted write, a non-sqlgate error, a slow statement) and on any
change an admin connection sees, restoring the lab if something got through.
"""

from __future__ import annotations

import contextlib
import os
import socket
import time
from collections.abc import Callable
from typing import Any

import psycopg
import sqlalchemy as sa

import sqlgate
from sqlgate.core import errors
from tests.security.pg_attack import INSERT, WRITE_FN, PgLab, diff, settled_diff

REFUSE, ANY = True, False
SECONDS = 3.0  # every attack, pg_sleep(30) included, must be over within this
Steps = tuple[tuple[str, bool], ...]
SQLGATE_ERROR = "a sqlgate PEP 249 error"


def sqlgate_error(exc: BaseException) -> BaseException | None:
    """The sqlgate error behind ``exc`` (SQLAlchemy wraps it), or None if it is not one."""
    orig = getattr(exc, "orig", exc)
    return orig if isinstance(orig, errors.Error) else None


class Channel:
    """One attacker connection: plain DB-API, or a SQLAlchemy engine with a one-slot pool."""

    def __init__(self, url: str, kind: str) -> None:
        self.url, self.kind = url, kind
        self.engine: Any = None
        autocommit = kind.endswith("-ac")
        if kind.startswith("sa"):
            extra = {"isolation_level": "AUTOCOMMIT"} if autocommit else {}
            self.engine = sa.create_engine(
                url, pool_size=1, max_overflow=0, pool_timeout=3, **extra
            )
            self.conn = self.engine.connect()
        else:
            self.conn = sqlgate.connect(url)
            if autocommit:
                self.conn.set_isolation_level("AUTOCOMMIT")

    def _dbapi(self) -> Any:
        if self.engine is None:
            return self.conn
        return self.conn.connection.dbapi_connection

    def execute(self, sql: str, params: Any = None) -> list[tuple[Any, ...]]:
        if self.engine is not None:
            result = (
                self.conn.exec_driver_sql(sql, params)
                if params is not None
                else self.conn.exec_driver_sql(sql)
            )
            return [tuple(r) for r in result.fetchall()] if result.returns_rows else []
        cur = self.conn.cursor()
        cur.execute(sql, params)
        return cur.fetchall() if cur.description is not None else []

    def step(self, sql: str) -> BaseException | None:
        """Run one attack step; return the exception it raised, after recovering smartly:
        roll back only when the server aborted the transaction, as an attacker would."""
        try:
            if sql == "@commit":
                self.conn.commit()
            elif sql == "@return":  # back to the pool, then the same pooled connection again
                self.conn.close()
                self.conn = self.engine.connect()
            else:
                self.execute(sql)
        except Exception as exc:
            self._recover()
            return exc
        return None

    def _recover(self) -> None:
        try:
            raw = self._dbapi().session.raw
            aborted = (
                raw.info.transaction_status != psycopg.pq.TransactionStatus.IDLE
                and raw.info.transaction_status != psycopg.pq.TransactionStatus.INTRANS
            )
        except Exception:  # closed or broken: rolling back is all that is left to try
            aborted = True
        if aborted:  # a broken connection stays broken: the guard check will say so
            with contextlib.suppress(Exception):
                self.conn.rollback()

    def local_ports(self) -> list[int]:
        """The client ports of this channel's live connection (best effort)."""
        try:
            fd = self._dbapi().session.raw.pgconn.socket
            with socket.socket(fileno=os.dup(fd)) as sock:
                return [int(sock.getsockname()[1])]
        except Exception:
            return []

    def release(self) -> None:
        """End the attack: return the connection to the pool (SQLAlchemy) or roll back."""
        with contextlib.suppress(Exception):
            if self.engine is not None:
                self.conn.close()
            else:
                self.conn.rollback()

    def guard_problems(self) -> list[str]:
        """Through the same pool / connection: guard on in a new transaction, writes refused."""
        problems: list[str] = []
        try:
            if self.engine is not None:
                with self.engine.connect() as conn:
                    problems += _check_guard(lambda s: _rows(conn.exec_driver_sql(s)))
            else:
                try:
                    self.conn.rollback()
                    problems += _check_guard(lambda s: _dbapi_rows(self.conn, s))
                except Exception:  # the attack broke the connection: a fresh one instead
                    with sqlgate.connect(self.url) as fresh:
                        problems += _check_guard(lambda s: _dbapi_rows(fresh, s))
        except Exception as exc:
            problems.append(f"guard check could not run: {type(exc).__name__}: {exc}"[:300])
        return problems

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.conn.close()
            if self.engine is not None:
                self.engine.dispose()


def _rows(result: Any) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in result.fetchall()] if result.returns_rows else []


def _dbapi_rows(conn: Any, sql: str) -> list[tuple[Any, ...]]:
    cur = conn.cursor()
    cur.execute(sql)
    return cur.fetchall() if cur.description is not None else []


def _check_guard(run: Any) -> list[str]:
    problems = []
    for name in ("default_transaction_read_only", "transaction_read_only"):
        value = run(f"SHOW {name}")
        if value != [("on",)]:
            problems.append(f"after the attack SHOW {name} gave {value!r}, not on")
    # the view hides its writing function from the gate: only the server guard can refuse it
    for write in (INSERT, WRITE_FN.format(tag="pool-check"), "SELECT * FROM public.write_view"):
        try:
            run(write)
        except Exception as exc:
            if not isinstance(sqlgate_error(exc), errors.ReadOnlyError):
                problems.append(f"{write!r} raised {type(exc).__name__}, not ReadOnlyError")
        else:
            problems.append(f"{write!r} was admitted after the attack")
    return problems


Action = Callable[[Channel], list[str]]


def judge(sql: str, exc: BaseException | None, must_refuse: bool) -> list[str]:
    """A step is fine if refused with ReadOnlyError, or (when allowed) admitted or failed
    with another sqlgate error; anything else reaching the caller is a problem."""
    short = " ".join(sql.split())[:100]
    if exc is None:
        return [f"admitted: {short}"] if must_refuse else []
    err = sqlgate_error(exc)
    if err is None:
        return [f"{short}: raised {type(exc).__name__} ({exc}), not {SQLGATE_ERROR}"[:300]]
    closed = isinstance(err, errors.InterfaceError) and "closed" in str(err)  # after GuardLost
    refused = isinstance(err, (errors.ReadOnlyError, errors.UnparseableStatementError))
    if must_refuse and not (refused or closed):
        return [f"{short}: {type(err).__name__} ({err}), not ReadOnlyError"[:300]]
    return []


def _refused_connect(exc: BaseException, kind: str) -> bool:
    return sqlgate_error(exc) is not None or (
        kind.startswith("sa") and isinstance(exc, sa.exc.ArgumentError)
    )


def observe(
    lab: PgLab, url: str, kind: str, action: Action, *, may_refuse_connect: bool = False
) -> None:
    """Run ``action`` on a new channel; fail on any problem or on any change the admin sees."""
    before = lab.snapshot()
    problems: list[str] = []
    changes: list[str] = []
    channel = None
    try:
        try:
            channel = Channel(url, kind)
        except Exception as exc:
            if not (may_refuse_connect and _refused_connect(exc, kind)):
                problems.append(f"connect raised {type(exc).__name__}: {exc}"[:300])
        if channel is not None:
            started = time.monotonic()
            problems += action(channel)
            problems += judge("@commit", channel.step("@commit"), ANY)
            elapsed = time.monotonic() - started
            if elapsed > SECONDS:
                problems.append(f"the attack took {elapsed:.1f} s (limit {SECONDS} s)")
            # still connected: session locks and dblink links show now
            changes += diff(before, lab.snapshot(channel.local_ports()))
            channel.release()
            problems += channel.guard_problems()
    finally:
        if channel is not None:
            channel.close()
    changes += settled_diff(lab, before)
    if changes:
        lab.restore()
    assert not problems and not changes, "\n".join(
        ["problems:", *problems, "changes seen by the admin:", *changes]
    )


def steps(attack: Steps) -> Action:
    """An action that runs each step and judges it (must it be refused?)."""

    def action(channel: Channel) -> list[str]:
        problems: list[str] = []
        for sql, must_refuse in attack:
            problems += judge(sql, channel.step(sql), must_refuse)
        return problems

    return action
