"""Files on Apache Ozone's S3 gateway: ``ozone://KEY@s3g-host:9878/bucket/prefix``."""

from sqlgate.dialects.lakehouse_family import LakehouseFamilyDialect


class OzoneDialect(LakehouseFamilyDialect):
    name = "ozone"
    sqlgate_source = "ozone"
    supports_statement_cache = True  # SQLAlchemy asks every subclass


dialect = OzoneDialect
