"""OceanBase Oracle mode (``oceanbase://...?mode=oracle``) on sqlgate's own MySQL link.

An Oracle-mode tenant logs in only a client that announces ``OB_CLIENT_SUPPORT_ORACLE_MODE``,
capability bit 27 (``CLIENT_SUPPORT_ORACLE_MODE (1ULL << 27)`` in obconnector-c; obconnector-j's
``OB_CLIENT_SUPPORT_ORACLE_MODE = 134217728``); without it the server answers error 1235
"Oracle tenant for current client driver is not supported" (``ObMPConnect`` in
``src/observer/mysql/obmp_connect.cpp`` checks ``cap_flags_.OB_CLIENT_SUPPORT_ORACLE_MODE``).
MySQL 8 gives the same bit to ``CLIENT_QUERY_ATTRIBUTES``, so it is sent only here.

What differs from MySQL mode, each in one place:

* the handshake bit (``EXTRA_CAPABILITIES``, also for the KILL QUERY side link);
* OceanBase's Oracle types 200-211 (:mod:`~sqlgate.dbapi.oceanbase_oracle_types`);
* parameters become Oracle literals (``''`` inside strings, where backslash is an ordinary
  character; ``HEXTORAW``, ``TIMESTAMP '...'``): PyMySQL's MySQL escaping (``\\'``) would end
  an Oracle string early (:mod:`~sqlgate.dbapi.oceanbase_oracle_literals`);
* isolation by ``ALTER SESSION SET ISOLATION_LEVEL`` (Oracle mode's session-level statement);
* no session read-only statement: Oracle's ``SET TRANSACTION READ ONLY`` lasts one
  transaction and must open it (ORA-01453), so the statement gate (policy
  ``oceanbase_oracle``) stands alone and ``sqlgate check`` says so; every function a
  statement calls must be one of Oracle's built-ins
  (:mod:`~sqlgate.dbapi.oceanbase_oracle_functions`, ``allow_functions=`` adds more).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import sqlglot
from sqlglot.tokens import TokenType

from sqlgate.core.allowlists import parse_allow_functions
from sqlgate.core.errors import NotSupportedError, ReadOnlyError
from sqlgate.core.params import ConnectParams
from sqlgate.core.results import Column
from sqlgate.core.session import Parameters
from sqlgate.dbapi.mysql_driver import EXTRA_CAPABILITIES
from sqlgate.dbapi.mysql_family import MySQLFlavor, TimeoutVariable
from sqlgate.dbapi.oceanbase_oracle_functions import function_allow_list
from sqlgate.dbapi.oceanbase_oracle_literals import bind_oracle
from sqlgate.dbapi.oceanbase_oracle_types import TYPE_NAMES, arrow_type, fix_converters
from sqlgate.dbapi.oceanbase_session import OceanBaseSession

if TYPE_CHECKING:
    from sqlgate.dbapi.mysql_session import MySQLSession

ORACLE_MODE_CAPABILITY = 1 << 27  # OB_CLIENT_SUPPORT_ORACLE_MODE
ORACLE_ISOLATION_LEVELS = ("READ COMMITTED", "SERIALIZABLE")


def names_db_link(operation: str) -> bool:
    """Whether an unquoted ``@`` outside strings and comments joins a name to a link."""
    try:
        tokens = sqlglot.tokenize(operation, read="oracle")
    except Exception:  # unlexable: the gate refuses it on its own
        return False
    return any(
        (t.token_type is TokenType.VAR and "@" in t.text)
        or (t.token_type is TokenType.PARAMETER and t.text == "@")
        for t in tokens
    )


@contextmanager
def announcing_oracle_mode() -> Iterator[None]:
    """Links opened inside announce Oracle mode in their handshake."""
    token = EXTRA_CAPABILITIES.set(EXTRA_CAPABILITIES.get() | ORACLE_MODE_CAPABILITY)
    try:
        yield
    finally:
        EXTRA_CAPABILITIES.reset(token)


class PlainSetTimeout(TimeoutVariable):
    """``SET ob_query_timeout = n``: the plain system-variable ``SET`` both modes accept."""

    def statement(self, seconds: float) -> str:
        return super().statement(seconds).replace("SET SESSION ", "SET ", 1)


class OceanBaseOracleSession(OceanBaseSession):
    """An Oracle-mode tenant's session: Oracle types, Oracle literals, Oracle isolation."""

    expected_mode = "ORACLE"

    def __init__(
        self, raw: Any, flavor: MySQLFlavor, side_connection: Callable[[], Any] | None = None
    ) -> None:
        def oracle_side() -> Any:
            assert side_connection is not None
            with announcing_oracle_mode():
                return side_connection()

        super().__init__(raw, flavor, oracle_side if side_connection else None)
        # Oracle-mode strings take no backslash escape (OceanBase's ODC grammar), but no tenant
        # here confirms it: the gate keeps refusing \' in a literal as ambiguous (fail closed)
        self.backslash_escapes: bool | None = None

    #: set by the flavor on a read-only connection: statements naming a database link refused
    refuse_db_links = False

    def prepare(self, operation: str) -> str:
        """``name@link`` reads another database with the link's stored login, outside this
        session's guard and gate: refused before the gate (which sees ``t@link`` as a name)."""
        if self.refuse_db_links and "@" in operation and names_db_link(operation):
            raise ReadOnlyError("database link", "name@link runs on another database")
        return operation

    def bind(self, operation: str, parameters: Parameters) -> str | None:
        """The statement with its values as Oracle literals (what the gate then reads)."""
        return bind_oracle(operation, parameters)

    @staticmethod
    def executed(cursor: Any, operation: str, parameters: Parameters) -> Any:
        if parameters is not None:
            operation, parameters = bind_oracle(operation, parameters), None
        cursor = OceanBaseSession.executed(cursor, operation, parameters)
        fix_converters(cursor._result)  # before any row is read (an unbuffered cursor)
        return cursor

    def describe(self, cursor: Any) -> tuple[Column, ...]:
        columns = super().describe(cursor)
        fields = cursor._result.fields if cursor._result is not None else []
        return tuple(
            c._replace(type_code=TYPE_NAMES[f.type_code]) if f.type_code in TYPE_NAMES else c
            for c, f in zip(columns, fields, strict=True)
        )

    def arrow_type(self, column: Column) -> pa.DataType | None:
        mapped = arrow_type(str(column.type_code), column.precision, column.scale)
        return mapped if mapped is not None else super().arrow_type(column)

    def set_isolation_level(self, level: str) -> None:
        if level == "AUTOCOMMIT":
            super().set_isolation_level(level)
            return
        if level not in ORACLE_ISOLATION_LEVELS:
            raise NotSupportedError(
                f"isolation level {level!r}: OceanBase Oracle mode has "
                f"{' and '.join(ORACLE_ISOLATION_LEVELS)} only"
            )
        self.free_link()
        self._raw.autocommit(False)
        with self._raw.cursor() as cursor:  # a trusted statement built from a checked level
            cursor.execute(f"ALTER SESSION SET ISOLATION_LEVEL = {level}")


@dataclass(frozen=True)
class OracleModeFlavor(MySQLFlavor):
    """Opens its links announcing Oracle mode."""

    def open_session(self, params: ConnectParams) -> MySQLSession:
        extra = parse_allow_functions(params.options.get("allow_functions"))
        skip = ("mode", "allow_functions")
        params = replace(params, options={k: v for k, v in params.options.items() if k not in skip})
        with announcing_oracle_mode():
            session = super().open_session(params)
        if isinstance(session, OceanBaseOracleSession) and params.read_only:
            session.refuse_db_links = True
            # no server guard: a user's function may write (autonomous transactions)
            session.function_allow_list = function_allow_list(extra)
        return session


ORACLE_FLAVOR = OracleModeFlavor(
    source="oceanbase",
    product_pattern=r"OceanBase(?:_CE| seekdb)?-v(\d+)\.(\d+)\.(\d+)",
    guard_statement=None,  # SET TRANSACTION READ ONLY lasts one transaction in Oracle mode
    timeout_variable=PlainSetTimeout("ob_query_timeout", 1_000_000),  # microseconds
    session_class=OceanBaseOracleSession,
    client_side_binding=True,
)
