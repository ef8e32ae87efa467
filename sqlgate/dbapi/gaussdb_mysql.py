"""Huawei GaussDB in MySQL-compatible mode (``gaussdb+mysql://``)."""

from sqlgate.dbapi.mysql_family import *  # noqa: F403
from sqlgate.dbapi.mysql_family import MySQLFlavor

flavor = MySQLFlavor(source="gaussdb_mysql", product_pattern=r"GaussDB[^\d]*(\d+)\.(\d+)")
connect = flavor.connect
