"""``SHOW GRANTS`` as Apache Doris and StarRocks print it, read for write privileges.

Neither engine answers in MySQL's one-GRANT-statement-per-row form:

* Doris answers one row per user with a column per level (``GlobalPrivs``, ``CatalogPrivs``,
  ``DatabasePrivs``, ``TablePrivs``, ``ColPrivs``, ``ResourcePrivs``, ``WorkloadGroupPrivs``,
  ...), each cell a ``;``-separated list of ``scope: Priv_a,Priv_b`` (older releases append
  ``(false)``), plus a ``Roles`` column.
* StarRocks answers ``UserIdentity | Catalog | Grants`` rows whose ``Grants`` cell is a GRANT
  statement; a role assignment (``GRANT 'r1', 'r2' TO 'u'@'%'``) does not show what the role
  holds, so :func:`starrocks_writes` asks ``SHOW GRANTS FOR ROLE`` for each (every user may).

Anything outside the short read-only lists counts as a write privilege (fail closed).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

#: Doris privileges that cannot change data, schema, users or the cluster
DORIS_READ_PRIVILEGES = frozenset({"SELECT_PRIV", "USAGE_PRIV", "SHOW_VIEW_PRIV"})
#: StarRocks' system-defined roles that can write; their grants need no look-up
STARROCKS_WRITE_ROLES = frozenset(
    {"root", "cluster_admin", "db_admin", "user_admin", "security_admin"}
)
MAX_ROLES = 32  # roles looked up per check: bounded, the rest count as able to write
_ROLE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")
_QUOTED = re.compile(r"'((?:''|[^'])*)'|`((?:``|[^`])*)`|([A-Za-z0-9_.-]+)")

RoleLookup = Callable[[str], list[tuple[Any, ...]]]


def is_doris_grants(columns: Sequence[str]) -> bool:
    return "GlobalPrivs" in columns


def is_starrocks_grants(columns: Sequence[str]) -> bool:
    return "Grants" in columns and "Catalog" in columns


def _doris_entries(cell: str) -> Iterable[tuple[str, list[str]]]:
    """``internal.db1: Select_priv,Load_priv; internal.db2: Select_priv`` as (scope, privs)."""
    for entry in cell.split(";"):
        entry = re.sub(r"\((?:true|false)\)", "", entry).strip()
        if not entry:
            continue
        scope, _, privs = entry.rpartition(":") if ":" in entry else ("", "", entry)
        names = re.sub(r"\[[^\]]*\]", "", privs)  # ColPrivs: Select_priv[c1,c2]
        yield scope.strip(), [p.strip() for p in names.split(",") if p.strip()]


def doris_writes(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> list[str]:
    """Write privileges in Doris' ``SHOW GRANTS`` rows; a granted role counts (fail closed)."""
    found: list[str] = []
    for row in rows:
        cells = dict(zip(columns, row, strict=False))
        for column, value in cells.items():
            if value is None or str(value).strip().upper() in ("", "NULL"):
                continue
            if column == "Roles":
                found.extend(f"role {r.strip()}" for r in str(value).split(",") if r.strip())
                continue
            if not column.endswith("Privs"):
                continue
            level = column[: -len("Privs")].lower()
            for scope, privileges in _doris_entries(str(value)):
                writes = [p for p in privileges if p.upper() not in DORIS_READ_PRIVILEGES]
                if writes:
                    where = f"{level} {scope}" if scope else level
                    found.append(f"{','.join(writes)} ON {where}")
    return found


def role_names(what: str) -> list[str]:
    """``'root', 'testrole'`` (the list of a role-assignment GRANT) as names."""
    return [next(g for g in m.groups() if g is not None) for m in _QUOTED.finditer(what)]


def starrocks_writes(
    rows: Iterable[Sequence[Any]],
    statement_writes: Callable[[list[str]], list[str]],
    lookup: RoleLookup | None,
) -> list[str]:
    """Write privileges of a StarRocks user: its GRANT statements, and those of every role it
    holds (nested roles too), looked up with ``SHOW GRANTS FOR ROLE`` through ``lookup``."""
    found: list[str] = []
    seen: set[str] = set()
    pending = [rows]
    while pending:
        statements = [str(r[-1]) for r in pending.pop() if r and isinstance(r[-1], str)]
        for line in statements:
            head = re.match(r"^\s*GRANT\s+(?P<what>.+?)\s+TO\s", line, re.I | re.S)
            if head is None or re.search(r"\sON\s", head.group(0), re.I):
                found.extend(statement_writes([line]))
                continue
            for role in role_names(head.group("what")):
                if role in seen:
                    continue
                seen.add(role)
                if role in STARROCKS_WRITE_ROLES:
                    found.append(f"role {role!r} (system-defined, can write)")
                elif lookup is None or len(seen) > MAX_ROLES or not _ROLE_NAME.fullmatch(role):
                    found.append(f"role {role!r} (its privileges were not read)")
                else:
                    try:
                        pending.append(lookup(role))
                    except Exception as exc:  # any driver error: the role's grants unknown
                        failed = type(exc).__name__
                        found.append(f"role {role!r} (SHOW GRANTS FOR ROLE failed: {failed})")
    return found
