"""Apache Doris: ``doris+sqlgate://user@fe-host:9030/db``."""

from sqlgate.dialects.mysql_family import MySQLFamilyDialect


class DorisDialect(MySQLFamilyDialect):
    sqlgate_source = "doris"
    supports_statement_cache = True  # SQLAlchemy asks every subclass


dialect = DorisDialect
