"""The Spark side's fail-closed check of the SQL a :class:`SparkEngine` is about to send.

In Spark Connect a command runs at the ``spark.sql`` call, so the transpiled text is parsed
again with sqlglot's Spark dialect and must be exactly one query that reads only the
statement's own temp views (or CTEs in scope), calls only Spark's built-in functions (minus
those that reach the JVM), and holds no script transform, command or table-valued function
but a few that only compute rows. What Spark would run is what is checked.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlglot import exp

from sqlgate.lakehouse.remote import RemoteDialect, vet_remote_sql

#: built-ins that call JVM methods, read files or sleep: refused wherever they appear
DENIED_FUNCTIONS = frozenset(
    {"reflect", "java_method", "try_reflect", "read_files"}
    | {"input_file_name", "input_file_block_start", "input_file_block_length"}
)
#: table-valued functions that only compute rows from their arguments
SAFE_TABLE_FUNCTIONS = frozenset(
    {"range", "explode", "explode_outer", "posexplode", "posexplode_outer", "inline", "unnest"}
)
SPARK = RemoteDialect("Spark", "spark", DENIED_FUNCTIONS, SAFE_TABLE_FUNCTIONS)


def vet_spark_sql(sql: str, views: Collection[str], builtins: Collection[str]) -> exp.Query:
    """Refuse ``sql`` unless it is one read-only query over ``views`` (see module doc)."""
    return vet_remote_sql(sql, SPARK, views, builtins)
