"""``engine=trino``: the lakehouse sources run on a real Trino 476 server (one node).

The Delta and Iceberg tables of :mod:`remote_engines` are queried through ``engine=trino``
and through the embedded DuckDB: the answers must agree row for row and type for type.
Writes are refused by sqlgate's gate with the tables unchanged (read back through their own
libraries), and Trino itself refuses them to the user sqlgate queries as (its access control
lets that user read only). A long query stops on cancel and on ``statement_timeout``.
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

from sqlgate.core.errors import (
    Error,
    InterfaceError,
    NotSupportedError,
    OperationalError,
    ReadOnlyError,
)
from sqlgate.dbapi import delta as delta_driver
from sqlgate.dbapi import file as file_driver
from sqlgate.dbapi import hudi as hudi_driver
from sqlgate.dbapi import iceberg as iceberg_driver
from tests.integration.lakehouse import remote_engines
from tests.integration.lakehouse.remote_engines import (
    CONFORMANCE,
    QUERIES,
    WRITES,
    run,
    table_state,
)
from tests.servers import trino as trino_servers

lake = remote_engines.lake  # the shared lake, one per test module
trino_server = trino_servers.trino_server  # the session's Trino server

#: 5^14 (6e9) rows of a cross join, each tested: hours on one node, only a cancel ends it
ENDLESS = (
    "SELECT count(*) AS n FROM "
    + " CROSS JOIN ".join(f"orders AS o{i}" for i in range(14))
    + " WHERE "
    + " + ".join(f"o{i}.id" for i in range(14))
    + " > 0"
)
#: DuckDB's table functions Trino has no equal of (its UNNEST(SEQUENCE()) names them otherwise)
RANGES = ("range(3)", "generate_series(1, 7, 3)")


def trino_url(url: str, server: Any, **more: Any) -> str:
    sep = "&" if "?" in url else "?"
    extra = "".join(f"&{k}={v}" for k, v in more.items())
    return f"{url}{sep}engine=trino&trino_uri={server.extra['uri']}{extra}"


@pytest.fixture(scope="module", params=["delta", "iceberg"])
def pair(request: pytest.FixtureRequest, lake: dict, trino_server: Any) -> Iterator[tuple]:
    """(format, embedded DuckDB connection, Trino connection) over the same tables."""
    fmt = request.param
    driver = delta_driver if fmt == "delta" else iceberg_driver
    duck = driver.connect(lake[f"{fmt}_url"])
    remote = driver.connect(trino_url(lake[f"{fmt}_url"], trino_server))
    yield fmt, duck, remote
    remote.close()
    duck.close()


@pytest.mark.parametrize(("sql", "params"), QUERIES)
def test_same_answers_as_embedded(pair: tuple, sql: str, params: Any) -> None:
    _fmt, duck, remote = pair
    expected, expected_types = run(duck, sql, params)
    assert expected  # every query has an answer to compare
    if any(f in sql for f in RANGES):
        with pytest.raises(NotSupportedError, match="engine=trino"):
            run(remote, sql, params)
        return
    got, got_types = run(remote, sql, params)
    assert got == expected
    assert got_types == expected_types
    assert remote.session.raw.plan_info[0]["engine"] == "trino"


#: values whose Arrow types Trino's JSON protocol must give back as the embedded engine does
TYPES = [
    "SELECT CAST(1.25 AS DECIMAL(10,2)) AS d, CAST(NULL AS DECIMAL(10,2)) AS n",
    "SELECT TIMESTAMP '2024-01-02 03:04:05.123456' AS ts, TIME '03:04:05.5' AS t",
    "SELECT CAST('2024-01-02 03:04:05.25+00' AS TIMESTAMPTZ) AS tz",
    "SELECT CAST(1.5 AS REAL) AS r, CAST(7 AS TINYINT) AS t, CAST(7 AS SMALLINT) AS s, 7 AS i",
    "SELECT [1, 2, NULL] AS a, TRUE AS t, NULL AS n, DATE '2024-02-29' AS d, 'ünï' AS s",
    "SELECT max(day) AS d, min(amount) AS a, list(id ORDER BY id) AS ids FROM orders",
]


@pytest.mark.parametrize("sql", TYPES)
def test_types_as_embedded(pair: tuple, sql: str) -> None:
    _fmt, duck, remote = pair
    expected = duck.cursor().execute(sql).fetch_arrow_table()
    got = remote.cursor().execute(sql).fetch_arrow_table()
    assert got.schema.types == expected.schema.types
    assert got.to_pylist() == expected.to_pylist()


def test_time_travel(pair: tuple, lake: dict) -> None:
    fmt, duck, remote = pair
    if fmt == "delta":
        old = "SELECT id FROM orders FOR VERSION AS OF 0"
    else:
        old = f"SELECT id FROM orders FOR VERSION AS OF {lake['first_snapshot']}"
    when = lake["between"][fmt].isoformat(sep=" ")
    queries = [old, f"SELECT id, region FROM orders FOR TIMESTAMP AS OF '{when}' WHERE id > 1"]
    for sql in queries:
        expected, _ = run(duck, sql)
        assert run(remote, sql)[0] == expected
        assert [r[0] for r in expected] != [1, 2, 3, 4, 5]  # really the older snapshot
    assert run(remote, old)[0] == [(1,), (2,), (3,)]
    bound = "SELECT id FROM orders FOR TIMESTAMP AS OF ? WHERE id > ?"  # parameters in both
    assert (
        run(remote, bound, [lake["between"][fmt], 1])[0]
        == run(duck, bound, [lake["between"][fmt], 1])[0]
    )
    assert run(remote, bound, [lake["between"][fmt], 1])[0] == [(2,), (3,)]
    assert run(remote, old)[0] == [(1,), (2,), (3,)]
    info = remote.session.raw.plan_info[0]
    assert info["time_travel"] and info["version"] == (
        0 if fmt == "delta" else lake["first_snapshot"]
    )
    assert run(remote, "SELECT count(*) AS n FROM orders")[0] == [(5,)]  # latest again


def test_sqlalchemy_reflection_and_query(lake: dict, trino_server: Any) -> None:
    """The SQLAlchemy dialect on an engine=trino URL: the same reflection, the query on Trino."""
    import sqlalchemy as sa

    ran_on: list[list[str]] = []
    for fmt in ("delta", "iceberg"):
        answers = []
        for url in (lake[f"{fmt}_url"], trino_url(lake[f"{fmt}_url"], trino_server)):
            engine = sa.create_engine(url)
            try:
                inspector = sa.inspect(engine)
                schema = inspector.get_schema_names()[0] if fmt == "iceberg" else None
                tables = sorted(inspector.get_table_names(schema=schema))
                columns = [
                    (c["name"], str(c["type"])) for c in inspector.get_columns("orders", schema)
                ]
                with engine.connect() as con:
                    table = "orders" if schema is None else f"{schema}.orders"
                    rows = con.execute(sa.text(f"SELECT id FROM {table} ORDER BY id")).all()
                    raw = con.connection.dbapi_connection.session.raw  # type: ignore[union-attr]
                    engines = [i.get("engine", "duckdb") for i in raw.plan_info]
                answers.append((tables, columns, [r[0] for r in rows]))
                ran_on.append(engines)
            finally:
                engine.dispose()
        assert ran_on[-2:] == [["duckdb"], ["trino"]]
        assert answers[0] == answers[1]
        assert answers[0][0] == ["orders", "regions"] and answers[0][2] == [1, 2, 3, 4, 5]


def test_commits_after_the_first_read_are_seen(tmp_path: Path, trino_server: Any) -> None:
    """A table written to after Trino first read it: the next statement reads the new
    version on both engines (sqlgate pins the version it resolved; Trino caches nothing
    stale past that pin)."""
    import pyarrow as pa
    from deltalake import write_deltalake
    from pyiceberg.catalog import load_catalog

    rows = pa.table({"id": pa.array([1, 2], pa.int64())})
    write_deltalake(tmp_path / "delta" / "t", rows)
    catalog = load_catalog(
        "fresh", type="sql", uri=f"sqlite:///{tmp_path}/c.db", warehouse=f"file://{tmp_path}/w"
    )
    catalog.create_namespace("default")
    table = catalog.create_table("default.t", schema=rows.schema)
    table.append(rows)
    urls = {
        "delta": f"delta://{tmp_path}/delta",
        "iceberg": f"iceberg://{tmp_path}/c.db?catalog_name=fresh",
    }
    for fmt, url in urls.items():
        driver = delta_driver if fmt == "delta" else iceberg_driver
        with driver.connect(trino_url(url, trino_server)) as remote:
            assert run(remote, "SELECT count(*) AS n FROM t")[0] == [(2,)]
            if fmt == "delta":
                write_deltalake(tmp_path / "delta" / "t", rows, mode="append")
            else:
                table.append(rows)
            assert run(remote, "SELECT count(*) AS n FROM t")[0] == [(4,)]
            assert run(remote, "SELECT sum(id) AS s FROM t")[0] == [(6,)]


def test_banner_names_trino(pair: tuple) -> None:
    _fmt, _duck, remote = pair
    assert remote.session.banner.startswith("Trino 476 at http://")
    assert remote.session.server_version == (476,)


@pytest.mark.parametrize("sql", WRITES)
def test_writes_and_escapes_refused(pair: tuple, lake: dict, sql: str) -> None:
    fmt, _duck, remote = pair
    before = table_state(lake, fmt)
    with pytest.raises(Error) as info:
        remote.cursor().execute(sql)
    assert isinstance(info.value, (ReadOnlyError, NotSupportedError)) or "exist" in str(info.value)
    assert table_state(lake, fmt) == before
    assert run(remote, "SELECT count(*) AS n FROM orders")[0] == [(5,)]  # still usable


@pytest.mark.parametrize(
    "sql",
    [
        "INSERT INTO {t} VALUES (9, 'eu', 1.0, DATE '2024-01-01')",
        "DELETE FROM {t}",
        "UPDATE {t} SET amount = 0",
        "DROP TABLE {t}",
        "CREATE TABLE {t}_copy AS SELECT * FROM {t}",
        "CALL system.unregister_table('sqlgate', '{name}')",
    ],
)
def test_trino_session_cannot_write(pair: tuple, lake: dict, trino_server: Any, sql: str) -> None:
    """Past sqlgate's gate, Trino's own access control refuses the query user any write."""
    fmt, _duck, remote = pair
    run(remote, "SELECT count(*) AS n FROM orders")
    table = remote.session.raw.plan_info[0]["read"]  # catalog.sqlgate.t_<hash>
    before = table_state(lake, fmt)
    text = sql.format(t=table, name=table.rsplit(".", 1)[1])
    with pytest.raises(RuntimeError, match="Access Denied"):
        trino_servers.query(trino_server.extra["uri"], text, user="sqlgate", catalog=fmt)
    assert table_state(lake, fmt) == before
    assert trino_servers.query(
        trino_server.extra["uri"], f"SELECT count(*) FROM {table}", catalog=fmt
    ) == [[5]]


def test_lost_registration_is_made_again(pair: tuple, trino_server: Any) -> None:
    """A server that lost its metastore (restarted afresh): tables are registered again."""
    import shutil

    fmt, _duck, remote = pair
    if "workdir" not in trino_server.extra:
        pytest.skip("needs the fixture's own server (its metastore directory)")
    assert run(remote, "SELECT count(*) AS n FROM orders")[0] == [(5,)]
    name = remote.session.raw.plan_info[0]["read"].rsplit(".", 1)[1]
    entry = Path(trino_server.extra["workdir"]) / "metastore" / fmt / "sqlgate" / name
    assert entry.is_dir()
    shutil.rmtree(entry)
    uri = trino_server.extra["uri"]
    with pytest.raises(RuntimeError, match="does not exist"):
        trino_servers.query(uri, f"SELECT count(*) FROM {name}", catalog=fmt)
    assert run(remote, "SELECT count(*) AS n FROM orders")[0] == [(5,)]
    assert entry.is_dir()


def _endless(con: Any, outcome: dict) -> None:
    started = time.monotonic()
    try:
        con.cursor().execute(ENDLESS).fetchall()
    except Error as exc:
        outcome["error"] = exc
    outcome["seconds"] = time.monotonic() - started


def test_cancel_stops_a_long_query(pair: tuple, trino_server: Any) -> None:
    fmt, _duck, remote = pair
    if fmt != "delta":
        pytest.skip("one format is enough")
    outcome: dict[str, Any] = {}
    thread = threading.Thread(target=_endless, args=(remote, outcome), daemon=True)
    thread.start()
    thread.join(3)  # the query is running on the server by now
    assert thread.is_alive()
    cancelled_at = time.monotonic()
    remote.cursor().cancel()
    thread.join(30)
    assert not thread.is_alive()
    assert time.monotonic() - cancelled_at < 15
    assert isinstance(outcome.get("error"), OperationalError)
    assert run(remote, "SELECT count(*) AS n FROM orders")[0] == [(5,)]
    assert not _running(trino_server)


def _running(server: Any) -> list:
    """The query user's queries Trino still runs."""
    sql = (
        "SELECT query_id FROM system.runtime.queries WHERE source = 'sqlgate' "
        "AND state NOT IN ('FINISHED', 'FAILED') AND query NOT LIKE '%system.runtime%'"
    )
    return trino_servers.query(server.extra["uri"], sql, catalog="system")


def test_closed_result_stops_the_query(pair: tuple, trino_server: Any) -> None:
    _fmt, _duck, remote = pair
    cur = remote.cursor()
    cur.execute("SELECT o.id, r.name FROM orders AS o CROSS JOIN regions AS r")
    assert len(cur.fetchmany(2)) == 2
    cur.close()
    deadline = time.monotonic() + 10
    while _running(trino_server) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _running(trino_server)


def test_statement_timeout(lake: dict, trino_server: Any) -> None:
    url = trino_url(lake["delta_url"], trino_server, statement_timeout=2)
    with delta_driver.connect(url) as con:
        outcome: dict[str, Any] = {}
        _endless(con, outcome)
        assert isinstance(outcome.get("error"), OperationalError)
        assert "statement_timeout" in str(outcome["error"])
        assert outcome["seconds"] < 30


def test_engine_choice_is_checked(tmp_path: Path, trino_server: Any) -> None:
    """Refused at connect: no address, another engine's option, a format Trino is not given."""
    with pytest.raises(InterfaceError, match="trino_uri"):
        delta_driver.connect(f"delta://{tmp_path}?engine=trino")
    with pytest.raises(InterfaceError, match="trino_uri= needs engine=trino"):
        delta_driver.connect(f"delta://{tmp_path}?engine=spark&trino_uri=http://127.0.0.1:1")
    with pytest.raises(InterfaceError, match="trino_user= needs engine=trino"):
        delta_driver.connect(f"delta://{tmp_path}?trino_user=x")
    refusals = {  # no header smuggled in, no name that is not one
        "a%0D%0AX-Trino-User:%20admin": "control character",
        "%20admin": "trino_user= must be a user name",
        "ad%20min%09": "control character",
    }
    for user, refusal in refusals.items():
        with pytest.raises(InterfaceError, match=refusal):
            delta_driver.connect(
                f"delta://{tmp_path}?engine=trino&trino_uri=http://127.0.0.1:1&trino_user={user}"
            )
    with pytest.raises(NotSupportedError, match="Delta and Iceberg"):
        hudi_driver.connect(trino_url(f"hudi://{tmp_path}", trino_server))
    (tmp_path / "t.csv").write_text("a,b\n1,x\n")
    with pytest.raises(NotSupportedError, match="Delta and Iceberg"):
        file_driver.connect(trino_url(f"file://{tmp_path}?format=csv", trino_server))


def test_unreachable_server_fails_fast(tmp_path: Path) -> None:
    from tests.servers.base import free_port

    uri = f"http://someone:SECRET-PW@127.0.0.1:{free_port()}"
    started = time.monotonic()
    with pytest.raises(OperationalError, match="trino_uri") as info:
        delta_driver.connect(f"delta://{tmp_path}?engine=trino&trino_uri={uri}")
    assert time.monotonic() - started < 30
    assert "cannot reach the Trino server" in str(info.value)
    assert "SECRET" not in str(info.value) and "SECRET" not in str(info.value.__cause__)


# -- the PEP 249 conformance suite, its lakehouse sources on engine=trino ---------------------
globals().update({test.__name__: test for test in CONFORMANCE})  # collected here, on Trino


@pytest.fixture(params=["delta", "iceberg"])
def driver(request: pytest.FixtureRequest, seeded_lakehouse: dict, trino_server: Any) -> Any:
    """The conformance suite's ``driver``, pointed at the seeded tables through Trino."""
    import importlib

    from sqlgate.core.registry import get_source
    from tests.conftest import Driver

    spec = get_source(request.param)
    module = importlib.import_module(spec.dbapi_module)
    url = trino_url(seeded_lakehouse[request.param], trino_server)
    return Driver(spec, module, lakehouse_url=url)


def _queries_sent(server: Any) -> dict[str, tuple[str, str | None]]:
    """Every query sqlgate sent to Trino: id -> (state, error code)."""
    sql = "SELECT query_id, state, error_code FROM system.runtime.queries WHERE source = 'sqlgate'"
    rows = trino_servers.query(server.extra["uri"], sql, catalog="system")
    return {row[0]: (row[1], row[2]) for row in rows}


def _outcome(con: Any, sql: str) -> list | None:
    """The rows, or None when sqlgate refused the statement."""
    try:
        return con.cursor().execute(sql).fetchall()
    except Error:
        return None


def test_readonly_corpora_refused_before_trino(pair: tuple, lake: dict, trino_server: Any) -> None:
    """Every statement of every ``readonly_*`` corpus is refused by sqlgate before Trino is
    asked, except the few that are plain reads in the lakehouse dialect (another engine's
    comment or quoting tricks, inert here): those the embedded engine admits too, and they
    answer the same; and a few calls of functions sqlglot knows but Trino has not (Snowflake's
    ``TO_FILE``, Databricks' ``SECRET``), which Trino refuses as unknown. The tables are
    unchanged."""
    from tests.corpus import corpus_names, load_corpus

    fmt, duck, remote = pair
    before, sent = table_state(lake, fmt), _queries_sent(trino_server)
    names = [name for name in corpus_names() if name.startswith("readonly_")]
    cases = [case for name in names for case in load_corpus(name)]
    assert len(cases) > 500
    admitted = {}
    for case in cases:
        rows = _outcome(remote, case.sql)
        if rows is not None:
            admitted[case.id] = rows
    assert len(admitted) < 10  # the inert ones: comments and quoted text
    for case in cases:
        if case.id in admitted:
            assert _outcome(duck, case.sql) == admitted[case.id]
    reached = [v for k, v in _queries_sent(trino_server).items() if k not in sent]
    assert reached.count(("FINISHED", None)) == len(admitted)
    refused_by_trino = {code for state, code in reached if state != "FINISHED"}
    assert refused_by_trino <= {"FUNCTION_NOT_FOUND", "SYNTAX_ERROR"}
    assert table_state(lake, fmt) == before
