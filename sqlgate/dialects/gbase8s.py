"""GBase 8s (Informix-derived, SQLI): ``gbase8s://user@host:9088/db?server=gbase01``."""

from sqlgate.dialects.informix_family import InformixFamilyDialect


class GBase8sDialect(InformixFamilyDialect):
    sqlgate_source = "gbase8s"
    name = "gbase8s"  # Superset lists a backend by its dialect's name
    supports_statement_cache = True  # SQLAlchemy asks every subclass


dialect = GBase8sDialect
