"""Storage benchmark: the same Parquet files scanned through sqlgate from each storage system.

Run from the repository root (it imports the test harness in tests/servers)::

    python -m benchmarks.storage_scan [--rows N] [--files F] [--repeat K] [--only local,seaweedfs]

It writes one dataset (default 3,000,000 rows, ~70 MB of Snappy Parquet, in 4 hive partitions
``part=0..3``, one file each) to local disk, then puts the very same files on every other
storage arm, and times three queries through ``sqlgate.connect(url)`` on each arm, interleaved
round by round (arm order rotating), reporting the median and the ratio to local disk (the
median over rounds of time / local time in the same round):

* ``full scan``   ``count(*), sum(amount), max(note)`` over every file (all columns read);
* ``one column``  ``sum(amount)``: column projection, a quarter of the bytes;
* ``partition``   ``sum(amount) WHERE part = 2``: one file of four (partition pruning).

Arms: ``local`` (``file://``, the anchor) and ``seaweedfs`` (``s3://`` on a throwaway
SeaweedFS, tests/servers/seaweedfs.py, which also reports the bytes the server sent per
query). **Adding an arm** (e.g. HDFS): write ``def my_arm(data: Path, stack: ExitStack) ->
Arm | None`` that starts or reaches the store (registering its teardown on ``stack``), copies
the files under ``data`` (``part=K/part-0.parquet``) to it and returns an :class:`Arm` whose
``url`` is a sqlgate URL for the directory holding the ``events`` table (or ``None`` with a
logged reason when the store is unavailable), then add it to :data:`ARMS`.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

MiB = 1024 * 1024
QUERIES = {
    "full scan": "SELECT count(*), sum(amount), max(note) FROM events",
    "one column": "SELECT sum(amount) FROM events",
    "partition": "SELECT sum(amount) FROM events WHERE part = 2",
}


def log(message: str) -> None:
    print(f"[storage_scan {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


@dataclass
class Arm:
    """One storage system: a sqlgate URL for the root holding ``events``, and optionally a
    probe of what the server counted (bytes sent), to show what each query fetched."""

    url: str
    bytes_sent: Callable[[], int] | None = None
    notes: list[str] = field(default_factory=list)


# -- data -----------------------------------------------------------------------------------------
def write_data(root: Path, rows: int, files: int) -> int:
    """``events/part=K/part-0.parquet``, deterministic; returns the total bytes written."""
    rng = np.random.default_rng(7)
    per_file = rows // files
    total = 0
    for k in range(files):
        ids = np.arange(k * per_file, (k + 1) * per_file, dtype=np.int64)
        notes = np.char.add("note-", rng.integers(0, 10**9, per_file).astype(str))
        table = pa.table(
            {
                "id": ids,
                "category": rng.integers(0, 100, per_file, dtype=np.int32),
                "amount": rng.random(per_file) * 100.0,
                "note": pa.array(notes.tolist(), pa.string()),
            }
        )
        target = root / "events" / f"part={k}"
        target.mkdir(parents=True)
        pq.write_table(table, target / "part-0.parquet", row_group_size=256 * 1024)
        total += (target / "part-0.parquet").stat().st_size
    return total


# -- arms -----------------------------------------------------------------------------------------
def local_arm(data: Path, stack: ExitStack) -> Arm | None:
    return Arm(f"file://{data}")


def seaweedfs_arm(data: Path, stack: ExitStack) -> Arm | None:
    """A throwaway SeaweedFS (or SQLGATE_TEST_SEAWEEDFS_URL's), the files uploaded as-is."""
    from tests.servers.seaweedfs import (
        bucket_traffic,
        delete_bucket,
        running_seaweedfs,
        s3_client,
        store_url,
    )

    try:
        info = stack.enter_context(running_seaweedfs())
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # no weed binary (the harness skips): run the other arms
        log(f"seaweedfs arm skipped: {exc}")
        return None
    bucket = f"bench{os.getpid()}"
    s3 = s3_client(info)
    s3.create_bucket(Bucket=bucket)
    stack.callback(delete_bucket, info, bucket)
    for path in sorted(data.rglob("*.parquet")):
        s3.upload_file(str(path), bucket, path.relative_to(data).as_posix())
    has_metrics = bool(info.extra.get("metrics_url"))
    notes = [f"SeaweedFS `weed mini` S3 at {info.extra['endpoint_url']}, SigV4, path style"]
    return Arm(
        store_url("s3", info, bucket),
        (lambda: bucket_traffic(info, bucket)["bytes_sent"]) if has_metrics else None,
        notes,
    )


#: name -> arm factory, in report order; the first is the anchor (ratio 1.00)
ARMS: dict[str, Callable[[Path, ExitStack], Arm | None]] = {
    "local": local_arm,
    "seaweedfs": seaweedfs_arm,
    "hdfs": lambda data, stack: _hdfs_arm(data, stack),  # benchmarks/hdfs_scan.py (issue #15)
}


def _hdfs_arm(data: Path, stack: ExitStack) -> Arm | None:
    from benchmarks.hdfs_scan import hdfs_arm  # imports this module: resolved at call time

    return hdfs_arm(data, stack)


def _rounded(row: tuple) -> str:
    """A float sum depends on the order the reader summed in: compare to 9 significant digits."""
    return repr(tuple(float(f"{v:.9g}") if isinstance(v, float) else v for v in row))


# -- timing ---------------------------------------------------------------------------------------
def run(args: argparse.Namespace) -> int:
    import sqlgate

    with tempfile.TemporaryDirectory(prefix="sqlgate-storage-scan-") as tmp, ExitStack() as stack:
        data = Path(tmp)
        size = write_data(data, args.rows, args.files)
        log(f"wrote {args.rows:,} rows in {args.files} files, {size / MiB:.1f} MiB")
        wanted = args.only.split(",") if args.only else list(ARMS)
        arms: dict[str, Arm] = {}
        for name in wanted:
            arm = ARMS[name](data, stack)
            if arm is not None:
                arms[name] = arm
        conns = {name: stack.enter_context(sqlgate.connect(arm.url)) for name, arm in arms.items()}

        def once(name: str, sql: str) -> tuple[float, tuple, int | None]:
            probe = arms[name].bytes_sent
            before = probe() if probe else None
            t0 = time.perf_counter()
            cur = conns[name].cursor()
            cur.execute(sql)
            row = tuple(cur.fetchone() or ())
            elapsed = time.perf_counter() - t0
            return elapsed, row, (probe() - before) if probe and before is not None else None

        # warm-up: every arm answers every query identically (the same files, the same engine)
        for query, sql in QUERIES.items():
            answers = {name: once(name, sql)[1] for name in arms}
            if len({_rounded(a) for a in answers.values()}) != 1:
                raise SystemExit(f"arms disagree on {query!r}: {answers}")
        times: dict[tuple[str, str], list[float]] = {}
        ratios: dict[tuple[str, str], list[float]] = {}
        sent: dict[tuple[str, str], list[int]] = {}
        order = list(arms)
        for r in range(args.repeat):
            rotated = order[r % len(order) :] + order[: r % len(order)]
            for query, sql in QUERIES.items():
                this_round = {}
                for name in rotated:
                    elapsed, _, nbytes = once(name, sql)
                    this_round[name] = elapsed
                    times.setdefault((name, query), []).append(elapsed)
                    if nbytes is not None:
                        sent.setdefault((name, query), []).append(nbytes)
                anchor = this_round[order[0]]
                for name, elapsed in this_round.items():
                    ratios.setdefault((name, query), []).append(elapsed / anchor)
        report(args, size, arms, times, ratios, sent)
    return 0


def report(
    args: argparse.Namespace,
    size: int,
    arms: dict[str, Arm],
    times: dict[tuple[str, str], list[float]],
    ratios: dict[tuple[str, str], list[float]],
    sent: dict[tuple[str, str], list[int]],
) -> None:
    print(
        f"storage_scan: {args.rows:,} rows, {args.files} Parquet files, {size / MiB:.1f} MiB, "
        f"{args.repeat} rounds; anchor = {next(iter(arms))}"
    )
    print(f"load (1/5/15 min): {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(
        f"{'query':<12} {'arm':<10} {'median s':>9} {'fastest s':>10} {'ratio':>6} {'MiB sent':>9}"
    )
    for query in QUERIES:
        for name in arms:
            key = (name, query)
            mib = f"{statistics.median(sent[key]) / MiB:9.1f}" if key in sent else f"{'-':>9}"
            print(
                f"{query:<12} {name:<10} {statistics.median(times[key]):9.3f} "
                f"{min(times[key]):10.3f} {statistics.median(ratios[key]):6.2f} {mib}"
            )
    for name, arm in arms.items():
        for note in arm.notes:
            print(f"note ({name}): {note}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=int, default=3_000_000)
    parser.add_argument("--files", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--only", default="", help=f"comma-separated arms of {', '.join(ARMS)}")
    args = parser.parse_args(argv)
    if args.only and not set(args.only.split(",")) <= set(ARMS):
        parser.error(f"--only takes {', '.join(ARMS)}")
    if args.only and not args.only.startswith(next(iter(ARMS))):
        log("note: ratios are to the first arm listed")
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
