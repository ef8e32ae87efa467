"""TiDB: ``tidb://user@host:4000/db``."""

from sqlgate.dialects.mysql_family import MySQLFamilyDialect


class TiDBDialect(MySQLFamilyDialect):
    sqlgate_source = "tidb"
    name = "tidb"  # Superset lists a backend by its dialect's name
    supports_statement_cache = True  # SQLAlchemy asks every subclass


dialect = TiDBDialect
