"""The PostgreSQL-protocol family on psycopg 3.

A source on this family is a :class:`PostgresFlavor`: how its version string reads, which
sqlglot dialect gates its statements, which type names it adds. Everything else (connecting,
the ``default_transaction_read_only`` guard, type names from OIDs, Arrow conversion) is here once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from sqlgate.core.driver import DriverSession
from sqlgate.core.flavor import Flavor
from sqlgate.core.params import ConnectParams
from sqlgate.core.pep249 import *  # noqa: F403 - a DB-API module re-exports the PEP 249 names
from sqlgate.core.pep249 import __all__ as _pep249_all
from sqlgate.core.redact import redact
from sqlgate.core.registry import import_driver
from sqlgate.core.results import Column
from sqlgate.core.translate import register_classifier
from sqlgate.core.typemap import POSTGRES_TYPES, TypeMap

paramstyle = "pyformat"
__all__ = [*_pep249_all, "paramstyle"]

# The server-side guard: every transaction starts read-only unless lifted explicitly, and the
# statement gate refuses every statement that could lift it.
READ_ONLY_OPTION = "-c default_transaction_read_only=on"
# Oracle-style names that openGauss, GaussDB, KingbaseES and Oscar report beside PostgreSQL's
_ORACLE_STYLE_NAMES = {
    "varchar2": "varchar", "nvarchar2": "varchar", "clob": "text", "nclob": "text",
    "blob": "bytea", "raw": "bytea", "number": "numeric", "binary_float": "float4",
    "binary_double": "float8",
}
ORACLE_STYLE_TYPES = POSTGRES_TYPES.extend(_ORACLE_STYLE_NAMES, name="oracle-style")
OPENGAUSS_TYPES = ORACLE_STYLE_TYPES.extend(
    {"tinyint": "int2", "int1": "int2", "smalldatetime": "timestamp"}, name="opengauss"
)
_LIFTS_GUARD = re.compile(r"(?i)transaction[_ ]read[_ ]only|default_transaction|read_write")
_READ_ONLY_SQLSTATE = "25006"  # read_only_sql_transaction


def _classify(exc: BaseException) -> Error | None:  # noqa: F405
    if getattr(exc, "sqlstate", None) == _READ_ONLY_SQLSTATE:
        detail = f"refused by the server's read-only guard: {redact(exc)}"
        return ReadOnlyError("write", detail)  # noqa: F405
    return None


register_classifier("psycopg", _classify)

_PSYCOPG_ISOLATION = {
    "READ UNCOMMITTED": "READ_UNCOMMITTED",
    "READ COMMITTED": "READ_COMMITTED",
    "REPEATABLE READ": "REPEATABLE_READ",
    "SERIALIZABLE": "SERIALIZABLE",
}


@dataclass(frozen=True)
class PostgresFlavor(Flavor):
    """How one PostgreSQL-protocol source differs from plain PostgreSQL."""

    compat_pattern: str | None = r"PostgreSQL (\d+)\.(\d+)"
    types: TypeMap = POSTGRES_TYPES
    guard_option: str = READ_ONLY_OPTION

    def open_session(self, params: ConnectParams) -> PostgresSession:
        psycopg = import_driver(self.source, "psycopg")
        options = dict(self.connect_defaults)
        options.update(params.options)
        guard = [self.guard_option] if params.read_only else []
        extra_options = str(options.pop("options", ""))
        if params.read_only and _LIFTS_GUARD.search(extra_options):
            raise ProgrammingError(  # noqa: F405
                "the 'options' connection parameter may not change transaction read-only "
                "settings while read_only=true"
            )
        # the guard goes last: with repeated -c settings, PostgreSQL keeps the last one
        startup = " ".join([extra_options, *guard]).strip()
        options.setdefault("connect_timeout", 10)
        options.setdefault("application_name", "sqlgate")
        raw = psycopg.connect(
            host=params.host or "localhost",
            port=params.effective_port(),
            user=params.user,
            password=params.password,
            dbname=params.database,
            options=startup or None,
            autocommit=False,
            # client-side binding, as psycopg2 did: untyped parameters (json_build_object(%s))
            # in SQLAlchemy's reflection queries work on every SQLAlchemy version
            cursor_factory=psycopg.ClientCursor,
            **options,
        )
        return PostgresSession(raw, self)


class PostgresSession(DriverSession):
    """A psycopg 3 connection; rows pass through untouched, types named from their OIDs."""

    _flavor: PostgresFlavor

    def __init__(self, raw: Any, flavor: PostgresFlavor) -> None:
        super().__init__(raw, flavor, _banner(raw))
        self._type_names: dict[int, str] = {}

    def type_name(self, oid: int) -> str:
        """``int4``, ``int4[]``, ``numeric``...; ``unknown`` for types psycopg cannot name."""
        name = self._type_names.get(oid)
        if name is None:
            info = self._raw.adapters.types.get(oid)
            if info is None:
                name = "unknown"
            else:
                name = f"{info.name}[]" if oid == info.array_oid else info.name
            self._type_names[oid] = name
        return name

    def describe(self, cursor: Any) -> tuple[Column, ...]:
        return tuple(
            Column(d.name, self.type_name(d.type_code), d.display_size, d.internal_size,
                   d.precision, d.scale, d.null_ok)
            for d in cursor.description
        )

    def arrow_type(self, column: Column) -> pa.DataType | None:
        name = column.type_code
        if name == "numeric":
            # an unconstrained NUMERIC has no fixed scale: Arrow gets its exact text (as ADBC)
            if column.precision is None:
                return pa.string()
            return pa.decimal128(column.precision, column.scale or 0) if column.precision <= 38 \
                else pa.decimal256(column.precision, column.scale or 0)
        return self._flavor.types.to_arrow(name)

    def set_isolation_level(self, level: str) -> None:
        psycopg = import_driver(self._flavor.source, "psycopg")
        if self._raw.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
            self._raw.rollback()
        if level == "AUTOCOMMIT":
            self._raw.autocommit = True
            return
        self._raw.autocommit = False
        self._raw.isolation_level = getattr(psycopg.IsolationLevel, _PSYCOPG_ISOLATION[level])

    def server_guard_active(self) -> bool | None:
        with self._raw.cursor() as cur:
            cur.execute("SHOW default_transaction_read_only")
            row = cur.fetchone()
        return bool(row) and row[0] == "on"

    def ping(self) -> None:
        with self._raw.cursor() as cur:
            cur.execute("SELECT 1")

    def close(self) -> None:
        self._raw.close()


def _banner(raw: Any) -> str:
    """``SELECT version()``, without leaving a transaction open."""
    with raw.cursor() as cur:
        cur.execute("SELECT version()")
        row = cur.fetchone()
    raw.rollback()
    return str(row[0]) if row else ""
