"""Plain-file tables of local roots, shared by the process's connections.

A fresh connection per request (Superset's NullPool) would otherwise list every table, build
its pyarrow dataset and read each Parquet footer again (row counts, schemas for
``union_by_name``): ~80 % of such a request on the benchmark's 20-file table. :data:`SHARED`
keeps the opened :class:`~sqlgate.lakehouse.files.FileTable` keyed by everything that shapes
it (format, reader options, the located path, the jail) and reuses it only while its
:func:`fingerprint` (every file's path, type, size and modification time: one listing, no
read) is unchanged, so a file added, removed or rewritten is seen by the next connection.
Containment is not cached: each connection locates the table and checks its tree against its
own jail before asking here.

A listing taken while a file may still be changing within the clock's granularity (its
modification time within :data:`RACY_NS` of the listing) is not shared: a same-size rewrite in
the same clock tick would otherwise go unseen (git's "racy" index entries, the same cure).
"""

from __future__ import annotations

import os
import threading
import time
from collections import OrderedDict
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.fs as pafs

from sqlgate.lakehouse.duckdb_files import parquet_signatures

__all__ = [
    "RACY_NS",
    "SHARED",
    "SharedTables",
    "file_schemas",
    "fingerprint",
    "same_schema",
]

#: a file modified this recently (ns) before its listing makes the listing unfit to share
RACY_NS = 2_000_000_000
_KEPT = 64


def fingerprint(fs: pafs.FileSystem, path: str, is_dir: bool) -> tuple | None:
    """Every file of a table with its type, size and modification time: one listing, no read.

    A file added, removed or rewritten changes it; None when the table cannot be listed."""
    try:
        if is_dir:
            infos = fs.get_file_info(pafs.FileSelector(path, recursive=True))
        else:
            infos = [fs.get_file_info(path)]
    except (OSError, pa.ArrowException):
        return None
    if not infos or (not is_dir and infos[0].type != pafs.FileType.File):
        return None
    return tuple(sorted((i.path, int(i.type), i.size, i.mtime_ns) for i in infos))


def file_schemas(files: list[str], directories: list[str]) -> dict[str, tuple]:
    """Each local Parquet file's full schema tree, asked of DuckDB in one question (the files
    of one table version: kept with its handle); {} when DuckDB cannot read them."""
    try:
        return {p: sig[0] for p, sig in parquet_signatures(files, directories, False).items()}
    except duckdb.Error:
        return {}


def same_schema(trees: dict[str, tuple], paths: list[str]) -> bool:
    """Whether ``paths`` share one known schema: DuckDB then needs no ``union_by_name``."""
    found = {trees.get(p) for p in paths}
    return not paths or (None not in found and len(found) == 1)


def settled(seen: tuple, now_ns: int | None = None) -> bool:
    """Whether every file of the listing ``seen`` was last modified well before now."""
    now = time.time_ns() if now_ns is None else now_ns
    return all(mtime is not None and mtime < now - RACY_NS for _p, _t, _s, mtime in seen)


class SharedTables:
    """A bounded, thread-safe map ``key -> (fingerprint, table)``, least recently used out."""

    def __init__(self, kept: int = _KEPT) -> None:
        self.kept = kept
        self._items: OrderedDict[tuple, tuple[tuple, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple, seen: tuple | None) -> Any | None:
        """The table kept under ``key`` if it was built from the listing ``seen``."""
        if seen is None:
            return None
        with self._lock:
            kept = self._items.get(key)
            if kept is None:
                return None
            if kept[0] != seen:  # a file changed: the old table is of no further use
                del self._items[key]
                return None
            self._items.move_to_end(key)
            return kept[1]

    def put(self, key: tuple, seen: tuple | None, table: Any) -> None:
        """Keep ``table``, built after the listing ``seen``, unless that listing is racy."""
        if seen is None or not settled(seen):
            return
        with self._lock:
            # make room first: the map never holds more than ``kept``, even for a moment
            if key not in self._items:
                while self._items and len(self._items) >= self.kept:
                    self._items.popitem(last=False)
            self._items[key] = (seen, table)
            self._items.move_to_end(key)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def forget_inherited(self) -> None:
        """In a forked child: a new lock (another thread of the parent may have held this
        one at the fork) and no tables (their pyarrow state belongs to the parent)."""
        self._lock = threading.Lock()
        self._items = OrderedDict()

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)


#: the process's plain-file tables of local roots
SHARED = SharedTables()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=SHARED.forget_inherited)
