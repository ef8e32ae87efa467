"""Time travel and Hudi incremental reads from SQLAlchemy Core and ORM.

``as_of(table, version=…)`` / ``as_of(table, timestamp=…)`` is a FROM clause that compiles, on
sqlgate's lakehouse dialects, to ``schema.table FOR VERSION AS OF ? AS table`` (the value is a
bound parameter, so one cached compilation serves every version)::

    from sqlgate.dialects.timetravel import as_of, hudi_changes

    v1 = as_of(sales, version=snapshot_id)
    conn.execute(select(v1.c.id, v1.c.amount))              # FROM db.sales FOR VERSION AS OF ?
    conn.execute(select(sales.c.id).select_from(v1))        # the snapshot stands in for sales
    old = as_of(sales, timestamp=datetime(2024, 1, 1)).alias("old")
    conn.execute(select(old.c.amount, sales.c.amount)       # two snapshots of one table
                 .join_from(old, sales, old.c.id == sales.c.id))
    session.execute(select(Sale).select_from(as_of(Sale, version=3)))   # ORM
    session.execute(select(aliased(Sale, old)))                         # ORM, aliased

An un-aliased ``as_of(t, …)`` *replaces* ``t`` in the statement it appears in (``t``'s own
columns then read the snapshot); an aliased one (``.alias(name)``) sits beside ``t``.

``hudi_changes(table, start, end=None)`` is the table-valued ``hudi_changes('schema.table',
start, end)`` of the engine: the records committed in ``(start, end]``, with ``table``'s
columns. Both constructs refuse to compile on any other dialect (``CompileError``), except
for ``str(statement)``, which renders them for reading.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import String, inspect
from sqlalchemy.exc import ArgumentError, CompileError, NoInspectionAvailable
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import elements
from sqlalchemy.sql.compiler import StrSQLCompiler
from sqlalchemy.sql.expression import ColumnClause, TableClause, bindparam, column, literal
from sqlalchemy.sql.functions import Function
from sqlalchemy.sql.selectable import Alias
from sqlalchemy.sql.visitors import InternalTraversal

from sqlgate.dialects.lakehouse_family import LakehouseFamilyDialect

__all__ = ["AsOf", "HudiChanges", "as_of", "hudi_changes"]

_KINDS = ("version", "timestamp")


def _require_lakehouse(compiler: Any, what: str) -> None:
    if isinstance(compiler, StrSQLCompiler):  # str(statement): render it, for reading only
        return
    dialect = compiler.dialect
    if not isinstance(dialect, LakehouseFamilyDialect):
        raise CompileError(
            f"{what} is time travel: it compiles on sqlgate's lakehouse dialects (iceberg, "
            f"delta, hudi, file, s3, …) and on snowflake and databricks, not on {dialect.name!r}"
        )


def _table_of(obj: Any) -> TableClause:
    """The table of a Table/TableClause or of an ORM entity (mapped class or mapper)."""
    if isinstance(obj, TableClause):
        return obj
    try:
        insp = inspect(obj)
    except NoInspectionAvailable:
        insp = None
    local = getattr(insp, "local_table", None)
    if isinstance(local, TableClause) and not getattr(insp, "is_aliased_class", False):
        return local
    raise ArgumentError(
        f"expected a Table or a mapped class, not {obj!r}; to alias a snapshot, alias the "
        "result: as_of(table, version=…).alias('name')"
    )


class AsOf(Alias):
    """One table read at one snapshot: ``schema.table FOR VERSION|TIMESTAMP AS OF <param>``.

    Built by :func:`as_of`. Its columns are proxies of the table's, so ``corresponding_column``
    and ORM ``aliased()`` work; ``kind`` is ``"version"`` or ``"timestamp"`` and ``value`` the
    bound parameter that carries the snapshot id / version / instant / timestamp.
    """

    __visit_name__ = "sqlgate_as_of"
    inherit_cache = True
    _traverse_internals = [
        ("element", InternalTraversal.dp_clauseelement),
        ("name", InternalTraversal.dp_anon_name),
        ("kind", InternalTraversal.dp_string),
        ("value", InternalTraversal.dp_clauseelement),
        ("replaces_table", InternalTraversal.dp_boolean),
    ]

    element: TableClause
    kind: str
    value: elements.BindParameter[Any]
    replaces_table: bool

    @classmethod
    def _create(
        cls,
        table: TableClause,
        kind: str,
        value: elements.BindParameter[Any],
        name: str | None,
        replaces_table: bool,
    ) -> AsOf:
        obj = cls.__new__(cls)
        obj._init(table, name=name)
        obj.kind, obj.value, obj.replaces_table = kind, value, replaces_table
        return obj

    @property
    def _hide_froms(self) -> Sequence[Any]:
        """An un-aliased snapshot stands in for its table in the FROM list."""
        return (self.element,) if self.replaces_table else ()

    def alias(self, name: str | None = None, flat: bool = False) -> AsOf:
        """The same snapshot under another name (anonymous when ``name`` is None)."""
        return AsOf._create(self.element, self.kind, self.value, name, replaces_table=False)

    def _anonymous_fromclause(self, name: str | None = None, flat: bool = False) -> AsOf:
        return self.alias(name)


@compiles(AsOf)
def _compile_as_of(element: AsOf, compiler: Any, **kw: Any) -> str:
    _require_lakehouse(compiler, "as_of()")
    name = element.name
    if isinstance(name, elements._truncated_label):
        name = compiler._truncated_identifier("alias", name)
    alias = compiler.preparer.format_alias(element, name)
    if kw.get("ashint"):
        return alias
    from_linter = kw.get("from_linter")
    if from_linter is not None and (kw.get("asfrom") or kw.get("lateral")):
        de_clone = getattr(element, "_de_clone", None)  # SQLAlchemy 2.x; 1.4 keys the element
        from_linter.froms[de_clone() if de_clone else element] = name
    inner = {
        k: v
        for k, v in kw.items()
        if k in ("literal_binds", "literal_execute", "render_postcompile")
    }
    table = compiler.preparer.format_table(element.element)
    value = compiler.process(element.value, **inner)
    return f"{table} FOR {element.kind.upper()} AS OF {value} AS {alias}"


def _bind(kind: str, value: Any) -> elements.BindParameter[Any]:
    if isinstance(value, elements.BindParameter):
        return value
    if isinstance(value, elements.ClauseElement):
        raise ArgumentError(f"{kind}= takes a value or a bindparam(), not {value!r}")
    if kind == "timestamp" and not isinstance(value, (str, dt.date, int, float)):
        raise ArgumentError(f"timestamp= takes a datetime, a date or an ISO string: {value!r}")
    if (kind == "version" and not isinstance(value, (int, str))) or isinstance(value, bool):
        raise ArgumentError(
            f"version= takes a snapshot id / version number (int) or an instant, branch or "
            f"tag (str), not {value!r}"
        )
    return bindparam(f"{kind}_as_of", value, unique=True)


def as_of(
    table: Any, version: Any = None, *, timestamp: Any = None, name: str | None = None
) -> AsOf:
    """``table`` at one snapshot, as a FROM clause with the table's columns.

    ``version``: an Iceberg snapshot id (or branch/tag name), a Delta version, a Hudi instant
    (``"20240418173551906"``). ``timestamp``: a ``datetime`` (naive = UTC) or ISO string, the
    latest snapshot at or before it. Either may be a ``bindparam()`` supplied at execution.
    ``table``: a ``Table`` or an ORM mapped class. ``name`` aliases it (see :meth:`AsOf.alias`).
    """
    if (version is None) == (timestamp is None):
        raise ArgumentError("as_of() takes exactly one of version= and timestamp=")
    kind = "version" if version is not None else "timestamp"
    tbl = _table_of(table)
    value = _bind(kind, version if version is not None else timestamp)
    return AsOf._create(
        tbl, kind, value, name if name is not None else tbl.name, replaces_table=name is None
    )


class HudiChanges(Function[Any]):
    """The ``hudi_changes('schema.table', start [, end])`` function (see :func:`hudi_changes`)."""

    inherit_cache = True

    def __init__(self, *args: Any) -> None:
        super().__init__("hudi_changes", *args)


@compiles(HudiChanges)
def _compile_hudi_changes(element: HudiChanges, compiler: Any, **kw: Any) -> str:
    _require_lakehouse(compiler, "hudi_changes()")
    return compiler.visit_function(element, **kw)


def hudi_changes(
    table: Any, start: Any, end: Any = None, *, name: str | None = None, columns: Sequence[Any] = ()
) -> Any:
    """Hudi incremental read: the records committed after instant ``start`` up to ``end``.

    Returns a table-valued FROM clause named ``name`` (default: the table's name) whose
    columns are ``table``'s; ``table`` may also be a ``"schema.table"`` string, with the
    result's ``columns`` (names or ``column()`` objects) listed for ``.c``.
    """
    if isinstance(table, str):
        qualified, default_name = table, table.rsplit(".", 1)[-1]
        cols = [c if isinstance(c, ColumnClause) else column(str(c)) for c in columns]
    else:
        tbl = _table_of(table)
        qualified = f"{tbl.schema}.{tbl.name}" if tbl.schema else tbl.name
        default_name = tbl.name
        cols = [column(c.name, c.type) for c in tbl.c]
        if columns:
            raise ArgumentError("columns= is only for a table given by name")
    args = [literal(qualified, String()), literal(str(start), String())]
    if end is not None:
        args.append(literal(str(end), String()))
    return HudiChanges(*args).table_valued(*cols, name=name or default_name)
