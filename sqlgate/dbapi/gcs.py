"""Data files on Google Cloud Storage."""

from sqlgate.dbapi.lakehouse_family import *  # noqa: F403
from sqlgate.dbapi.lakehouse_family import LakehouseFlavor

flavor = LakehouseFlavor(source="gcs", table_format="parquet", store="gcs")
connect = flavor.connect
