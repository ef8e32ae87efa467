"""KingbaseES (``kingbase://``): a PostgreSQL fork with Oracle-style types.

``version()`` reads "KingbaseES V008R006C005B0023 on x86_64-pc-linux-gnu, ..." and names no
PostgreSQL: V8R3 is based on PostgreSQL 9.6, V8R6 (and V9) on 12. Kingbase's own driver
``ksycopg2`` is used where installed (:mod:`~sqlgate.dbapi.pgwire_ksycopg`), psycopg 3 otherwise.
"""

from sqlgate.dbapi.pgwire_ksycopg import KingbaseFlavor
from sqlgate.dbapi.pgwire_types import FORK_TYPES
from sqlgate.dbapi.postgres_family import *  # noqa: F403

flavor = KingbaseFlavor(
    source="kingbase",
    product_pattern=r"KingbaseES V(\d+)R(\d+)C(\d+)B(\d+)",
    product_patterns=(r"KingbaseES V(\d+)R(\d+)",),
    compat_by_product=(((8, 3), (9, 6)), ((8, 6), (12, 0))),
    assumed_version=(12, 0),
    types=FORK_TYPES,
)
connect = flavor.connect
