"""``COPY ... TO STDOUT`` through the gateway: psql's ``\\copy`` and psycopg's ``copy()``; every
other COPY refused before it runs."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
from pathlib import Path

import psycopg
import pytest

from tests.conftest import SEED_ROWS
from tests.integration.gateway.conftest import PASSWORD, GatewayInfo
from tests.servers import postgres
from tests.servers.base import HOST, ServerInfo

PSQL = shutil.which("psql")


def psql(gateway: GatewayInfo, database: str, command: str) -> subprocess.CompletedProcess[str]:
    assert PSQL is not None
    return subprocess.run(
        [PSQL, "-X", "-h", HOST, "-p", str(gateway.port), "-U", "alice", "-d", database,
         "-v", "ON_ERROR_STOP=1", "-c", command],
        capture_output=True, text=True, timeout=60, check=False,
        env={**os.environ, "PGPASSWORD": PASSWORD, "PGCONNECT_TIMEOUT": "10"},
    )  # fmt: skip


def _seed_text(value: object) -> str:
    return "" if value is None else str(value)


@pytest.mark.skipif(PSQL is None, reason="psql (Debian postgresql-client) missing")
@pytest.mark.parametrize("database", ["lake", "pg"])
def test_psql_copy_query_to_csv_file(gateway: GatewayInfo, database: str, tmp_path: Path) -> None:
    out = tmp_path / "items.csv"
    result = psql(
        gateway,
        database,
        f"\\copy (SELECT id, name, amount FROM items ORDER BY id) TO '{out}' "
        "WITH (FORMAT csv, HEADER)",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "COPY 4"
    with out.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["id", "name", "amount"]
    assert rows[1:] == [[str(r[0]), _seed_text(r[1]), _seed_text(r[2])] for r in SEED_ROWS]


@pytest.mark.skipif(PSQL is None, reason="psql (Debian postgresql-client) missing")
def test_psql_copy_table_to_text_file(gateway: GatewayInfo, tmp_path: Path) -> None:
    out = tmp_path / "items.txt"
    result = psql(gateway, "lake", f"\\copy items (id, name) TO '{out}'")
    assert result.returncode == 0, result.stderr
    lines = sorted(out.read_text(encoding="utf-8").splitlines())
    null = "\\N"
    expected = sorted(f"{r[0]}\t{null if r[1] is None else r[1]}" for r in SEED_ROWS)
    assert lines == expected


def test_psycopg_copy_escapes_and_nulls(gateway: GatewayInfo) -> None:
    tricky = "tab\there\nnew line \\ backslash"
    with psycopg.connect(gateway.dsn("lake"), autocommit=True) as conn, conn.cursor() as cur:
        query = (
            "SELECT 1 AS n, 'tab' || chr(9) || 'here' || chr(10) || 'new line \\ backslash' "
            "AS t, NULL::VARCHAR AS empty"
        )
        with cur.copy(f"COPY ({query}) TO STDOUT") as copy:
            rows = list(copy.rows())
        assert rows == [("1", tricky, None)]
        with cur.copy(f"COPY ({query}) TO STDOUT (FORMAT csv)") as copy:
            raw = b"".join(bytes(chunk) for chunk in copy)
        assert list(csv.reader(raw.decode().splitlines(keepends=True))) == [["1", tricky, ""]]
        # the COPY was one statement: the session goes on
        assert conn.execute("SELECT count(*) FROM items").fetchone() == (4,)


def test_copy_from_and_copy_to_file_are_refused(gateway: GatewayInfo, tmp_path: Path) -> None:
    target = tmp_path / "server-side.csv"
    with psycopg.connect(gateway.dsn("pg"), autocommit=True) as conn:
        with (
            pytest.raises(psycopg.Error) as refused,
            conn.cursor().copy("COPY items FROM STDIN") as copy,
        ):
            copy.write_row((9, "x", None, None))
        assert refused.value.sqlstate == "25006"
        with pytest.raises(psycopg.Error) as to_file:
            conn.execute(f"COPY items TO '{target}'")
        assert to_file.value.sqlstate == "42501"
        assert "STDOUT" in str(to_file.value)
        with pytest.raises(psycopg.Error) as program:
            conn.execute("COPY (SELECT 1) TO PROGRAM 'touch /tmp/sqlgate-never'")
        assert program.value.sqlstate == "42501"
        assert conn.execute("SELECT count(*) FROM items").fetchone() == (4,)  # still serving
    assert not target.exists() and not Path("/tmp/sqlgate-never").exists()


def _pg_items(info: ServerInfo) -> list[tuple[object, ...]]:
    with postgres.connect(info, admin=True) as admin:
        return admin.execute("SELECT * FROM items ORDER BY id").fetchall()


@pytest.mark.parametrize(
    "tail",
    ["; DELETE FROM items", "; COPY items TO '{target}'", " (FORMAT csv) ; DROP TABLE items"],
)
def test_copy_hiding_a_second_statement_is_refused(
    gateway: GatewayInfo, seeded_postgres: ServerInfo, tmp_path: Path, tail: str
) -> None:
    """Before, the text after the target was skipped and the first query streamed: now the
    whole COPY is refused, no row comes out, and the source is unchanged."""
    target = tmp_path / "second.csv"
    before = _pg_items(seeded_postgres)
    with psycopg.connect(gateway.dsn("pg"), autocommit=True) as conn:
        sql = "COPY (SELECT id FROM items) TO STDOUT" + tail.format(target=target)
        rows: list[object] = []
        with (
            pytest.raises(psycopg.Error, match="COPY option text not understood"),
            conn.cursor().copy(sql) as copy,
        ):
            rows.extend(copy.rows())
        assert rows == []
        assert conn.execute("SELECT count(*) FROM items").fetchone() == (4,)  # still serving
    assert _pg_items(seeded_postgres) == before
    assert not target.exists()


@pytest.mark.parametrize(
    "sql",
    [
        "COPY (SELECT * FROM read_text('/etc/hostname')) TO STDOUT",
        'COPY "/etc/hostname" TO STDOUT',
        "COPY (COPY items TO '{target}') TO STDOUT",
        "COPY (SELECT 1) TO STDOUT WITH (FORMAT csv) FROM STDIN",
    ],
)
def test_copy_inner_query_passes_the_gate(gateway: GatewayInfo, tmp_path: Path, sql: str) -> None:
    """The lakehouse source is DuckDB on the gateway's host: a COPY's query must not read
    the host's files nor write one; nothing comes out."""
    target = tmp_path / "inner.csv"
    with psycopg.connect(gateway.dsn("lake"), autocommit=True) as conn:
        rows: list[object] = []
        with (
            pytest.raises(psycopg.Error) as info,
            conn.cursor().copy(sql.format(target=target)) as copy,
        ):
            rows.extend(copy.rows())
        assert info.value.sqlstate == "25006"  # read_only_sql_transaction: the gate refused
        assert rows == []
    assert not target.exists()
