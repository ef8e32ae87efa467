"""Apache Iceberg: ``iceberg:///path/catalog.db``, ``iceberg://host:8181/?catalog=rest``."""

from sqlgate.dialects.lakehouse_family import LakehouseFamilyDialect


class IcebergDialect(LakehouseFamilyDialect):
    name = "iceberg"
    sqlgate_source = "iceberg"
    supports_statement_cache = True  # SQLAlchemy asks every subclass


dialect = IcebergDialect
