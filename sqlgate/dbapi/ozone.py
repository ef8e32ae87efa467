"""Data files on Apache Ozone, through its S3 gateway (path-style, the ``/s3v`` volume).

Ozone's S3 gateway speaks the S3 API at the URL's host and port (default 9878, or 9879 with
``secure=true``); buckets of other volumes are reached through bucket links into ``/s3v``.
"""

from sqlgate.dbapi.lakehouse_family import *  # noqa: F403
from sqlgate.dbapi.lakehouse_family import LakehouseFlavor

flavor = LakehouseFlavor(source="ozone", table_format="parquet", store="ozone")
connect = flavor.connect
