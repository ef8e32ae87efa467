"""Whether a Snowflake session's roles can write: the second layer behind sqlgate's gate.

Snowflake has no read-only session mode; what keeps a session from writing, besides the gate,
is a role holding read privileges only (docs/sources/snowflake.md shows one). This module walks
the session's primary role, the roles granted to it and any active secondary roles with
``SHOW GRANTS`` and reports every privilege that is not a read.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlgate.core import errors

#: privileges that read or merely use (warehouses, databases, schemas): anything else writes
READ_PRIVILEGES = frozenset(
    {"SELECT", "REFERENCES", "USAGE", "MONITOR", "READ", "REFERENCE_USAGE", "IMPORTED PRIVILEGES"}
)
#: roles walked at most (a role hierarchy is a DAG; a bound keeps a huge one from hanging check)
MAX_ROLES = 64
Show = Callable[[str], list[dict[str, Any]]]


@dataclass(frozen=True)
class RoleReport:
    """``read_only``: True (reads only), False (a write privilege found), None (not known)."""

    read_only: bool | None
    roles: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()


def quote_identifier(name: str) -> str:
    """A role or user name as a quoted identifier (names are stored as written)."""
    return '"' + name.replace('"', '""') + '"'


def _secondary_roles(value: Any) -> list[str] | str:
    """``CURRENT_SECONDARY_ROLES()`` is JSON ``{"roles": "A,B", "value": "ALL"|""}``."""
    try:
        data = json.loads(value) if isinstance(value, str) else dict(value or {})
    except (TypeError, ValueError):
        return []
    if str(data.get("value", "")).upper() == "ALL":
        return "ALL"
    return [r for r in str(data.get("roles", "")).split(",") if r]


def _start_roles(show: Show, warnings: list[str]) -> list[str]:
    row = show("SELECT CURRENT_ROLE() AS r, CURRENT_SECONDARY_ROLES() AS s, CURRENT_USER() AS u")
    first = row[0] if row else {}
    roles = [str(first.get("r") or "PUBLIC")]
    secondary = _secondary_roles(first.get("s"))
    if secondary == "ALL":
        user = str(first.get("u") or "")
        granted = show(f"SHOW GRANTS TO USER {quote_identifier(user)}") if user else []
        secondary = [str(g.get("role") or g.get("name") or "") for g in granted]
    if secondary:
        warnings.append(
            f"secondary roles are active ({', '.join(secondary)}): their privileges apply too; "
            "run USE SECONDARY ROLES NONE or set the user's DEFAULT_SECONDARY_ROLES to ()"
        )
    return roles + [r for r in secondary if r]


def role_report(show: Show) -> RoleReport:
    """Walk the session's roles with ``show`` (runs one statement, returns dict rows)."""
    warnings: list[str] = []
    try:
        pending = _start_roles(show, warnings)
        seen: list[str] = []
        writes: list[str] = []
        while pending and len(seen) < MAX_ROLES:
            role = pending.pop(0)
            if role in seen:
                continue
            seen.append(role)
            for grant in show(f"SHOW GRANTS TO ROLE {quote_identifier(role)}"):
                privilege = str(grant.get("privilege", "")).upper()
                on = str(grant.get("granted_on", "")).upper()
                name = str(grant.get("name", ""))
                if on == "ROLE" and privilege == "USAGE":
                    pending.append(name)
                elif privilege not in READ_PRIVILEGES:
                    writes.append(f"role {role} holds {privilege} on {on} {name}")
    except errors.Error as exc:
        return RoleReport(None, warnings=(f"SHOW GRANTS could not be run ({exc})",))
    if pending:
        warnings.append(f"more than {MAX_ROLES} roles: the rest were not checked")
    if writes:
        return RoleReport(False, tuple(seen), tuple(warnings + writes))
    return RoleReport(True, tuple(seen), tuple(warnings))
