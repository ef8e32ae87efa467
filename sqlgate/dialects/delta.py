"""Delta Lake: ``delta:///path/to/root`` or ``delta://bucket/prefix?store=s3``."""

from sqlgate.dialects.lakehouse_family import LakehouseFamilyDialect


class DeltaDialect(LakehouseFamilyDialect):
    name = "delta"
    sqlgate_source = "delta"
    supports_statement_cache = True  # SQLAlchemy asks every subclass


dialect = DeltaDialect
