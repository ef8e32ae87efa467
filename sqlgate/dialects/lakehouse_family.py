"""The lakehouse family's dialect: SQLAlchemy over sqlgate's embedded DuckDB engine.

SQL is compiled with SQLAlchemy's PostgreSQL compiler (DuckDB speaks that dialect of SQL);
reflection asks the table formats themselves (catalog namespaces, table schemas, partition
columns) rather than an information schema, through a small TTL cache that
:meth:`LakehouseFamilyDialect.invalidate_schema_cache` clears.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy.dialects.postgresql.base import PGDialect
from sqlalchemy.engine.default import DefaultDialect

from sqlgate.core.params import parse_seconds
from sqlgate.core.typemap import arrow_to_sqlalchemy
from sqlgate.dbapi.lakehouse_family import refuse_url_parts_in_query
from sqlgate.dialects.base import SqlgateDialectMixin, dbapi_connection_of

if TYPE_CHECKING:  # SQLAlchemy 2's reflection shapes; 1.4 has no such names
    from sqlalchemy.engine.interfaces import (
        IsolationLevel,
        ReflectedCheckConstraint,
        ReflectedColumn,
        ReflectedForeignKeyConstraint,
        ReflectedIndex,
        ReflectedPrimaryKeyConstraint,
        ReflectedTableComment,
        ReflectedUniqueConstraint,
    )

T = TypeVar("T")
DEFAULT_SCHEMA_CACHE_TTL = 60.0
PARTITION_INDEX = "partition"  # Superset's latest-partition logic looks for this name


def parse_cache_ttl(value: Any) -> float:
    """``schema_cache_ttl`` in seconds: ``0`` turns the cache off; a typo is an error."""
    if str(value).strip() in ("0", "0.0"):
        return 0.0
    return parse_seconds("schema_cache_ttl", value) or 0.0


class LakehouseFamilyDialect(SqlgateDialectMixin, PGDialect):
    """Base of every lakehouse source's dialect."""

    sqlgate_source = "file"
    supports_statement_cache = True
    default_paramstyle = "qmark"
    supports_sequences = False
    postfetch_lastrowid = False
    implicit_returning = False
    full_returning = False
    insert_returning = False
    _backslash_escapes = False
    # table properties (``delta.appendOnly`` ...) are reported as table options; they are not
    # validated dialect keyword arguments. SQLAlchemy documents None as "no validation", but
    # PGDialect's annotation only admits a list
    construct_arguments = None  # type: ignore[assignment]

    def __init__(self, *args: Any, schema_cache_ttl: float | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.schema_cache_ttl = (
            DEFAULT_SCHEMA_CACHE_TTL
            if schema_cache_ttl is None
            else parse_cache_ttl(schema_cache_ttl)
        )
        self._cache: dict[tuple[Any, ...], tuple[float, Any]] = {}
        self._cache_lock = threading.Lock()

    def create_connect_args(self, url: Any) -> tuple[list[Any], dict[str, Any]]:
        refuse_url_parts_in_query(url.query)
        args, kwargs = super().create_connect_args(url)
        ttl = kwargs.pop("schema_cache_ttl", None)
        if ttl is not None:
            self.schema_cache_ttl = parse_cache_ttl(ttl)
        return args, kwargs

    # -- connection-level behaviour: an embedded engine without transactions -------------
    def initialize(self, connection: Any) -> None:
        self.server_version_info = self._get_server_version_info(connection)
        self.default_schema_name = self._get_default_schema_name(connection)
        self.default_isolation_level = "AUTOCOMMIT"
        self.returns_unicode_strings = True

    def _get_server_version_info(self, connection: Any) -> tuple[int, ...]:
        import duckdb

        return tuple(int(p) for p in duckdb.__version__.split(".")[:3] if p.isdigit())

    def _get_default_schema_name(self, connection: Any) -> str:
        return self._engine(connection).source.default_schema

    def get_isolation_level(self, dbapi_connection: Any) -> IsolationLevel:
        return "AUTOCOMMIT"

    def get_default_isolation_level(self, dbapi_conn: Any) -> IsolationLevel:
        return "AUTOCOMMIT"

    def set_isolation_level(self, dbapi_connection: Any, level: str) -> None:
        """Every query reads one consistent snapshot per table; there is nothing to set."""

    def do_rollback(self, dbapi_connection: Any) -> None:
        """No transactions: nothing to roll back."""

    # -- reflection ----------------------------------------------------------------------
    @staticmethod
    def _engine(connection: Any) -> Any:
        return dbapi_connection_of(connection).session.engine

    def _cached(self, key: tuple[Any, ...], load: Callable[[], T]) -> T:
        now = time.monotonic()
        with self._cache_lock:
            hit = self._cache.get(key)
            if hit is not None and now - hit[0] < self.schema_cache_ttl:
                return hit[1]
        value = load()
        with self._cache_lock:
            self._cache[key] = (now, value)
        return value

    def invalidate_schema_cache(self) -> None:
        """Forget every cached schema, table list and column list."""
        with self._cache_lock:
            self._cache.clear()

    def _schema(self, connection: Any, schema: str | None) -> str:
        return schema or self._get_default_schema_name(connection)

    def get_schema_names(self, connection: Any, **kw: Any) -> list[str]:
        engine = self._engine(connection)
        return self._cached(("schemas",), engine.list_schemas)

    def get_table_names(self, connection: Any, schema: str | None = None, **kw: Any) -> list[str]:
        engine, schema = self._engine(connection), self._schema(connection, schema)
        return self._cached(("tables", schema), lambda: engine.list_tables(schema))

    def get_view_names(self, connection: Any, schema: str | None = None, **kw: Any) -> list[str]:
        return []

    def has_table(
        self, connection: Any, table_name: str, schema: str | None = None, **kw: Any
    ) -> bool:
        return table_name in self.get_table_names(connection, schema)

    def _arrow_schema(self, connection: Any, table_name: str, schema: str | None) -> Any:
        from sqlalchemy.exc import NoSuchTableError

        engine, schema = self._engine(connection), self._schema(connection, schema)
        if not self.has_table(connection, table_name, schema):
            raise NoSuchTableError(f"{schema}.{table_name}")
        return self._cached(
            ("columns", schema, table_name), lambda: engine.table_schema(schema, table_name)
        )

    def get_columns(
        self, connection: Any, table_name: str, schema: str | None = None, **kw: Any
    ) -> list[ReflectedColumn]:
        columns: list[ReflectedColumn] = []
        for field in self._arrow_schema(connection, table_name, schema):
            metadata = field.metadata or {}
            comment = metadata.get(b"comment") or metadata.get(b"doc")
            columns.append(
                {
                    "name": field.name,
                    "type": arrow_to_sqlalchemy(field.type),
                    "nullable": field.nullable,
                    "default": None,
                    "comment": comment.decode() if comment else None,
                }
            )
        return columns

    def get_pk_constraint(
        self, connection: Any, table_name: str, schema: str | None = None, **kw: Any
    ) -> ReflectedPrimaryKeyConstraint:
        return {"constrained_columns": [], "name": None}

    def get_foreign_keys(
        self, connection: Any, table_name: str, schema: str | None = None, **kw: Any
    ) -> list[ReflectedForeignKeyConstraint]:
        return []

    def get_indexes(
        self, connection: Any, table_name: str, schema: str | None = None, **kw: Any
    ) -> list[ReflectedIndex]:
        """Partition columns, reported as an index named ``partition`` (as PyHive and Trino)."""
        self._arrow_schema(connection, table_name, schema)  # raises for a missing table
        engine, schema = self._engine(connection), self._schema(connection, schema)
        columns = self._cached(
            ("partitions", schema, table_name), lambda: engine.partition_columns(schema, table_name)
        )
        if not columns:
            return []
        return [{"name": PARTITION_INDEX, "column_names": list(columns), "unique": False}]

    def get_unique_constraints(
        self, connection: Any, table_name: str, schema: str | None = None, **kw: Any
    ) -> list[ReflectedUniqueConstraint]:
        return []

    def get_check_constraints(
        self, connection: Any, table_name: str, schema: str | None = None, **kw: Any
    ) -> list[ReflectedCheckConstraint]:
        return []

    def get_table_comment(
        self, connection: Any, table_name: str, schema: str | None = None, **kw: Any
    ) -> ReflectedTableComment:
        engine, schema = self._engine(connection), self._schema(connection, schema)
        properties = self._cached(
            ("properties", schema, table_name), lambda: engine.table_properties(schema, table_name)
        )
        return {"text": properties.get("comment") or properties.get("description")}

    def get_table_options(
        self, connection: Any, table_name: str, schema: str | None = None, **kw: Any
    ) -> dict[str, Any]:
        engine, schema = self._engine(connection), self._schema(connection, schema)
        properties = engine.table_properties(schema, table_name)
        return {f"{self.name}_{key}": value for key, value in properties.items()}

    def get_materialized_view_names(self, *args: Any, **kw: Any) -> list[str]:
        return []

    def get_sequence_names(self, *args: Any, **kw: Any) -> list[str]:
        return []


# PostgreSQL's batch ("multi") reflection reads pg_catalog; the lakehouse uses SQLAlchemy's
# generic versions, which call the per-table methods above (SQLAlchemy 2.x only has them).
for _name in (
    "columns",
    "pk_constraint",
    "foreign_keys",
    "indexes",
    "unique_constraints",
    "check_constraints",
    "table_comment",
    "table_options",
):
    _generic = getattr(DefaultDialect, f"get_multi_{_name}", None)
    if _generic is not None:
        setattr(LakehouseFamilyDialect, f"get_multi_{_name}", _generic)
