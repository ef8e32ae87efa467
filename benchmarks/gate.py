"""Read-only gate benchmark: the cost of one verdict, uncached and cached (issue #11).

Run from the repository root::

    python -m benchmarks.gate [--statements N] [--rounds K]

For each policy (PostgreSQL, MySQL) it times ``StatementGate.verdict`` on a typical 10-line
dashboard ``SELECT`` (two joins, a WHERE with literals, GROUP BY, ORDER BY, LIMIT):

* ``distinct structure``: every statement has other names and other literals, so neither the
  verdict cache nor the cache by shape can help: the fast path's cost (or the full gate's);
* ``same structure, new literals``: a dashboard refreshing one chart: new dates and ids, one
  shape (the cache by shape answers);
* ``cached``: the very same text again (the verdict cache answers);
* ``full gate (anchor)``: distinct statements through a gate without the fast path, the cost
  before issue #11: the anchor of the ``vs full`` ratio, measured in the same rounds.

Each round times ``--statements`` verdicts per case, the cases interleaved round by round;
reported: the median µs per verdict over all rounds (wall time, and this thread's CPU time,
which a machine shared with other work inflates less), the median of the per-round ratios to
the anchor, and the ratios to the target of 150 µs for an uncached verdict.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator

import sqlglot

from sqlgate.core.readonly import StatementGate

TARGET_US = 150.0
TEMPLATE = """SELECT o.region{s}, c.segment{s}, count(*) AS n{s}, sum(o.amount) AS total{s}
FROM orders{s} o
JOIN customers{s} c ON c.id = o.customer_id
LEFT JOIN regions r ON r.code = o.region{s}
WHERE o.created_at >= '2024-{month:02d}-{day:02d}'
  AND o.status IN ('paid', 'shipped', 'st{i}')
  AND o.amount > {i}.5
GROUP BY o.region{s}, c.segment{s}
ORDER BY total{s} DESC
LIMIT {limit}"""


def statement(i: int, distinct: bool) -> str:
    """The i-th statement: other names too when ``distinct`` (a new shape every time)."""
    return TEMPLATE.format(
        s=f"_{i}" if distinct else "", i=i, month=i % 12 + 1, day=i % 28 + 1, limit=10 + i
    )


def _time(
    check: Callable[[str], object], texts: Iterator[str], count: int
) -> tuple[list[float], list[float]]:
    """Wall and CPU seconds (this thread's) of each of ``count`` verdicts."""
    wall, cpu = [], []
    for _ in range(count):
        text = next(texts)
        started_cpu = time.thread_time()
        started = time.perf_counter()
        check(text)
        ended = time.perf_counter()
        cpu.append(time.thread_time() - started_cpu)
        wall.append(ended - started)
    return wall, cpu


def _counter(distinct: bool, start: int) -> Iterator[str]:
    i = start
    while True:
        yield statement(i, distinct)
        i += 1


def run(policy: str, count: int, rounds: int) -> list[tuple[str, float, float, float]]:
    """(case, median wall µs, median CPU µs, median ratio to the anchor) for one policy."""
    gate = StatementGate(policy, cache_size=4096)
    anchor_gate = StatementGate(policy, cache_size=4096, fast_path=False)
    cached_text = statement(0, False)
    gate.verdict(cached_text)
    cases: dict[str, tuple[Callable[[str], object], Iterator[str]]] = {
        "full gate (anchor)": (anchor_gate.verdict, _counter(True, 10_000_000)),
        "distinct structure": (gate.verdict, _counter(True, 20_000_000)),
        "same structure, new literals": (gate.verdict, _counter(False, 1)),
        "cached": (gate.verdict, iter(lambda: cached_text, None)),
    }
    wall: dict[str, list[float]] = {name: [] for name in cases}
    cpu: dict[str, list[float]] = {name: [] for name in cases}
    ratios: dict[str, list[float]] = {name: [] for name in cases}
    for r in range(rounds):
        names = list(cases)
        names = names[r % len(names) :] + names[: r % len(names)]  # rotate who goes first
        medians = {}
        for name in names:
            check, texts = cases[name]
            sample, sample_cpu = _time(check, texts, count)
            wall[name] += sample
            cpu[name] += sample_cpu
            medians[name] = statistics.median(sample)
        for name in cases:
            ratios[name].append(medians[name] / medians["full gate (anchor)"])
    return [
        (
            name,
            statistics.median(wall[name]) * 1e6,
            statistics.median(cpu[name]) * 1e6,
            statistics.median(ratios[name]),
        )
        for name in cases
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--statements", type=int, default=300, help="verdicts per case a round")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds")
    args = parser.parse_args(argv)
    load = os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),) * 3
    print(
        f"python {sys.version.split()[0]}, sqlglot {sqlglot.__version__}, "
        f"{args.rounds} rounds x {args.statements} verdicts, load {load[0]:.2f} {load[1]:.2f}"
    )
    print(
        f"{'policy':9} {'case':30} {'median µs':>10} {'CPU µs':>8} {'vs full':>8} "
        f"{'vs 150 µs':>10} {'CPU vs 150':>10}"
    )
    for policy in ("postgres", "mysql"):
        for name, micros, cpu, ratio in run(policy, args.statements, args.rounds):
            target = f"{micros / TARGET_US:10.2f} {cpu / TARGET_US:10.2f}"
            print(
                f"{policy:9} {name:30} {micros:10.1f} {cpu:8.1f} {ratio:8.2f} "
                f"{target if name != 'cached' else ''}"
            )
    print(
        "CPU µs: this thread's CPU time, which a busy machine inflates less than wall time; "
        "the target is judged on an idle machine"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
