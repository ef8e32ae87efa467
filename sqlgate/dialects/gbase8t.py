"""GBase 8t (Informix-derived, SQLI): ``gbase8t://user@host:9088/db?server=gbase01``."""

from sqlgate.dialects.informix_family import InformixFamilyDialect


class GBase8tDialect(InformixFamilyDialect):
    sqlgate_source = "gbase8t"
    name = "gbase8t"  # Superset lists a backend by its dialect's name
    supports_statement_cache = True  # SQLAlchemy asks every subclass


dialect = GBase8tDialect
