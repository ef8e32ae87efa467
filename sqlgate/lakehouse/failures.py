"""Errors from the table formats and DuckDB, as users read them: plain text naming the table.

The format libraries answer a damaged table with ANSI colour codes, Rust backtraces and
internal names (DuckDB's relation ``__sqlgate_rel_1``, a bare ``'utf-8' codec can't
decode``); every lakehouse error goes through here so it names the table (and the file when
known), reads as one line of plain text, is redacted, and keeps a PEP 249 class.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from sqlgate.core.errors import DataError, Error, OperationalError
from sqlgate.core.redact import redact

__all__ = ["failed_file", "name_tables", "plain", "planning_error", "table_error"]
_MANIFESTS_CHECKED = 1000  # a diagnosis after a failure, bounded

_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")
_FRAME = re.compile(r"^\s+(\d+:\s|at\s\S+:\d+(:\d+)?\s*$)")  # indented, as Rust prints them
_NOISE = re.compile(
    r"^\s*(stack backtrace:|note: run with `RUST_BACKTRACE|note: Some details are omitted)", re.I
)
# an exposed relation, or one a plan registers beside it (``__sqlgate_rel_1_deletes``)
_RELATION = re.compile(r'"?__sqlgate_rel_(\d+)(?:_\w+)?"?')


def plain(text: str, one_line: bool = True) -> str:
    """Redacted text without colour codes or backtrace frames; with ``one_line`` its lines
    are joined (a format library's chain of causes), else kept (DuckDB's caret under a
    query)."""
    lines = []
    in_traceback = False
    for line in _ANSI.sub("", text).splitlines():
        head, found, _ = line.partition("Traceback (most recent call last):")
        if found:  # a Python reader's traceback inside DuckDB's message: its last line only
            in_traceback = True
            line = head.removesuffix("Python exception: ").strip()
        elif in_traceback:
            if line[:1].isspace() or not line.strip():
                continue
            in_traceback = False
        if _FRAME.match(line) or _NOISE.match(line):
            continue
        if one_line:
            line = " ".join(line.replace("↳", " ").split())
        if line.strip():
            lines.append(line)
    if not one_line:
        return redact("\n".join(lines))
    out = lines[0] if lines else ""
    for line in lines[1:]:  # a chain of causes: "a: b: c"
        out += (" " if out.endswith(":") else ": ") + line
    return redact(out)


def table_error(exc: BaseException, table: str, file: str | None = None) -> Error:
    """``exc`` (from opening or planning ``table``) as a PEP 249 error that names it.

    A PEP 249 error keeps its class; undecodable bytes are a ``DataError``; anything else a
    store or format library raised is an ``OperationalError``."""
    text = plain(str(exc)) or type(exc).__name__
    # a PEP 249 error is often the query's own mistake (a missing version): no "cannot read"
    verb = "table" if isinstance(exc, Error) else "cannot read table"
    where = f"{verb} {table}" + (f" (file {plain(file)})" if file else "")
    named = table in text and (file is None or file in text)
    message = text if named else f"{where}: {text}"
    if isinstance(exc, Error):
        if message == str(exc):
            return exc  # already says it: keep the original
        cls: type[Error] = type(exc)
    elif isinstance(exc, (UnicodeError, EOFError)):
        cls = DataError
    else:
        cls = OperationalError
    try:
        return cls(message)
    except Exception:  # a PEP 249 subclass with another signature
        return OperationalError(message)


def name_tables(
    text: str, tables: Mapping[str, tuple[str, Iterable[str]]], sole: bool = False
) -> str:
    """DuckDB's message with every internal relation replaced by the table it reads, and
    the table named when the message is about one of its files (or, with ``sole``, when the
    statement reads a single table). ``tables``: relation -> (table, its planned files)."""
    by_number = {rel.rsplit("_", 1)[-1]: table for rel, (table, _) in tables.items()}
    named = _RELATION.sub(lambda m: by_number.get(m.group(1), m.group(0)), text)
    names = {table for table, _ in tables.values()}
    if any(name in named for name in names):
        return named
    for table, files in tables.values():
        hit = next((f for f in files if f and f.removeprefix("file://") in named), None)
        if hit is not None:
            return f"cannot read table {table}: {named}"
    if sole and len(names) == 1:
        return f"cannot read table {next(iter(names))}: {named}"
    return named


def planning_error(exc: BaseException, handle: Any) -> Error:
    """``exc`` from planning the table ``handle`` reads, naming it and the file that failed."""
    table = str(getattr(handle, "name", None) or "?")
    return table_error(exc, table, None if isinstance(exc, Error) else failed_file(handle))


def failed_file(handle: Any) -> str | None:
    """The metadata file an Iceberg plan could not read: the snapshot's manifest list, else
    the first manifest that fails to read (asked again only once planning failed)."""
    table: Any = getattr(handle, "table", None)
    snapshot_id = getattr(handle, "snapshot_id", None)
    if snapshot_id is None or not hasattr(table, "snapshot_by_id"):
        return None
    try:
        snapshot = table.snapshot_by_id(snapshot_id)
        io = table.io
    except Exception:
        return None
    if snapshot is None:
        return None
    try:
        manifests = snapshot.manifests(io)
    except Exception:
        return str(snapshot.manifest_list)
    for manifest in manifests[:_MANIFESTS_CHECKED]:
        try:
            manifest.fetch_manifest_entry(io, discard_deleted=True)
        except Exception:
            return str(manifest.manifest_path)
    return None
