"""Apache Superset engine specs for the sqlgate sources Superset has no spec of its own for.

Superset loads :mod:`sqlgate.superset.lakehouse` and :mod:`sqlgate.superset.wire` through the
``superset.db_engine_specs`` entry points (``pyproject.toml``); only those modules import
Superset, so importing sqlgate never does. :data:`SUPERSET_OWNS` names the sources whose
backend Superset's own spec serves (it is loaded before any entry point and wins): for them
sqlgate's dialect and DB-API satisfy that spec instead (docs/superset.md).
"""

from __future__ import annotations

from sqlgate.core.registry import SourceSpec, all_sources

#: sources whose URL backend name Superset 6.1 ships a spec for (``postgresql`` ->
#: PostgresEngineSpec, ``mysql`` -> MySQLEngineSpec, ``oceanbase`` -> OceanBaseEngineSpec ...)
SUPERSET_OWNS = frozenset(
    {"postgresql", "mysql", "redshift", "doris", "starrocks", "oceanbase", "clickhouse"}
    | {"snowflake"}
    | {"bigquery"}  # Superset's BigQueryEngineSpec (engine "bigquery")
    | {"druid"}  # Superset's DruidEngineSpec (engine "druid", TIME_FLOOR grains)
)
ENTRY_POINT_GROUP = "superset.db_engine_specs"
#: lakehouse sources whose spec sits in its own module (sqlgate/superset/<name>.py); the lead may
#: fold these into sqlgate/superset/lakehouse.py (engineer F, issue #15: ozone)
_OWN_LAKEHOUSE_MODULE = frozenset({"ozone", "hdfs"})  # hdfs: engineer G, issue #15


def spec_module(source: SourceSpec) -> str:
    """The module holding a source's spec: one for the lakehouse, one for the wire families, and
    one per source elsewhere (a warehouse's spec has little in common with another's)."""
    if source.family == "lakehouse" and source.name not in _OWN_LAKEHOUSE_MODULE:
        return "lakehouse"
    return "wire" if source.family in ("postgres", "mysql") else source.name


def spec_class_name(source: SourceSpec) -> str:
    """``TiDBDialect`` -> ``TiDBEngineSpec``: the spec is named after the dialect."""
    return source.dialect_class.removesuffix("Dialect") + "EngineSpec"


def expected_entry_points() -> dict[str, str]:
    """The ``superset.db_engine_specs`` entry points the registry implies, by source name."""
    return {
        source.name: f"sqlgate.superset.{spec_module(source)}:{spec_class_name(source)}"
        for source in all_sources()
        if source.name not in SUPERSET_OWNS
    }
