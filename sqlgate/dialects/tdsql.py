"""Tencent TDSQL, MySQL edition: ``tdsql://user@host:3306/db``."""

from sqlgate.dialects.mysql_family import MySQLFamilyDialect


class TDSQLDialect(MySQLFamilyDialect):
    sqlgate_source = "tdsql"
    name = "tdsql"  # Superset lists a backend by its dialect's name
    supports_statement_cache = True  # SQLAlchemy asks every subclass


dialect = TDSQLDialect
