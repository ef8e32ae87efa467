"""OceanBase, MySQL mode: ``oceanbase://user@tenant@host:2881/db``."""

from sqlgate.dialects.mysql_family import MySQLFamilyDialect


class OceanBaseDialect(MySQLFamilyDialect):
    sqlgate_source = "oceanbase"
    supports_statement_cache = True  # SQLAlchemy asks every subclass


dialect = OceanBaseDialect
