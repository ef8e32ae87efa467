"""Engine specs for sqlgate's wire sources whose backend name Superset has no spec for.

PostgreSQL-compatible servers (openGauss, KingbaseES, Shentong Oscar, GaussDB) extend
Superset's ``PostgresEngineSpec`` and MySQL-compatible ones (TiDB, TDSQL, GBase 8a, GaussDB in
MySQL mode) its ``MySQLEngineSpec``: their time grains, ``convert_dttm``, type mappings and
schema handling are the same SQL. sqlgate replaces what would need another driver or SQL the
read-only gate refuses: Stop (:mod:`sqlgate.superset.common`) and result type labels (sqlgate
describes columns by type name already).

OceanBase is not here: Superset 6.1 ships ``OceanBaseEngineSpec`` for the ``oceanbase``
backend, which is loaded first and wins, like ``PostgresEngineSpec`` for ``postgresql+sqlgate``.
"""

from __future__ import annotations

from typing import Any

from superset.db_engine_specs.mysql import MySQLEngineSpec
from superset.db_engine_specs.postgres import PostgresEngineSpec

from sqlgate.core.registry import get_source
from sqlgate.superset.common import SqlgateSpecMixin


def _mysql_type_codes() -> None:
    """Superset's MySQL spec labels result columns with ``MySQLdb``'s FIELD_TYPE table and
    imports mysqlclient (a C extension with no Linux wheel) to build it. PyMySQL has the same
    table: fill the spec's cache from it, once, when mysqlclient is not installed. sqlgate
    itself reports type names, which the spec passes through unchanged."""
    if MySQLEngineSpec.type_code_map:
        return
    try:
        import MySQLdb  # noqa: F401 - the real driver builds the table itself
    except ImportError:
        try:
            from pymysql.constants import FIELD_TYPE
        except ImportError:
            return
        MySQLEngineSpec.type_code_map = {
            getattr(FIELD_TYPE, k): k for k in dir(FIELD_TYPE) if not k.startswith("_")
        }


_mysql_type_codes()


class _NamedFromRegistry:
    """``engine`` is the URL's backend name; the title comes from sqlgate's registry."""

    source = ""
    # Superset's BaseEngineSpec attributes, set on each concrete spec below
    engine: str
    engine_name: str
    sqlalchemy_uri_placeholder: str

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not cls.__dict__.get("source"):
            return  # a family base, never loaded by Superset
        spec = get_source(cls.source)
        cls.engine = spec.scheme.split("+")[0]
        cls.engine_name = spec.title
        port = spec.default_port
        db = "database" if spec.family == "postgres" else "db"
        cls.sqlalchemy_uri_placeholder = f"{spec.scheme}://user@host:{port}/{db}?credential=env:PW"


class SqlgatePostgresSpec(SqlgateSpecMixin, _NamedFromRegistry, PostgresEngineSpec):
    """A PostgreSQL-compatible server through sqlgate."""

    engine_aliases: set[str] = set()  # PostgresEngineSpec's "postgres" alias is not ours

    @classmethod
    def get_datatype(cls, type_code: Any) -> str | None:
        """sqlgate's type codes are type names (``int4``, ``timestamptz``); no psycopg2."""
        return type_code if isinstance(type_code, str) and type_code else None


class SqlgateMySQLSpec(SqlgateSpecMixin, _NamedFromRegistry, MySQLEngineSpec):
    """A MySQL-compatible server through sqlgate."""

    engine_aliases: set[str] = set()


class OpenGaussEngineSpec(SqlgatePostgresSpec):
    source = "opengauss"


class KingbaseEngineSpec(SqlgatePostgresSpec):
    source = "kingbase"


class OscarEngineSpec(SqlgatePostgresSpec):
    source = "oscar"


class GaussDBEngineSpec(SqlgatePostgresSpec):
    source = "gaussdb"


class TiDBEngineSpec(SqlgateMySQLSpec):
    source = "tidb"


class TDSQLEngineSpec(SqlgateMySQLSpec):
    source = "tdsql"


class GBase8aEngineSpec(SqlgateMySQLSpec):
    source = "gbase8a"


class GaussDBMySQLEngineSpec(SqlgateMySQLSpec):
    """``gaussdb+mysql://``: backend ``gaussdb`` like the PostgreSQL mode, told apart by the
    driver part of the URL (``mysql``), which Superset matches first."""

    source = "gaussdb_mysql"
    drivers = {"mysql": "sqlgate, MySQL mode (gaussdb+mysql://)"}
    default_driver = "mysql"
