"""openGauss: ``opengauss://user@host:5432/db``."""

from sqlgate.dialects.postgres_family import PostgresFamilyDialect


class OpenGaussDialect(PostgresFamilyDialect):
    sqlgate_source = "opengauss"
    supports_statement_cache = True  # SQLAlchemy asks every subclass


dialect = OpenGaussDialect
