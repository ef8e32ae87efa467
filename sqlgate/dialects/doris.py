"""Apache Doris: ``doris+sqlgate://user@fe-host:9030/db`` (``/catalog.db`` for an external
catalog); reflection reads Doris' key model, partitions, distribution and types."""

from typing import Any

from sqlgate.dialects.doris_reflection import OlapReflectionMixin
from sqlgate.dialects.mysql_family import MySQLFamilyDialect


class DorisDialect(OlapReflectionMixin, MySQLFamilyDialect):
    sqlgate_source = "doris"
    supports_statement_cache = True  # SQLAlchemy asks every subclass
    catalog_column = "CatalogName"

    def _materialized_views(self, connection: Any, database: str) -> list[str]:
        """Doris 2.1+ lists asynchronous materialized views in the ``mv_infos`` function."""
        literal = database.replace("\\", "\\\\").replace("'", "''")
        rows = self._show(connection, f"SELECT Name FROM mv_infos('database'='{literal}')")
        return [str(row["Name"]) for row in rows]


dialect = DorisDialect
