"""Superset engine spec for DaMeng DM8 through sqlgate (``dameng://``; Superset ships none).

DM's SQL is Oracle's, so the spec extends Superset's ``OracleEngineSpec``, except for time
grains: Oracle's casts to ``DATE`` keep the time of day, DM's ``DATE`` drops it, so DM's grains
``TRUNC`` the ``DATETIME``/``TIMESTAMP`` itself (DM's ``TRUNC(datetime, fmt)``).
"""

from __future__ import annotations

from superset.constants import TimeGrain
from superset.db_engine_specs.oracle import OracleEngineSpec

from sqlgate.superset.common import SqlgateSpecMixin


class DamengEngineSpec(SqlgateSpecMixin, OracleEngineSpec):
    """DaMeng DM8 on dmPython (read-only)."""

    engine = "dameng"
    engine_name = "DaMeng DM8 (sqlgate)"
    drivers = {"sqlgate": "sqlgate on dmPython, read-only"}
    sqlalchemy_uri_placeholder = "dameng://{user}@{host}:5236/{schema}?credential=env:DM_PASSWORD"
    _time_grain_expressions = {
        None: "{col}",
        TimeGrain.SECOND: "TRUNC({col}, 'SS')",
        TimeGrain.MINUTE: "TRUNC({col}, 'MI')",
        TimeGrain.HOUR: "TRUNC({col}, 'HH')",
        TimeGrain.DAY: "TRUNC({col}, 'DD')",
        TimeGrain.WEEK: "TRUNC({col}, 'IW')",
        TimeGrain.MONTH: "TRUNC({col}, 'MM')",
        TimeGrain.QUARTER: "TRUNC({col}, 'Q')",
        TimeGrain.YEAR: "TRUNC({col}, 'YYYY')",
    }
