"""GaussDB, PostgreSQL mode: ``gaussdb://user@host:8000/db``."""

from sqlgate.dialects.postgres_family import PostgresFamilyDialect


class GaussDBDialect(PostgresFamilyDialect):
    sqlgate_source = "gaussdb"
    name = "gaussdb"  # Superset lists a backend by its dialect's name
    supports_statement_cache = True  # SQLAlchemy asks every subclass


dialect = GaussDBDialect
