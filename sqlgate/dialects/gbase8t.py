"""GBase 8t, MySQL-compatible listener: ``gbase8t://user@host:9088/db``."""

from sqlgate.dialects.mysql_family import MySQLFamilyDialect


class GBase8tDialect(MySQLFamilyDialect):
    sqlgate_source = "gbase8t"
    name = "gbase8t"  # Superset lists a backend by its dialect's name
    supports_statement_cache = True  # SQLAlchemy asks every subclass


dialect = GBase8tDialect
