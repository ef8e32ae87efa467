"""File and directory names holding DuckDB's glob characters (``*``, ``?``, ``[``), spaces,
percent signs and non-ASCII text.

DuckDB expands those characters in every path it is handed, so a planned file named
``k=a*b/f.parquet`` would also read ``k=axb/f.parquet``, and a table directory ``s[1]`` would
read ``s1``'s files: silently wrong answers. Each table here has a decoy beside it that only a
glob would reach; the expected answers are the rows written, compared exactly.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

import sqlgate


def _rows(url: str, sql: str) -> list[tuple]:
    with sqlgate.connect(url) as conn:
        cur = conn.cursor()
        cur.execute(sql)
        return sorted(cur.fetchall())


def test_partition_directory_with_glob_characters(tmp_path: Path) -> None:
    for part, value in (("k=a*b", 1), ("k=axb", 2), ("k=q?z", 3), ("k=qqz", 4), ("k=r[1]", 5)):
        (tmp_path / "t" / part).mkdir(parents=True)
        pq.write_table(pa.table({"v": [value]}), tmp_path / "t" / part / "f.parquet")
    (tmp_path / "t" / "k=r1").mkdir()
    pq.write_table(pa.table({"v": [6]}), tmp_path / "t" / "k=r1" / "f.parquet")

    url = f"file://{tmp_path}"
    assert _rows(url, "SELECT k, v FROM t") == [
        ("a*b", 1), ("axb", 2), ("q?z", 3), ("qqz", 4), ("r1", 6), ("r[1]", 5),
    ]  # fmt: skip
    assert _rows(url, "SELECT count(*) FROM t WHERE k = 'a*b'") == [(1,)]
    assert _rows(url, "SELECT v FROM t WHERE k IN ('q?z', 'r[1]')") == [(3,), (5,)]


def test_csv_table_directory_with_glob_characters(tmp_path: Path) -> None:
    for name, value in (("s[1]", 1), ("s1", 2)):
        (tmp_path / name).mkdir()
        (tmp_path / name / "part.csv").write_text(f"id,v\n{value},{value * 10}\n")

    url = f"file://{tmp_path}?format=csv"
    assert _rows(url, 'SELECT id, v FROM "s[1]"') == [(1, 10)]
    assert _rows(url, "SELECT id, v FROM s1") == [(2, 20)]


def test_delta_partitions_and_root_with_escaped_characters(tmp_path: Path) -> None:
    """delta-rs hands out file URIs whose root part is percent-encoded while the partition
    directories are the writer's literal names (``k=a%20b`` on disk): both must be read."""
    from deltalake import DeltaTable, write_deltalake

    root = tmp_path / "数据 lake"
    table = pa.table({"k": ["a b", "c%41", "数", "d*e"], "v": [1, 2, 3, 4]})
    write_deltalake(str(root / "t"), table, partition_by=["k"])
    expected = sorted(DeltaTable(str(root / "t")).to_pyarrow_table().select(["k", "v"]).to_pylist(),
                      key=lambda r: r["v"])  # fmt: skip
    assert [(r["k"], r["v"]) for r in expected] == [("a b", 1), ("c%41", 2), ("数", 3), ("d*e", 4)]
    rows = _rows(f"delta://{root}", "SELECT v, k FROM t")
    assert rows == [(r["v"], r["k"]) for r in expected]
