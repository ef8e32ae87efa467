"""StarRocks: ``starrocks+sqlgate://user@fe-host:9030/db``."""

from sqlgate.dialects.mysql_family import MySQLFamilyDialect


class StarRocksDialect(MySQLFamilyDialect):
    sqlgate_source = "starrocks"
    supports_statement_cache = True  # SQLAlchemy asks every subclass


dialect = StarRocksDialect
