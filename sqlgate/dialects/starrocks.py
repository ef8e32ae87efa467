"""StarRocks: ``starrocks+sqlgate://user@fe-host:9030/db`` (``/catalog.db`` for an external
catalog); reflection reads StarRocks' key model, partitions, distribution, sort key and types."""

from typing import Any

from sqlgate.dialects.doris_reflection import OlapReflectionMixin
from sqlgate.dialects.mysql_family import MySQLFamilyDialect


class StarRocksDialect(OlapReflectionMixin, MySQLFamilyDialect):
    sqlgate_source = "starrocks"
    supports_statement_cache = True  # SQLAlchemy asks every subclass
    catalog_column = "Catalog"

    def _materialized_views(self, connection: Any, database: str) -> list[str]:
        """``SHOW MATERIALIZED VIEWS FROM db`` (its ``name`` column)."""
        quote = self.identifier_preparer.quote_identifier
        rows = self._show(connection, f"SHOW MATERIALIZED VIEWS FROM {quote(database)}")
        return [str(row["name"]) for row in rows]


dialect = StarRocksDialect
