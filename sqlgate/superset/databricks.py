"""Superset engine spec for Databricks SQL through sqlgate (``databricks+sqlgate://``).

Superset 6.1 ships several specs with ``engine = "databricks"`` and picks among them by the
URL's driver, so this one declares ``drivers = {"sqlgate": ...}``. It keeps Superset's
Databricks time grains and datetime literals (``DatabricksBaseEngineSpec``) and adds sqlgate's
Stop (``Cursor.cancel()``: ``POST .../statements/{id}/cancel``) and error presentation.
"""

from __future__ import annotations

from typing import Any

from superset.db_engine_specs.databricks import DatabricksBaseEngineSpec

from sqlgate.superset.common import SqlgateSpecMixin


class DatabricksEngineSpec(SqlgateSpecMixin, DatabricksBaseEngineSpec):
    """Databricks SQL warehouses over the Statement Execution API (read-only)."""

    engine = "databricks"
    engine_name = "Databricks SQL (sqlgate)"
    drivers = {"sqlgate": "sqlgate: Statement Execution REST API, read-only"}
    default_driver = "sqlgate"
    sqlalchemy_uri_placeholder = (
        "databricks+sqlgate://token@{host}/?http_path=/sql/1.0/warehouses/{id}"
        "&catalog={catalog}&schema={schema}&credential=env:DATABRICKS_TOKEN"
    )
    supports_dynamic_schema = True
    allows_joins = True
    allows_subqueries = True

    @classmethod
    def adjust_engine_params(
        cls,
        uri: Any,
        connect_args: dict[str, Any],
        catalog: str | None = None,
        schema: str | None = None,
    ) -> tuple[Any, dict[str, Any]]:
        """The schema picked in SQL Lab (or a dataset's) becomes the statements' default
        schema (``?schema=``, sent with each statement)."""
        if schema:
            uri = uri.update_query_dict({"schema": schema})
        return uri, connect_args

    @classmethod
    def get_schema_from_engine_params(
        cls, sqlalchemy_uri: Any, connect_args: dict[str, Any]
    ) -> str | None:
        """The URL's ``schema=`` option is the default schema SQL Lab shows."""
        value = sqlalchemy_uri.query.get("schema")
        return value if isinstance(value, str) else None
