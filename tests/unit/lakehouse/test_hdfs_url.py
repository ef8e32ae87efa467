"""hdfs:// URLs to a root and WebHDFS client options (no cluster: the parsing only)."""

from __future__ import annotations

import pytest

from sqlgate.core.errors import InterfaceError
from sqlgate.core.params import ConnectParams
from sqlgate.core.registry import get_source
from sqlgate.lakehouse.stores import locate


def _params(url: str) -> ConnectParams:
    return ConnectParams.from_url(get_source("hdfs"), url)


def test_simple_auth_user_and_default_port() -> None:
    params = _params("hdfs://alice@nn.example/warehouse/events")
    options = dict(params.options)
    loc = locate("hdfs", params, options)
    assert loc.uri == "hdfs://nn.example:9870/warehouse/events"
    assert loc.storage_options["hdfs_user"] == "alice"
    assert loc.storage_options["hdfs_https"] == "false"
    assert loc.storage_options["timeout"] == "30s" and not options


def test_ambient_kerberos_and_https() -> None:
    params = _params("hdfs://nn:50470/lake?kerberos=true&https=true&timeout=5")
    options = dict(params.options)
    loc = locate("hdfs", params, options)
    assert loc.storage_options["hdfs_kerberos_ccache"] == ""  # the default cache
    assert loc.storage_options["hdfs_https"] == "true"
    assert loc.storage_options["timeout"] == "5s"
    assert "hdfs_user" not in loc.storage_options


def test_namenode_required() -> None:
    params = _params("hdfs:///lake")
    with pytest.raises(InterfaceError, match="name the NameNode"):
        locate("hdfs", params, dict(params.options))


@pytest.mark.parametrize("fmt", ["parquet", "csv", "json", "orc", "delta", "iceberg"])
def test_every_format_reads_from_the_webhdfs_root(fmt: str) -> None:
    params = _params(f"hdfs://nn/lake?format={fmt}")
    loc = locate("hdfs", params, dict(params.options))
    assert loc.uri == "hdfs://nn:9870/lake"


def test_rpc_port_moves_the_root_to_the_rpc_port() -> None:
    params = _params("hdfs://nn/lake?rpc_port=8020")
    options = dict(params.options)
    loc = locate("hdfs", params, options)
    assert loc.uri == "hdfs://nn:8020/lake" and not options
    assert loc.storage_options["hdfs_http_port"] == "9870"
    assert "hadoop.security.authentication" not in loc.storage_options  # simple auth


def test_rpc_port_must_be_a_port() -> None:
    params = _params("hdfs://nn/lake?rpc_port=http")
    with pytest.raises(InterfaceError, match="rpc_port"):
        locate("hdfs", params, dict(params.options))
