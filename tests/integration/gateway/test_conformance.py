"""sqlgate's own PEP 249 conformance checks, run by sqlgate's ``postgresql`` driver (psycopg) with
the gateway as its server: the ``pg`` gateway database, i.e. PostgreSQL 15 behind the gateway.

The checks that need a writable server (``read_only=false``) or the server's own options do not
apply: the gateway's source connection is read-only whatever the client asks.
"""

from __future__ import annotations

import importlib

import pytest

from sqlgate.core.registry import get_source
from tests.conformance.test_pep249 import (  # noqa: F401 - collected here with the driver below
    test_arrow_methods,
    test_bad_read_only_value_is_refused,
    test_description_and_fetch_methods,
    test_errors_are_mapped,
    test_fetch_without_result_is_a_programming_error,
    test_iteration_and_fetchall,
    test_module_globals,
    test_read_only_by_default,
    test_top_level_connect_by_url,
    test_use_after_close_raises_interface_error,
    test_wrong_password,
)
from tests.conftest import Driver
from tests.integration.gateway.conftest import PASSWORD, GatewayInfo
from tests.servers.base import HOST, ServerInfo


@pytest.fixture
def driver(gateway: GatewayInfo) -> Driver:
    spec = get_source("postgresql")
    module = importlib.import_module(spec.dbapi_module)
    return Driver(spec, module, ServerInfo(HOST, gateway.port, "alice", PASSWORD, "pg"))
