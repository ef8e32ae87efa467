"""GaussDB, MySQL mode: ``gaussdb+mysql://user@host:3306/db``."""

from sqlgate.dialects.mysql_family import MySQLFamilyDialect


class GaussDBMySQLDialect(MySQLFamilyDialect):
    sqlgate_source = "gaussdb_mysql"
    name = "gaussdb"  # backend gaussdb, driver mysql: as the URL gaussdb+mysql says
    driver = "mysql"
    supports_statement_cache = True  # SQLAlchemy asks every subclass


dialect = GaussDBMySQLDialect
