"""ClickHouse (``clickhouse+sqlgate://``): native protocol on clickhouse-driver, or embedded
through chdb with ``?embedded=true``."""

from sqlgate.dbapi.clickhouse_family import *  # noqa: F403
from sqlgate.dbapi.clickhouse_family import ClickHouseFlavor

flavor = ClickHouseFlavor(source="clickhouse", product_pattern=r"(\d+)\.(\d+)\.(\d+)")
connect = flavor.connect
