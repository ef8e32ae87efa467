"""The contract between the engine and the table formats.

A :class:`TableSource` knows where tables live and opens one table (at one snapshot) as a
:class:`TableHandle`; the handle turns the pushed-down predicate into a :class:`ScanPlan` that
the engine exposes to DuckDB, either as SQL (native ``read_parquet``) or as an Arrow object.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlgate.lakehouse.containment import Jail

if TYPE_CHECKING:
    import pyarrow as pa

    from sqlgate.lakehouse.livefs import LiveOptions
    from sqlgate.lakehouse.pushdown import Predicate
    from sqlgate.lakehouse.storage import Location
    from sqlgate.lakehouse.timetravel import TimeTravel


def is_path_like(name: str) -> bool:
    """True for a table name that is really a path: it could climb out of a source's root or
    name a file (``'/etc/passwd'``, ``'../x'``, ``'*.csv'``, ``'s3://b/k'``)."""
    return (
        name in (".", "..")
        or any(c in name for c in "/\\*?\0\n\r")
        or "://" in name
        or name != name.strip()
    )


def check_table_name(name: str, what: str = "table") -> None:
    """Raise ``ProgrammingError`` for a table name that is a path rather than a name."""
    if not name or is_path_like(name):
        from sqlgate.core.errors import ProgrammingError

        raise ProgrammingError(f"{what} name {name!r} is not a plain table name")


def relation_ref(name: str) -> str:
    """How a plan's ``sql`` names one of the plan's own ``relations``: the engine registers
    each under a name unique to the statement and puts that name here. A quoted identifier,
    so the SQL still parses before that (a rewrite may inspect it)."""
    return '"{{sqlgate_relation:' + name + '}}"'


@dataclass
class ScanPlan:
    """How DuckDB reads one table reference, plus what the planner decided (``info``).

    Exactly one of ``sql`` (a DuckDB ``SELECT``) and ``arrow`` (a pyarrow Dataset, Table or
    RecordBatchReader to register) is set. ``relations`` are Arrow objects the ``sql`` reads
    through :func:`relation_ref` (e.g. a data stream and its delete files, anti-joined).
    """

    schema: pa.Schema
    sql: str | None = None
    arrow: Any = None
    info: dict[str, Any] = field(default_factory=dict)
    relations: dict[str, Any] = field(default_factory=dict)

    def named_relations(self, prefix: str) -> dict[str, Any]:
        """The ``relations`` under the names they are registered as for relation ``prefix``."""
        return {f"{prefix}_{name}": obj for name, obj in self.relations.items()}

    def sql_for(self, prefix: str) -> str | None:
        """``sql`` reading the relations registered by :meth:`named_relations`."""
        sql = self.sql
        if sql is not None:
            for name in self.relations:
                quoted = '"' + f"{prefix}_{name}".replace('"', '""') + '"'
                sql = sql.replace(relation_ref(name), quoted)
        return sql


class TableHandle(abc.ABC):
    """One table resolved at one snapshot/version; ``schema`` is the schema of that snapshot."""

    schema: pa.Schema
    partition_columns: list[str]

    @abc.abstractmethod
    def scan(self, predicate: Predicate | None) -> ScanPlan:
        """Plan the read, pruning partitions/files with ``predicate`` before any byte is read."""


class TableSource(abc.ABC):
    """Where tables live: a catalog, a directory of tables, or a tree of plain files."""

    format: str = "unknown"
    default_schema: str = "main"

    @abc.abstractmethod
    def list_schemas(self) -> list[str]: ...

    @abc.abstractmethod
    def list_tables(self, schema: str) -> list[str]: ...

    @abc.abstractmethod
    def open(self, schema: str, table: str, timetravel: TimeTravel | None = None) -> TableHandle:
        """Resolve a table (and its snapshot); raise ``ProgrammingError`` when missing."""

    def table_schema(self, schema: str, table: str) -> pa.Schema:
        return self.open(schema, table).schema

    def partition_columns(self, schema: str, table: str) -> list[str]:
        return list(self.open(schema, table).partition_columns)

    def table_properties(self, schema: str, table: str) -> dict[str, str]:
        return {}

    def jail(self) -> Jail:
        """Where this source may read files (its lake root); nothing unless it says so."""
        return Jail()

    def changes(self, schema: str, table: str, start: str, end: str | None) -> ScanPlan:
        """Incremental read between two commits; only formats with a change feed have one."""
        from sqlgate.core.errors import NotSupportedError

        raise NotSupportedError(f"{self.format} sources have no incremental (changes) reads")

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release catalog connections; most sources hold none."""


class SourceMetadata:
    """What an engine answers about its tables straight from its :class:`TableSource` (the
    embedded DuckDB engine and the Spark one alike): schemas, tables, columns, properties."""

    source: TableSource

    def list_schemas(self) -> list[str]:
        return self.source.list_schemas()

    def list_tables(self, schema: str) -> list[str]:
        return self.source.list_tables(schema)

    def table_schema(self, schema: str, table: str) -> pa.Schema:
        return self.source.table_schema(schema, table)

    def partition_columns(self, schema: str, table: str) -> list[str]:
        return self.source.partition_columns(schema, table)

    def table_properties(self, schema: str, table: str) -> dict[str, str]:
        return self.source.table_properties(schema, table)


class TableDirectorySource(TableSource):
    """A root directory whose sub-directories holding ``marker`` are tables (schema ``main``).

    Delta Lake (``_delta_log``) and Hudi (``.hoodie``) lay tables out the same way; a format
    adds how to open one table at one snapshot.
    """

    marker: str = ""

    def __init__(
        self, root: str, storage_options: dict[str, Any] | LiveOptions | None = None
    ) -> None:
        from sqlgate.lakehouse import storage
        from sqlgate.lakehouse.livefs import LiveOptions

        self._live: LiveOptions | None = None
        self._static: dict[str, str] = {}
        if isinstance(storage_options, LiveOptions):
            self._live = storage_options
        else:
            self._static = {k: str(v) for k, v in (storage_options or {}).items()}
        self.root = storage.resolve(root, storage_options)
        self.root_uri = root.rstrip("/")
        self._jail = jail_of(self.root)

    @property
    def storage_options(self) -> dict[str, str]:
        """The options for a reader opened now: the current credential's with a provider (the
        same dict until it changes, so ``is`` tells whether a cached reader is stale)."""
        return self._live.current() if self._live is not None else self._static

    def jail(self) -> Jail:
        return self._jail

    def contain(self, uri: str, name: str) -> None:
        """Refuse a table whose directory, or anything in it, resolves outside the root."""
        if self.root.is_local:
            from sqlgate.lakehouse.duckdb_files import local_path

            self._jail.check_tree(local_path(uri) or uri, name)
        else:
            self._jail.check(uri, name)

    def list_schemas(self) -> list[str]:
        return [self.default_schema]

    def list_tables(self, schema: str) -> list[str]:
        from sqlgate.lakehouse import storage

        if schema != self.default_schema:
            return []
        return [d for d in storage.list_dirs(self.root) if self._lists(d)]

    def _lists(self, directory: str) -> bool:
        """A table directory inside the jail; one the store cannot answer for (access
        denied on one prefix) is listed anyway, so opening it fails naming it while every
        other table still lists."""
        from sqlgate.lakehouse import storage

        if not self._jail.allows(self.root.join(directory).uri):
            return False
        try:
            return storage.exists(self.root, directory, self.marker)
        except OSError:
            return True

    def table_uri(self, schema: str, table: str) -> str:
        """The table's location; names match case-insensitively, as SQL identifiers do."""
        from sqlgate.core.errors import ProgrammingError
        from sqlgate.lakehouse import storage

        check_table_name(table)
        if schema == self.default_schema:
            candidates = [
                table,
                *(t for t in self.list_tables(schema) if t.lower() == table.lower()),
            ]
            for name in candidates:
                if storage.exists(self.root, name, self.marker):
                    return f"{self.root_uri}/{name}"
        raise ProgrammingError(
            f"{self.format.capitalize()} table {schema}.{table} does not exist "
            f"under {self.root_uri}"
        )


def jail_of(root: Location) -> Jail:
    """The jail of a source rooted at ``root``: its real local path, or its bucket/prefix."""
    return Jail.of(root.path if root.is_local else root.uri)
