"""What every remote engine of the lakehouse sources shares (``engine=spark``, ``engine=trino``).

The engine choice on the URL; the front half of a statement (compiled and vetted by the
embedded path's compiler, its parameters counted); every table reference resolved by the
table source at its snapshot with its data files planned, so each lies in the lake before a
remote engine reads it; relative Iceberg locations refused (a remote engine would resolve
them against its own working directory); the statement's relations renamed to what the
engine reads; and the fail-closed check of the text the engine will run, in its own dialect.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError

from sqlgate.core.errors import InterfaceError, NotSupportedError, ProgrammingError, ReadOnlyError
from sqlgate.lakehouse.compiler import CompiledStatement, TableRef, _visible_ctes
from sqlgate.lakehouse.failures import planning_error, table_error
from sqlgate.lakehouse.timetravel import TimeTravel, resolve_time_travel

if TYPE_CHECKING:
    from sqlgate.lakehouse.base import TableHandle, TableSource

#: engine name -> the URL option naming its server and the scheme that option must start with
ENGINES: dict[str, tuple[str, tuple[str, ...]]] = {
    "spark": ("spark_remote", ("sc://",)),
    "trino": ("trino_uri", ("http://", "https://")),
}
#: further URL options an engine takes (who it connects as)
ENGINE_OPTIONS: dict[str, tuple[str, ...]] = {"trino": ("trino_user", "trino_register_user")}


def pop_engine(
    options: dict[str, Any], table_format: str
) -> tuple[str, str, dict[str, str]] | None:
    """Take ``engine=`` and the engine's options out of the URL options: (engine, address,
    its other options) for a remote engine, None for the embedded DuckDB (the default)."""
    engine = str(options.pop("engine", "duckdb")).strip().lower()
    addresses = {name: options.pop(opt, None) for name, (opt, _s) in ENGINES.items()}
    extra = {
        opt: str(options.pop(opt))
        for name, opts in ENGINE_OPTIONS.items()
        for opt in opts
        if opt in options
    }
    for opt, value in extra.items():
        if opt not in ENGINE_OPTIONS.get(engine, ()):
            raise InterfaceError(f"{opt}= needs engine={opt.split('_', 1)[0]}")
        if not value or not value.isprintable() or value != value.strip():
            raise InterfaceError(f"{opt}= must be a user name (printable, no spaces around)")
    if engine != "duckdb" and engine not in ENGINES:
        known = ", ".join(["duckdb", *ENGINES])
        raise InterfaceError(f"engine={engine!r} is not known: use one of {known}")
    for name, address in addresses.items():
        if address is not None and name != engine:
            raise InterfaceError(f"{ENGINES[name][0]}= needs engine={name}")
    if engine == "duckdb":
        return None
    if table_format == "hudi" and engine == "spark":
        raise NotSupportedError(
            "engine=spark cannot read Hudi tables: the Hudi runtime for Spark 4 is not "
            "available to sqlgate's Spark engine yet (use the default engine=duckdb)"
        )
    option, schemes = ENGINES[engine]
    address = addresses[engine]
    if not isinstance(address, str) or not address.startswith(schemes):
        raise InterfaceError(
            f"engine={engine} needs {option}={schemes[0]}host:port (the {engine} server)"
        )
    return engine, address, extra


@dataclass
class Resolved:
    """One table reference resolved by sqlgate: the snapshot and the files a remote engine
    may read for it (each already held to the lake by the table source's planning)."""

    ref: TableRef
    name: str  # schema.table as the statement named it
    handle: TableHandle
    travel: TimeTravel | None
    files: list[str] = field(default_factory=list)

    def info(self, engine: str, fmt: str) -> dict[str, Any]:
        """The start of this reference's ``plan_info`` entry."""
        info: dict[str, Any] = {"table": self.name, "format": fmt, "engine": engine}
        if self.travel is not None:
            info["time_travel"] = self.travel.describe()
        return info


def check_params(compiled: CompiledStatement, params: Sequence[Any]) -> None:
    if len(params) != compiled.n_params:
        raise ProgrammingError(
            f"the statement takes {compiled.n_params} parameter(s) but {len(params)} were given"
        )


def resolve_tables(
    source: TableSource, refs: list[TableRef], params: list[Any], engine: str
) -> list[Resolved]:
    """Open each table reference at its snapshot and plan its files (Delta, Iceberg)."""
    resolved = []
    for ref in refs:
        if ref.changes is not None:
            raise NotSupportedError(
                f"hudi_changes() is not available with engine={engine} "
                "(use the default engine=duckdb)"
            )
        travel = resolve_time_travel(ref.version, params) if ref.version is not None else None
        name = f"{ref.schema}.{ref.table}"
        try:
            handle = source.open(ref.schema, ref.table, travel)
        except Exception as exc:
            raise table_error(exc, name) from None
        files: list[str] = []
        if source.format in ("delta", "iceberg"):
            try:  # plans the files: each must lie in the lake before the engine reads it
                files = list(handle.scan(None).info.get("files") or [])
            except Exception as exc:
                raise planning_error(exc, handle) from None
        resolved.append(Resolved(ref, name, handle, travel, files))
    return resolved


def iceberg_table(handle: TableHandle, files: Sequence[str], engine: str) -> Any:
    """The full :class:`IcebergTable` behind ``handle``; refused when it names files by
    relative paths, which the engine would resolve against its own working directory."""
    from sqlgate.lakehouse.iceberg import IcebergTable
    from sqlgate.lakehouse.iceberg_paths import relative_part

    full = getattr(handle, "full", None)  # a light handle: pyiceberg's own behind it
    table = full() if callable(full) else handle
    assert isinstance(table, IcebergTable)
    snapshot = table.table.snapshot_by_id(table.snapshot_id) if table.snapshot_id else None
    places = [table.table.location(), *([snapshot.manifest_list] if snapshot else []), *files]
    relative = next((p for p in places if relative_part(str(p))), None)
    if relative is not None:
        raise NotSupportedError(
            f"engine={engine} cannot read Iceberg table {table.name}: it names its files by "
            f"relative paths ({relative!r}), which {engine} would resolve against the "
            "server's working directory, not the catalog's; use the default engine=duckdb"
        )
    return table


def retarget(compiled: CompiledStatement, names: Mapping[str, exp.Expr]) -> exp.Expr:
    """``compiled.sql`` parsed, each relation replaced by what the engine reads for it."""
    tree = sqlglot.parse_one(compiled.sql, read="duckdb")
    for node in list(tree.find_all(exp.Table)):
        target = names.get(node.name) if isinstance(node.this, exp.Identifier) else None
        if target is not None:
            node.set("this", target.copy())
    return tree


#: statement kinds never allowed anywhere in the tree (also nested in a CTE or subquery)
REFUSED = (
    exp.DML,
    exp.DDL,
    exp.Command,
    exp.QueryTransform,
    exp.Set,
    exp.Use,
    exp.LoadData,
    exp.Cache,
    exp.Uncache,
    exp.Refresh,
    exp.Describe,
    exp.Pragma,
    exp.Copy,
    exp.Analyze,
    exp.Grant,
    exp.Revoke,
    exp.Transaction,
    exp.Commit,
    exp.Rollback,
    exp.Kill,
    exp.Show,
    # newer sqlglot only (Superset 6.1 pins 28.x, which reads EXECUTE as a Command)
    *[getattr(exp, name) for name in ("Execute",) if hasattr(exp, name)],
)


@dataclass(frozen=True)
class RemoteDialect:
    """What the fail-closed check needs to know about one engine's SQL."""

    engine: str  # for messages: "Spark", "Trino"
    dialect: str  # sqlglot's
    denied: frozenset[str]  # built-ins refused wherever they appear
    table_functions: frozenset[str]  # table-valued functions that only compute rows


def _names(fn: exp.Func) -> set[str]:
    if isinstance(fn, exp.Anonymous):
        return {fn.name.lower()}
    return {fn.sql_name().lower(), fn.key.lower()}


def vet_remote_sql(
    sql: str, dialect: RemoteDialect, tables: Collection[str], builtins: Collection[str]
) -> exp.Query:
    """Refuse ``sql`` unless it is exactly one query that reads only ``tables`` (unqualified
    names, or CTEs in scope) and calls only the engine's built-ins outside ``denied``."""
    on = f"on the {dialect.engine} engine"
    try:
        trees = [t for t in sqlglot.parse(sql, read=dialect.dialect) if t is not None]
    except ParseError:
        raise ReadOnlyError(f"{dialect.engine} SQL that sqlglot cannot parse back") from None
    if len(trees) != 1 or not isinstance(trees[0], exp.Query):
        raise ReadOnlyError(f"anything but exactly one query {on}")
    tree = trees[0]
    allowed = {t.lower() for t in tables}
    table_functions: set[int] = set()
    for node in tree.walk():  # breadth first: a table before the function it calls
        if isinstance(node, REFUSED):
            raise ReadOnlyError(f"{node.key.upper()} {on}")
        if isinstance(node, exp.Dot) and isinstance(node.expression, exp.Func):
            raise ReadOnlyError("a schema-qualified function", "only built-ins may be called")
        if isinstance(node, exp.Table):
            if _vet_table(node, allowed, dialect):
                table_functions.add(id(node.this))
        elif isinstance(node, exp.Func) and id(node) not in table_functions:
            _vet_function(node, dialect, builtins)
    return tree


def _vet_table(node: exp.Table, tables: set[str], dialect: RemoteDialect) -> bool:
    """True for an allowed table function (its call is vetted here), False for a table."""
    fn = node.this
    if isinstance(fn, exp.Func):
        if not _names(fn) & dialect.table_functions:
            allowed = ", ".join(sorted(dialect.table_functions))
            raise ReadOnlyError(
                f"table function {fn.sql_name().lower()}", f"only {allowed} may stand in"
            )
        return True
    if not isinstance(fn, exp.Identifier) or node.args.get("db") or node.args.get("catalog"):
        raise ReadOnlyError("a table outside the statement", node.sql(dialect.dialect))
    name = fn.name.lower()
    if name not in tables and name not in _visible_ctes(node):
        raise ReadOnlyError("a table outside the statement", fn.name)
    return False


def _vet_function(node: exp.Func, dialect: RemoteDialect, builtins: Collection[str]) -> None:
    denied = _names(node) & dialect.denied
    if denied:
        raise ReadOnlyError(f"function {min(denied)}", "it reaches outside the query")
    if isinstance(node, exp.Anonymous) and node.name.lower() not in builtins:
        raise ReadOnlyError(
            f"function {node.name}", f"only {dialect.engine}'s built-in functions may be called"
        )
