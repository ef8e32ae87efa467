"""Files on Tencent Cloud COS: ``cos://KEY@bucket-appid/prefix?region=ap-guangzhou``."""

from sqlgate.dialects.lakehouse_family import LakehouseFamilyDialect


class COSDialect(LakehouseFamilyDialect):
    name = "cos"
    sqlgate_source = "cos"
    supports_statement_cache = True  # SQLAlchemy asks every subclass


dialect = COSDialect
