"""The process's shared plain-file tables (``lakehouse/files_cache.py``): bounded, least
recently used out, a changed listing never served, a racy listing never kept, safe from many
threads; and the embedded Iceberg catalog file closes what it opens."""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from pathlib import Path

import pytest

from sqlgate.core.errors import OperationalError
from sqlgate.lakehouse.files_cache import RACY_NS, SharedTables, same_schema, settled
from sqlgate.lakehouse.iceberg_catalog_file import CatalogFile

OLD = time.time_ns() - 10 * RACY_NS


def _listing(tag: str, mtime: int = OLD) -> tuple:
    return ((f"/lake/t/{tag}.parquet", 2, 100, mtime),)


def test_bounded_and_least_recently_used_out() -> None:
    cache = SharedTables(kept=3)
    for name in "abc":
        cache.put((name,), _listing(name), name.upper())
    assert cache.get(("a",), _listing("a")) == "A"  # a is now the most recent
    cache.put(("d",), _listing("d"), "D")
    assert len(cache) == 3
    assert cache.get(("b",), _listing("b")) is None  # the least recently used went
    assert [cache.get((n,), _listing(n)) for n in "acd"] == ["A", "C", "D"]


def test_changed_listing_is_never_served_and_drops_the_entry() -> None:
    cache = SharedTables()
    cache.put(("t",), _listing("a"), "old")
    assert cache.get(("t",), _listing("a", OLD + 1)) is None  # one file's mtime moved
    assert len(cache) == 0
    assert cache.get(("t",), _listing("a")) is None  # gone, not merely skipped
    assert cache.get(("t",), None) is None  # an unlistable table is never served


def test_racy_listing_is_not_kept() -> None:
    now = time.time_ns()
    fresh = _listing("a", now - RACY_NS // 2)
    assert not settled(fresh, now) and settled(_listing("a", now - 2 * RACY_NS), now)
    cache = SharedTables()
    cache.put(("t",), fresh, "racy")
    cache.put(("u",), None, "unlisted")
    assert len(cache) == 0
    assert cache.get(("t",), fresh) is None


def test_same_schema() -> None:
    trees = {"a": ("x",), "b": ("x",), "c": ("y",)}
    assert same_schema(trees, ["a", "b"]) and same_schema(trees, [])
    assert not same_schema(trees, ["a", "c"])
    assert not same_schema(trees, ["a", "unknown"])  # unknown is not uniform


def test_many_threads_keep_it_bounded_and_consistent() -> None:
    """8 threads, 2,000 operations each, over 50 keys in a cache of 16: no error, never more
    than 16 entries, and every hit is the value put for that key and listing."""
    cache = SharedTables(kept=16)
    errors: list[BaseException] = []

    def work(seed: int) -> None:
        try:
            for i in range(2000):
                key = (seed * 7 + i) % 50
                listing = _listing(str(key), OLD + (i % 3))
                hit = cache.get((key,), listing)
                assert hit is None or hit == (key, i % 3)
                cache.put((key,), listing, (key, i % 3))
                assert len(cache) <= 16
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors and not any(t.is_alive() for t in threads)
    assert len(cache) <= 16


def _fds_on(path: Path) -> list[str]:
    out = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            out.append(os.readlink(f"/proc/self/fd/{fd}"))
        except OSError:
            continue
    return [f for f in out if f.startswith(str(path))]


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="needs /proc (Linux)")
def test_catalog_file_closes_its_connection_when_refusing(tmp_path: Path) -> None:
    """A SQLite file that is no Iceberg catalog is refused, and the refusal holds no open
    connection to it (a ``with`` block on a sqlite3 connection does not close it, and the
    error's traceback would keep it alive)."""
    path = tmp_path / "other.db"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE x (a INTEGER)")
    con.commit()
    con.close()
    assert _fds_on(path) == []
    with pytest.raises(OperationalError, match="not an Iceberg SQL catalog") as refused:
        CatalogFile(str(path), "default")
    assert refused.value is not None and _fds_on(path) == []


_FORK = """
import os, signal, sys, time
import sqlgate
from sqlgate.lakehouse import files_cache

def count():
    with sqlgate.connect(sys.argv[1]) as conn:
        cur = conn.cursor()
        cur.execute("SELECT count(*) FROM t")
        return cur.fetchone()[0], conn.session.engine.source.open("main", "t")

(n1, first), (n2, second) = count(), count()
assert n1 == n2 == 3 and first is second  # shared in the parent
with files_cache.SHARED._lock:  # as if another thread of the parent held it at the fork
    pid = os.fork()
    if pid == 0:
        signal.alarm(20)  # a deadlock fails fast instead of hanging the suite
        n, handle = count()
        assert n == 3 and handle is not first, "the child rebuilt its own table"
        os._exit(0)
_, status = os.waitpid(pid, 0)
assert os.waitstatus_to_exitcode(status) == 0, status
assert count()[1] is first  # the parent's shared table is untouched
print("ok")
"""


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_forked_child_neither_deadlocks_nor_reuses_the_parents_tables(tmp_path: Path) -> None:
    import subprocess
    import sys

    import pyarrow as pa
    import pyarrow.parquet as pq

    (tmp_path / "t").mkdir()
    pq.write_table(pa.table({"x": [1, 2, 3]}), tmp_path / "t" / "a.parquet")
    old = time.time() - 100
    for path in (tmp_path / "t" / "a.parquet", tmp_path / "t"):
        os.utime(path, (old, old))
    done = subprocess.run(
        [sys.executable, "-c", _FORK, f"file://{tmp_path}"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().endswith("ok")
