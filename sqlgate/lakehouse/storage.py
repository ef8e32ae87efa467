"""Filesystems from URLs: local paths, ``file://``, ``s3://``, ``gs://``, ``abfs://``.

DuckDB cannot read remote URIs offline (no httpfs), so only local files go to DuckDB's
native readers; everything remote is streamed through pyarrow filesystems.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

import pyarrow.fs as pafs

_S3_KEYS = {
    "access_key": "access_key",
    "aws_access_key_id": "access_key",
    "secret_key": "secret_key",
    "aws_secret_access_key": "secret_key",
    "session_token": "session_token",
    "aws_session_token": "session_token",
    "region": "region",
    "aws_region": "region",
    "endpoint_override": "endpoint_override",
    "endpoint": "endpoint_override",
    "aws_endpoint_url": "endpoint_override",
    "scheme": "scheme",
}


@dataclass(frozen=True)
class Location:
    """A resolved root: the pyarrow filesystem, the path inside it, and the original URI."""

    filesystem: pafs.FileSystem
    path: str
    uri: str

    @property
    def is_local(self) -> bool:
        return isinstance(self.filesystem, pafs.LocalFileSystem)

    def join(self, *parts: str) -> Location:
        path = "/".join([self.path.rstrip("/"), *parts])
        uri = "/".join([self.uri.rstrip("/"), *parts])
        return Location(self.filesystem, path, uri)


def resolve(uri: str, storage_options: dict[str, Any] | None = None) -> Location:
    """Build the pyarrow filesystem for ``uri``; options mirror delta-rs/object_store names."""
    opts = dict(storage_options or {})
    parsed = urlparse(uri)
    scheme = parsed.scheme.lower()
    if scheme in ("", "file") or (len(scheme) == 1 and os.name == "nt"):
        path = os.path.abspath(parsed.path if scheme == "file" else uri)
        return Location(pafs.LocalFileSystem(), path, path)
    if scheme in ("s3", "s3a"):
        kwargs = {_S3_KEYS[k.lower()]: v for k, v in opts.items() if k.lower() in _S3_KEYS}
        endpoint = kwargs.get("endpoint_override")
        if endpoint and "://" in endpoint:
            scheme_part, host = endpoint.split("://", 1)
            kwargs["endpoint_override"], kwargs["scheme"] = host, scheme_part
        fs = pafs.S3FileSystem(**kwargs)
        return Location(fs, parsed.netloc + parsed.path, f"s3://{parsed.netloc}{parsed.path}")
    if scheme in ("gs", "gcs"):
        gcs_keys = {"access_token", "endpoint_override", "scheme", "project_id"}
        fs = pafs.GcsFileSystem(**{k: v for k, v in opts.items() if k in gcs_keys})
        return Location(fs, parsed.netloc + parsed.path, uri)
    if scheme in ("abfs", "abfss", "az", "azure"):
        account = opts.get("account_name") or opts.get("azure_storage_account_name")
        if not account and "@" in parsed.netloc:
            account = parsed.netloc.split("@", 1)[1].split(".")[0]
        container = parsed.netloc.split("@", 1)[0]
        az_keys = {
            "account_key",
            "blob_storage_authority",
            "dfs_storage_authority",
            "blob_storage_scheme",
            "dfs_storage_scheme",
            "sas_token",
        }
        fs = pafs.AzureFileSystem(
            account_name=account, **{k: v for k, v in opts.items() if k in az_keys}
        )
        return Location(fs, container + parsed.path, uri)
    fs, path = pafs.FileSystem.from_uri(uri)
    return Location(fs, path, uri)


def list_dirs(loc: Location) -> list[str]:
    """Names of the direct sub-directories of ``loc`` (hidden ones excluded)."""
    infos = loc.filesystem.get_file_info(pafs.FileSelector(loc.path, allow_not_found=True))
    return sorted(
        i.base_name
        for i in infos
        if i.type == pafs.FileType.Directory and not i.base_name.startswith((".", "_"))
    )


def exists(loc: Location, *parts: str) -> bool:
    info = loc.filesystem.get_file_info(loc.join(*parts).path)
    return info.type != pafs.FileType.NotFound
