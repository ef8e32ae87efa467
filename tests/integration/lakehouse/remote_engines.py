"""What the tests of the remote engines (``engine=spark``, ``engine=trino``) share: one small
lake (a Delta root and an Iceberg SQL catalog with the same data, two versions of ``orders``),
the queries whose answers must equal the embedded engine's, the writes that must be refused,
the tables' state read through their own libraries, and the conformance tests they rerun.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pyarrow as pa
import pytest

from tests.conformance.test_pep249 import (
    test_arrow_methods,
    test_bad_read_only_value_is_refused,
    test_description_and_fetch_methods,
    test_errors_are_mapped,
    test_fetch_without_result_is_a_programming_error,
    test_guard_cannot_be_lifted_through_connection_options,
    test_iteration_and_fetchall,
    test_module_globals,
    test_read_only_by_default,
    test_read_only_false_is_explicit_and_warns,
    test_top_level_connect_by_url,
    test_use_after_close_raises_interface_error,
)


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A Delta root (orders: 2 versions, regions) and an Iceberg SQL catalog (same data)."""
    from deltalake import write_deltalake
    from pyiceberg.catalog import load_catalog

    root = tmp_path_factory.mktemp("remote_lake")
    first = pa.table(
        {
            "id": pa.array([1, 2, 3], pa.int64()),
            "region": ["eu", "us", "eu"],
            "amount": [1.5, 2.5, 3.25],
            "day": pa.array([dt.date(2024, 1, d) for d in (1, 2, 3)]),
        }
    )
    second = pa.table(
        {
            "id": pa.array([4, 5], pa.int64()),
            "region": ["apac", "us"],
            "amount": [4.0, None],
            "day": pa.array([dt.date(2024, 2, 1), None]),
        }
    )
    regions = pa.table({"region": ["eu", "us", "apac"], "name": ["Europe", "USA", "Asia"]})
    write_deltalake(root / "delta" / "orders", first, partition_by=["region"])
    time.sleep(0.05)
    between = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    time.sleep(0.05)
    write_deltalake(root / "delta" / "orders", second, mode="append")
    write_deltalake(root / "delta" / "regions", regions)
    props = {
        "type": "sql",
        "uri": f"sqlite:///{root}/catalog.db",
        "warehouse": f"file://{root}/warehouse",
    }
    catalog = load_catalog("spark_test", **props)
    catalog.create_namespace("default")
    orders = catalog.create_table("default.orders", schema=first.schema)
    orders.append(first)
    first_snapshot = orders.current_snapshot().snapshot_id
    time.sleep(0.05)
    iceberg_between = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    time.sleep(0.05)
    orders.append(second)
    catalog.create_table("default.regions", schema=regions.schema).append(regions)
    return {
        "root": root,
        "delta_url": f"delta://{root}/delta",
        "iceberg_url": f"iceberg://{root}/catalog.db?catalog_name=spark_test",
        "between": {"delta": between, "iceberg": iceberg_between},
        "first_snapshot": first_snapshot,
        "catalog": catalog,
    }


def run(con: Any, sql: str, params: Any = None) -> tuple[list, list]:
    cur = con.cursor()
    cur.execute(sql, params)
    rows = cur.fetchall()
    return sorted(rows, key=repr), [(d[0], d[1]) for d in cur.description]


QUERIES = [
    ("SELECT * FROM orders", None),
    ("SELECT id, amount FROM orders WHERE region = ? AND amount > ?", ["eu", 1.0]),
    ("SELECT region, count(*) AS n, sum(amount) AS s, max(day) AS d FROM orders GROUP BY 1", None),
    (
        "SELECT o.id, r.name FROM orders AS o JOIN regions AS r ON o.region = r.region "
        "WHERE o.amount IS NULL OR o.id < 3",
        None,
    ),
    ("WITH big AS (SELECT * FROM orders WHERE amount >= 2.5) SELECT count(*) AS n FROM big", None),
    # DuckDB's '\b' is two characters, Spark's a backspace: the text must mean the same
    ("SELECT 'a\\b' AS s, count(*) AS n FROM orders WHERE region <> 'e\\u'", None),
    ("SELECT max(range) AS m, count(*) AS n FROM range(3) CROSS JOIN orders", None),
    ("SELECT g.generate_series AS v FROM generate_series(1, 7, 3) AS g", None),
    ("SELECT count(*) AS n FROM orders WHERE region = 'x''; DROP TABLE orders; --'", None),
    # floats a literal must spell as DOUBLE: infinity is no column name, NaN no NULL
    (
        "SELECT id, ? AS big FROM orders WHERE amount < ? AND amount <> ?",
        [1e300, float("inf"), float("nan")],
    ),
]


def table_state(lake: dict, fmt: str) -> Any:
    """What a write would change, read through the format's own library."""
    if fmt == "delta":
        from deltalake import DeltaTable

        table = DeltaTable(lake["root"] / "delta" / "orders")
        return table.version(), len(table.history()), table.to_pyarrow_table().num_rows
    table = lake["catalog"].load_table("default.orders")
    return len(table.snapshots()), table.scan().to_arrow().num_rows


WRITES = [
    "INSERT INTO orders VALUES (9, 'eu', 1.0, DATE '2024-01-01')",
    "DELETE FROM orders",
    "UPDATE orders SET amount = 0",
    "CREATE TABLE copy AS SELECT * FROM orders",
    "DROP TABLE orders",
    "SELECT 1; DROP TABLE orders",
    "SELECT reflect('java.lang.Thread', 'sleep', 1) FROM orders",
    "SELECT java_method('java.lang.System', 'exit', 0) AS x FROM orders",
    "SELECT some_catalog_udf(id) FROM orders",
    "SELECT input_file_name() FROM orders",
    "SELECT * FROM read_parquet('/etc/passwd')",
    "SELECT * FROM default.orders, spark_catalog.default.t",
]


CONFORMANCE = [
    test_arrow_methods,
    test_bad_read_only_value_is_refused,
    test_description_and_fetch_methods,
    test_errors_are_mapped,
    test_fetch_without_result_is_a_programming_error,
    test_guard_cannot_be_lifted_through_connection_options,
    test_iteration_and_fetchall,
    test_module_globals,
    test_read_only_by_default,
    test_read_only_false_is_explicit_and_warns,
    test_top_level_connect_by_url,
    test_use_after_close_raises_interface_error,
]  # not test_server_down (appends a path to the URL: test_unreachable_server_fails_fast)
