"""Data files on Azure Blob Storage (account key or SAS)."""

from sqlgate.dbapi.lakehouse_family import *  # noqa: F403
from sqlgate.dbapi.lakehouse_family import LakehouseFlavor

flavor = LakehouseFlavor(source="azure", table_format="parquet", store="azure")
connect = flavor.connect
