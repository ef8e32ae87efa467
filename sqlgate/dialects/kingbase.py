"""KingbaseES: ``kingbase://user@host:54321/db``."""

from sqlgate.dialects.postgres_family import PostgresFamilyDialect


class KingbaseDialect(PostgresFamilyDialect):
    sqlgate_source = "kingbase"
    name = "kingbase"  # Superset lists a backend by its dialect's name
    supports_statement_cache = True  # SQLAlchemy asks every subclass


dialect = KingbaseDialect
