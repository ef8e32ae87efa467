"""OceanBase, MySQL mode: ``oceanbase://user@tenant@host:2881/db`` (or a local server's
``?unix_socket=/path/sql.sock``); reflection reads OceanBase's index options and types."""

from sqlalchemy.dialects.mysql.base import MySQLDialect

from sqlgate.dialects.mysql_family import MySQLFamilyDialect
from sqlgate.dialects.mysql_reflection import ProductReflectionMixin, Vector


class OceanBaseDialect(ProductReflectionMixin, MySQLFamilyDialect):
    sqlgate_source = "oceanbase"
    supports_statement_cache = True  # SQLAlchemy asks every subclass
    # SHOW CREATE TABLE prints OceanBase's own types in capitals: VECTOR(4)
    ischema_names = {**MySQLDialect.ischema_names, "vector": Vector, "VECTOR": Vector}


dialect = OceanBaseDialect
