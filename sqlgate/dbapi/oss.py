"""Data files on Alibaba Cloud OSS, through its S3-compatible endpoint."""

from sqlgate.dbapi.lakehouse_family import *  # noqa: F403
from sqlgate.dbapi.lakehouse_family import LakehouseFlavor

flavor = LakehouseFlavor(source="oss", table_format="parquet", store="oss")
connect = flavor.connect
