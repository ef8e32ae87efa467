"""Lakehouse query engine: Iceberg, Delta, Hudi and plain files queried through DuckDB.

The names below are imported on first use (PEP 562): a delta:// connection never pays for
pyiceberg or pyarrow.dataset, nor an iceberg:// one for deltalake, before its first row.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlgate.lakehouse.base import ScanPlan, TableHandle, TableSource
    from sqlgate.lakehouse.delta import DeltaRootSource
    from sqlgate.lakehouse.engine import CHANGES_FUNCTION, LakehouseEngine
    from sqlgate.lakehouse.files import FileSource
    from sqlgate.lakehouse.hudi import HudiRootSource
    from sqlgate.lakehouse.iceberg import IcebergCatalogSource
    from sqlgate.lakehouse.timetravel import TimeTravel

#: each public name and the module defining it
_HOMES = {
    "CHANGES_FUNCTION": "engine",
    "DeltaRootSource": "delta",
    "FileSource": "files",
    "HudiRootSource": "hudi",
    "IcebergCatalogSource": "iceberg",
    "LakehouseEngine": "engine",
    "ScanPlan": "base",
    "TableHandle": "base",
    "TableSource": "base",
    "TimeTravel": "timetravel",
}

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


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_HOMES})
