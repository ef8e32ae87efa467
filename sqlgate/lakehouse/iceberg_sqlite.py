"""The embedded default Iceberg catalog (``iceberg:///path/catalog.db``), read with sqlite3.

pyiceberg's own ``SqlCatalog`` keeps its catalog in SQLite through SQLAlchemy 2, so it cannot
load where SQLAlchemy 1.4 is installed (Apache Superset 6.1). sqlgate only reads: it needs the
two tables that catalog writes (``iceberg_tables``, ``iceberg_namespace_properties``) and the
metadata file a row points at, which the stdlib's sqlite3 reads under either SQLAlchemy. The
file is opened read-only (``mode=ro``); a missing file is an error at connect, never created.
Tables written by pyiceberg's ``SqlCatalog`` (or Spark/Java's JDBC catalog on SQLite, same
schema) are read as they are.
"""

from __future__ import annotations

from typing import Any

from pyiceberg.catalog import Catalog, MetastoreCatalog
from pyiceberg.exceptions import NoSuchNamespaceError, NoSuchTableError
from pyiceberg.serializers import FromInputFile
from pyiceberg.table import Table

from sqlgate.core.errors import ReadOnlyError
from sqlgate.lakehouse.iceberg_catalog_file import CATALOG_IMPL, PATH_PROPERTY, CatalogFile

__all__ = ["CATALOG_IMPL", "PATH_PROPERTY", "SqliteCatalog"]


class SqliteCatalog(MetastoreCatalog):
    """A read-only pyiceberg catalog over pyiceberg's SQL-catalog tables in a SQLite file."""

    def __init__(self, name: str, **properties: Any) -> None:
        super().__init__(name, **properties)
        self.file = CatalogFile(str(properties[PATH_PROPERTY]), name)
        self.path = self.file.path
        self._has_namespaces = self.file.has_namespaces
        self._type_filter = self.file.type_filter

    def _rows(self, sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        return self.file.rows(sql, params)

    def metadata_location(self, schema: str, table: str) -> str | None:
        """The table's current metadata file: one indexed row (the engine's freshness probe)."""
        return self.file.metadata_location(schema, table)

    def _all_namespaces(self) -> set[tuple[str, ...]]:
        sql = "SELECT table_namespace FROM iceberg_tables WHERE catalog_name = ?"
        if self._has_namespaces:
            sql += (
                " UNION SELECT namespace FROM iceberg_namespace_properties WHERE catalog_name = ?"
            )
        params = (self.name, self.name) if self._has_namespaces else (self.name,)
        return {Catalog.identifier_to_tuple(ns) for (ns,) in self._rows(sql, params) if ns}

    def list_namespaces(self, namespace: str | tuple[str, ...] = ()) -> list[tuple[str, ...]]:
        parent = Catalog.identifier_to_tuple(namespace)
        known = self._all_namespaces()
        if parent and not any(ns[: len(parent)] == parent for ns in known):
            raise NoSuchNamespaceError(f"Namespace does not exist: {'.'.join(parent)}")
        level = len(parent) + 1
        return sorted(
            {ns[:level] for ns in known if len(ns) >= level and ns[: len(parent)] == parent}
        )

    def list_tables(self, namespace: str | tuple[str, ...]) -> list[tuple[str, ...]]:
        ns = Catalog.identifier_to_tuple(namespace)
        text = Catalog.namespace_to_string(ns)
        if ns not in self._all_namespaces():
            raise NoSuchNamespaceError(f"Namespace does not exist: {text}")
        rows = self._rows(
            "SELECT table_name FROM iceberg_tables WHERE catalog_name = ? AND "
            "table_namespace = ?" + self._type_filter,
            (self.name, text),
        )
        return [(*ns, name) for (name,) in rows]

    def load_table(self, identifier: str | tuple[str, ...]) -> Table:
        namespace = Catalog.namespace_to_string(Catalog.namespace_from(identifier))
        name = Catalog.table_name_from(identifier)
        location = self.metadata_location(namespace, name)
        if not location:
            raise NoSuchTableError(f"Table does not exist: {namespace}.{name}")
        io = self._load_file_io(location=location)
        metadata = FromInputFile.table_metadata(io.new_input(location))
        return Table(
            identifier=(*Catalog.identifier_to_tuple(namespace), name),
            metadata=metadata,
            metadata_location=location,
            io=self._load_file_io(metadata.properties, location),
            catalog=self,
        )

    def list_views(self, namespace: str | tuple[str, ...]) -> list[tuple[str, ...]]:
        return []

    def view_exists(self, identifier: str | tuple[str, ...]) -> bool:
        return False

    def load_namespace_properties(self, namespace: str | tuple[str, ...]) -> dict[str, str]:
        if not self._has_namespaces:
            return {}
        rows = self._rows(
            "SELECT property_key, property_value FROM iceberg_namespace_properties "
            "WHERE catalog_name = ? AND namespace = ?",
            (self.name, Catalog.namespace_to_string(namespace)),
        )
        return dict(rows)

    def _refuse(self, *args: Any, **kwargs: Any) -> Any:
        raise ReadOnlyError("changing an Iceberg catalog", "sqlgate only reads")

    create_table = register_table = drop_table = purge_table = rename_table = _refuse
    commit_table = create_namespace = drop_namespace = update_namespace_properties = _refuse
    drop_view = create_view = register_view = load_view = create_table_transaction = _refuse
