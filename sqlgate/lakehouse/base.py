"""The contract between the engine and the table formats.

A :class:`TableSource` knows where tables live and opens one table (at one snapshot) as a
:class:`TableHandle`; the handle turns the pushed-down predicate into a :class:`ScanPlan` that
the engine exposes to DuckDB, either as SQL (native ``read_parquet``) or as an Arrow object.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pyarrow as pa

    from sqlgate.lakehouse.pushdown import Predicate
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


@dataclass
class ScanPlan:
    """How DuckDB reads one table reference, plus what the planner decided (``info``).

    Exactly one of ``sql`` (a DuckDB ``SELECT`` over local files) and ``arrow`` (a pyarrow
    Dataset, Table or RecordBatchReader to register) is set.
    """

    schema: pa.Schema
    sql: str | None = None
    arrow: Any = None
    info: dict[str, Any] = field(default_factory=dict)


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

    def changes(self, schema: str, table: str, start: str, end: str | None) -> ScanPlan:
        """Incremental read between two commits; only formats with a change feed have one."""
        from sqlgate.core.errors import NotSupportedError

        raise NotSupportedError(f"{self.format} sources have no incremental (changes) reads")

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release catalog connections; most sources hold none."""
