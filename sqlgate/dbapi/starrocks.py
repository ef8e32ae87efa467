"""StarRocks (``starrocks+sqlgate://user@fe:9030/db``, or ``.../catalog.db`` for an external
catalog) through its MySQL-protocol frontend.

StarRocks has no session read-only mode, so the statement gate guards it; give sqlgate a user
with SELECT privileges only, and ``require_read_only_user=true`` checks that at connect (the
roles it holds included).
"""

from sqlgate.dbapi.doris_family import OlapFlavor
from sqlgate.dbapi.mysql_family import *  # noqa: F403
from sqlgate.dbapi.mysql_family import TimeoutVariable

flavor = OlapFlavor(
    source="starrocks",
    product_pattern=r"(?i)starrocks[^\d]*(\d+)\.(\d+)",
    guard_statement=None,
    timeout_variable=TimeoutVariable("query_timeout", 1),
    catalog_statement="SET CATALOG {}",
)
connect = flavor.connect
