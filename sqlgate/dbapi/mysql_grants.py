"""What else protects a MySQL-family session: the login's privileges, the cluster's read-only
switches.

Engines without a session read-only mode (TiDB refuses ``SET SESSION TRANSACTION READ ONLY``;
Doris and StarRocks have none, and print grants their own way: :mod:`.doris_grants`)
are guarded by sqlgate's gate alone unless the login cannot
write or the cluster is read-only. ``sqlgate check`` reports both, and ``require_read_only_user``
refuses a login that can write. Privileges are read from ``SHOW GRANTS``: anything outside a
short list of read-only privileges counts as a write privilege (fail closed), and a granted
role counts too, since ``SHOW GRANTS`` does not list what a role holds.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from sqlgate.core.errors import ProgrammingError
from sqlgate.dbapi.doris_grants import (
    RoleLookup,
    doris_writes,
    is_doris_grants,
    is_starrocks_grants,
    starrocks_writes,
)

#: privileges that cannot change data, schema, users or server state
READ_PRIVILEGES = frozenset(
    {
        "SELECT",
        "USAGE",
        "SHOW VIEW",
        "SHOW DATABASES",
        "SHOW DB",  # OceanBase's spelling
        "PROCESS",
        "REFERENCES",
        "REPLICATION CLIENT",
        "BINLOG MONITOR",
        "SLAVE MONITOR",
        "REPLICA MONITOR",
    }
)
_GRANT = re.compile(r"^\s*GRANT\s+(?P<what>.+?)\s+(?:ON\s+(?P<on>.+?)\s+)?TO\s", re.I | re.S)
_COLUMNS = re.compile(r"\([^()]*\)")  # SELECT (a, b): the column list is not a privilege


def write_privileges(grant_lines: Iterable[str]) -> list[str]:
    """``INSERT ON `db`.*``, ``role `r`@`%```...: what in ``SHOW GRANTS`` output can write."""
    found: list[str] = []
    for line in grant_lines:
        match = _GRANT.match(line)
        if match is None:
            continue
        what, on = match.group("what"), match.group("on")
        if on is None:  # GRANT `role`@`%` TO ...: the role's privileges are not shown
            found.append(f"role {what.strip()}")
            continue
        privileges = [p.strip().upper() for p in _COLUMNS.sub("", what).split(",")]
        writes = [" ".join(p.split()) for p in privileges if p and p not in READ_PRIVILEGES]
        if re.search(r"\bWITH\s+GRANT\s+OPTION\b", line[match.end() :], re.I):
            writes.append("GRANT OPTION")  # it changes other accounts' privileges
        if writes:
            found.append(f"{', '.join(writes)} ON {on.strip()}")
    return found


def _show(raw: Any, statement: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    with raw.cursor() as cursor:  # trusted text: built by sqlgate from checked names
        cursor.execute(statement)
        columns = [str(d[0]) for d in cursor.description or ()]
        return columns, list(cursor.fetchall())


def login_write_privileges(raw: Any) -> list[str]:
    """Run ``SHOW GRANTS`` on a PyMySQL connection; an engine that cannot answer counts as
    unknown (one entry saying so), never as read-only. Doris' and StarRocks' forms are told
    apart by their column names (:mod:`~sqlgate.dbapi.doris_grants`)."""
    try:
        columns, rows = _show(raw, "SHOW GRANTS")
    except Exception as exc:  # any driver error: privileges unknown
        return [f"unknown (SHOW GRANTS failed: {type(exc).__name__})"]
    return privileges_in_rows(
        rows, columns, lambda role: _show(raw, f"SHOW GRANTS FOR ROLE `{role}`")[1]
    )


def privileges_in_rows(
    rows: Iterable[Sequence[Any]],
    columns: Sequence[str] = (),
    role_lookup: RoleLookup | None = None,
) -> list[str]:
    """Write privileges in ``SHOW GRANTS`` rows. MySQL, MariaDB, TiDB and OceanBase answer one
    GRANT statement per row; Doris and StarRocks are recognised by their column names; any
    other output without a GRANT statement is not understood, so it is not read-only."""
    if is_doris_grants(columns):
        return doris_writes(columns, rows)
    if is_starrocks_grants(columns):
        return starrocks_writes(rows, write_privileges, role_lookup)
    grants = [
        str(cell)
        for row in rows
        for cell in row
        if isinstance(cell, str) and cell.lstrip().upper().startswith("GRANT ")
    ]
    if not grants:
        return ["unknown (SHOW GRANTS lists no GRANT statement sqlgate can read)"]
    return write_privileges(grants)


def cluster_read_only(raw: Any, variables: Iterable[str]) -> list[str]:
    """Which of the cluster's global read-only switches are ON (an unknown variable is off)."""
    on = []
    for name in variables:
        try:
            with raw.cursor() as cursor:  # trusted text: names declared by a flavor
                cursor.execute(f"SELECT @@global.{name}")
                row = cursor.fetchone()
        except Exception:  # not this engine's variable
            continue
        if row and str(row[0]).strip().upper() in ("1", "ON", "TRUE"):
            on.append(name)
    return on


def refuse_writable_login(user: str, writes: list[str]) -> ProgrammingError:
    """The error ``require_read_only_user=true`` raises for a login that can write (a
    configuration the caller must fix, so a ProgrammingError, raised before any statement)."""
    shown = "; ".join(writes[:6]) + ("; ..." if len(writes) > 6 else "")
    return ProgrammingError(
        f"require_read_only_user=true refused the login {user!r}: it can write ({shown}). "
        "Grant it SELECT (and SHOW VIEW) only, or connect without require_read_only_user"
    )


def protection_warnings(writes: list[str], read_only_switches: list[str]) -> list[str]:
    """What ``sqlgate check`` prints about a login's privileges on a guard-less engine."""
    if read_only_switches:
        return []
    if not writes:
        return []
    return [
        "the login can write ("
        + "; ".join(writes[:4])
        + ("; ..." if len(writes) > 4 else "")
        + "): the server would accept writes that only sqlgate refuses; grant SELECT "
        "only, or connect with require_read_only_user=true"
    ]
