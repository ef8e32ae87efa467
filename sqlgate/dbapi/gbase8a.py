"""GBase 8a (``gbase8a://``): GBase's MPP analytical database, MySQL protocol (port 5258)."""

from sqlgate.dbapi.mysql_family import *  # noqa: F403
from sqlgate.dbapi.mysql_family import MySQLFlavor

flavor = MySQLFlavor(source="gbase8a", product_pattern=r"(?i)gbase[^\d]*(\d+)\.(\d+)")
connect = flavor.connect
