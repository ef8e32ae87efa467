"""The PostgreSQL-protocol family on psycopg 3.

A source on this family is a :class:`PostgresFlavor`: how its version string reads, which
sqlglot dialect gates its statements, which type names it adds. Everything else is here once:
connecting (this module; URL options in :mod:`~sqlgate.dbapi.postgres_options`), the
``default_transaction_read_only`` guard, type names from OIDs and Arrow conversion
(:mod:`~sqlgate.dbapi.postgres_session`), streaming (:mod:`~sqlgate.dbapi.postgres_stream`).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlgate.core.allowlists import parse_allow_functions
from sqlgate.core.driver import armed, parse_arrow_path
from sqlgate.core.flavor import Flavor
from sqlgate.core.params import ConnectParams
from sqlgate.core.pep249 import *  # noqa: F403 - a DB-API module re-exports the PEP 249 names
from sqlgate.core.pep249 import __all__ as _pep249_all
from sqlgate.core.registry import import_driver
from sqlgate.core.typemap import POSTGRES_TYPES, TypeMap
from sqlgate.dbapi.postgres_arrow import ArrowPath
from sqlgate.dbapi.postgres_options import (
    Timeouts,
    libpq_startup,
)
from sqlgate.dbapi.postgres_session import PostgresSession

paramstyle = "pyformat"
__all__ = [*_pep249_all, "paramstyle"]

# The server-side guard: every transaction starts read-only unless lifted explicitly, and the
# statement gate refuses every statement that could lift it.
READ_ONLY_OPTION = "-c default_transaction_read_only=on"
# Oracle-style names that openGauss, GaussDB, KingbaseES and Oscar report beside PostgreSQL's
_ORACLE_STYLE_NAMES = {
    "varchar2": "varchar",
    "nvarchar2": "varchar",
    "clob": "text",
    "nclob": "text",
    "blob": "bytea",
    "raw": "bytea",
    "number": "numeric",
    "binary_float": "float4",
    "binary_double": "float8",
}
ORACLE_STYLE_TYPES = POSTGRES_TYPES.extend(_ORACLE_STYLE_NAMES, name="oracle-style")
OPENGAUSS_TYPES = ORACLE_STYLE_TYPES.extend(
    {"tinyint": "int2", "int1": "int2", "smalldatetime": "timestamp"}, name="opengauss"
)


@dataclass(frozen=True)
class PostgresFlavor(Flavor):
    """How one PostgreSQL-protocol source differs from plain PostgreSQL."""

    compat_pattern: str | None = r"PostgreSQL (\d+)\.(\d+)"
    types: TypeMap = POSTGRES_TYPES
    guard_option: str = READ_ONLY_OPTION
    # a flavor whose link differs (openGauss' login bridge) names its own session class
    session_type: type[PostgresSession] = PostgresSession

    def open_session(self, params: ConnectParams) -> PostgresSession:
        psycopg = import_driver(self.source, "psycopg")
        options = dict(self.connect_defaults)
        options.update(params.options)
        timeouts = Timeouts.pop_from(options)
        allowed_extra = parse_allow_functions(options.pop("allow_functions", None))
        arrow_path = parse_arrow_path(options.pop("arrow_path", None))
        startup = libpq_startup(options, timeouts, params.read_only, self.guard_option)
        raw = psycopg.connect(
            host=params.host or "localhost",
            port=params.effective_port(),
            user=params.user,
            password=params.password,
            dbname=params.database,
            options=startup,
            autocommit=False,
            connect_timeout=timeouts.connect_seconds(),
            # client-side binding, as psycopg2 did: untyped parameters (json_build_object(%s))
            # in SQLAlchemy's reflection queries work on every SQLAlchemy version
            cursor_factory=psycopg.ClientCursor,
            **options,
        )
        session = self.session_type(raw, self, timeouts.read, guarded=params.read_only)
        if params.read_only:
            armed(session, lambda: session.arm_guard(allowed_extra))
            if arrow_path == "native":  # ADBC beside psycopg (postgres_arrow.py)
                session._arrow = ArrowPath()
                armed(session, lambda: ArrowPath.open(session))
        return session
