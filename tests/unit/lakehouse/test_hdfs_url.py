"""hdfs:// URLs to a root and WebHDFS client options (no cluster: the parsing only)."""

from __future__ import annotations

import pytest

from sqlgate.core.errors import InterfaceError, NotSupportedError
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


def test_text_formats_refused() -> None:
    params = _params("hdfs://nn/lake?format=csv")
    with pytest.raises(NotSupportedError, match="not csv"):
        locate("hdfs", params, dict(params.options))
