"""Huawei GaussDB in PostgreSQL mode (``gaussdb://``); its MySQL mode is ``gaussdb+mysql://``.

openGauss' logins and types (:mod:`~sqlgate.dbapi.pgwire_bridge`, ``pgwire_types``).
"""

from sqlgate.dbapi.pgwire_bridge import GaussFlavor
from sqlgate.dbapi.pgwire_types import FORK_TYPES
from sqlgate.dbapi.postgres_family import *  # noqa: F403

flavor = GaussFlavor(
    source="gaussdb",
    # "gaussdb (GaussDB Kernel 505.1.0 build ...)"; older "(GaussDB Kernel V500R002C00 build ...)";
    # GaussDB(DWS): "PostgreSQL 9.2.4 gsql (( GaussDB  8.1.3 build 39137c2d) compiled at ..."
    product_pattern=r"GaussDB Kernel (\d+)\.(\d+)\.(\d+)",
    product_patterns=(
        r"GaussDB Kernel V(\d+)R(\d+)C(\d+)",
        r"GaussDB\s+(\d+)\.(\d+)\.(\d+)\s+build",
    ),
    assumed_version=(9, 2),  # server_version is 9.2.4 on every GaussDB
    types=FORK_TYPES,
)
connect = flavor.connect
