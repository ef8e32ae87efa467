"""Data files on Tencent Cloud COS, through its S3-compatible endpoint."""

from sqlgate.dbapi.lakehouse_family import *  # noqa: F403
from sqlgate.dbapi.lakehouse_family import LakehouseFlavor

flavor = LakehouseFlavor(source="cos", table_format="parquet", store="cos")
connect = flavor.connect
