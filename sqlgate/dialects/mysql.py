"""MySQL and MariaDB through sqlgate: ``mysql+sqlgate://user@host:3306/db``."""

from sqlgate.dialects.mysql_family import MySQLFamilyDialect


class MySQLDialect(MySQLFamilyDialect):
    sqlgate_source = "mysql"
    supports_statement_cache = True  # SQLAlchemy asks every subclass


dialect = MySQLDialect
