"""DaMeng DM8: ``dameng://user@host:5236/SCHEMA`` on SQLAlchemy's Oracle dialect.

DM's SQL is Oracle's in what SQLAlchemy writes (``FETCH FIRST`` on SQLAlchemy 2, the
``ROWNUM`` subquery on 1.4, ``seq.nextval``, ``FROM DUAL``, ``VARCHAR2``/``NUMBER``/``CLOB``)
and in its data dictionary (``ALL_TAB_COLUMNS``). It differs where this dialect says so:
``DATE`` holds a date only (DM's ``DATETIME``/``TIMESTAMP`` hold the time), so
``DateTime`` is ``TIMESTAMP`` and a reflected ``DATE`` is a ``Date``; booleans are ``BIT``;
identifiers may be 128 characters long; DM-only names (``TEXT``, ``IMAGE``, ``DATETIME``,
``BYTE``) are reflected.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy.types as sat
from sqlalchemy.dialects.oracle import base as oracle

from sqlgate.dialects.oracle_like import ORACLE_COMPAT_VERSION, OracleLikeDialect

__all__ = ["ORACLE_COMPAT_VERSION", "DamengDialect", "TimestampTZ"]


class TimestampTZ(oracle.TIMESTAMP):
    """DM's ``DATETIME WITH TIME ZONE`` (reflection instantiates the class without arguments)."""

    def __init__(self, timezone: bool = True) -> None:
        super().__init__(timezone=timezone)


class DamengTypeCompiler(oracle.OracleTypeCompiler):
    """DM spellings where they differ from Oracle's."""

    def visit_datetime(self, type_: Any, **kw: Any) -> str:
        return "TIMESTAMP"  # DM's DATE has no time of day

    def visit_boolean(self, type_: Any, **kw: Any) -> str:
        return "BIT"


class DamengDialect(OracleLikeDialect):
    sqlgate_source = "dameng"
    name = "dameng"  # Superset lists a backend by its dialect's name
    default_paramstyle = "qmark"
    supports_statement_cache = True  # SQLAlchemy asks every subclass
    type_compiler = DamengTypeCompiler  # SQLAlchemy 1.4
    type_compiler_cls = DamengTypeCompiler  # SQLAlchemy 2
    ischema_names = {
        **oracle.OracleDialect.ischema_names,
        "DATE": sat.Date,
        "DATETIME": sat.DateTime,
        "TEXT": oracle.CLOB,
        "LONGVARCHAR": oracle.CLOB,
        "IMAGE": oracle.BLOB,
        "LONGVARBINARY": oracle.BLOB,
        "BIT": sat.Boolean,
        "BYTE": sat.SmallInteger,
        "TINYINT": sat.SmallInteger,
        "INT": sat.Integer,
        "BIGINT": sat.BigInteger,
        "DOUBLE": sat.Float,
        "VARCHAR": sat.VARCHAR,
        "DATETIME WITH TIME ZONE": TimestampTZ,
    }


dialect = DamengDialect
