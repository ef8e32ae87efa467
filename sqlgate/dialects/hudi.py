"""Apache Hudi: ``hudi:///path/to/root`` or ``hudi://bucket/prefix?store=s3``."""

from sqlgate.dialects.lakehouse_family import LakehouseFamilyDialect


class HudiDialect(LakehouseFamilyDialect):
    name = "hudi"
    sqlgate_source = "hudi"
    supports_statement_cache = True  # SQLAlchemy asks every subclass


dialect = HudiDialect
