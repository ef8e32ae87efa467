"""Describe (statement) gives the row description without running the client's statement.

Observed on the source: PostgreSQL counts every sequential scan of a table
(``pg_stat_user_tables.seq_scan``). Describing a prepared query must leave the count alone;
executing it must raise it by one (which shows the counter would catch a run).
"""

from __future__ import annotations

import time

import psycopg
from psycopg import pq

from tests.integration.gateway.conftest import GatewayInfo
from tests.servers import postgres
from tests.servers.base import ServerInfo

PROBE = "describe_probe"


def _seq_scans(info: ServerInfo) -> int:
    with postgres.connect(info, admin=True) as admin:
        admin.execute("SELECT pg_stat_clear_snapshot()")
        row = admin.execute(
            "SELECT seq_scan FROM pg_stat_user_tables WHERE relname = %s", [PROBE]
        ).fetchone()
        return int(row[0]) if row else 0


def _wait_for_scans(info: ServerInfo, more_than: int, timeout: float = 15) -> int:
    """The backend flushes its statistics within about a second of going idle."""
    deadline = time.monotonic() + timeout
    while (count := _seq_scans(info)) <= more_than and time.monotonic() < deadline:
        time.sleep(0.2)
    return count


def test_describe_statement_does_not_run_it(
    gateway: GatewayInfo, seeded_postgres: ServerInfo
) -> None:
    with postgres.connect(seeded_postgres, admin=True) as admin:  # in the seeded database
        for statement in (
            f"DROP TABLE IF EXISTS {PROBE}",
            f"CREATE TABLE {PROBE} (id integer, label text, amount numeric(10, 2))",
            f"INSERT INTO {PROBE} VALUES (1, 'one', 1.50), (2, 'two', 2.50)",
            f"GRANT SELECT ON {PROBE} TO {seeded_postgres.user}",
        ):
            admin.execute(statement)
    before = _seq_scans(seeded_postgres)
    with psycopg.connect(gateway.dsn("pg"), autocommit=True) as conn:
        pgconn = conn.pgconn
        sql = (
            f"SELECT id, label, amount, id * 2 AS doubled FROM {PROBE} "
            "WHERE label <> coalesce($1, '')"
        ).encode()
        assert pgconn.prepare(b"probe", sql).status == pq.ExecStatus.COMMAND_OK
        described = pgconn.describe_prepared(b"probe")  # Parse + Describe('S') + Sync
        assert described.status == pq.ExecStatus.COMMAND_OK, described.error_message
        names = [described.fname(i) for i in range(described.nfields)]
        assert names == [b"id", b"label", b"amount", b"doubled"]
        assert [described.ftype(i) for i in range(4)] == [23, 25, 1700, 23]
        assert described.nparams == 1
        # a write is described as NoData, without reaching the source
        assert pgconn.prepare(b"write", f"DELETE FROM {PROBE}".encode()).status == (
            pq.ExecStatus.COMMAND_OK
        )
        assert pgconn.describe_prepared(b"write").nfields == 0
        time.sleep(1.5)  # let a scan, had there been one, reach the statistics
        assert _seq_scans(seeded_postgres) == before
        # executing it scans the table once: the counter does see runs
        result = pgconn.exec_prepared(b"probe", [b"none"])
        assert result.status == pq.ExecStatus.TUPLES_OK and result.ntuples == 2
    assert _wait_for_scans(seeded_postgres, before) == before + 1
    with postgres.connect(seeded_postgres) as admin:  # the write never ran
        assert admin.execute(f"SELECT count(*) FROM {PROBE}").fetchone() == (2,)


HOSTILE = "describe_hostile"


def test_describe_never_runs_explain_analyze_or_a_write(
    gateway: GatewayInfo, seeded_postgres: ServerInfo
) -> None:
    """``EXPLAIN ANALYSE`` (either spelling, after a comment, in the option list) executes its
    statement: Describe must answer without it. A data-modifying CTE is refused."""
    with postgres.connect(seeded_postgres, admin=True) as admin:
        for statement in (
            f"DROP TABLE IF EXISTS {HOSTILE}",
            f"CREATE TABLE {HOSTILE} (id integer)",
            f"INSERT INTO {HOSTILE} VALUES (1), (2)",
            f"GRANT SELECT ON {HOSTILE} TO {seeded_postgres.user}",
        ):
            admin.execute(statement)
    before = _seq_scans_of(seeded_postgres, HOSTILE)
    with psycopg.connect(gateway.dsn("pg"), autocommit=True) as conn:
        pgconn = conn.pgconn
        for i, sql in enumerate(
            [
                f"EXPLAIN ANALYSE SELECT * FROM {HOSTILE}",
                f"EXPLAIN (ANALYSE) SELECT * FROM {HOSTILE}",
                f"EXPLAIN /* plan */ ANALYZE SELECT * FROM {HOSTILE}",
                f"EXPLAIN VERBOSE ANALYZE SELECT * FROM {HOSTILE}",
                f"explain (format json, analyse on) select * from {HOSTILE}",
            ]
        ):
            name = f"x{i}".encode()
            assert pgconn.prepare(name, sql.encode()).status == pq.ExecStatus.COMMAND_OK
            assert pgconn.describe_prepared(name).nfields == 0, sql
        cte = f"WITH gone AS (DELETE FROM {HOSTILE} RETURNING id) SELECT * FROM gone".encode()
        pgconn.prepare(b"cte", cte)
        described = pgconn.describe_prepared(b"cte")
        assert described.status != pq.ExecStatus.COMMAND_OK or described.nfields == 0
        time.sleep(1.5)  # let a scan, had there been one, reach the statistics
    assert _seq_scans_of(seeded_postgres, HOSTILE) == before
    with postgres.connect(seeded_postgres, admin=True) as admin:
        assert admin.execute(f"SELECT count(*) FROM {HOSTILE}").fetchone() == (2,)


def _seq_scans_of(info: ServerInfo, table: str) -> int:
    with postgres.connect(info, admin=True) as admin:
        admin.execute("SELECT pg_stat_clear_snapshot()")
        row = admin.execute(
            "SELECT seq_scan FROM pg_stat_user_tables WHERE relname = %s", [table]
        ).fetchone()
        return int(row[0]) if row else 0
