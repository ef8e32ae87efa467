"""Files on Google Cloud Storage: ``gcs://bucket/prefix?credential=gcp``."""

from sqlgate.dialects.lakehouse_family import LakehouseFamilyDialect


class GCSDialect(LakehouseFamilyDialect):
    name = "gcs"
    sqlgate_source = "gcs"
    supports_statement_cache = True  # SQLAlchemy asks every subclass


dialect = GCSDialect
