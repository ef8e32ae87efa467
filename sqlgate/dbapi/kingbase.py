"""KingbaseES (``kingbase://``): PostgreSQL protocol with Oracle-style type names."""

from sqlgate.dbapi.postgres_family import *  # noqa: F403
from sqlgate.dbapi.postgres_family import ORACLE_STYLE_TYPES, PostgresFlavor

flavor = PostgresFlavor(
    source="kingbase",
    product_pattern=r"KingbaseES V(\d+)R(\d+)",
    assumed_version=(12, 0),
    types=ORACLE_STYLE_TYPES,
)
connect = flavor.connect
