"""The catalog side of an Iceberg source: its jail, its freshness probe, snapshot lookup.

Kept apart from :mod:`sqlgate.lakehouse.iceberg` (tables and plans) to keep each module
short; nothing here imports pyiceberg at import time.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from sqlgate.core.errors import ProgrammingError
from sqlgate.lakehouse.containment import Jail, split_uri
from sqlgate.lakehouse.timetravel import TimeTravel, to_millis

__all__ = ["iceberg_jail", "metadata_probe", "probe_credentials", "snapshot_id"]


def iceberg_jail(properties: dict[str, Any]) -> Jail:
    """Where an Iceberg catalog's files may be: the directory of a SQL catalog's SQLite file
    and the ``warehouse``; with no warehouse URI, any object-store URI, each table then held
    to its own location (refused: local files unless a local root is known)."""
    from sqlgate.lakehouse.iceberg_paths import catalog_home

    roots: list[str] = []
    uri = str(properties.get("uri", ""))
    if str(properties.get("type", "")) == "sql" and uri.startswith("sqlite:///"):
        roots.append(os.path.dirname(os.path.abspath(uri.removeprefix("sqlite:///"))))
    home = catalog_home(properties)  # where relative locations resolve
    if home:
        roots.append(home)
    warehouse = str(properties.get("warehouse") or "")
    remote_warehouse = False
    try:
        if warehouse:
            remote_warehouse = split_uri(warehouse)[0] != "file"
            roots.append(warehouse)
    except ValueError:  # a REST catalog's warehouse *name*, not a location
        pass
    jail = Jail.of(*roots)
    return Jail(jail.local, jail.remote, any_remote=not remote_warehouse)


def metadata_probe(catalog) -> Callable[[str, str], str | None] | None:
    """For SQL catalogs: read a table's current metadata location, nothing else."""
    from sqlgate.lakehouse.iceberg_sqlite import SqliteCatalog

    if isinstance(catalog, SqliteCatalog):
        return catalog.metadata_location
    try:
        from pyiceberg.catalog.sql import IcebergTables, SqlCatalog
        from sqlalchemy import bindparam, select
    except ImportError:
        return None
    if not isinstance(catalog, SqlCatalog):
        return None
    stmt = select(IcebergTables.metadata_location).where(
        IcebergTables.catalog_name == bindparam("catalog"),
        IcebergTables.table_namespace == bindparam("namespace"),
        IcebergTables.table_name == bindparam("table"),
    )
    type_filter = getattr(catalog, "_iceberg_type_filter", lambda: None)()
    if type_filter is not None:
        stmt = stmt.where(type_filter)

    def probe(schema: str, table: str) -> str | None:
        with catalog.engine.connect() as conn:
            row = conn.execute(
                stmt, {"catalog": catalog.name, "namespace": schema, "table": table}
            ).first()
        return None if row is None else row[0]

    return probe


def probe_credentials(source: Any, kind: str, target: str) -> None:
    """Ask a Glue or REST catalog one cheap question (its namespaces) at connect, so keys it
    refuses fail in ``connect()`` naming the credential fix, not in the first query: boto3
    builds Glue's client lazily, and a REST catalog may answer ``/v1/config`` unsigned
    (SeaweedFS does) and check SigV4 or the token only from the next call on. Only a refusal
    (401/403, a rejected signature or key) fails here; any other answer (a catalog without
    the listing endpoint, a busy server) is left to the queries, which report it themselves.
    The source is closed before the error is raised."""
    from sqlgate.lakehouse import storage

    try:
        source.catalog.list_namespaces()
    except Exception as exc:
        error = storage.store_error(exc, target, f"Iceberg {kind} catalog")
        if kind == "glue" or _refused(exc):
            source.close()
            raise error from None


def _refused(exc: BaseException) -> bool:
    """Whether a catalog error is an authentication or authorization refusal."""
    from sqlgate.lakehouse.storage import _DENIED

    try:
        from pyiceberg.exceptions import ForbiddenError, UnauthorizedError
    except ImportError:  # pragma: no cover - pyiceberg is there whenever a catalog was built
        return False
    if isinstance(exc, (ForbiddenError, UnauthorizedError, PermissionError)):
        return True
    return bool(_DENIED.search(str(exc)))


def snapshot_id(table, name: str, timetravel: TimeTravel | None) -> int | None:
    if timetravel is None:
        snap = table.current_snapshot()
        return snap.snapshot_id if snap is not None else None
    if timetravel.kind == "version":
        value = timetravel.value
        snap = None
        if isinstance(value, int) or str(value).lstrip("-").isdigit():
            snap = table.snapshot_by_id(int(value))
        if snap is None and isinstance(value, str):
            snap = table.snapshot_by_name(value)  # a branch or tag
        if snap is None:
            raise ProgrammingError(f"Iceberg table {name} has no snapshot {value!r}")
        return snap.snapshot_id
    snap = table.snapshot_as_of_timestamp(to_millis(timetravel.value))
    if snap is None:
        raise ProgrammingError(
            f"Iceberg table {name} has no snapshot at or before {timetravel.value.isoformat()}"
        )
    return snap.snapshot_id
