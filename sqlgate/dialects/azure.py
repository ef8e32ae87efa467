"""Files on Azure Blob Storage: ``azure://ACCOUNT@container/prefix``."""

from sqlgate.dialects.lakehouse_family import LakehouseFamilyDialect


class AzureDialect(LakehouseFamilyDialect):
    name = "azure"
    sqlgate_source = "azure"
    supports_statement_cache = True  # SQLAlchemy asks every subclass


dialect = AzureDialect
