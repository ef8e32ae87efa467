"""Databricks SQL (``databricks+sqlgate://token@host/?http_path=/sql/1.0/warehouses/<id>``) on
the SQL Statement Execution REST API; named (``:name``) parameters, bound by the server."""

from sqlgate.core.pep249 import *  # noqa: F403 - a DB-API module re-exports the PEP 249 names
from sqlgate.core.pep249 import __all__ as _pep249_all
from sqlgate.dbapi import databricks_oauth as _oauth  # noqa: F401 - registers credential=databricks-oauth
from sqlgate.dbapi.databricks_session import DatabricksFlavor

paramstyle = "named"
__all__ = [*_pep249_all, "paramstyle"]

flavor = DatabricksFlavor(source="databricks")
connect = flavor.connect
