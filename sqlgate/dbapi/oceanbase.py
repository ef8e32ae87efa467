"""OceanBase in MySQL mode (``oceanbase://``).

Banners by edition: ``5.7.25-OceanBase-v4.2.1``, ``5.7.25-OceanBase_CE-v4.2.1.0`` (Community
Edition), ``5.7.25-OceanBase seekdb-v1.4.0.0`` (seekdb, the OceanBase 4.3 kernel). The tenant's
mode is read at connect (``connection.session.compatibility_mode``); Oracle mode is refused.
"""

from sqlgate.dbapi.mysql_family import *  # noqa: F403
from sqlgate.dbapi.mysql_family import MySQLFlavor, TimeoutVariable
from sqlgate.dbapi.oceanbase_session import OceanBaseSession

flavor = MySQLFlavor(
    source="oceanbase",
    product_pattern=r"OceanBase(?:_CE| seekdb)?-v(\d+)\.(\d+)\.(\d+)",
    timeout_variable=TimeoutVariable("ob_query_timeout", 1_000_000),  # microseconds
    session_class=OceanBaseSession,
)
connect = flavor.connect
