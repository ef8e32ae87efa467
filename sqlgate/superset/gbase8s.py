"""Superset engine specs for the Informix family through sqlgate (GBase 8s; 8t reuses it).

Superset 6.1 ships no Informix spec. Time grains use Informix's ``TRUNC(datetime, fmt)``
(formats ``YEAR``, ``MONTH``, ``DD``, ``HH``, ``MI``) and ``EXTEND`` for the second; a literal
datetime is ``DATETIME(...) YEAR TO FRACTION(5)``. Not verified against a server.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from superset.constants import TimeGrain
from superset.db_engine_specs.base import BaseEngineSpec

from sqlgate.superset.common import SqlgateSpecMixin


class InformixFamilyEngineSpec(SqlgateSpecMixin, BaseEngineSpec):
    """Informix SQL: ``SELECT FIRST n`` limits, ``DATETIME`` literals, ``TRUNC`` grains."""

    engine = "informix"
    engine_name = "Informix (sqlgate)"
    allows_joins = True
    allows_subqueries = True
    max_column_name_length = 128
    _time_grain_expressions = {
        None: "{col}",
        TimeGrain.SECOND: "EXTEND({col}, YEAR TO SECOND)",
        TimeGrain.MINUTE: "TRUNC({col}, 'MI')",
        TimeGrain.HOUR: "TRUNC({col}, 'HH')",
        TimeGrain.DAY: "TRUNC({col}, 'DD')",
        TimeGrain.MONTH: "TRUNC({col}, 'MONTH')",
        TimeGrain.YEAR: "TRUNC({col}, 'YEAR')",
    }

    @classmethod
    def convert_dttm(
        cls, target_type: str, dttm: datetime, db_extra: dict[str, Any] | None = None
    ) -> str | None:
        kind = target_type.upper()
        if kind == "DATE":
            return f"DATE('{dttm.strftime('%m/%d/%Y')}')"
        if kind.startswith(("DATETIME", "TIMESTAMP")):
            stamp = dttm.isoformat(sep=" ", timespec="microseconds")[:-1]  # FRACTION(5)
            return f"DATETIME({stamp}) YEAR TO FRACTION(5)"
        return None


class GBase8sEngineSpec(InformixFamilyEngineSpec):
    engine = "gbase8s"
    engine_name = "GBase 8s (sqlgate)"
    sqlalchemy_uri_placeholder = "gbase8s://{user}@{host}:9088/{database}?server={server_name}"
