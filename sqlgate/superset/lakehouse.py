"""Engine specs for the lakehouse sources (Iceberg, Delta Lake, Hudi, files on a store).

Loaded by Superset through the ``superset.db_engine_specs`` entry points. The SQL is DuckDB's
(sqlgate's embedded engine), so time grains are ``date_trunc`` / ``time_bucket``; one base
class holds everything and each source states only its ``engine`` and URL placeholder.
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import types
from sqlalchemy.engine.url import URL
from superset.constants import TimeGrain
from superset.db_engine_specs.base import BaseEngineSpec, DatabaseCategory
from superset.db_engine_specs.duckdb import DuckDBEngineSpec

from sqlgate.core.registry import get_source
from sqlgate.superset.common import SqlgateSpecMixin

_TZ_TYPE = re.compile(r"with time zone|timestamptz", re.IGNORECASE)


def _bucket(interval: str) -> str:
    return f"time_bucket(INTERVAL '{interval}', {{col}})"


_WEEK_SUNDAY = "date_trunc('week', {col} + INTERVAL 1 DAY) - INTERVAL 1 DAY"
DUCKDB_TIME_GRAINS: dict[str | None, str] = {
    None: "{col}",
    TimeGrain.SECOND: "date_trunc('second', {col})",
    TimeGrain.FIVE_SECONDS: _bucket("5 seconds"),
    TimeGrain.THIRTY_SECONDS: _bucket("30 seconds"),
    TimeGrain.MINUTE: "date_trunc('minute', {col})",
    TimeGrain.FIVE_MINUTES: _bucket("5 minutes"),
    TimeGrain.TEN_MINUTES: _bucket("10 minutes"),
    TimeGrain.FIFTEEN_MINUTES: _bucket("15 minutes"),
    TimeGrain.THIRTY_MINUTES: _bucket("30 minutes"),
    TimeGrain.HALF_HOUR: _bucket("30 minutes"),
    TimeGrain.HOUR: "date_trunc('hour', {col})",
    TimeGrain.SIX_HOURS: _bucket("6 hours"),
    TimeGrain.DAY: "date_trunc('day', {col})",
    TimeGrain.WEEK: "date_trunc('week', {col})",
    TimeGrain.WEEK_STARTING_MONDAY: "date_trunc('week', {col})",
    TimeGrain.WEEK_STARTING_SUNDAY: _WEEK_SUNDAY,
    TimeGrain.WEEK_ENDING_SATURDAY: "date_trunc('week', {col} + INTERVAL 1 DAY) + INTERVAL 5 DAY",
    TimeGrain.WEEK_ENDING_SUNDAY: "date_trunc('week', {col}) + INTERVAL 6 DAY",
    TimeGrain.MONTH: "date_trunc('month', {col})",
    TimeGrain.QUARTER: "date_trunc('quarter', {col})",
    TimeGrain.QUARTER_YEAR: "date_trunc('quarter', {col})",
    TimeGrain.YEAR: "date_trunc('year', {col})",
}


@lru_cache(maxsize=1)
def _function_names() -> tuple[str, ...]:
    from sqlgate.lakehouse.guard import allowed_function_names

    return allowed_function_names()


class LakehouseEngineSpec(SqlgateSpecMixin, BaseEngineSpec):
    """Shared by every lakehouse source: DuckDB SQL over tables a format library opens."""

    engine = "sqlgate_lakehouse"  # never a URL's backend: each source's subclass is
    engine_name = "sqlgate lakehouse"
    _time_grain_expressions = DUCKDB_TIME_GRAINS
    column_type_mappings = DuckDBEngineSpec.column_type_mappings
    # the selected schema (Iceberg namespace; ``main`` elsewhere) is a URL option; see below
    supports_dynamic_schema = True
    metadata = {
        "description": "Read-only SQL over table formats and files, through sqlgate's "
        "embedded DuckDB engine.",
        "categories": [DatabaseCategory.ANALYTICAL_DATABASES, DatabaseCategory.OPEN_SOURCE],
        "pypi_packages": ["sqlgate"],
    }

    @classmethod
    def epoch_to_dttm(cls) -> str:
        return "to_timestamp({col})"

    @classmethod
    def epoch_ms_to_dttm(cls) -> str:
        return "epoch_ms(CAST({col} AS BIGINT))"

    @classmethod
    def convert_dttm(
        cls, target_type: str, dttm: datetime, db_extra: dict[str, Any] | None = None
    ) -> str | None:
        sqla_type = cls.get_sqla_column_type(target_type)
        if isinstance(sqla_type, types.Date) and not isinstance(sqla_type, types.DateTime):
            return f"DATE '{dttm.date().isoformat()}'"
        if isinstance(sqla_type, (types.DateTime, types.TIMESTAMP)):
            kind = "TIMESTAMPTZ" if _TZ_TYPE.search(target_type or "") else "TIMESTAMP"
            return f"""{kind} '{dttm.isoformat(sep=" ", timespec="microseconds")}'"""
        return None

    @classmethod
    def adjust_engine_params(
        cls,
        uri: URL,
        connect_args: dict[str, Any],
        catalog: str | None = None,
        schema: str | None = None,
    ) -> tuple[URL, dict[str, Any]]:
        """The schema picked in SQL Lab (or a dataset's) is where unqualified names resolve:
        sqlgate's lakehouse URLs take it as ``?schema=``."""
        if schema:
            uri = uri.update_query_dict({"schema": schema})
        return uri, connect_args

    @classmethod
    def get_schema_from_engine_params(
        cls, sqlalchemy_uri: URL, connect_args: dict[str, Any]
    ) -> str | None:
        value = sqlalchemy_uri.query.get("schema")
        return value if isinstance(value, str) else None

    @classmethod
    def get_function_names(cls, database: Any) -> list[str]:
        return list(_function_names())

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """A source's spec states its ``engine`` (the dialect name); the title comes from
        the registry, so the "connect a database" dialog and ``sqlgate sources`` agree."""
        super().__init_subclass__(**kwargs)
        cls.engine_name = get_source(cls.engine).title


class IcebergEngineSpec(LakehouseEngineSpec):
    engine = "iceberg"
    sqlalchemy_uri_placeholder = "iceberg:///path/to/catalog.db"


class DeltaEngineSpec(LakehouseEngineSpec):
    engine = "delta"
    sqlalchemy_uri_placeholder = "delta:///path/to/lake"


class HudiEngineSpec(LakehouseEngineSpec):
    engine = "hudi"
    sqlalchemy_uri_placeholder = "hudi:///path/to/lake"


class FileEngineSpec(LakehouseEngineSpec):
    engine = "file"
    sqlalchemy_uri_placeholder = "file:///path/to/data?format=parquet"


class S3EngineSpec(LakehouseEngineSpec):
    engine = "s3"
    sqlalchemy_uri_placeholder = "s3://KEY:SECRET@bucket/prefix?region=us-east-1"


class MinIOEngineSpec(LakehouseEngineSpec):
    engine = "minio"
    sqlalchemy_uri_placeholder = "minio://KEY:SECRET@host:9000/bucket/prefix"


class OSSEngineSpec(LakehouseEngineSpec):
    engine = "oss"
    sqlalchemy_uri_placeholder = "oss://KEY:SECRET@bucket/prefix?region=cn-hangzhou"


class COSEngineSpec(LakehouseEngineSpec):
    engine = "cos"
    sqlalchemy_uri_placeholder = "cos://KEY:SECRET@bucket-1250000000/prefix?region=ap-guangzhou"


class AzureEngineSpec(LakehouseEngineSpec):
    engine = "azure"
    sqlalchemy_uri_placeholder = "azure://ACCOUNT:KEY@container/prefix"


class GCSEngineSpec(LakehouseEngineSpec):
    engine = "gcs"
    sqlalchemy_uri_placeholder = "gcs://bucket/prefix?credential=gcp"
