"""openGauss (``opengauss://``): a PostgreSQL fork (compat level 9.2) with its own logins.

It logs in through :mod:`~sqlgate.dbapi.pgwire_bridge` (SHA256 / SM3 / MD5) and names its own
types from its catalog (:mod:`~sqlgate.dbapi.pgwire_types`).
"""

from sqlgate.dbapi.pgwire_bridge import GaussFlavor
from sqlgate.dbapi.pgwire_types import FORK_TYPES
from sqlgate.dbapi.postgres_family import *  # noqa: F403

flavor = GaussFlavor(
    source="opengauss",
    # "(openGauss 5.0.0 build a07d57c3) compiled at ...", "(openGauss-lite 7.0.0-RC3 build ) ..."
    product_pattern=r"openGauss(?:-lite)? (\d+)\.(\d+)\.(\d+)",
    assumed_version=(9, 2),  # server_version is 9.2.4; newer banners name no PostgreSQL
    types=FORK_TYPES,
)
connect = flavor.connect
