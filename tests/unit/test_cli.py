"""The sqlgate command: sources, query, check; errors exit 2 with a clean message."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from sqlgate.cli import main


@pytest.fixture
def parquet_root(tmp_path: Path) -> str:
    (tmp_path / "t").mkdir()
    pq.write_table(pa.table({"id": [1, 2], "name": ["a", "中"]}), tmp_path / "t" / "p.parquet")
    return f"file://{tmp_path}"


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(argv), out=out)
    return code, out.getvalue()


def test_sources_lists_every_registered_source() -> None:
    from sqlgate.core.registry import all_sources

    code, text = run("sources")
    assert code == 0
    for spec in all_sources():
        assert f"{spec.scheme}://" in text


def test_query_formats(parquet_root: str, tmp_path: Path) -> None:
    code, text = run("query", parquet_root, "SELECT id, name FROM t ORDER BY id")
    assert code == 0 and "中" in text and text.splitlines()[1].startswith("--")
    code, text = run("query", parquet_root, "SELECT id FROM t ORDER BY id", "--format", "csv")
    assert text.split() == ["id", "1", "2"]
    code, text = run("query", parquet_root, "SELECT id FROM t ORDER BY id", "--format", "json")
    assert [json.loads(line) for line in text.splitlines()] == [{"id": 1}, {"id": 2}]
    target = tmp_path / "out.parquet"
    code, _ = run(
        "query", parquet_root, "SELECT * FROM t", "--format", "parquet", "--output", str(target)
    )
    assert code == 0 and pq.read_table(target).num_rows == 2


def test_query_refuses_writes(parquet_root: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _ = run("query", parquet_root, "DROP TABLE t")
    assert code == 2
    assert "ReadOnlyError" in capsys.readouterr().err


def test_check_reports_both_layers(parquet_root: str) -> None:
    code, text = run("check", parquet_root)
    assert code == 0
    assert "statement gate: active" in text
    assert "server read-only guard: none on this engine" in text


def test_bad_url_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("query", "nosuch://x/y", "SELECT 1")[0] == 2
    assert "unknown sqlgate source" in capsys.readouterr().err


def test_console_script_runs() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "sqlgate.cli", "sources"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0 and "iceberg://" in done.stdout


def test_vault_through_the_main_cli(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``sqlgate vault`` used to crash with AttributeError (the handler was never found)."""
    monkeypatch.setenv("SQLGATE_VAULT", str(tmp_path / "v.json"))
    code, text = run("vault", "list")
    assert code == 0 and "(vault is empty)" in text
    assert run("vault")[0] == 2
    assert "choose a command" in capsys.readouterr().err
    (tmp_path / "v.json").write_text('{"entries": {"a": "not an object"}}')
    assert run("vault", "list")[0] == 2
    assert "the vault file is not valid" in capsys.readouterr().err


def test_table_aligns_wide_characters(tmp_path: Path) -> None:
    from wcwidth import wcswidth

    (tmp_path / "w").mkdir()
    names = ["张伟", "a", "γάμμα 中文", "東京タワー"]
    pq.write_table(pa.table({"name": names, "n": [1, 2, 3, 4]}), tmp_path / "w" / "p.parquet")
    code, text = run("query", f"file://{tmp_path}", "SELECT name, n FROM w ORDER BY n")
    assert code == 0
    lines = text.splitlines()
    # the second column starts at the same display column on every line
    starts = {wcswidth(line[: line.rstrip().rfind(" ") + 1]) for line in lines[2:]}
    assert len(starts) == 1, lines
    assert wcswidth(lines[1].split("  ")[0]) == max(wcswidth(n) for n in names)


def test_json_output_is_real_utf8(parquet_root: str) -> None:
    code, text = run("query", parquet_root, "SELECT name FROM t WHERE id = 2", "--format", "json")
    assert code == 0
    assert '"中"' in text and "\\u" not in text


def test_check_prints_the_engine_version_of_a_lake(parquet_root: str) -> None:
    code, text = run("check", parquet_root)
    assert code == 0
    assert "unknown" not in text.splitlines()[1] and "DuckDB" in text
