"""GBase 8t through its MySQL-compatible listener (``gbase8t://``)."""

from sqlgate.dbapi.mysql_family import *  # noqa: F403
from sqlgate.dbapi.mysql_family import MySQLFlavor

flavor = MySQLFlavor(source="gbase8t", product_pattern=r"(?i)gbase[^\d]*(\d+)\.(\d+)")
connect = flavor.connect
