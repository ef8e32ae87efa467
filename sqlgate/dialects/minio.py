"""Files on MinIO: ``minio://KEY@host:9000/bucket/prefix``."""

from sqlgate.dialects.lakehouse_family import LakehouseFamilyDialect


class MinIODialect(LakehouseFamilyDialect):
    name = "minio"
    sqlgate_source = "minio"
    supports_statement_cache = True  # SQLAlchemy asks every subclass


dialect = MinIODialect
