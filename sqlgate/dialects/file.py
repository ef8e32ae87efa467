"""Files on local disk: ``file:///path/to/dir?format=parquet``."""

from sqlgate.dialects.lakehouse_family import LakehouseFamilyDialect


class FileDialect(LakehouseFamilyDialect):
    name = "file"
    sqlgate_source = "file"
    supports_statement_cache = True  # SQLAlchemy asks every subclass


dialect = FileDialect
