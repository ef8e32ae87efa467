"""Apache Hudi tables through hudi-rs (copy-on-write and merge-on-read)."""

from sqlgate.dbapi.lakehouse_family import *  # noqa: F403
from sqlgate.dbapi.lakehouse_family import LakehouseFlavor

flavor = LakehouseFlavor(source="hudi", table_format="hudi", store="local")
connect = flavor.connect
