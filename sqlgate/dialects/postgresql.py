"""PostgreSQL through sqlgate: ``postgresql+sqlgate://user@host:5432/db``."""

from sqlgate.dialects.postgres_family import PostgresFamilyDialect


class PostgreSQLDialect(PostgresFamilyDialect):
    sqlgate_source = "postgresql"
    supports_statement_cache = True  # SQLAlchemy asks every subclass


dialect = PostgreSQLDialect
