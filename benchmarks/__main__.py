"""Run a set of benchmarks one after another: ``python -m benchmarks [set ...]``.

Each benchmark stays its own module with its own options (``benchmarks/README.md``); this only
runs a named set of them in child processes, one at a time so that none disturbs another's
timings, with the machine's load average printed before each (the ratios are what to read).
A benchmark that needs something installed outside the main venv is checked first and, when
that is missing, not run: the message names the install step instead of a child's traceback.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import subprocess
import sys
import time
from collections.abc import Callable

#: set name -> (module, arguments); the ``perf`` set is what issue #11's targets are read from.
#: A module without a dot is ``benchmarks.<module>``.
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
    # issue #17: the embedded DuckDB against engine=spark (starts its own Spark Connect server)
    "spark": [("spark_engine", [])],
    # issue #16: psycopg through the gateway against the in-process DB-API, concurrent clients
    "gateway": [("tests.integration.gateway.bench_gateway", [])],
}


def module_name(module: str) -> str:
    """The importable name of a set's module."""
    return module if "." in module else f"benchmarks.{module}"


def _spark_missing() -> str | None:
    """What ``spark_engine`` lacks to start its Spark Connect server, or None."""
    if importlib.util.find_spec("pyspark") is None:
        return "the Spark Connect client is missing: pip install 'sqlgate[spark]'"
    from tests.servers import spark_connect as server

    java = server.JAVA_HOME / "bin" / "java"
    if not java.exists():
        return f"the Spark Connect server runs on Java 17, not found at {java}"
    needed = [server.PYSPARK / "bin" / "spark-submit", *(server.M2 / jar for jar in server.JARS)]
    missing = [str(path) for path in needed if not path.exists()]
    if missing:
        return (
            f"the Spark Connect server is not installed ({missing[0]} is missing): "
            "run scripts/install-spark.sh"
        )
    return None


#: module -> a check run before it: None when it can run, else why not and how to fix it
REQUIRES: dict[str, Callable[[], str | None]] = {"spark_engine": _spark_missing}


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
            print(f"\n=== {module_name(module)} {' '.join(extra)}  [{_load()}]", flush=True)
            check = REQUIRES.get(module)
            missing = check() if check is not None else None
            if missing is not None:
                print(f"=== {module}: not run: {missing}", flush=True)
                failed.append(f"{module} (not run)")
                continue
            t0 = time.monotonic()
            done = subprocess.run([sys.executable, "-m", module_name(module), *extra])
            print(f"=== {module}: exit {done.returncode} in {time.monotonic() - t0:.0f} s")
            if done.returncode:
                failed.append(module)
    if failed:
        print(f"\nfailed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
