"""Data files on AWS S3."""

from sqlgate.dbapi.lakehouse_family import *  # noqa: F403
from sqlgate.dbapi.lakehouse_family import LakehouseFlavor

flavor = LakehouseFlavor(source="s3", table_format="parquet", store="s3")
connect = flavor.connect
