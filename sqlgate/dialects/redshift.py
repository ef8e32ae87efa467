"""Amazon Redshift: ``redshift+sqlgate://user@cluster:5439/dev?credential=aws-redshift&…``."""

from sqlgate.dialects.postgres_family import PostgresFamilyDialect


class RedshiftDialect(PostgresFamilyDialect):
    sqlgate_source = "redshift"
    supports_statement_cache = True  # SQLAlchemy asks every subclass


dialect = RedshiftDialect
