"""PostgreSQL (``postgresql+sqlgate://``): the PostgreSQL family's plain member."""

from sqlgate.dbapi.postgres_family import *  # noqa: F403
from sqlgate.dbapi.postgres_family import PostgresFlavor

flavor = PostgresFlavor(source="postgresql")
connect = flavor.connect
