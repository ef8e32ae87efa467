"""Data files on HDFS, read through WebHDFS (``hdfs://namenode:9870/path``)."""

from sqlgate.dbapi.lakehouse_family import *  # noqa: F403
from sqlgate.dbapi.lakehouse_family import LakehouseFlavor

flavor = LakehouseFlavor(source="hdfs", table_format="parquet", store="hdfs")
connect = flavor.connect
