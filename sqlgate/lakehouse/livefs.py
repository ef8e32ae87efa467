"""Object-store access that follows a credential which expires during a connection.

pyarrow's S3/GCS/Azure filesystems, delta-rs and hudi-rs take their keys once, when they are
built. A source whose URL names a credential provider (STS keys, a GCP or Entra ID token, a
SAS with an expiry) therefore holds :class:`LiveOptions` instead of a fixed dict: the storage
options rebuilt from the provider's *current* credential. :func:`refreshing` wraps a pyarrow
filesystem so that each request goes to a filesystem built from the current options (a new
one only when the credential changed), and retries a request refused for its credentials once
with a forcibly refreshed credential. Readers built per table (delta-rs, hudi-rs) ask
``LiveOptions.current()`` when they are opened, and sources drop cached readers whose options
are no longer current.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

import pyarrow.fs as pafs

from sqlgate.core.credentials.handle import Derived
from sqlgate.core.errors import ReadOnlyError

T = TypeVar("T")
Options = dict[str, str]


class LiveOptions:
    """Storage options derived from the current credential; the same dict object is returned
    until the credential changes, so ``is`` tells a consumer whether to rebuild."""

    def __init__(self, derived: Derived[Options]) -> None:
        self._derived = derived

    def current(self) -> Options:
        return self._derived.get()

    def refresh(self) -> Options:
        """New options from a forcibly refreshed credential (the store refused the current)."""
        return self._derived.refresh()


def is_denied(exc: BaseException) -> bool:
    """Whether a store error says the credentials were refused (expired, revoked, rotated)."""
    from sqlgate.lakehouse.storage import _DENIED

    return isinstance(exc, PermissionError) or bool(_DENIED.search(str(exc)))


class RefreshingHandler(pafs.FileSystemHandler):
    """A pyarrow filesystem handler delegating to a filesystem built from the live options."""

    def __init__(
        self,
        options: LiveOptions,
        build: Callable[[Options], pafs.FileSystem],
        first: pafs.FileSystem | None = None,
        first_options: Options | None = None,
    ) -> None:
        self.options = options
        self._build = build
        self._lock = threading.Lock()
        self._fs_options = first_options
        self._fs = first

    def current(self) -> pafs.FileSystem:
        """The filesystem for the current credential (rebuilt only when it changed)."""
        opts = self.options.current()
        with self._lock:
            if self._fs is None or opts is not self._fs_options:
                self._fs = self._build(opts)
                self._fs_options = opts
            return self._fs

    def _call(self, method: str, *args: Any) -> Any:
        try:
            return getattr(self.current(), method)(*args)
        except OSError as exc:
            if not is_denied(exc):
                raise
        self.options.refresh()  # refused: the token may have been revoked before its expiry
        return getattr(self.current(), method)(*args)

    # -- pyarrow.fs.FileSystemHandler --------------------------------------------------
    def get_type_name(self) -> str:
        return "sqlgate-refreshing"

    def equals(self, other: Any) -> bool:
        return other is self

    def normalize_path(self, path: str) -> str:
        return self._call("normalize_path", path)

    def get_file_info(self, paths: list[str]) -> list[pafs.FileInfo]:
        return self._call("get_file_info", paths)

    def get_file_info_selector(self, selector: pafs.FileSelector) -> list[pafs.FileInfo]:
        return self._call("get_file_info", selector)

    def open_input_stream(self, path: str) -> Any:
        return self._call("open_input_stream", path)

    def open_input_file(self, path: str) -> Any:
        return self._call("open_input_file", path)

    def _refuse(self, *args: Any, **kwargs: Any) -> Any:
        raise ReadOnlyError("writing to the object store", "sqlgate only reads")

    create_dir = delete_dir = delete_dir_contents = delete_root_dir_contents = _refuse
    delete_file = move = copy_file = open_output_stream = open_append_stream = _refuse


def refreshing(
    first: pafs.FileSystem,
    first_options: Options,
    options: LiveOptions,
    build: Callable[[Options], pafs.FileSystem],
) -> pafs.FileSystem:
    """A pyarrow filesystem whose requests always carry the current credential."""
    return pafs.PyFileSystem(RefreshingHandler(options, build, first, first_options))


def inner(fs: pafs.FileSystem) -> pafs.FileSystem:
    """The filesystem behind a refreshing wrapper (for type checks), else ``fs`` itself."""
    handler = getattr(fs, "handler", None)
    return handler.current() if isinstance(handler, RefreshingHandler) else fs
