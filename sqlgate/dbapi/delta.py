"""Delta Lake tables through delta-rs; one table per sub-directory of the root."""

from sqlgate.dbapi.lakehouse_family import *  # noqa: F403
from sqlgate.dbapi.lakehouse_family import LakehouseFlavor

flavor = LakehouseFlavor(source="delta", table_format="delta", store="local")
connect = flavor.connect
