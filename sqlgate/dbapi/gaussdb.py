"""Huawei GaussDB in PostgreSQL mode (``gaussdb://``); its MySQL mode is ``gaussdb+mysql://``."""

from sqlgate.dbapi.postgres_family import *  # noqa: F403
from sqlgate.dbapi.postgres_family import OPENGAUSS_TYPES, PostgresFlavor

flavor = PostgresFlavor(
    source="gaussdb",
    product_pattern=r"GaussDB Kernel V?(\d+)\.(\d+)",
    assumed_version=(9, 2),
    types=OPENGAUSS_TYPES,
)
connect = flavor.connect
