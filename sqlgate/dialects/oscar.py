"""Shentong Oscar: ``oscar://user@host:2003/db``."""

from sqlgate.dialects.postgres_family import PostgresFamilyDialect


class OscarDialect(PostgresFamilyDialect):
    sqlgate_source = "oscar"


dialect = OscarDialect
