"""Apache Druid (``druid+sqlgate://user@host:8888/druid/v2/sql``) on Druid's SQL HTTP API;
``qmark`` (``?``) parameters, sent as typed Druid parameters and bound by Druid's planner."""

from sqlgate.core.pep249 import *  # noqa: F403 - a DB-API module re-exports the PEP 249 names
from sqlgate.core.pep249 import __all__ as _pep249_all
from sqlgate.dbapi.druid_session import DruidFlavor

paramstyle = "qmark"
__all__ = [*_pep249_all, "paramstyle"]

flavor = DruidFlavor(source="druid")
connect = flavor.connect
