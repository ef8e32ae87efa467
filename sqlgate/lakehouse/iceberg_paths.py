"""Where an Iceberg catalog's relative locations resolve, with the stdlib only.

Relative locations (``data/t/x.parquet``, and the host form ``file://data/t/x.parquet``
some writers leave) resolve against the catalog's *home*, never the process's working
directory: the directory of a SQL catalog's SQLite file, else a local ``warehouse``. Kept
apart from :mod:`sqlgate.lakehouse.iceberg_io` (pyiceberg's FileIO) so a cold connection
that never loads pyiceberg still judges paths the same way.
"""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import urlparse

from sqlgate.lakehouse.iceberg_catalog_file import PATH_PROPERTY as _SQLITE_PATH_PROPERTY

__all__ = ["catalog_home", "relative_part", "resolve_location"]


def catalog_home(properties: Any) -> str | None:
    """The directory relative locations resolve against: a SQL catalog's SQLite directory,
    else a local ``warehouse``; ``None`` when the catalog has neither (relative refused)."""
    props = dict(properties or {})
    path = str(props.get(_SQLITE_PATH_PROPERTY) or "")
    uri = str(props.get("uri") or "")
    if not path and uri.startswith("sqlite:///"):
        path = uri.removeprefix("sqlite:///")
    if path:
        return os.path.dirname(os.path.abspath(path))
    warehouse = str(props.get("warehouse") or "")
    parsed = urlparse(warehouse)
    if warehouse and parsed.scheme == "file" and parsed.netloc in ("", "localhost"):
        return parsed.path or None
    if warehouse and not parsed.scheme and os.path.isabs(warehouse):
        return warehouse
    return None


def relative_part(location: str) -> str | None:
    """The relative path ``location`` names (``a/b``, ``./a``, ``file://a/b``, ``file:a/b``),
    or ``None`` for an absolute path or a URI of a store."""
    parsed = urlparse(location)
    scheme = parsed.scheme.lower()
    if scheme == "" or (len(scheme) == 1 and os.name == "nt"):
        return None if os.path.isabs(location) else location
    if scheme != "file":
        return None
    if parsed.netloc not in ("", "localhost"):  # file://data/x: the "host" is a directory
        return parsed.netloc + parsed.path  # not percent-decoded: pyiceberg opens it as is
    return None if parsed.path.startswith("/") else parsed.path


def resolve_location(location: str, home: str | None) -> str:
    """``location`` with a relative path made absolute against ``home`` (unchanged when it
    is absolute or remote, or when there is no home: the jail then refuses it)."""
    rel = relative_part(location)
    if rel is None or home is None:
        return location
    return os.path.normpath(os.path.join(home, rel))
