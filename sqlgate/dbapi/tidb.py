"""TiDB (``tidb://``): MySQL protocol; the banner reads ``8.0.11-TiDB-v8.5.0``.

TiDB refuses ``SET SESSION TRANSACTION READ ONLY`` (error 1235) unless
``tidb_enable_noop_functions=ON``, which makes it a silent no-op: there is no session guard to
rely on, so none is sent and the statement gate is the guard. ``sqlgate check`` reports what
else protects the session: the cluster's ``tidb_super_read_only`` /
``tidb_restricted_read_only`` switches and the login's privileges
(``require_read_only_user=true`` refuses a login that can write).
"""

from sqlgate.dbapi.mysql_family import *  # noqa: F403
from sqlgate.dbapi.mysql_family import MySQLFlavor
from sqlgate.dbapi.tidb_session import TiDBSession

flavor = MySQLFlavor(
    source="tidb",
    product_pattern=r"TiDB-v(\d+)\.(\d+)\.(\d+)",
    guard_statement=None,
    read_only_variables=("tidb_super_read_only", "tidb_restricted_read_only"),
    session_class=TiDBSession,
)
connect = flavor.connect
