"""pyarrow datasets on a Python filesystem that DuckDB scans without deadlocking.

DuckDB scans a registered pyarrow Dataset by calling ``dataset.scanner(columns=, filter=)``
and then ``to_reader()`` from one of its own threads. pyarrow's ``Scanner.to_reader`` keeps the
GIL while Arrow starts the scan, and for the CSV and JSON formats starting the scan waits for a
first read on Arrow's I/O thread. On a Python filesystem (WebHDFS, the credential-refreshing
wrapper of :mod:`sqlgate.lakehouse.livefs`) that read is a Python call needing the GIL the
waiting thread holds: a deadlock. faulthandler showed it: the DuckDB thread parked in
``to_reader`` (duckdb/_sources/pyarrow.py) and an Arrow thread with no Python frame.
``Scanner.to_batches`` releases the GIL while Arrow starts and advances the scan, so the
scanner handed to DuckDB here builds its reader from that instead; projection and filter
pushdown stay as they were.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.fs as pafs


class _GilFreeScanner:
    """A pyarrow Scanner whose ``to_reader`` starts the scan with the GIL released."""

    def __init__(self, scanner: ds.Scanner) -> None:
        self._scanner = scanner

    @property
    def projected_schema(self) -> pa.Schema:
        return self._scanner.projected_schema

    def to_reader(self) -> pa.RecordBatchReader:
        return pa.RecordBatchReader.from_batches(
            self._scanner.projected_schema, self._scanner.to_batches()
        )

    def __getattr__(self, name: str) -> Any:
        return getattr(self._scanner, name)


class GilFreeDataset(ds.FileSystemDataset):
    """A FileSystemDataset whose scanners are :class:`_GilFreeScanner` (DuckDB's entry)."""

    def scanner(self, *args: Any, **kwargs: Any) -> Any:
        return _GilFreeScanner(super().scanner(*args, **kwargs))


def fragments_dataset(
    fragments: Sequence[Any], schema: pa.Schema, file_format: Any, fs: pafs.FileSystem
) -> ds.FileSystemDataset:
    """The dataset of ``fragments`` for DuckDB: GIL-free scanners on a Python filesystem, where
    the deadlock can happen; pyarrow's own dataset on a native (C++) one."""
    kind = GilFreeDataset if isinstance(fs, pafs.PyFileSystem) else ds.FileSystemDataset
    return kind(list(fragments), schema, file_format, fs)
