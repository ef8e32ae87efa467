"""Shentong Oscar (``oscar://``): PostgreSQL protocol with Oracle-style type names."""

from sqlgate.dbapi.pgwire_types import FORK_TYPES, ForkFlavor
from sqlgate.dbapi.postgres_family import *  # noqa: F403

flavor = ForkFlavor(
    source="oscar",
    product_pattern=r"(?i)oscar\s*V?(\d+)\.(\d+)",
    assumed_version=(9, 6),
    types=FORK_TYPES,
)
connect = flavor.connect
