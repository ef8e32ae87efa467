"""``engine=spark``: the lakehouse sources run on a real Spark Connect server (``local[2]``).

Delta tables written by delta-rs and Iceberg tables written by pyiceberg are queried through
``engine=spark`` and through the embedded DuckDB: the answers must agree row for row and type
for type. Writes and JVM escapes are refused with the tables unchanged (read back through
their own libraries), and a long Spark job stops on cancel and on ``statement_timeout``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("deltalake")
pytest.importorskip("pyiceberg")
pytest.importorskip("pyspark.sql.connect")

from sqlgate.core.errors import (
    Error,
    InterfaceError,
    NotSupportedError,
    OperationalError,
    ReadOnlyError,
)
from sqlgate.dbapi import delta as delta_driver
from sqlgate.dbapi import hudi as hudi_driver
from sqlgate.dbapi import iceberg as iceberg_driver
from sqlgate.lakehouse.spark.guard import vet_spark_sql
from tests.integration.lakehouse import remote_engines
from tests.integration.lakehouse.remote_engines import (
    CONFORMANCE,
    QUERIES,
    WRITES,
    run,
    table_state,
)

lake = remote_engines.lake  # the shared lake, one per test module

#: a job that runs for hours on local[2]: only a cancel ends it
ENDLESS = "SELECT count(*) FROM range(2000000) AS a CROSS JOIN range(2000000) AS b"


@pytest.fixture(scope="module", params=["delta", "iceberg"])
def pair(request: pytest.FixtureRequest, lake: dict, spark_connect: Any) -> Iterator[tuple]:
    """(format, embedded DuckDB connection, Spark connection) over the same tables."""
    fmt = request.param
    driver = delta_driver if fmt == "delta" else iceberg_driver
    url = lake[f"{fmt}_url"]
    sep = "&" if "?" in url else "?"
    duck = driver.connect(url)
    spark = driver.connect(f"{url}{sep}engine=spark&spark_remote={spark_connect.extra['remote']}")
    yield fmt, duck, spark
    spark.close()
    duck.close()


@pytest.mark.parametrize(("sql", "params"), QUERIES)
def test_same_answers_as_embedded(pair: tuple, sql: str, params: Any) -> None:
    _fmt, duck, spark = pair
    expected, expected_types = run(duck, sql, params)
    got, got_types = run(spark, sql, params)
    assert expected  # every query has an answer to compare
    assert got == expected
    assert got_types == expected_types


def test_time_travel(pair: tuple, lake: dict) -> None:
    fmt, duck, spark = pair
    if fmt == "delta":
        old = "SELECT id FROM orders FOR VERSION AS OF 0"
    else:
        old = f"SELECT id FROM orders FOR VERSION AS OF {lake['first_snapshot']}"
    when = lake["between"][fmt].isoformat(sep=" ")
    queries = [old, f"SELECT id, region FROM orders FOR TIMESTAMP AS OF '{when}' WHERE id > 1"]
    for sql in queries:
        expected, _ = run(duck, sql)
        assert run(spark, sql)[0] == expected
        assert [r[0] for r in expected] != [1, 2, 3, 4, 5]  # really the older snapshot
    assert run(spark, old)[0] == [(1,), (2,), (3,)]
    assert spark.session.raw.plan_info[0]["time_travel"]


@pytest.mark.parametrize("sql", WRITES)
def test_writes_and_escapes_refused(pair: tuple, lake: dict, sql: str) -> None:
    fmt, _duck, spark = pair
    before = table_state(lake, fmt)
    with pytest.raises(Error) as info:
        spark.cursor().execute(sql)
    assert isinstance(info.value, (ReadOnlyError, NotSupportedError)) or "exist" in str(info.value)
    assert table_state(lake, fmt) == before
    assert run(spark, "SELECT count(*) AS n FROM orders")[0] == [(5,)]  # still usable


@pytest.mark.parametrize(
    "text",
    [
        "INSERT INTO v SELECT 1",
        "SELECT 1; SELECT 2",
        "SELECT TRANSFORM(a) USING 'cat' FROM v",
        "SELECT * FROM parquet.`/etc`",
        "SELECT * FROM other_table",
        "SELECT reflect('java.lang.Runtime', 'getRuntime') FROM v",
        "SELECT db.fn(a) FROM v",
        "SELECT * FROM json_tuple(1)",
        "CACHE TABLE v",
        "WITH w AS (SELECT * FROM v) SELECT * FROM w, x",
    ],
)
def test_spark_guard_fails_closed(text: str) -> None:
    """What reaches ``spark.sql`` is vetted in Spark's own dialect, allow-list first."""
    with pytest.raises(ReadOnlyError):
        vet_spark_sql(text, ["v"], {"count", "sum"})


def test_spark_guard_admits_reads() -> None:
    text = "WITH w AS (SELECT a FROM `v`) SELECT count(*) FROM w JOIN RANGE(0, 3) AS r(x) ON TRUE"
    assert vet_spark_sql(text, ["v"], {"count"}) is not None


def _endless(con: Any, outcome: dict) -> None:
    started = time.monotonic()
    try:
        con.cursor().execute(ENDLESS).fetchall()
    except Error as exc:
        outcome["error"] = exc
    outcome["seconds"] = time.monotonic() - started


def test_cancel_stops_a_long_job(pair: tuple) -> None:
    fmt, _duck, spark = pair
    if fmt != "delta":
        pytest.skip("one format is enough: the job reads no table")
    outcome: dict[str, Any] = {}
    thread = threading.Thread(target=_endless, args=(spark, outcome), daemon=True)
    thread.start()
    thread.join(3)  # the job is running on the server by now
    assert thread.is_alive()
    cancelled_at = time.monotonic()
    spark.cursor().cancel()
    thread.join(30)
    assert not thread.is_alive()
    assert time.monotonic() - cancelled_at < 15
    assert isinstance(outcome.get("error"), OperationalError)
    assert run(spark, "SELECT count(*) AS n FROM orders")[0] == [(5,)]


def test_closed_result_leaves_nothing_behind(pair: tuple) -> None:
    """A result read in part and closed: its views are dropped and no job of it runs on."""
    _fmt, _duck, spark = pair
    session = spark.session.raw._spark
    cur = spark.cursor()
    cur.execute("SELECT o.id, r.name FROM orders AS o CROSS JOIN regions AS r")
    assert len(cur.fetchmany(2)) == 2
    assert any(t.name.startswith("__sqlgate_") for t in session.catalog.listTables())
    cur.close()
    assert not [t.name for t in session.catalog.listTables() if t.name.startswith("__sqlgate_")]
    assert session.interruptAll() == []  # no operation of this connection is left running


def test_statement_timeout(lake: dict, spark_connect: Any) -> None:
    url = f"{lake['delta_url']}?engine=spark&spark_remote={spark_connect.extra['remote']}"
    with delta_driver.connect(f"{url}&statement_timeout=2") as con:
        outcome: dict[str, Any] = {}
        _endless(con, outcome)
        assert isinstance(outcome.get("error"), OperationalError)
        assert outcome["seconds"] < 20


def test_engine_choice_is_checked(tmp_path: Path) -> None:
    """Refused at connect, before any server is asked."""
    with pytest.raises(NotSupportedError, match="Hudi"):
        hudi_driver.connect(f"hudi://{tmp_path}?engine=spark&spark_remote=sc://127.0.0.1:1")
    with pytest.raises(InterfaceError, match="spark_remote"):
        delta_driver.connect(f"delta://{tmp_path}?engine=spark")
    with pytest.raises(InterfaceError, match="engine="):
        delta_driver.connect(f"delta://{tmp_path}?engine=presto")
    with pytest.raises(InterfaceError, match="spark_remote= needs engine=spark"):
        delta_driver.connect(f"delta://{tmp_path}?engine=trino&spark_remote=sc://127.0.0.1:1")


def test_csv_is_refused_not_reinterpreted(tmp_path: Path, spark_connect: Any) -> None:
    """Spark would infer a CSV's types its own way: refused rather than answered differently."""
    from sqlgate.dbapi import file as file_driver

    (tmp_path / "t.csv").write_text("a,b\n1,x\n")
    remote = spark_connect.extra["remote"]
    with file_driver.connect(f"file://{tmp_path}?format=csv") as duck:
        assert run(duck, "SELECT a, b FROM t")[0] == [(1, "x")]
    with (
        file_driver.connect(
            f"file://{tmp_path}?format=csv&engine=spark&spark_remote={remote}"
        ) as con,
        pytest.raises(NotSupportedError, match="Parquet and ORC"),
    ):
        con.cursor().execute("SELECT a, b FROM t")


def test_unreachable_server_fails_fast(tmp_path: Path) -> None:
    """pyspark alone retries for ~10 minutes; the message names the fix, not the token."""
    from tests.servers.base import free_port

    remote = f"sc://127.0.0.1:{free_port()}/;token=SECRET-TOKEN"
    started = time.monotonic()
    with pytest.raises(OperationalError, match="spark_remote") as info:
        delta_driver.connect(f"delta://{tmp_path}?engine=spark&spark_remote={remote}")
    assert time.monotonic() - started < 40
    assert "SECRET" not in str(info.value) and "SECRET" not in str(info.value.__cause__)


# -- the PEP 249 conformance suite, its lakehouse sources on engine=spark ---------------------
globals().update({test.__name__: test for test in CONFORMANCE})  # collected here, on Spark


@pytest.fixture(params=["delta", "iceberg", "file"])
def driver(request: pytest.FixtureRequest, seeded_lakehouse: dict, spark_connect: Any) -> Any:
    """The conformance suite's ``driver``, pointed at the seeded tables through Spark."""
    import importlib

    from sqlgate.core.registry import get_source
    from tests.conftest import Driver

    spec = get_source(request.param)
    url = seeded_lakehouse[request.param]
    sep = "&" if "?" in url else "?"
    remote = spark_connect.extra["remote"]
    module = importlib.import_module(spec.dbapi_module)
    return Driver(spec, module, lakehouse_url=f"{url}{sep}engine=spark&spark_remote={remote}")
