"""The lakehouse family: tables in Iceberg, Delta Lake, Hudi or plain files, run by DuckDB.

A source on this family is a :class:`LakehouseFlavor`: which table format it reads and where
its tables live (a catalog, a root directory, an object store). The session is an embedded
:class:`~sqlgate.lakehouse.engine.LakehouseEngine`; results stream as Arrow record batches.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

import pyarrow as pa

from sqlgate.core.flavor import Flavor
from sqlgate.core.params import ConnectParams, parse_int, parse_seconds
from sqlgate.core.pep249 import *  # noqa: F403 - a DB-API module re-exports the PEP 249 names
from sqlgate.core.pep249 import __all__ as _pep249_all
from sqlgate.core.registry import import_driver
from sqlgate.core.results import ArrowResult, Column, Result
from sqlgate.core.session import Parameters, Session
from sqlgate.core.translate import call_translated
from sqlgate.core.types_duckdb import duckdb_type_string

paramstyle = "qmark"
__all__ = [*_pep249_all, "paramstyle"]

DEFAULT_ROWS_PER_BATCH = 65_536
MAX_ROWS_PER_BATCH = 10_000_000
#: URL parts that a query string must not repeat (``?password=`` beside ``user:pw@``)
URL_PARTS = frozenset(
    {"host", "port", "user", "password", "database", "dbname", "db", "username", "passwd"}
)


def refuse_url_parts_in_query(keys: Any) -> None:
    """A URL part given as a query option is ambiguous (which one wins?) and would reach
    the session as an unknown option: say so, naming the option."""
    given = sorted(str(k) for k in keys if str(k).lower() in URL_PARTS)
    if given:
        raise InterfaceError(  # noqa: F405
            f"option(s) {', '.join(given)} cannot be given in a lakehouse URL's query string; "
            "put them in the URL itself (scheme://user:password@host:port/path) or pass them "
            "to connect() as keyword arguments"
        )


@dataclass(frozen=True)
class LakehouseFlavor(Flavor):
    """One lakehouse source: a table format plus the default store its URLs point at."""

    table_format: str = "parquet"  # iceberg, delta, hudi, or a file format
    store: str = "local"  # local, s3, minio, oss, cos, azure, gcs (file sources' URL scheme)

    def connect(self, url: str | None = None, **kwargs: Any) -> Any:
        """PEP 249 ``connect``; a URL's query string may not repeat a URL part."""
        if isinstance(url, str) and "?" in url:
            refuse_url_parts_in_query(
                k for k, _ in parse_qsl(url.split("?", 1)[1], keep_blank_values=True)
            )
        return super().connect(url, **kwargs)

    def open_session(self, params: ConnectParams) -> LakehouseSession:
        import_driver(self.source, "duckdb")
        for library in _FORMAT_LIBRARIES.get(self.table_format, ()):
            # found, not imported: a cold first query may never need it (iceberg_light);
            # found once per process: the search of sys.path costs each connect ~1 ms
            if library not in _FOUND and importlib.util.find_spec(library) is None:
                import_driver(self.source, library)  # MissingExtraError names the extra
            _FOUND.add(library)
        from sqlgate.lakehouse.engine import LakehouseEngine
        from sqlgate.lakehouse.sources import SourceKind, table_source_for

        options = dict(params.options)
        rows = parse_int(
            "rows_per_batch",
            options.pop("rows_per_batch", DEFAULT_ROWS_PER_BATCH),
            minimum=1,
            maximum=MAX_ROWS_PER_BATCH,
        )
        timeout = parse_seconds("statement_timeout", options.pop("statement_timeout", None))
        kind = SourceKind(self.source, self.table_format, self.store)
        from sqlgate.lakehouse.remote import pop_engine  # engine=spark|trino: a server works

        remote = pop_engine(options, self.table_format)
        source = table_source_for(kind, params, options)
        if remote is not None:
            engine, address, extra = remote
            module = importlib.import_module(f"sqlgate.lakehouse.{engine}")
            opened = module.open_engine(source, address, self.source, rows, timeout, extra)
            return LakehouseSession(opened)
        return LakehouseSession(
            LakehouseEngine(source, rows_per_batch=rows, statement_timeout=timeout)
        )


def describe(schema: pa.Schema) -> tuple[Column, ...]:
    """PEP 249 descriptions from an Arrow schema; type codes are DuckDB type names."""
    columns = []
    for field in schema:
        precision = getattr(field.type, "precision", None)
        scale = getattr(field.type, "scale", None)
        columns.append(
            Column(
                field.name,
                duckdb_type_string(field.type),
                None,
                None,
                precision,
                scale,
                field.nullable,
            )
        )
    return tuple(columns)


#: the library each table format reads with (reported by ``sqlgate check``)
_FORMAT_LIBRARIES = {"iceberg": ("pyiceberg",), "delta": ("deltalake",), "hudi": ("hudi",)}
_FOUND: set[str] = set()  # format libraries this process found installed


def format_libraries(table_format: str) -> list[tuple[str, str]]:
    """(distribution, version) of the libraries reading ``table_format`` (pyarrow for files)."""
    from importlib.metadata import PackageNotFoundError, version

    out = []
    for name in (*_FORMAT_LIBRARIES.get(table_format, ()), "pyarrow"):
        try:
            out.append((name, version(name)))
        except PackageNotFoundError:
            continue
    return out


class LakehouseSession(Session):
    """An embedded DuckDB engine over one table source; no transactions, nothing to commit."""

    def __init__(self, engine: Any) -> None:
        import duckdb

        self.engine = engine
        # ``sqlgate check`` prints these: the engine and the table format's library
        self.server_version = getattr(engine, "server_version", None) or tuple(
            int(p) for p in duckdb.__version__.split(".")[:3] if p.isdigit()
        )

    @property
    def banner(self) -> str:  # type: ignore[override]
        """Built when asked for: reading package metadata costs a cold connect milliseconds."""
        import duckdb

        name = getattr(self.engine, "engine_name", None) or f"DuckDB {duckdb.__version__}"
        return name + "".join(
            f", {name} {version}" for name, version in format_libraries(self.engine.source.format)
        )

    @property
    def raw(self) -> Any:
        return self.engine

    def prepare(self, operation: str) -> str:
        """``FOR SYSTEM_VERSION/SYSTEM_TIME AS OF`` become the spellings the gate reads."""
        from sqlgate.lakehouse.timetravel import canonical_sql

        return canonical_sql(operation)

    def execute(self, operation: str, parameters: Parameters = None) -> Result:
        if isinstance(parameters, dict):
            raise ProgrammingError(  # noqa: F405
                "lakehouse sources use qmark parameters (?): pass a sequence, not a mapping"
            )
        reader = self.engine.execute(operation, list(parameters) if parameters else None)
        return ArrowResult(reader, describe(reader.schema), call_translated)

    def cancel(self) -> None:
        """Interrupt the running statements (DuckDB and the format readers feeding it); the
        thread running one gets ``OperationalError``, the connection stays usable."""
        self.engine.cancel()

    def ping(self) -> None:
        """Reach the store or catalog: list the schemas (a catalog's namespaces) and the
        default schema's tables (a directory source lists its root only then). A catalog
        without the default namespace is fine: Superset's Test Connection pings."""
        default = self.engine.source.default_schema
        if default in self.engine.list_schemas():
            self.engine.list_tables(default)

    def close(self) -> None:
        self.engine.close()
