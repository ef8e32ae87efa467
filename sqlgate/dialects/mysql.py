"""MySQL and MariaDB through sqlgate: ``mysql+sqlgate://user@host:3306/db``."""

from sqlgate.dialects.mysql_family import MySQLFamilyDialect


class MySQLDialect(MySQLFamilyDialect):
    sqlgate_source = "mysql"


dialect = MySQLDialect
