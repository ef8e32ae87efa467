"""Files on Alibaba Cloud OSS: ``oss://KEY@bucket/prefix?region=cn-hangzhou``."""

from sqlgate.dialects.lakehouse_family import LakehouseFamilyDialect


class OSSDialect(LakehouseFamilyDialect):
    name = "oss"
    sqlgate_source = "oss"
    supports_statement_cache = True  # SQLAlchemy asks every subclass


dialect = OSSDialect
