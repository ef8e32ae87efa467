"""Apache Iceberg tables through pyiceberg catalogs (SQL/SQLite, REST, Glue)."""

from sqlgate.dbapi.lakehouse_family import *  # noqa: F403
from sqlgate.dbapi.lakehouse_family import LakehouseFlavor

flavor = LakehouseFlavor(source="iceberg", table_format="iceberg", store="local")
connect = flavor.connect
