"""KingbaseES: ``kingbase://user@host:54321/db`` (ksycopg2 where installed, else psycopg)."""

from __future__ import annotations

import importlib
from typing import Any

from sqlgate.dialects.postgres_family import PostgresFamilyDialect


class KingbaseDialect(PostgresFamilyDialect):
    sqlgate_source = "kingbase"
    name = "kingbase"  # Superset lists a backend by its dialect's name
    supports_statement_cache = True  # SQLAlchemy asks every subclass

    def on_connect(self) -> Any:
        """``create_engine(json_deserializer=...)`` on ksycopg2 goes to ksycopg2's json
        typecasters; on psycopg the family's hook applies."""
        family = super().on_connect()
        deserializer = self._json_deserializer
        if family is None or deserializer is None:
            return family
        parent = super(PostgresFamilyDialect, self).on_connect()

        def connect(dbapi_connection: Any) -> None:
            raw = dbapi_connection.session.raw
            if not type(raw).__module__.startswith("ksycopg2"):
                family(dbapi_connection)
                return
            if parent is not None:
                parent(dbapi_connection)
            extras = importlib.import_module("ksycopg2.extras")
            extras.register_default_json(raw, loads=deserializer)
            extras.register_default_jsonb(raw, loads=deserializer)

        return connect


dialect = KingbaseDialect
