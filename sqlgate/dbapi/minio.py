"""Data files on MinIO (S3 API at the URL's host and port)."""

from sqlgate.dbapi.lakehouse_family import *  # noqa: F403
from sqlgate.dbapi.lakehouse_family import LakehouseFlavor

flavor = LakehouseFlavor(source="minio", table_format="parquet", store="minio")
connect = flavor.connect
