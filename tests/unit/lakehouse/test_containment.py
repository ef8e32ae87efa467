"""The lake's boundaries on their own: jails (local by real path, object stores by
bucket/prefix), the reader-option allow-list, and the DuckDB-derived function deny-list."""

from __future__ import annotations

import os

import pytest

pytest.importorskip("duckdb")

from sqlgate.core.errors import InterfaceError, ProgrammingError
from sqlgate.lakehouse.containment import Jail, OutsideLakeError
from sqlgate.lakehouse.guard import _denied
from sqlgate.lakehouse.reader_options import parse_options, pop_reader_options, render


def test_object_store_prefix_is_a_boundary_not_a_string_prefix():
    jail = Jail.of("s3://lake/delta")
    assert jail.allows("s3://lake/delta/t/part-0.parquet")
    assert jail.allows("s3a://lake/delta/t/part-0.parquet")
    for uri in (
        "s3://lake/delta-private/x.parquet",
        "s3://lake/elsewhere/x",
        "s3://other/x",
        "gs://lake/delta/x",
        "file:///etc/passwd",
        "/etc/passwd",
        "s3:/lake/delta/x",
        "s3://lake/delta/../elsewhere/x",
        "http://lake/delta/x",
        "s3:///delta/x",
    ):
        assert not jail.allows(uri), uri
        with pytest.raises(ProgrammingError, match=r"main\.t refers to .*outside the lake"):
            jail.check(uri, "main.t")
    azure = Jail.of("az://container/lake")
    assert azure.allows("abfss://container@acct.dfs.core.windows.net/lake/t/x.parquet")
    assert not azure.allows("abfss://other@acct.dfs.core.windows.net/lake/t/x.parquet")


def test_local_jail_compares_real_paths(tmp_path):
    root, out = tmp_path / "lake", tmp_path / "out"
    (root / "t").mkdir(parents=True)
    out.mkdir()
    (out / "f").write_text("x")
    (root / "t" / "ok").write_text("x")
    jail = Jail.of(str(root))
    assert jail.allows(str(root / "t" / "ok")) and jail.allows(f"file://{root}/t/ok")
    assert not jail.allows(str(root / "t" / ".." / ".." / "out" / "f"))
    assert not jail.allows(f"{root}-sibling/x")
    (root / "t" / "link").symlink_to(out / "f")
    assert not jail.allows(str(root / "t" / "link"))
    with pytest.raises(OutsideLakeError) as err:
        jail.check_tree(str(root / "t"), "main.t")
    assert err.value.table == "main.t" and err.value.uri.endswith("link")
    (root / "t" / "link").unlink()
    (root / "t" / "loop").symlink_to(root / "t")  # a cycle inside the root ends
    jail.check_tree(str(root / "t"), "main.t")
    assert jail.duckdb_directories() == [os.path.realpath(root) + "/"]
    assert Jail.from_json(jail.to_json()) == jail


def test_reader_options_are_allow_listed_and_typed():
    options = {
        "csv_delim": ";",
        "csv_header": "true",
        "csv_skip": "2",
        "json_format": "array",
        "other": 1,
    }
    raw = pop_reader_options(options)
    assert options == {"other": 1}
    csv = parse_options("csv", raw["csv"])
    assert csv == {"delim": ";", "header": True, "skip": 2}
    assert render("csv", csv) == ", delim=';', header=true, skip=2"
    assert render("json", parse_options("json", raw["json"])) == ", format='array'"
    assert render("csv", parse_options("csv", {"nullstr": "a'b"})) == ", nullstr='a''b'"
    for name, value in (
        ("files", "x"),
        ("delim", "toolong"),
        ("header", "maybe"),
        ("skip", "-1"),
        ("encoding", "ebcdic"),
        ("delim", "\x00"),
    ):
        with pytest.raises(InterfaceError, match=f"csv_{name}"):
            parse_options("csv", {name: value})
    with pytest.raises(InterfaceError):
        render("csv", {"files": "x"})  # a DuckDB name not on the allow-list


def test_functions_that_read_the_engine_are_denied():
    for name in (
        "current_setting",
        "getenv",
        "pg_get_viewdef",
        "pg_get_constraintdef",
        "get_block_size",
        "format_type",
        "duckdb_settings",
        "read_text",
        "glob",
        "query",
        "json_execute_serialized_sql",
        "sleep_ms",
        "current_query",
    ):
        assert _denied(name), name
    for name in ("lower", "sum", "unnest", "range", "list_sum", "pg_typeof", "current_date"):
        assert not _denied(name), name
