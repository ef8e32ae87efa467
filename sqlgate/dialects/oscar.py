"""Shentong Oscar: ``oscar://user@host:2003/db``."""

from sqlgate.dialects.postgres_family import PostgresFamilyDialect


class OscarDialect(PostgresFamilyDialect):
    sqlgate_source = "oscar"
    name = "oscar"  # Superset lists a backend by its dialect's name
    supports_statement_cache = True  # SQLAlchemy asks every subclass


dialect = OscarDialect
