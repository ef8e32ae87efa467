"""openGauss: ``opengauss://user@host:5432/db``."""

from sqlgate.dialects.postgres_family import PostgresFamilyDialect


class OpenGaussDialect(PostgresFamilyDialect):
    sqlgate_source = "opengauss"
    name = "opengauss"  # Superset lists a backend by its dialect's name
    supports_statement_cache = True  # SQLAlchemy asks every subclass


dialect = OpenGaussDialect
