"""Object-store lakes hold their readers to the configured bucket/prefix, and store errors
never carry a secret, not even in the exception they chain (SeaweedFS for S3, Azurite for Azure)."""

from __future__ import annotations

import base64
import json
import traceback
from urllib.parse import unquote

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

pytest.importorskip("duckdb")
pytest.importorskip("deltalake")

import sqlgate
from sqlgate.core.errors import Error
from tests.integration.lakehouse.test_object_stores import (  # noqa: F401 - a fixture
    _account_sas,
    _azure_url,
    _boto,
    _delta_options,
    _s3_url,
    _s3fs,
    azure_lake,
)
from tests.servers.base import ServerInfo

MARKER = "MARKER-other-bucket"
WRONG_KEY = base64.b64encode(b"not the key" * 6).decode()
ROWS = pa.table({"id": pa.array([1, 2], pa.int64()), "name": ["a", "b"]})


def _full_traceback(exc: BaseException) -> str:
    """What a logger prints for ``exc``: the message, the traceback and any chained error."""
    return "".join(traceback.format_exception(exc))


@pytest.fixture()
def two_buckets(seaweedfs_clean: ServerInfo) -> ServerInfo:
    s3 = _boto(seaweedfs_clean, "s3")
    for bucket in ("lake", "other"):
        s3.create_bucket(Bucket=bucket)
    fs = _s3fs(seaweedfs_clean)
    secret = pa.table({"id": pa.array([9], pa.int64()), "name": [MARKER]})
    for path in ("other/secret.parquet", "lake/elsewhere/secret.parquet"):
        with fs.open_output_stream(path) as out:
            pq.write_table(secret, out)
    return seaweedfs_clean


def test_delta_log_naming_another_bucket_or_prefix_is_refused(two_buckets):
    from deltalake import write_deltalake

    info = two_buckets
    opts = _delta_options(info)
    for i, path in enumerate(
        [
            "s3://other/secret.parquet",
            "s3://lake/elsewhere/secret.parquet",
            "s3a://other/secret.parquet",
        ]
    ):
        uri = f"s3://lake/delta/t{i}"
        write_deltalake(uri, ROWS, storage_options=opts)
        add = {
            "add": {
                "path": path,
                "partitionValues": {},
                "size": 100,
                "modificationTime": 0,
                "dataChange": True,
            }
        }
        body = (
            json.dumps({"commitInfo": {"timestamp": 1, "operation": "WRITE"}})
            + "\n"
            + json.dumps(add)
            + "\n"
        )
        with _s3fs(info).open_output_stream(
            f"lake/delta/t{i}/_delta_log/00000000000000000001.json"
        ) as out:
            out.write(body.encode())
    with sqlgate.connect(_s3_url("delta", info, "lake/delta", store="s3")) as conn:
        for i in range(3):
            cur = conn.cursor()
            with pytest.raises(Error) as err:
                cur.execute(f"SELECT * FROM t{i}")
                assert MARKER not in repr(cur.fetchall())
            assert MARKER not in str(err.value)


def _no_signature(exc: BaseException, sas: str) -> None:
    signature = sas.split("sig=")[1]
    printed = _full_traceback(exc)  # the chained cause included, when there is one
    assert exc.__context__ is None or exc.__suppress_context__
    assert signature not in printed and unquote(signature) not in printed


def test_azure_sas_never_reaches_a_message_or_a_chained_error(azure_lake):  # noqa: F811
    info, container = azure_lake
    good = _account_sas(info.password, info.user)
    for sas, path in (
        (good, "nocontainer/files"),
        (good, f"{container}/nothing/here"),
        (_account_sas(WRONG_KEY, info.user), f"{container}/files"),
        (_account_sas(info.password, info.user, expired=True), f"{container}/files"),
    ):
        with pytest.raises(Error) as err:
            sqlgate.connect(_azure_url("azure", info, path, sas_token=sas))
        _no_signature(err.value, sas)
    # a token that may list but not read: the failure comes from the scan, through DuckDB
    list_only = _account_sas(info.password, info.user, perms="l")
    with sqlgate.connect(
        _azure_url("azure", info, f"{container}/files", sas_token=list_only)
    ) as conn:
        with pytest.raises(Error) as err:
            cur = conn.cursor()
            cur.execute("SELECT * FROM sales")
            cur.fetchall()
        _no_signature(err.value, list_only)
