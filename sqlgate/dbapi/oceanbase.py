"""OceanBase in MySQL mode (``oceanbase://``); the banner reads ``5.7.25-OceanBase-v4.2.1``."""

from sqlgate.dbapi.mysql_family import *  # noqa: F403
from sqlgate.dbapi.mysql_family import MySQLFlavor, TimeoutVariable

flavor = MySQLFlavor(
    source="oceanbase",
    product_pattern=r"OceanBase(?:_CE)?-v(\d+)\.(\d+)\.(\d+)",
    timeout_variable=TimeoutVariable("ob_query_timeout", 1_000_000),  # microseconds
)
connect = flavor.connect
