"""Allow-lists of functions a read-only statement may call, per engine.

A deny list only stops the functions someone thought of; an allow-list stops the rest too
(an extension's ``crosstab(text)``, a user-defined wrapper around ``set_config``, a new
built-in that runs a SQL string). Each list is derived by a stated rule from the engine's own
catalogue, then reviewed; ``tests/security`` re-derives it from a real server so the list and
the rule cannot drift apart.

PostgreSQL's rule (:data:`POSTGRES_RULE`): every function name in ``pg_catalog`` and
``information_schema`` all of whose overloads are IMMUTABLE or STABLE (a VOLATILE overload,
such as ``ts_rewrite(tsquery, text)`` beside the immutable three-argument form, removes the
name), minus :data:`POSTGRES_EXCLUDED` (stable functions that run SQL built from their
arguments, or assign transaction ids), plus :data:`POSTGRES_VOLATILE_SAFE` (volatile only
because their result changes: clocks and random numbers).
"""

from __future__ import annotations

import functools
import re
from importlib.resources import files
from typing import Any

from sqlgate.core.errors import InterfaceError, ReadOnlyError

POSTGRES_RULE = """
SELECT p.proname
FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
WHERE n.nspname IN ('pg_catalog', 'information_schema')
GROUP BY p.proname
HAVING bool_and(p.provolatile <> 'v')
ORDER BY 1
"""

#: run a query built from their arguments (``table_to_xml`` runs ``SELECT * FROM <arg>``),
#: assign a transaction id, or validate (and so parse and plan) function bodies
POSTGRES_EXCLUDED = re.compile(
    r"_to_xml|_to_xmlschema$|^txid_current|^pg_current_xact_id|_validator$"
)

#: volatile because their value changes between calls, not because they change anything
POSTGRES_VOLATILE_SAFE = frozenset(
    {
        "random", "clock_timestamp", "timeofday", "gen_random_uuid", "statement_timestamp",
        "currval", "lastval", "pg_sequence_last_value", "pg_is_in_recovery", "pg_jit_available",
        "pg_database_size", "pg_relation_size", "pg_table_size", "pg_indexes_size",
        "pg_total_relation_size", "pg_tablespace_size", "pg_partition_tree",
        "pg_partition_ancestors", "pg_blocking_pids",
    }
)  # fmt: skip


def derive_postgres(names: list[str]) -> frozenset[str]:
    """Apply the rule's exclusions and additions to the names :data:`POSTGRES_RULE` returns."""
    kept = {n for n in names if not POSTGRES_EXCLUDED.search(n)}
    return frozenset(kept | POSTGRES_VOLATILE_SAFE)


@functools.cache
def postgres_functions() -> frozenset[str]:
    """The reviewed PostgreSQL 15 allow-list shipped with sqlgate."""
    text = files(__package__).joinpath("postgres.txt").read_text(encoding="utf-8")
    return frozenset(line for line in text.split() if line)


class FunctionAllowList:
    """The functions one connection may call: a reviewed list, less what the database shadows.

    ``schemas`` are the qualifiers a call may carry (``pg_catalog.lower(x)``); an unqualified
    call resolves through the search path, so a name that also exists in another schema of
    the database (an overload that PostgreSQL could prefer by argument type, CVE-2018-1058's
    pattern) is removed unless the URL's ``allow_functions`` names it. ``extra`` holds what
    ``allow_functions=`` adds: bare names or ``schema.name``.
    """

    def __init__(
        self, names: frozenset[str], schemas: frozenset[str], extra: frozenset[str] = frozenset()
    ) -> None:
        self.names = names
        self.schemas = schemas
        self.extra = extra

    def without(self, shadowed: frozenset[str]) -> FunctionAllowList:
        return FunctionAllowList(self.names - shadowed, self.schemas, self.extra)

    def check(self, calls: frozenset[Any]) -> None:
        """Raise :class:`ReadOnlyError` for the first call not on the list."""
        for call in calls:
            qualified = f"{call.schema}.{call.name}" if call.schema else call.name
            if qualified in self.extra or (call.schema is None and call.name in self.extra):
                continue
            if call.name in self.names and (call.schema is None or call.schema in self.schemas):
                continue
            raise ReadOnlyError(
                f"function {qualified[:64]}",
                "not on the allow-list of functions that cannot write; if it is read-only, "
                "name it in the URL option allow_functions=",
            )


def parse_allow_functions(value: Any) -> frozenset[str]:
    """``allow_functions=st_area,postgis.st_intersects``: names the URL's author trusts."""
    if value is None or value == "":
        return frozenset()
    names = frozenset(part.strip() for part in str(value).split(",") if part.strip())
    bad = [n for n in names if not _NAME.fullmatch(n)]
    if bad:
        raise InterfaceError(f"allow_functions: {bad[0][:64]!r} is not a function name")
    return names


_NAME = re.compile(r"(?:[A-Za-z_][\w$]*\.)?[A-Za-z_][\w$]*")
