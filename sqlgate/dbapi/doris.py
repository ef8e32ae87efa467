"""Apache Doris (``doris+sqlgate://``) through its MySQL-protocol frontend (port 9030).

Doris has no session read-only mode, so the statement gate alone guards it; give sqlgate a
user with SELECT privileges only for a second layer.
"""

from sqlgate.dbapi.mysql_family import *  # noqa: F403
from sqlgate.dbapi.mysql_family import MySQLFlavor, TimeoutVariable

flavor = MySQLFlavor(
    source="doris",
    product_pattern=r"(?i)doris-(\d+)\.(\d+)\.(\d+)",
    guard_statement=None,
    timeout_variable=TimeoutVariable("query_timeout", 1),
)
connect = flavor.connect
