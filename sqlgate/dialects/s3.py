"""Files on AWS S3: ``s3://bucket/prefix?region=…``."""

from sqlgate.dialects.lakehouse_family import LakehouseFamilyDialect


class S3Dialect(LakehouseFamilyDialect):
    name = "s3"
    sqlgate_source = "s3"
    supports_statement_cache = True  # SQLAlchemy asks every subclass


dialect = S3Dialect
