"""Tencent TDSQL, MySQL edition (``tdsql://``); its banner carries the MySQL version it follows."""

from sqlgate.dbapi.mysql_family import *  # noqa: F403
from sqlgate.dbapi.mysql_family import MySQLFlavor

flavor = MySQLFlavor(source="tdsql", product_pattern=r"(?i)tdsql[^\d]*(\d+)\.(\d+)")
connect = flavor.connect
