"""Apache Doris (``doris+sqlgate://user@fe:9030/db``, or ``.../catalog.db`` for an external
catalog) through its MySQL-protocol frontend.

Doris has no session read-only mode, so the statement gate guards it; give sqlgate a user
with SELECT privileges only, and ``require_read_only_user=true`` checks that at connect.
"""

from sqlgate.dbapi.doris_family import OlapFlavor
from sqlgate.dbapi.mysql_family import *  # noqa: F403
from sqlgate.dbapi.mysql_family import TimeoutVariable

flavor = OlapFlavor(
    source="doris",
    product_pattern=r"(?i)doris-(\d+)\.(\d+)\.(\d+)",
    guard_statement=None,
    timeout_variable=TimeoutVariable("query_timeout", 1),
    catalog_statement="SWITCH {}",
)
connect = flavor.connect
