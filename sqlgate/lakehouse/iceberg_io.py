"""pyiceberg's FileIO, held to the lake: every metadata, manifest and data file is vetted.

pyiceberg opens each file through ``FileIO.new_input`` (table metadata, manifest lists,
manifests, data and delete files), so the jail is enforced where the bytes are read: a
metadata file or a manifest naming ``file:///etc/passwd`` is refused before it is opened.
Writes and deletes are refused outright (sqlgate only reads). The jail travels in the
catalog property ``sqlgate.jail`` (pyiceberg builds a FileIO per table from properties).

Relative locations (``data/t/x.parquet``, and the host form ``file://data/t/x.parquet``
some writers leave) resolve against the catalog's *home*, never the process's working
directory: the directory of a SQL catalog's SQLite file, else a local ``warehouse``. That
is pyiceberg's own answer when run from that directory. The jail judges the resolved path,
so ``../../etc/passwd`` is refused like ``/etc/passwd``.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from pyiceberg.io import InputFile, OutputFile
from pyiceberg.io.pyarrow import PyArrowFile, PyArrowFileIO

from sqlgate.core.errors import ProgrammingError, ReadOnlyError
from sqlgate.lakehouse.containment import Jail, outside
from sqlgate.lakehouse.iceberg_paths import (  # re-exported: the FileIO's callers use them
    catalog_home,
    relative_part,
    resolve_location,
)

__all__ = [
    "IO_IMPL",
    "JAIL_PROPERTY",
    "S3_HANDLE_PROPERTY",
    "ContainedFileIO",
    "catalog_home",
    "contained_io",
    "located",
    "relative_part",
    "resolve_location",
]

JAIL_PROPERTY = "sqlgate.jail"
#: a CredentialHandle whose username/secret are the warehouse's S3 keys (SQL and Glue catalogs)
S3_HANDLE_PROPERTY = "sqlgate.s3-credential-handle"
IO_IMPL = f"{__name__}.ContainedFileIO"


def located(io: Any, location: str) -> str:
    """Where ``location`` is for a table read through ``io`` (see :func:`resolve_location`)."""
    return io.resolve(location) if isinstance(io, ContainedFileIO) else location


class ContainedFileIO(PyArrowFileIO):
    """pyarrow's FileIO that reads only inside the source's jail and never writes."""

    def __init__(self, properties: Any = None) -> None:
        props = dict(properties or {})
        text = props.get(JAIL_PROPERTY)
        if not text:
            raise ProgrammingError("sqlgate's Iceberg FileIO needs the source's jail")
        self.jail = Jail.from_json(str(text))
        self._handle = props.get(S3_HANDLE_PROPERTY)
        self._credential: Any = None
        self.home = catalog_home(props)
        super().__init__(props)

    def resolve(self, location: str) -> str:
        """Where ``location`` is: relative paths against the catalog's home."""
        return resolve_location(location, self.home)

    def _follow_credential(self) -> None:
        """Use the current S3 keys: a new credential gets new filesystems (pyarrow's S3
        filesystem keeps the keys it was built with)."""
        if self._handle is None:
            return
        credential = self._handle.current()
        if credential is self._credential:
            return
        token = credential.extras.get("session_token")
        keys = {
            "s3.access-key-id": credential.username,
            "s3.secret-access-key": credential.secret,
            "s3.session-token": token,
        }
        self.properties = {**self.properties, **{k: v for k, v in keys.items() if v}}
        self.fs_by_scheme = lru_cache(self._initialize_fs)
        self._credential = credential

    def _initialize_hdfs_fs(self, scheme: str, netloc: str | None) -> Any:
        """``hdfs://`` through sqlgate's WebHDFS filesystem (pyarrow's own needs libhdfs and a
        JVM). The location's port is the WebHDFS port unless ``hdfs.http-port`` names it
        (tables written by Hadoop name the RPC port); Kerberos from the connection's
        credential (its ticket cache), or ``hdfs.kerberos=true`` for the ambient cache."""
        from urllib.parse import urlparse

        from sqlgate.lakehouse.hdfs import hdfs_filesystem

        props = self.properties
        opts = {"hdfs_https": str(props.get("hdfs.https", "false"))}
        credential = self._handle.current() if self._handle is not None else None
        ccache = credential.extras.get("ccache") if credential is not None else None
        if ccache:
            opts["hdfs_kerberos_ccache"] = str(ccache)
        elif str(props.get("hdfs.kerberos", "false")).lower() == "true":
            opts["hdfs_kerberos_ccache"] = ""
        elif props.get("hdfs.user"):
            opts["hdfs_user"] = str(props["hdfs.user"])
        if props.get("hdfs.http-port"):
            opts["hdfs_http_port"] = str(props["hdfs.http-port"])
        return hdfs_filesystem(urlparse(f"hdfs://{netloc}/"), opts)[0]

    def new_input(self, location: str) -> PyArrowFile:
        resolved = self.resolve(location)
        # judged as pyiceberg opens it: a local path as is (a symlink named ``a%20b`` is not
        # the directory ``a b``)
        scheme, _, path = self.parse_location(resolved, self.properties)
        target = path if scheme == "file" else resolved
        if not self.jail.allows(target) or (self.home is None and relative_part(location)):
            raise outside("(Iceberg metadata)", location)
        self._follow_credential()
        return super().new_input(resolved)

    def new_output(self, location: str) -> PyArrowFile:
        raise ReadOnlyError("writing an Iceberg file", "sqlgate only reads")

    def delete(self, location: str | InputFile | OutputFile) -> None:
        raise ReadOnlyError("deleting an Iceberg file", "sqlgate only reads")


#: property prefixes that configure how files are read (which FileIO, which endpoint, which
#: keys): a catalog's or a REST catalog's vended config may set them, a table's writer not
_IO_PREFIXES = ("py-io-impl", "sqlgate.", "s3.", "gcs.", "adls.", "hdfs.", "oss.", "client.")


def contained_io(table: Any, catalog_properties: dict[str, Any]) -> ContainedFileIO:
    """The FileIO a loaded table may read through: the catalog's own FileIO, jail and
    endpoints always win. pyiceberg lets a table's metadata properties override the
    catalog's when it builds the table's FileIO, so anyone who can write a table's metadata
    could otherwise name another FileIO (``py-io-impl``: no jail), widen the jail
    (``sqlgate.jail``) or point reads at another endpoint (``s3.endpoint``). Settings a REST
    catalog vends with the table (credentials) differ from the metadata's and are kept."""
    written = dict(table.metadata.properties or {})
    props: dict[str, Any] = {}
    for key, value in dict(table.io.properties).items():
        from_writer = key in written and written[key] == value and key not in catalog_properties
        if from_writer and key.startswith(_IO_PREFIXES):
            continue
        props[key] = value
    props.update({k: v for k, v in catalog_properties.items() if k.startswith(_IO_PREFIXES)})
    props["py-io-impl"] = IO_IMPL
    return ContainedFileIO(props)
