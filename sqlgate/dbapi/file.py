"""Parquet, ORC, CSV and JSON files on local disk (``?format=``)."""

from sqlgate.dbapi.lakehouse_family import *  # noqa: F403
from sqlgate.dbapi.lakehouse_family import LakehouseFlavor

flavor = LakehouseFlavor(source="file", table_format="parquet", store="local")
connect = flavor.connect
