"""Shentong Oscar (``oscar://``): PostgreSQL protocol with Oracle-style type names."""

from sqlgate.dbapi.postgres_family import *  # noqa: F403
from sqlgate.dbapi.postgres_family import ORACLE_STYLE_TYPES, PostgresFlavor

flavor = PostgresFlavor(
    source="oscar",
    product_pattern=r"(?i)oscar\s*V?(\d+)\.(\d+)",
    assumed_version=(9, 6),
    types=ORACLE_STYLE_TYPES,
)
connect = flavor.connect
