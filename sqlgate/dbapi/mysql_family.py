"""The MySQL-protocol family on pymysql.

A source on this family is a :class:`MySQLFlavor`: its version banner, the statement that makes
its session read-only on the server (where it has one), its sqlglot dialect. Connecting is here
once; driver options in :mod:`~sqlgate.dbapi.mysql_driver`, the session (streaming, guard, type
names, Arrow types) in :mod:`~sqlgate.dbapi.mysql_session`, server errors in
:mod:`~sqlgate.dbapi.mysql_errors`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlgate.core.driver import armed
from sqlgate.core.flavor import Flavor
from sqlgate.core.params import ConnectParams
from sqlgate.core.pep249 import *  # noqa: F403 - a DB-API module re-exports the PEP 249 names
from sqlgate.core.pep249 import __all__ as _pep249_all
from sqlgate.core.registry import import_driver
from sqlgate.core.typemap import MYSQL_TYPES, TypeMap
from sqlgate.dbapi.mysql_arrow import native_available
from sqlgate.dbapi.mysql_driver import connection_class, driver_options, encoded_password
from sqlgate.dbapi.mysql_session import MySQLSession

paramstyle = "pyformat"
__all__ = [*_pep249_all, "paramstyle"]

READ_ONLY_STATEMENT = "SET SESSION TRANSACTION READ ONLY"


class TimeoutVariable(NamedTuple):
    """The server variable that bounds a statement's run time, in its own unit."""

    name: str
    per_second: int
    fractional: bool = False

    def statement(self, seconds: float) -> str:
        value = (
            f"{seconds:.6f}"
            if self.fractional
            else str(max(1, math.ceil(seconds * self.per_second)))
        )
        return f"SET SESSION {self.name} = {value}"


MARIADB_TIMEOUT = TimeoutVariable("max_statement_time", 1, fractional=True)
MYSQL_TIMEOUT = TimeoutVariable("max_execution_time", 1000)  # ms; MySQL applies it to SELECT


@dataclass(frozen=True)
class MySQLFlavor(Flavor):
    """How one MySQL-protocol source differs from plain MySQL/MariaDB."""

    # MariaDB's handshake says "5.5.5-10.11.6-MariaDB": the real version follows the prefix
    compat_pattern: str | None = r"^(?:5\.5\.5-)?(\d+)\.(\d+)\.(\d+)"
    types: TypeMap = MYSQL_TYPES
    # None where the engine has no session read-only mode: the statement gate stands alone
    guard_statement: str | None = READ_ONLY_STATEMENT
    # what ``statement_timeout=`` sets; None: MariaDB's or MySQL's variable, by the banner
    timeout_variable: TimeoutVariable | None = None
    # global switches that make the whole cluster read-only (TiDB's tidb_super_read_only):
    # reported by server_guard_active where the engine has no session guard
    read_only_variables: tuple[str, ...] = ()
    # a flavor's own session (OceanBase reads its tenant mode, TiDB rewrites time travel)
    session_class: type[MySQLSession] = MySQLSession

    def timeout_statement(self, banner: str, seconds: float) -> str:
        if self.timeout_variable is not None:
            return self.timeout_variable.statement(seconds)
        mariadb = "mariadb" in banner.lower()
        return (MARIADB_TIMEOUT if mariadb else MYSQL_TIMEOUT).statement(seconds)

    def open_session(self, params: ConnectParams) -> MySQLSession:
        pymysql = import_driver(self.source, "pymysql")
        options = driver_options(
            {**self.connect_defaults, **params.options}, read_only=params.read_only
        )
        guard = self.guard_statement if params.read_only else None

        def session_setup(banner: str) -> list[str]:
            """Run at every (re)connect; the read-only guard last, so nothing undoes it."""
            statements = []
            if options.statement_timeout is not None:
                statements.append(self.timeout_statement(banner, options.statement_timeout))
            return [*statements, guard] if guard else statements

        raw = connection_class(pymysql)(
            session_setup=session_setup,
            host=params.host or "localhost",
            port=params.effective_port() or 3306,
            user=params.user or "",
            password=encoded_password(params.password),
            database=params.database,
            autocommit=False,
            **options.kwargs,
        )

        def side_connection() -> Any:
            """For KILL QUERY: the same login, no set-up (it runs that one statement only)."""
            return connection_class(pymysql)(
                session_setup=lambda banner: [],
                host=params.host or "localhost",
                port=params.effective_port() or 3306,
                user=params.user or "",
                password=encoded_password(params.password),
                autocommit=True,
                **{**options.kwargs, "connect_timeout": 5, "read_timeout": 5, "write_timeout": 5},
            )

        session = self.session_class(raw, self, side_connection)
        session.native_arrow = options.arrow_path == "native" and native_available()
        if guard:
            armed(session, session.arm_guard)
        if options.require_read_only_user:
            armed(session, lambda: session.require_read_only_user(params.user or ""))
        return session
