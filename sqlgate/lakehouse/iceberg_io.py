"""pyiceberg's FileIO, held to the lake: every metadata, manifest and data file is vetted.

pyiceberg opens each file through ``FileIO.new_input`` (table metadata, manifest lists,
manifests, data and delete files), so the jail is enforced where the bytes are read: a
metadata file or a manifest naming ``file:///etc/passwd`` is refused before it is opened.
Writes and deletes are refused outright (sqlgate only reads). The jail travels in the
catalog property ``sqlgate.jail`` (pyiceberg builds a FileIO per table from properties).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from pyiceberg.io import InputFile, OutputFile
from pyiceberg.io.pyarrow import PyArrowFile, PyArrowFileIO

from sqlgate.core.errors import ProgrammingError, ReadOnlyError
from sqlgate.lakehouse.containment import Jail

JAIL_PROPERTY = "sqlgate.jail"
#: a CredentialHandle whose username/secret are the warehouse's S3 keys (SQL and Glue catalogs)
S3_HANDLE_PROPERTY = "sqlgate.s3-credential-handle"
IO_IMPL = f"{__name__}.ContainedFileIO"


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
        super().__init__(props)

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

    def new_input(self, location: str) -> PyArrowFile:
        self.jail.check(location, "(Iceberg metadata)")
        self._follow_credential()
        return super().new_input(location)

    def new_output(self, location: str) -> PyArrowFile:
        raise ReadOnlyError("writing an Iceberg file", "sqlgate only reads")

    def delete(self, location: str | InputFile | OutputFile) -> None:
        raise ReadOnlyError("deleting an Iceberg file", "sqlgate only reads")
