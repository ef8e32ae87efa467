"""Run a set of benchmarks one after another: ``python -m benchmarks [set ...]``.

Each benchmark stays its own module with its own options (``benchmarks/README.md``); this only
runs a named set of them in child processes, one at a time so that none disturbs another's
timings, with the machine's load average printed before each (the ratios are what to read).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

#: set name -> (module, arguments); the ``perf`` set is what issue #11's targets are read from
SETS: dict[str, list[tuple[str, list[str]]]] = {
    "perf": [
        ("gate", []),
        ("small_statements", []),
        ("wire_fetch", ["--rows", "300000", "--repeat", "3"]),
        ("lakehouse_small", []),
        ("lakehouse_rows", ["--cold-only"]),
        ("lakehouse_files", []),
        ("lakehouse_deletes", []),
    ],
    "warehouses": [("snowflake", []), ("bigquery", []), ("databricks", [])],
    "olap": [("clickhouse", []), ("druid", [])],
    "storage": [("storage_scan", [])],
}


def _load() -> str:
    try:
        one, five, _ = os.getloadavg()
    except OSError:
        return "load unknown"
    return f"load {one:.2f} (1 min), {five:.2f} (5 min)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("sets", nargs="*", default=["perf"], help=f"of {sorted(SETS)}")
    parser.add_argument("--list", action="store_true", help="print the sets and exit")
    args = parser.parse_args(argv)
    if args.list:
        for name, runs in SETS.items():
            print(name + ": " + ", ".join(" ".join([m, *a]) for m, a in runs))
        return 0
    unknown = [name for name in args.sets if name not in SETS]
    if unknown:
        parser.error(f"unknown set(s) {unknown}; known: {sorted(SETS)}")
    failed: list[str] = []
    for name in args.sets:
        for module, extra in SETS[name]:
            print(f"\n=== benchmarks.{module} {' '.join(extra)}  [{_load()}]", flush=True)
            t0 = time.monotonic()
            done = subprocess.run([sys.executable, "-m", f"benchmarks.{module}", *extra])
            print(f"=== {module}: exit {done.returncode} in {time.monotonic() - t0:.0f} s")
            if done.returncode:
                failed.append(module)
    if failed:
        print(f"\nfailed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
