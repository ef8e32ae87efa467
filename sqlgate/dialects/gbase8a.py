"""GBase 8a (MySQL protocol, MPP analytics): ``gbase8a://user@host:5258/db``."""

from sqlgate.dialects.mysql_family import MySQLFamilyDialect


class GBase8aDialect(MySQLFamilyDialect):
    sqlgate_source = "gbase8a"
    name = "gbase8a"  # Superset lists a backend by its dialect's name
    supports_statement_cache = True  # SQLAlchemy asks every subclass


dialect = GBase8aDialect
