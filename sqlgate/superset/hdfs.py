"""Superset engine spec for files on HDFS through WebHDFS (Superset ships none)."""

from __future__ import annotations

from sqlgate.superset.lakehouse import LakehouseEngineSpec


class HDFSEngineSpec(LakehouseEngineSpec):
    """DuckDB SQL over Parquet/Avro files under an HDFS directory, Kerberos via a keytab."""

    engine = "hdfs"  # the title comes from the registry (LakehouseEngineSpec)
    sqlalchemy_uri_placeholder = (
        "hdfs://namenode:9870/path?credential=kerberos&credential_keytab=/etc/app.keytab"
        "&credential_principal=app@REALM"
    )
