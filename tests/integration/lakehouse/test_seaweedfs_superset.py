"""Superset 6.1 (SQLAlchemy 1.4) browses the Ozone source on the real S3 server: sqlgate's own
OzoneEngineSpec (Superset ships none for ``ozone``), ``superset test-db`` end to end."""

from __future__ import annotations

import pytest

from tests.integration.test_superset import (
    assert_superset_can_browse,
    run_test_db,
)
from tests.integration.test_superset import superset_env as superset_env  # the fixture
from tests.servers.base import ServerInfo
from tests.servers.seaweedfs import store_url


@pytest.mark.parametrize("store", ["ozone", "s3"])
def test_superset_browses_an_object_store(
    store: str, seeded_object_store: tuple[ServerInfo, str], superset_env: dict[str, str]
) -> None:
    info, bucket = seeded_object_store
    # the secret comes from a credential provider, so it is in no URL Superset stores or logs
    url = store_url(store, info, f"{bucket}/files", credential="env:SQLGATE_SUPERSET_S3_SECRET")
    url = url.replace(f":{info.password}@", "@")
    output = run_test_db(url, {**superset_env, "SQLGATE_SUPERSET_S3_SECRET": info.password})
    assert_superset_can_browse(output, f"sqlgate.dbapi.{store}")
    spec = "sqlgate.superset.ozone" if store == "ozone" else "sqlgate.superset.lakehouse"
    assert "Found 3rd party DB engine spec" in output and f"({spec})" in output
    assert info.password not in output
