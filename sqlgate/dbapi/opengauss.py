"""openGauss (``opengauss://``): a PostgreSQL-protocol database (compat level 9.2)."""

from sqlgate.dbapi.postgres_family import *  # noqa: F403
from sqlgate.dbapi.postgres_family import OPENGAUSS_TYPES, PostgresFlavor

flavor = PostgresFlavor(
    source="opengauss",
    product_pattern=r"openGauss (\d+)\.(\d+)\.(\d+)",
    assumed_version=(9, 2),
    types=OPENGAUSS_TYPES,
)
connect = flavor.connect
