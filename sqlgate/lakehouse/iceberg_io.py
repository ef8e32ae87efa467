"""pyiceberg's FileIO, held to the lake: every metadata, manifest and data file is vetted.

pyiceberg opens each file through ``FileIO.new_input`` (table metadata, manifest lists,
manifests, data and delete files), so the jail is enforced where the bytes are read: a
metadata file or a manifest naming ``file:///etc/passwd`` is refused before it is opened.
Writes and deletes are refused outright (sqlgate only reads). The jail travels in the
catalog property ``sqlgate.jail`` (pyiceberg builds a FileIO per table from properties).
"""

from __future__ import annotations

from typing import Any

from pyiceberg.io import InputFile, OutputFile
from pyiceberg.io.pyarrow import PyArrowFile, PyArrowFileIO

from sqlgate.core.errors import ProgrammingError, ReadOnlyError
from sqlgate.lakehouse.containment import Jail

JAIL_PROPERTY = "sqlgate.jail"
IO_IMPL = f"{__name__}.ContainedFileIO"


class ContainedFileIO(PyArrowFileIO):
    """pyarrow's FileIO that reads only inside the source's jail and never writes."""

    def __init__(self, properties: Any = None) -> None:
        props = dict(properties or {})
        text = props.get(JAIL_PROPERTY)
        if not text:
            raise ProgrammingError("sqlgate's Iceberg FileIO needs the source's jail")
        self.jail = Jail.from_json(str(text))
        super().__init__(props)

    def new_input(self, location: str) -> PyArrowFile:
        self.jail.check(location, "(Iceberg metadata)")
        return super().new_input(location)

    def new_output(self, location: str) -> PyArrowFile:
        raise ReadOnlyError("writing an Iceberg file", "sqlgate only reads")

    def delete(self, location: str | InputFile | OutputFile) -> None:
        raise ReadOnlyError("deleting an Iceberg file", "sqlgate only reads")
