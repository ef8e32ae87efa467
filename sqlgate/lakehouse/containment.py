"""Where a source may read: every file the engine opens must stay inside the lake.

A lake's writer controls more than rows: a symlink in a table directory, an absolute path in a
Delta log or an Iceberg manifest naming ``file:///etc/passwd`` would make sqlgate read (and
return) a file outside the lake. A :class:`Jail` is the set of places a source may read:

* local roots, compared by *real* path (every symlink resolved, ``..`` collapsed);
* object-store prefixes (scheme family, ``bucket/prefix``): a URI of another scheme, bucket or
  prefix is refused, and so is any local path on a source whose lake is remote.

Refusals are ``ProgrammingError`` naming the table; the content of the refused file is never
read, so it cannot reach a row or a message.
"""

from __future__ import annotations

import json
import os
import posixpath
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import unquote, urlparse

from sqlgate.core.errors import ProgrammingError

#: URI scheme -> store family (``s3a://b/k`` and ``s3://b/k`` name the same object)
_FAMILIES = {
    "": "file", "file": "file",
    "s3": "s3", "s3a": "s3", "s3n": "s3",
    "gs": "gs", "gcs": "gs",
    "az": "az", "abfs": "az", "abfss": "az", "azure": "az", "adl": "az", "wasb": "az",
    "wasbs": "az",
    "hdfs": "hdfs", "webhdfs": "hdfs",
}  # fmt: skip
#: at most this many entries are walked per table directory (a bound, not a quota)
_TREE_LIMIT = 2_000_000


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip("/") + "/")


def split_uri(uri: str) -> tuple[str, str]:
    """``(family, path)``: ``("file", "/real/path")`` or ``("s3", "bucket/key")``.

    Raises ``ValueError`` for a scheme no store of sqlgate reads.
    """
    parsed = urlparse(uri)
    scheme = parsed.scheme.lower()
    if len(scheme) == 1 and os.name == "nt":  # a drive letter
        scheme = ""
    family = _FAMILIES.get(scheme)
    if family is None:
        raise ValueError(f"unsupported scheme {scheme!r}")
    if family == "file":
        if scheme == "file" and parsed.netloc not in ("", "localhost"):
            raise ValueError("a file:// URI with a host")
        raw = unquote(parsed.path) if scheme == "file" else uri
        return family, os.path.realpath(raw)
    if family == "az" and "@" in parsed.netloc:  # abfss://container@account.dfs.../path
        bucket = parsed.netloc.split("@", 1)[0]
    else:
        bucket = parsed.netloc
    key = posixpath.normpath("/" + unquote(parsed.path)).lstrip("/")
    if "/../" in f"/{parsed.path}/" or not bucket:
        raise ValueError("a relative or bucket-less object URI")
    return family, f"{bucket}/{key}".rstrip("/")


@dataclass(frozen=True)
class Jail:
    """Local real roots and remote ``(family, bucket/prefix)`` roots a source may read."""

    local: tuple[str, ...] = ()
    remote: tuple[tuple[str, str], ...] = ()
    #: any object-store URI (an Iceberg catalog with no warehouse URI: each table is then held
    #: to its own location by the table format)
    any_remote: bool = False

    @classmethod
    def of(cls, *uris: str) -> Jail:
        """The jail of these roots (paths, ``file://`` or object-store URIs)."""
        local: list[str] = []
        remote: list[tuple[str, str]] = []
        for uri in uris:
            family, path = split_uri(uri)
            if family == "file":
                local.append(path)
            else:
                remote.append((family, path))
        return cls(tuple(dict.fromkeys(local)), tuple(dict.fromkeys(remote)))

    def allows(self, uri: str) -> bool:
        try:
            family, path = split_uri(uri)
        except ValueError:
            return False
        if family == "file":
            return any(_inside(path, root) for root in self.local)
        return self.any_remote or any(
            f == family and _inside(path, root) for f, root in self.remote
        )

    def check(self, uri: str, table: str) -> None:
        """Refuse ``uri`` unless it lies inside the jail (symlinks resolved)."""
        if not self.allows(uri):
            raise outside(table, uri)

    def check_all(self, uris: Iterable[str], table: str) -> None:
        for uri in uris:
            self.check(uri, table)

    def check_tree(self, path: str, table: str) -> None:
        """Refuse a local table directory when anything under it (a symlinked file or
        directory, at any depth) resolves outside the jail. Links inside are followed once."""
        self.check(path, table)
        if not os.path.isdir(path):
            return
        seen = {os.path.realpath(path)}
        count = 0
        for top, dirs, files in os.walk(path, followlinks=True):
            for name in [*dirs, *files]:
                count += 1
                entry = os.path.join(top, name)
                if os.path.islink(entry):
                    self.check(entry, table)
            keep = []
            for name in dirs:
                real = os.path.realpath(os.path.join(top, name))
                if real not in seen:
                    seen.add(real)
                    keep.append(name)
            dirs[:] = keep
            if count > _TREE_LIMIT:
                raise ProgrammingError(f"table {table} has more than {_TREE_LIMIT} files")

    def to_json(self) -> str:
        return json.dumps({"local": self.local, "remote": self.remote, "any": self.any_remote})

    @classmethod
    def from_json(cls, text: str) -> Jail:
        doc = json.loads(text)
        return cls(tuple(doc["local"]), tuple((f, p) for f, p in doc["remote"]), bool(doc["any"]))

    def duckdb_directories(self) -> list[str]:
        """The local roots as DuckDB's ``allowed_directories`` wants them."""
        return [root.rstrip("/") + "/" for root in self.local]


class OutsideLakeError(ProgrammingError):
    """A file outside the lake was refused; ``uri`` is the file as the lake names it."""

    def __init__(self, table: str, uri: str) -> None:
        super().__init__(
            f"table {table} refers to {uri!r}, which lies outside the lake root (a symlink, an "
            "absolute path or another bucket/scheme); sqlgate refuses to read it"
        )
        self.table, self.uri = table, uri


def outside(table: str, uri: str) -> OutsideLakeError:
    """The refusal: names the table and the file as the lake names it, never its content."""
    return OutsideLakeError(table, uri)
