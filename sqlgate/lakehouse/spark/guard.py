"""The Spark side's fail-closed check of the SQL a :class:`SparkEngine` is about to send.

In Spark Connect a command runs at the ``spark.sql`` call, so the transpiled text is parsed
again with sqlglot's Spark dialect and must be exactly one query that reads only the
statement's own temp views (or CTEs in scope), calls only Spark's built-in functions (minus
those that reach the JVM), and holds no script transform, command or table-valued function
but a few that only compute rows. What Spark would run is what is checked.
"""

from __future__ import annotations

from collections.abc import Collection

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError

from sqlgate.core.errors import ReadOnlyError
from sqlgate.lakehouse.compiler import _visible_ctes

#: built-ins that call JVM methods, read files or sleep: refused wherever they appear
DENIED_FUNCTIONS = frozenset(
    {"reflect", "java_method", "try_reflect", "read_files"}
    | {"input_file_name", "input_file_block_start", "input_file_block_length"}
)
#: table-valued functions that only compute rows from their arguments
SAFE_TABLE_FUNCTIONS = frozenset(
    {"range", "explode", "explode_outer", "posexplode", "posexplode_outer", "inline", "unnest"}
)
#: statement kinds never allowed anywhere in the tree (also nested in a CTE or subquery)
_REFUSED = (
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
    exp.Execute,
)


def _names(fn: exp.Func) -> set[str]:
    if isinstance(fn, exp.Anonymous):
        return {fn.name.lower()}
    return {fn.sql_name().lower(), fn.key.lower()}


def vet_spark_sql(sql: str, views: Collection[str], builtins: Collection[str]) -> exp.Query:
    """Refuse ``sql`` unless it is one read-only query over ``views`` (see module doc)."""
    try:
        trees = [t for t in sqlglot.parse(sql, read="spark") if t is not None]
    except ParseError:
        raise ReadOnlyError("Spark SQL that sqlglot cannot parse back") from None
    if len(trees) != 1 or not isinstance(trees[0], exp.Query):
        raise ReadOnlyError("anything but exactly one query on the Spark engine")
    tree = trees[0]
    allowed_views = {v.lower() for v in views}
    table_functions: set[int] = set()
    for node in tree.walk():  # breadth first: a table before the function it calls
        if isinstance(node, _REFUSED):
            raise ReadOnlyError(f"{node.key.upper()} on the Spark engine")
        if isinstance(node, exp.Dot) and isinstance(node.expression, exp.Func):
            raise ReadOnlyError("a schema-qualified function", "only built-ins may be called")
        if isinstance(node, exp.Table):
            if _vet_table(node, allowed_views):
                table_functions.add(id(node.this))
        elif isinstance(node, exp.Func) and id(node) not in table_functions:
            _vet_function(node, builtins)
    return tree


def _vet_table(node: exp.Table, views: set[str]) -> bool:
    """True for an allowed table function (its call is vetted here), False for a view."""
    fn = node.this
    if isinstance(fn, exp.Func):
        if not _names(fn) & SAFE_TABLE_FUNCTIONS:
            raise ReadOnlyError(
                f"table function {fn.sql_name().lower()}",
                "only range and explode may stand in for a table",
            )
        return True
    if not isinstance(fn, exp.Identifier) or node.args.get("db") or node.args.get("catalog"):
        raise ReadOnlyError("a table outside the statement", node.sql("spark"))
    name = fn.name.lower()
    if name not in views and name not in _visible_ctes(node):
        raise ReadOnlyError("a table outside the statement", fn.name)
    return False


def _vet_function(node: exp.Func, builtins: Collection[str]) -> None:
    names = _names(node)
    denied = names & DENIED_FUNCTIONS
    if denied:
        raise ReadOnlyError(f"function {min(denied)}", "it reaches outside the query")
    if isinstance(node, exp.Anonymous) and node.name.lower() not in builtins:
        raise ReadOnlyError(
            f"function {node.name}", "only Spark's built-in functions may be called"
        )
