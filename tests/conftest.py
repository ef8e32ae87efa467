"""Shared fixtures: real throwaway servers, and one seeded fixture table per family."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import pytest

from sqlgate.core.registry import SourceSpec, all_sources
from tests.ci_strict import pytest_make_collect_report, pytest_runtest_makereport  # noqa: F401
from tests.servers import mariadb, postgres
from tests.servers.base import ServerInfo
from tests.servers.bigquery import bigquery_server, seeded_bigquery  # noqa: F401
from tests.servers.clickhouse_fixtures import *  # noqa: F403
from tests.servers.databricks import minilake_server, seeded_databricks  # noqa: F401
from tests.servers.druid import druid, druid_server, seeded_druid  # noqa: F401
from tests.servers.druid_real import druid_real  # noqa: F401
from tests.servers.fixtures import *  # noqa: F403
from tests.servers.seaweedfs import *  # noqa: F403
from tests.servers.seekdb import seeded_seekdb, seekdb_database, seekdb_server  # noqa: F401
from tests.servers.snowflake_fixtures import *  # noqa: F403
from tests.servers.spark_connect import spark_connect  # noqa: F401
from tests.servers.tidb import seeded_tidb, tidb_database, tidb_server  # noqa: F401

WIRE_SOURCES = [spec for spec in all_sources() if spec.family in ("postgres", "mysql")]
# Lakehouse drivers whose tables the tests can write locally. Hudi is read-only in hudi-rs, so
# its driver is exercised on the Spark-written fixtures instead (tests/integration/lakehouse);
# the object-store drivers run against SeaweedFS (S3 API) and Azurite in test_object_stores.py.
LAKEHOUSE_LOCAL = [spec for spec in all_sources() if spec.name in ("iceberg", "delta", "file")]
#: Sources outside the wire and local-lakehouse families: source name -> the name of the fixture
#: that serves its seeded ``items`` table (a ``ServerInfo`` for a server, else the URL itself).
#: Each source's fixture module is imported below and adds its one line here.
CONFORMANCE_FIXTURES: dict[str, str] = {
    "clickhouse": "seeded_clickhouse",
    "databricks": "seeded_databricks",
    "snowflake": "seeded_snowflake",
    "bigquery": "seeded_bigquery",
    "druid": "seeded_druid",
    "hdfs": "seeded_hdfs",
    # the S3-compatible object stores, on a real S3 server (SeaweedFS; tests/servers/seaweedfs.py)
    **{name: f"seeded_{name}" for name in ("s3", "minio", "oss", "cos", "ozone")},
}
#: Wire sources that also run against their product's own engine, besides the family's stand-in
#: server: source name -> the fixture serving the seeded ``items`` table there.
NATIVE_FIXTURES: dict[str, str] = {
    "oceanbase": "seeded_seekdb",
    "tdsql": "seeded_seekdb",
    "gaussdb_mysql": "seeded_seekdb",
    "tidb": "seeded_tidb",  # tidb-server on unistore (scripts/install-tidb.sh)
}
NATIVE_TARGETS = [(s, NATIVE_FIXTURES[s.name]) for s in WIRE_SOURCES if s.name in NATIVE_FIXTURES]
CONFORMANCE_SOURCES = (
    WIRE_SOURCES
    + LAKEHOUSE_LOCAL
    + [spec for spec in all_sources() if spec.name in CONFORMANCE_FIXTURES]
)
SEED_ROWS = [
    (1, "alpha", "12.50", "2026-01-01 10:00:00"),
    (2, "beta", "0.99", "2026-02-01 11:30:00"),
    (3, "γάμμα 中文", "-7.25", "2026-03-01 00:00:01"),
    (4, None, None, None),
]


def seed_postgres(info: ServerInfo) -> None:
    with postgres.connect(info) as conn:
        conn.execute("DROP TABLE IF EXISTS items")
        conn.execute(
            "CREATE TABLE items (id int PRIMARY KEY, name text, "
            "amount numeric(10,2), created timestamp)"
        )
        with conn.cursor() as cur:
            cur.executemany("INSERT INTO items VALUES (%s, %s, %s, %s)", SEED_ROWS)


def seed_mariadb(info: ServerInfo) -> None:
    mariadb.seed_items(info, SEED_ROWS)


@pytest.fixture(scope="session")
def seeded_postgres(postgres_server: ServerInfo) -> ServerInfo:
    seed_postgres(postgres_server)
    return postgres_server


@pytest.fixture(scope="session")
def seeded_mariadb(mariadb_server: ServerInfo) -> ServerInfo:
    seed_mariadb(mariadb_server)
    return mariadb_server


def _seed_table() -> Any:
    import datetime
    import decimal

    import pyarrow as pa

    return pa.table(
        {
            "id": pa.array([r[0] for r in SEED_ROWS], pa.int32()),
            "name": pa.array([r[1] for r in SEED_ROWS], pa.string()),
            "amount": pa.array(
                [None if r[2] is None else decimal.Decimal(r[2]) for r in SEED_ROWS],
                pa.decimal128(10, 2),
            ),
            "created": pa.array(
                [
                    None if r[3] is None else datetime.datetime.fromisoformat(r[3])
                    for r in SEED_ROWS
                ],
                pa.timestamp("us"),
            ),
        }
    )


@pytest.fixture(scope="session")
def seeded_lakehouse(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The seed rows as an Iceberg table, a Delta table and a Parquet directory; their URLs."""
    import pyarrow.parquet as pq
    from deltalake import write_deltalake

    root = tmp_path_factory.mktemp("lakehouse")
    table = _seed_table()
    write_deltalake(str(root / "delta" / "items"), table)
    (root / "files" / "items").mkdir(parents=True)
    pq.write_table(table, root / "files" / "items" / "part-0.parquet")
    urls = {"delta": f"delta://{root}/delta", "file": f"file://{root}/files"}
    try:
        from pyiceberg.catalog.sql import SqlCatalog
    except ImportError:  # tox sa14: pyiceberg's SQL catalog needs SQLAlchemy 2
        urls["why_iceberg"] = "pyiceberg's SQL catalog needs SQLAlchemy 2 (sqlgate[iceberg-sql])"
        return urls
    catalog = SqlCatalog(
        "default", uri=f"sqlite:///{root}/catalog.db", warehouse=f"file://{root}/warehouse"
    )
    catalog.create_namespace("default")
    catalog.create_table("default.items", schema=table.schema).append(table)
    urls["iceberg"] = f"iceberg://{root}/catalog.db"
    return urls


@pytest.fixture(scope="session")
def seeded_hdfs(hdfs_server: ServerInfo) -> Iterator[str]:
    """The seed rows as Parquet on the Kerberized HDFS; the URL carries the reader's keytab
    (KRB5_CONFIG names the test realm for the rest of the session)."""
    from tests.servers import hdfs

    with hdfs.client_env(hdfs_server):
        yield hdfs.seed_parquet(hdfs_server, "conformance/items", _seed_table())


@dataclass
class Driver:
    """One source's DB-API module, pointed at a real server or a seeded local lakehouse."""

    spec: SourceSpec
    module: ModuleType
    server: ServerInfo | None = None
    lakehouse_url: str = ""

    @property
    def url(self) -> str:
        return self.server.url(self.spec.scheme) if self.server else self.lakehouse_url

    @property
    def has_server(self) -> bool:
        return self.server is not None

    def sql(self, text: str) -> str:
        """Write ``%s`` placeholders in tests; this turns them into the driver's paramstyle."""
        return text.replace("%s", "?") if self.module.paramstyle == "qmark" else text

    def connect(self, **kwargs: object):
        return self.module.connect(self.url, **kwargs)


def _target_id(param: SourceSpec | tuple[SourceSpec, str]) -> str:
    if isinstance(param, tuple):  # oceanbase-seekdb: the source on its native server
        return f"{param[0].name}-{param[1].removeprefix('seeded_')}"
    return param.name


@pytest.fixture(params=[*CONFORMANCE_SOURCES, *NATIVE_TARGETS], ids=_target_id)
def driver(request: pytest.FixtureRequest) -> Iterator[Driver]:
    spec: SourceSpec
    spec, native = request.param if isinstance(request.param, tuple) else (request.param, None)
    module = importlib.import_module(spec.dbapi_module)
    if native is not None:
        yield Driver(spec, module, request.getfixturevalue(native))
        return
    if spec.name in CONFORMANCE_FIXTURES:
        target = request.getfixturevalue(CONFORMANCE_FIXTURES[spec.name])
        if isinstance(target, ServerInfo):
            yield Driver(spec, module, target)
        else:
            yield Driver(spec, module, lakehouse_url=target)
        return
    if spec.family == "lakehouse":
        urls = request.getfixturevalue("seeded_lakehouse")
        if spec.name not in urls:
            pytest.skip(f"{spec.name}: {urls['why_' + spec.name]}")
        yield Driver(spec, module, lakehouse_url=urls[spec.name])
        return
    fixture = "seeded_postgres" if spec.family == "postgres" else "seeded_mariadb"
    yield Driver(spec, module, request.getfixturevalue(fixture))
