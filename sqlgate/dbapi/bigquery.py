"""Google BigQuery (``bigquery+sqlgate://project/dataset``): google-cloud-bigquery's REST API
and Storage Read API, read-only through the gate and a dry run of every statement."""

from sqlgate.core.pep249 import *  # noqa: F403 - a DB-API module re-exports the PEP 249 names
from sqlgate.core.pep249 import __all__ as _pep249_all
from sqlgate.dbapi.bigquery_family import BigQueryFlavor

paramstyle = "pyformat"  # %s and %(name)s, bound on the server as ? and @name
__all__ = [*_pep249_all, "connect", "flavor", "paramstyle"]

flavor = BigQueryFlavor(source="bigquery")
connect = flavor.connect
