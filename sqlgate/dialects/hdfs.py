"""Files on HDFS: ``hdfs://namenode:9870/path?credential=kerberos&credential_keytab=...``."""

from sqlgate.dialects.lakehouse_family import LakehouseFamilyDialect


class HDFSDialect(LakehouseFamilyDialect):
    name = "hdfs"
    sqlgate_source = "hdfs"
    supports_statement_cache = True  # SQLAlchemy asks every subclass


dialect = HDFSDialect
