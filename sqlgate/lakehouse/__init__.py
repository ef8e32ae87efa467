"""Lakehouse query engine: Iceberg, Delta, Hudi and plain files queried through DuckDB."""

from __future__ import annotations

from sqlgate.lakehouse.base import ScanPlan, TableHandle, TableSource
from sqlgate.lakehouse.delta import DeltaRootSource
from sqlgate.lakehouse.engine import CHANGES_FUNCTION, LakehouseEngine
from sqlgate.lakehouse.files import FileSource
from sqlgate.lakehouse.hudi import HudiRootSource
from sqlgate.lakehouse.iceberg import IcebergCatalogSource
from sqlgate.lakehouse.timetravel import TimeTravel

__all__ = [
    "CHANGES_FUNCTION",
    "DeltaRootSource",
    "FileSource",
    "HudiRootSource",
    "IcebergCatalogSource",
    "LakehouseEngine",
    "ScanPlan",
    "TableHandle",
    "TableSource",
    "TimeTravel",
]
