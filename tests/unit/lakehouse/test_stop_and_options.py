"""What Superset needs of the lakehouse: Stop from another thread (directly and through the
cancel-id registry Superset's spec uses), statement_timeout, a missing root failing at connect,
the schema option, and the embedded Iceberg catalog read without SQLAlchemy."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

pytest.importorskip("duckdb")

from sqlgate.core.errors import OperationalError, ProgrammingError
from sqlgate.superset import cancel as registry
from sqlgate.superset.common import clean_message

SLOW = "SELECT count(*) FROM t a, t b, t c"  # 27e9 rows: minutes unless stopped


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from deltalake import write_deltalake

    root = tmp_path_factory.mktemp("lake")
    (root / "t").mkdir()
    pq.write_table(pa.table({"x": list(range(3000))}), root / "t" / "p.parquet")
    write_deltalake(str(root / "delta" / "t"), pa.table({"x": list(range(3000))}))
    return root


def _stopped_within(cursor, stop, seconds: float = 2.0) -> str:
    timer = threading.Timer(0.5, stop)
    timer.start()
    started = time.monotonic()
    with pytest.raises(OperationalError) as info:
        cursor.execute(SLOW)
        cursor.fetchall()
    elapsed = time.monotonic() - started - 0.5
    timer.join()
    assert elapsed < seconds, f"stopped after {elapsed:.1f}s"
    return str(info.value)


@pytest.mark.parametrize("kind", ["file", "delta"])
def test_cursor_cancel_from_another_thread(lake: Path, kind: str) -> None:
    from sqlgate.core.connect import connect

    url = f"file://{lake}" if kind == "file" else f"delta://{lake / 'delta'}"
    with connect(url) as conn:
        cursor = conn.cursor()
        assert "user request" in _stopped_within(cursor, conn.cursor().cancel)
        # the connection stays usable and the next statement is not cancelled
        assert cursor.execute("SELECT count(*) FROM t").fetchall() == [(3000,)]


def test_stop_through_the_superset_cancel_registry(lake: Path) -> None:
    from sqlgate.core.connect import connect

    with connect(f"file://{lake}") as conn:
        cursor = conn.cursor()
        token = registry.register(cursor)
        assert token.startswith(f"sqlgate:{os.getpid()}:")
        results: list[bool] = []
        _stopped_within(cursor, lambda: results.append(registry.cancel(token)))
        assert results == [True]
    other_process = token.replace(f":{os.getpid()}:", f":{os.getpid() + 1}:")
    assert registry.cancel(other_process) is False
    assert registry.cancel("sqlgate:1:nosuchtoken") is False
    assert registry.cancel("12345") is False  # e.g. a PostgreSQL pid stored by another spec


def test_statement_timeout(lake: Path) -> None:
    from sqlgate.core.connect import connect

    with connect(f"file://{lake}?statement_timeout=1") as conn:
        message = _stopped_within(conn.cursor(), lambda: None, seconds=1.5)
        assert "statement_timeout=1s" in message
        assert conn.cursor().execute("SELECT count(*) FROM t").fetchall() == [(3000,)]


@pytest.mark.parametrize("scheme", ["delta", "hudi", "file"])
def test_missing_root_fails_at_connect(scheme: str, tmp_path: Path) -> None:
    from sqlgate.core.connect import connect

    missing = tmp_path / "no" / "such" / "dir"
    with pytest.raises(OperationalError, match=str(missing)):
        connect(f"{scheme}://{missing}")


def test_schema_option(lake: Path) -> None:
    from sqlgate.core.connect import connect

    with connect(f"file://{lake}?schema=main") as conn:
        assert conn.cursor().execute("SELECT count(*) FROM t").fetchall() == [(3000,)]
    with pytest.raises(ProgrammingError, match=r"'nope' does not exist.*main"):
        connect(f"file://{lake}?schema=nope")


def test_check_reports_engine_and_format_versions(lake: Path) -> None:
    import deltalake
    import duckdb

    from sqlgate.core.connect import connect

    with connect(f"delta://{lake / 'delta'}") as conn:
        assert f"DuckDB {duckdb.__version__}" in conn.session.banner
        assert f"deltalake {deltalake.__version__}" in conn.session.banner
        assert conn.session.server_version[0] == int(duckdb.__version__.split(".")[0])


ICEBERG = """
import sys
sys.modules["pyiceberg.catalog.sql"] = None  # pyiceberg's SqlCatalog (SQLAlchemy 2) unusable
from sqlgate.core.connect import connect
with connect(sys.argv[1] + "?schema=sales") as conn:
    cur = conn.cursor()
    print(cur.execute("SELECT sum(x) FROM orders").fetchall())
    print(conn.session.engine.list_schemas())
"""


def test_embedded_iceberg_catalog_needs_no_pyiceberg_sql_catalog(tmp_path: Path) -> None:
    pytest.importorskip("pyiceberg.catalog.sql")
    from pyiceberg.catalog.sql import SqlCatalog

    catalog = SqlCatalog(
        "default", uri=f"sqlite:///{tmp_path}/catalog.db", warehouse=f"file://{tmp_path}/warehouse"
    )
    for ns, total in (("sales", 6), ("other", 60)):
        catalog.create_namespace(ns)
        table = catalog.create_table(f"{ns}.orders", schema=pa.schema([("x", pa.int64())]))
        table.append(pa.table({"x": pa.array([1, 2, 3], pa.int64())}))
        table.append(pa.table({"x": pa.array([total - 6], pa.int64())}))
    catalog.engine.dispose()
    done = subprocess.run(
        [sys.executable, "-c", ICEBERG, f"iceberg://{tmp_path}/catalog.db"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "[(Decimal('6'),)]",
        "['other', 'sales']",
    ] or done.stdout.splitlines() == ["[(6,)]", "['other', 'sales']"]


def test_missing_iceberg_catalog_file_fails_at_connect(tmp_path: Path) -> None:
    from sqlgate.core.connect import connect

    with pytest.raises(Exception, match=r"catalog\.db does not exist"):
        connect(f"iceberg://{tmp_path}/catalog.db")
    assert not (tmp_path / "catalog.db").exists()  # never created by looking


def test_clean_message_drops_sqlalchemy_wrapping() -> None:
    from sqlalchemy.exc import ProgrammingError as SAProgrammingError

    inner = ProgrammingError("Catalog Error: Table with name nope does not exist!")
    wrapped = SAProgrammingError("SELECT * FROM nope", None, inner)
    assert clean_message(wrapped) == "Catalog Error: Table with name nope does not exist!"
    assert clean_message(inner) == str(inner)
