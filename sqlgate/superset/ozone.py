"""Superset engine spec for files on Apache Ozone's S3 gateway (Superset ships none)."""

from __future__ import annotations

from sqlgate.superset.lakehouse import LakehouseEngineSpec


class OzoneEngineSpec(LakehouseEngineSpec):
    """DuckDB SQL over files in an Ozone bucket of the ``/s3v`` volume (or a bucket link)."""

    engine = "ozone"  # the title comes from the registry (LakehouseEngineSpec)
    sqlalchemy_uri_placeholder = "ozone://KEY:SECRET@s3g-host:9878/bucket/prefix?secure=false"
