"""KingbaseES through its own driver, ``ksycopg2`` (pip; a psycopg2 fork bundling libkci).

Kingbase's driver speaks KingbaseES' own login methods and bundles its client library, so
``kingbase://`` uses it where it is installed (``pip install 'sqlgate[kingbase]'``) and the
family's psycopg 3 session otherwise (``driver=psycopg`` forces that). The read-only guard is
the family's: ``-c default_transaction_read_only=on`` at startup, psycopg2's ``readonly``
session, the parameter status checked after statements. ksycopg2 buffers a whole result at
``execute`` (no chunked streaming), and it knows types only by OID, so the type names are read
from ``pg_type`` once at connect (the built-in ones and the fork's, see ``pgwire_types``).
"""

from __future__ import annotations

import datetime as dt
import decimal
import importlib.util
import threading
from dataclasses import dataclass, replace
from typing import Any

import pyarrow as pa

from sqlgate.core.allowlists import parse_allow_functions
from sqlgate.core.driver import DriverSession, armed, guard_lost, server_refused_write
from sqlgate.core.errors import Error, InterfaceError, NotSupportedError
from sqlgate.core.params import ConnectParams
from sqlgate.core.redact import redact
from sqlgate.core.registry import import_driver
from sqlgate.core.results import Column
from sqlgate.core.session import Session
from sqlgate.core.translate import register_classifier
from sqlgate.dbapi.pgwire_types import ORACLE_DATE, ForkFlavor, hex_bytes
from sqlgate.dbapi.postgres_options import Timeouts, libpq_startup
from sqlgate.dbapi.postgres_session import (
    PostgresSession,
    describe_columns,
    function_allow_list,
    introspect,
)

_GUC = "default_transaction_read_only"
_ISOLATION = {
    "READ UNCOMMITTED": "ISOLATION_LEVEL_READ_UNCOMMITTED",
    "READ COMMITTED": "ISOLATION_LEVEL_READ_COMMITTED",
    "REPEATABLE READ": "ISOLATION_LEVEL_REPEATABLE_READ",
    "SERIALIZABLE": "ISOLATION_LEVEL_SERIALIZABLE",
    "AUTOCOMMIT": "ISOLATION_LEVEL_AUTOCOMMIT",
}
# every type name in pg_catalog, plus the fork's own wherever they live (as pgwire_types)
_TYPES_QUERY = (
    "SELECT t.oid::int8, t.typname::text, t.typarray::int8, "
    "n.nspname = 'pg_catalog' FROM pg_catalog.pg_type t "
    "JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace "
    "WHERE n.nspname = 'pg_catalog' OR t.typname = ANY(%s) ORDER BY 4"
)
_PY_ENCODINGS = {"UTF8": "utf-8", "GBK": "gbk", "GB18030": "gb18030", "SQL_ASCII": "ascii"}
_FORK_CASTS: dict[str, Any] = {
    "tinyint": int,
    "int1": int,
    "number": decimal.Decimal,
    "binary_float": float,
    "binary_double": float,
    "raw": hex_bytes,
    "blob": hex_bytes,
    "varchar2": str,
    "nvarchar2": str,
    "clob": str,
    "nclob": str,
    "smalldatetime": dt.datetime.fromisoformat,
    "date": dt.datetime.fromisoformat,  # a date type other than PostgreSQL's: Oracle's
}


def _classify(exc: BaseException) -> Error | None:
    """A write the server's guard refused (SQLSTATE 25006, ``kbcode``) is a ReadOnlyError."""
    if getattr(exc, "kbcode", None) == "25006":
        return server_refused_write(redact(exc))
    return None


register_classifier("ksycopg2", _classify)


def ksycopg2_installed() -> bool:
    return importlib.util.find_spec("ksycopg2") is not None


class KsycopgSession(DriverSession):
    """A ksycopg2 connection: rows pass through, types named from the catalog read at connect."""

    _flavor: ForkFlavor

    def __init__(
        self, raw: Any, flavor: ForkFlavor, *, guarded: bool, read_timeout: float | None = None
    ) -> None:
        banner, self._shadowed = introspect(raw, guarded)
        self._read_timeout = read_timeout
        super().__init__(raw, flavor, banner)
        self._names = self._read_types(raw)
        self._ext = importlib.import_module("ksycopg2.extensions")
        self._encoding = _PY_ENCODINGS.get(raw.encoding, "utf-8")
        if raw.get_parameter_status("standard_conforming_strings") == "on":
            self.backslash_escapes = False

    def _read_types(self, raw: Any) -> dict[int, str]:
        """{oid: name} for the catalog's types (arrays as ``name[]``); casts for the fork's."""
        extensions = importlib.import_module("ksycopg2.extensions")
        with raw.cursor() as cur:
            cur.execute(_TYPES_QUERY, (sorted(_FORK_CASTS),))
            rows = cur.fetchall()
        raw.rollback()
        names: dict[int, str] = {}
        for oid, typname, array_oid, builtin in rows:
            if builtin and (oid == 1082 or typname not in _FORK_CASTS):
                names[oid] = typname
                names[array_oid] = f"{typname}[]"
                continue
            if typname not in _FORK_CASTS or (builtin and oid in names):
                continue
            name = ORACLE_DATE if typname == "date" else typname
            names[oid] = name
            cast = _FORK_CASTS[typname]
            caster = extensions.new_type(
                (oid,), name.upper(), lambda v, _c, f=cast: None if v is None else f(v)
            )
            extensions.register_type(caster, raw)
        return names

    # -- the server-side guard ----------------------------------------------------------
    def arm_guard(self, allowed_extra: frozenset[str] = frozenset()) -> None:
        """As the psycopg session: check the startup guard took, make every transaction
        READ ONLY (psycopg2's session ``readonly``), fix the function allow-list."""
        super().arm_guard()
        self._raw.set_session(readonly=True)
        self.function_allow_list = function_allow_list(self._shadowed, allowed_extra)

    def verify_guard(self, *, boundary: bool = False) -> None:
        if not self._guarded:
            return
        status = self._raw.get_parameter_status(_GUC)
        if status is None:  # servers before PostgreSQL 14 do not report it: ask when idle
            status_now = self._raw.get_transaction_status()
            if not (boundary or status_now == self._ext.TRANSACTION_STATUS_IDLE):
                return
            status = self.server_guard_active() and "on"
        if str(status).lower() not in ("on", "true", "1"):
            raise guard_lost(_GUC)

    def server_guard_active(self) -> bool | None:
        with self._raw.cursor() as cur:
            cur.execute(f"SHOW {_GUC}")
            row = cur.fetchone()
        if not self._raw.autocommit:
            self._raw.rollback()
        return bool(row) and row[0] == "on"

    def guard_warnings(self) -> list[str]:
        """The psycopg session's checks, on this driver (same query, same wording)."""
        return PostgresSession.guard_warnings(self)  # type: ignore[arg-type]

    # -- statements and types -------------------------------------------------------------
    def bind(self, operation: str, parameters: Any) -> str | None:
        """psycopg2's ``mogrify`` splices values in as psycopg's does, returning bytes."""
        if isinstance(parameters, (dict, list, tuple)) and not parameters and "%" not in operation:
            return operation
        if self._binder is None:
            self._binder = self._raw.cursor()
        bound = self._binder.mogrify(operation, parameters)
        return bound.decode(self._encoding) if isinstance(bound, bytes) else str(bound)

    def describe(self, cursor: Any) -> tuple[Column, ...]:
        return describe_columns(cursor, lambda oid: self._names.get(oid, "unknown"))

    def arrow_type(self, column: Column) -> pa.DataType | None:
        return PostgresSession.arrow_type(self, column)  # type: ignore[arg-type]

    def server_call(self, call: Any) -> Any:
        """ksycopg2 blocks in ``execute`` until the whole result is in: past ``read_timeout``
        a protocol cancel stops the statement (the driver then raises QueryCanceled)."""
        if not self._read_timeout:
            return call()
        timer = threading.Timer(self._read_timeout, self.cancel)
        timer.daemon = True
        timer.start()
        try:
            return call()
        finally:
            timer.cancel()

    def link_id(self) -> int:
        return int(self._raw.get_backend_pid())

    def cancel(self) -> None:
        self._raw.cancel()

    def set_isolation_level(self, level: str) -> None:
        if self._raw.get_transaction_status() != self._ext.TRANSACTION_STATUS_IDLE:
            self._raw.rollback()
        value = getattr(self._ext, _ISOLATION[level])
        self._raw.set_isolation_level(value)
        if self._guarded and level != "AUTOCOMMIT":
            self._raw.set_session(readonly=True)

    def ping(self) -> None:
        with self._raw.cursor() as cur:
            cur.execute("SELECT 1")

    def close(self) -> None:
        if not self._raw.closed:
            self._raw.close()


@dataclass(frozen=True)
class KingbaseFlavor(ForkFlavor):
    """KingbaseES: ksycopg2 where installed (or ``driver=ksycopg2``), else psycopg 3."""

    # a ksycopg2 session is not a psycopg one: the family's return type is narrower
    def open_session(self, params: ConnectParams) -> Session:  # type: ignore[override]
        options = dict(params.options)
        choice = str(options.pop("driver", "auto")).lower()
        if choice not in ("auto", "ksycopg2", "psycopg"):
            raise InterfaceError(f"option driver={choice!r}: use ksycopg2 or psycopg")
        if choice == "psycopg" or (choice == "auto" and not ksycopg2_installed()):
            return super().open_session(replace(params, options=options))
        if not ksycopg2_installed():
            raise InterfaceError(
                "driver=ksycopg2 needs Kingbase's driver: pip install 'sqlgate[kingbase]'"
            )
        return self._open_ksycopg2(replace(params, options=options))

    def _open_ksycopg2(self, params: ConnectParams) -> KsycopgSession:
        driver = import_driver(self.source, "ksycopg2")
        options = dict(self.connect_defaults)
        options.update(params.options)
        timeouts = Timeouts.pop_from(options)
        allowed_extra = parse_allow_functions(options.pop("allow_functions", None))
        if str(options.pop("arrow_path", "rows")).lower() == "native":
            raise NotSupportedError("arrow_path=native needs driver=psycopg (ADBC uses libpq)")
        startup = libpq_startup(options, timeouts, params.read_only, self.guard_option)
        raw = driver.connect(
            host=params.host or "localhost",
            port=params.effective_port(),
            user=params.user,
            password=params.password,
            dbname=params.database,
            options=startup,
            connect_timeout=timeouts.connect_seconds(),
            **options,
        )
        try:
            session = KsycopgSession(
                raw, self, guarded=params.read_only, read_timeout=timeouts.read
            )
        except BaseException:
            raw.close()
            raise
        if params.read_only:
            armed(session, lambda: session.arm_guard(allowed_extra))
        return session
