"""SQLAlchemy dialect for Snowflake through sqlgate (``snowflake+sqlgate://``).

Named ``snowflake`` so that Superset picks its own ``SnowflakeEngineSpec`` and
``snowflake_*`` options keep their meaning. Reflection reads the current database's
``INFORMATION_SCHEMA`` and ``SHOW PRIMARY KEYS`` / ``SHOW IMPORTED KEYS``; names come back
normalised (``ITEMS`` -> ``items``, a quoted ``"Items"`` stays ``Items``), as SQLAlchemy
expects of a dialect whose server folds unquoted names to upper case. Works on SQLAlchemy
1.4 and 2.x.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from sqlalchemy import text

from sqlgate.core import errors
from sqlgate.dbapi.snowflake_types import SNOWFLAKE_TYPES
from sqlgate.dialects.snowflake_compiler import (
    SnowflakeCompiler,
    SnowflakeDDLCompiler,
    SnowflakeIdentifierPreparer,
    SnowflakeTypeCompiler,
)
from sqlgate.dialects.warehouse_family import WarehouseDialect

_COLUMNS = text(
    "SELECT column_name, data_type, character_maximum_length, numeric_precision, "
    "numeric_scale, is_nullable, column_default, comment FROM information_schema.columns "
    "WHERE table_schema = :schema AND table_name = :table ORDER BY ordinal_position"
)
_TABLES = text(
    "SELECT table_name FROM information_schema.tables WHERE table_schema = :schema "
    "AND table_type = 'BASE TABLE' ORDER BY table_name"
)
_VIEWS = text(
    "SELECT table_name FROM information_schema.views WHERE table_schema = :schema "
    "ORDER BY table_name"
)
_COMMENT = text(
    "SELECT comment FROM information_schema.tables WHERE table_schema = :schema "
    "AND table_name = :table"
)
_VIEW = text(
    "SELECT view_definition FROM information_schema.views WHERE table_schema = :schema "
    "AND table_name = :table"
)
_SCHEMAS = text("SELECT schema_name FROM information_schema.schemata ORDER BY schema_name")


def cached(method: Callable[..., Any]) -> Callable[..., Any]:
    """SQLAlchemy's ``reflection.cache``, by hand: 1.4's decorator rebuilds the method from
    source and breaks on postponed annotations. Results live in the inspector's info_cache."""

    @functools.wraps(method)
    def wrapper(self: Any, connection: Any, *args: Any, **kw: Any) -> Any:
        info_cache = kw.get("info_cache")
        if info_cache is None:
            return method(self, connection, *args, **kw)
        plain = tuple(sorted((k, v) for k, v in kw.items() if isinstance(v, (str, int))))
        key = (method.__name__, args, plain)
        if key not in info_cache:
            info_cache[key] = method(self, connection, *args, **kw)
        return info_cache[key]

    return wrapper


def column_type_text(row: Any) -> str:
    """``information_schema.columns`` facts as one type string (``NUMBER(10,2)``)."""
    name = str(row.data_type).upper()
    if name in ("NUMBER", "DECIMAL", "NUMERIC"):
        return f"NUMBER({row.numeric_precision or 38},{row.numeric_scale or 0})"
    if name in ("TEXT", "VARCHAR", "STRING") and row.character_maximum_length:
        return f"VARCHAR({row.character_maximum_length})"
    return name


class SnowflakeDialect(WarehouseDialect):
    """Snowflake's SQL and catalog, through sqlgate's DB-API."""

    name = "snowflake"
    supports_statement_cache = True  # SQLAlchemy asks every subclass
    sqlgate_source = "snowflake"
    default_paramstyle = "pyformat"
    requires_name_normalize = True
    supports_alter = True
    max_identifier_length = 255
    statement_compiler = SnowflakeCompiler
    ddl_compiler = SnowflakeDDLCompiler
    type_compiler_cls = SnowflakeTypeCompiler
    preparer = SnowflakeIdentifierPreparer

    # -- connection facts ---------------------------------------------------------------------
    def _get_default_schema_name(self, connection: Any) -> Any:
        """The session's schema (None when the URL names none), normalised."""
        return self.normalize_name(connection.exec_driver_sql("SELECT CURRENT_SCHEMA()").scalar())

    def get_isolation_level(self, dbapi_connection: Any) -> Any:
        return "READ COMMITTED"  # Snowflake's only level for tables

    def get_isolation_level_values(self, dbapi_connection: Any) -> tuple[Any, ...]:
        return ("READ COMMITTED", "AUTOCOMMIT")

    def set_isolation_level(self, dbapi_connection: Any, level: str) -> None:
        if level != "READ COMMITTED":
            dbapi_connection.set_isolation_level(level)

    def _schema(self, connection: Any, schema: str | None) -> str:
        name = schema or self.default_schema_name or self._get_default_schema_name(connection)
        if name is None:
            raise errors.ProgrammingError(
                "no schema: give one (schema=...) or a default in the URL (/database/schema)"
            )
        return str(self.denormalize_name(name))

    def _rows(self, connection: Any, query: Any, **params: Any) -> list[Any]:
        return list(connection.execute(query, params))

    # -- reflection ---------------------------------------------------------------------------
    def get_schema_names(self, connection: Any, **kw: Any) -> list[str]:
        return [self.normalize_name(r[0]) for r in self._rows(connection, _SCHEMAS)]

    def _listed(self, connection: Any, schema: str | None, query: Any) -> list[str]:
        rows = self._rows(connection, query, schema=self._schema(connection, schema))
        return [self.normalize_name(r[0]) for r in rows]

    @cached
    def get_table_names(self, connection: Any, schema: str | None = None, **kw: Any) -> list[str]:
        return self._listed(connection, schema, _TABLES)

    @cached
    def get_view_names(self, connection: Any, schema: str | None = None, **kw: Any) -> list[str]:
        return self._listed(connection, schema, _VIEWS)

    def has_table(
        self, connection: Any, table_name: str, schema: str | None = None, **kw: Any
    ) -> bool:
        names = self._listed(connection, schema, _TABLES) + self._listed(connection, schema, _VIEWS)
        return self.normalize_name(self.denormalize_name(table_name)) in names

    @cached
    def get_columns(
        self, connection: Any, table_name: str, schema: str | None = None, **kw: Any
    ) -> list[Any]:
        rows = self._rows(
            connection,
            _COLUMNS,
            schema=self._schema(connection, schema),
            table=self.denormalize_name(table_name),
        )
        if not rows:
            self._missing(connection, table_name, schema)
        return [
            {
                "name": self.normalize_name(row.column_name),
                "type": SNOWFLAKE_TYPES.to_sqlalchemy(column_type_text(row)),
                "nullable": str(row.is_nullable).upper() == "YES",
                "default": row.column_default,
                "comment": row.comment or None,
            }
            for row in rows
        ]

    def _missing(self, connection: Any, table_name: str, schema: str | None) -> None:
        from sqlalchemy.exc import NoSuchTableError

        if not self.has_table(connection, table_name, schema):
            raise NoSuchTableError(table_name)

    def _show_keys(
        self, connection: Any, what: str, table_name: str, schema: str | None
    ) -> list[Any]:
        quote = self.identifier_preparer.quote_identifier
        target = (
            f"{quote(self._schema(connection, schema))}."
            f"{quote(str(self.denormalize_name(table_name)))}"
        )
        rows = connection.exec_driver_sql(f"SHOW {what} IN TABLE {target}").mappings()
        # keep the table's own rows: fakesnow answers for every schema's table of that name
        schema_column = "schema_name" if what == "PRIMARY KEYS" else "fk_schema_name"
        wanted = self._schema(connection, schema).upper()
        return [r for r in rows if str(r.get(schema_column) or wanted).upper() == wanted]

    @cached
    def get_pk_constraint(
        self, connection: Any, table_name: str, schema: str | None = None, **kw: Any
    ) -> Any:
        rows = sorted(
            self._show_keys(connection, "PRIMARY KEYS", table_name, schema),
            key=lambda r: r["key_sequence"],
        )
        return {
            "constrained_columns": [self.normalize_name(r["column_name"]) for r in rows],
            "name": self.normalize_name(rows[0]["constraint_name"]) if rows else None,
        }

    @cached
    def get_foreign_keys(
        self, connection: Any, table_name: str, schema: str | None = None, **kw: Any
    ) -> list[Any]:
        keys: dict[str, dict[str, Any]] = {}
        for r in self._show_keys(connection, "IMPORTED KEYS", table_name, schema):
            if not r["pk_table_name"]:  # an emulator's row for the table's own key
                continue
            key = keys.setdefault(
                r["fk_name"],
                {
                    "name": self.normalize_name(r["fk_name"]),
                    "constrained_columns": [],
                    "referred_schema": self.normalize_name(r["pk_schema_name"]),
                    "referred_table": self.normalize_name(r["pk_table_name"]),
                    "referred_columns": [],
                    "options": {},
                },
            )
            key["constrained_columns"].append(self.normalize_name(r["fk_column_name"]))
            key["referred_columns"].append(self.normalize_name(r["pk_column_name"]))
        return list(keys.values())

    @cached
    def get_table_comment(
        self, connection: Any, table_name: str, schema: str | None = None, **kw: Any
    ) -> Any:
        rows = self._rows(
            connection,
            _COMMENT,
            schema=self._schema(connection, schema),
            table=self.denormalize_name(table_name),
        )
        return {"text": rows[0][0] if rows and rows[0][0] else None}

    @cached
    def get_view_definition(
        self, connection: Any, view_name: str, schema: str | None = None, **kw: Any
    ) -> Any:
        rows = self._rows(
            connection,
            _VIEW,
            schema=self._schema(connection, schema),
            table=self.denormalize_name(view_name),
        )
        return str(rows[0][0]) if rows and rows[0][0] is not None else None


dialect = SnowflakeDialect
