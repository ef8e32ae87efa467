"""MySQL and MariaDB (``mysql+sqlgate://``): the MySQL family's plain member."""

from sqlgate.dbapi.mysql_family import *  # noqa: F403
from sqlgate.dbapi.mysql_family import MySQLFlavor

flavor = MySQLFlavor(source="mysql")
connect = flavor.connect
