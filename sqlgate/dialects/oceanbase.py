"""OceanBase: ``oceanbase://user@tenant@host:2881/db`` (or a local server's
``?unix_socket=/path/sql.sock``); reflection reads OceanBase's index options and types.

``?mode=oracle`` selects :class:`OceanBaseOracleDialect` (SQLAlchemy's ``get_dialect_cls``
hook): an Oracle-mode tenant's SQL is Oracle's (``FETCH FIRST``/``ROWNUM``, ``FROM DUAL``,
``VARCHAR2``, ``NUMBER``), its dictionary Oracle's ``ALL_*`` views.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects.mysql.base import MySQLDialect

from sqlgate.dialects.mysql_family import MySQLFamilyDialect
from sqlgate.dialects.mysql_reflection import ProductReflectionMixin, Vector
from sqlgate.dialects.oracle_like import OracleLikeDialect


def _mode(url: Any) -> str:
    value = url.query.get("mode", "mysql")
    if isinstance(value, (tuple, list)):  # a repeated query key
        value = value[-1] if value else "mysql"
    return str(value).strip().lower()


class OceanBaseDialect(ProductReflectionMixin, MySQLFamilyDialect):
    sqlgate_source = "oceanbase"
    supports_statement_cache = True  # SQLAlchemy asks every subclass
    # SHOW CREATE TABLE prints OceanBase's own types in capitals: VECTOR(4)
    ischema_names = {**MySQLDialect.ischema_names, "vector": Vector, "VECTOR": Vector}

    @classmethod
    def get_dialect_cls(cls, url: Any) -> type:
        """``mode=oracle``: the Oracle-mode dialect; else this one."""
        return OceanBaseOracleDialect if _mode(url) == "oracle" else cls


class OceanBaseOracleDialect(OracleLikeDialect):
    """An Oracle-mode tenant through ``sqlgate.dbapi.oceanbase`` (``mode=oracle`` is passed on).

    Named apart from MySQL mode so Superset does not apply its MySQL-mode OceanBase spec
    (MySQL time-grain functions) to Oracle SQL."""

    sqlgate_source = "oceanbase"
    name = "oceanbase_oracle"
    default_paramstyle = "pyformat"  # the PEP 249 module's; values become Oracle literals
    supports_statement_cache = True

    @classmethod
    def get_dialect_cls(cls, url: Any) -> type:
        return cls


dialect = OceanBaseDialect
