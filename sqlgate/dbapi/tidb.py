"""TiDB (``tidb://``): MySQL protocol; the banner reads ``8.0.11-TiDB-v8.5.0``."""

from sqlgate.dbapi.mysql_family import *  # noqa: F403
from sqlgate.dbapi.mysql_family import MySQLFlavor

flavor = MySQLFlavor(source="tidb", product_pattern=r"TiDB-v(\d+)\.(\d+)\.(\d+)")
connect = flavor.connect
