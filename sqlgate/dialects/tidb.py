"""TiDB: ``tidb://user@host:4000/db``; reflection reads TiDB's ``/*T![...] */`` syntax."""

from sqlgate.dialects.mysql_family import MySQLFamilyDialect
from sqlgate.dialects.mysql_reflection import ProductReflectionMixin


class TiDBDialect(ProductReflectionMixin, MySQLFamilyDialect):
    sqlgate_source = "tidb"
    name = "tidb"  # Superset lists a backend by its dialect's name
    supports_statement_cache = True  # SQLAlchemy asks every subclass


dialect = TiDBDialect
