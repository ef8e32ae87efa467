"""Benchmark: 1,000,000 rows through the gateway with psycopg vs sqlgate's DB-API in process,
and how many concurrent clients the gateway holds with bounded latency.

    .venv/bin/python -m tests.integration.gateway.bench_gateway [--rows N] [--clients 1,4,16,32]
        [--pairs 5]

Starts its own gateway subprocess on a free 127.0.0.1 port over a temporary Parquet lakehouse
and stops it at the end. Not collected by pytest (the name has no ``test_`` prefix).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psycopg
import pyarrow as pa
import pyarrow.parquet as pq

import sqlgate
from tests.servers.base import HOST, free_port, port_open

PASSWORD = "bench-gw-pw"


def make_lake(root: Path, rows: int) -> None:
    (root / "million").mkdir(parents=True)
    table = pa.table(
        {
            "n": pa.array(range(rows), pa.int64()),
            "amount": pa.array([i * 0.25 for i in range(rows)], pa.float64()),
            "label": pa.array([f"row {i}" for i in range(rows)], pa.string()),
        }
    )
    pq.write_table(table, root / "million" / "part-0.parquet")
    (root / "items").mkdir()
    pq.write_table(pa.table({"id": [1, 2, 3, 4]}), root / "items" / "part-0.parquet")


def start_gateway(root: Path, port: int) -> subprocess.Popen[bytes]:
    config = root / "gateway.toml"
    config.write_text(
        f"[server]\nport = {port}\nmax_connections = 128\nmax_queries_per_user = 128\n"
        f'[databases.lake]\nurl = "file://{root}"\n'
        '[users.bench]\npassword = "env:GW_BENCH_PW"\n'
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "sqlgate.gateway", "--config", str(config)],
        env={**os.environ, "GW_BENCH_PW": PASSWORD},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while not port_open(port):
        if time.monotonic() > deadline or proc.poll() is not None:
            proc.kill()
            raise SystemExit("gateway did not start")
        time.sleep(0.1)
    return proc


def fetch_in_process(root: Path) -> tuple[float, int]:
    started = time.perf_counter()
    count = 0
    with sqlgate.connect(f"file://{root}") as conn:
        cur = conn.cursor()
        cur.execute("SELECT n, amount, label FROM million")
        while rows := cur.fetchmany(10_000):
            count += len(rows)
    return time.perf_counter() - started, count


def fetch_through_gateway(dsn: str) -> tuple[float, int]:
    started = time.perf_counter()
    count = 0
    with psycopg.connect(dsn, autocommit=True) as conn:
        cur = conn.cursor()
        cur.execute("SELECT n, amount, label FROM million")
        while rows := cur.fetchmany(10_000):
            count += len(rows)
    return time.perf_counter() - started, count


def latency_at(dsn: str, clients: int, seconds: float = 3.0) -> tuple[float, float, int]:
    """p50 and p95 latency (ms) of a small query with ``clients`` connections busy at once."""
    latencies: list[float] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def worker() -> None:
        with psycopg.connect(dsn, autocommit=True) as conn:
            for _ in range(10_000):  # bounded; the time limit ends it first
                if time.monotonic() > stop:
                    return
                started = time.perf_counter()
                conn.execute("SELECT count(*) FROM items").fetchone()
                with lock:
                    latencies.append((time.perf_counter() - started) * 1000)

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 60)
    latencies.sort()
    p95 = latencies[int(len(latencies) * 0.95) - 1] if latencies else float("nan")
    return statistics.median(latencies), p95, len(latencies)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--clients", default="1,4,16,32,64")
    parser.add_argument("--bound-ms", type=float, default=100.0, help="p95 latency bound")
    parser.add_argument("--pairs", type=int, default=5, help="interleaved fetch pairs")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sqlgate-gw-bench-") as tmp:
        root = Path(tmp)
        make_lake(root, args.rows)
        port = free_port()
        proc = start_gateway(root, port)
        dsn = f"host={HOST} port={port} dbname=lake user=bench password={PASSWORD}"
        try:
            fetch_through_gateway(dsn)  # warm both paths once (imports, file cache)
            fetch_in_process(root)
            pairs = []  # interleaved, so that a load change hits both sides of a pair alike
            for _ in range(args.pairs):
                direct, n1 = fetch_in_process(root)
                gateway, n2 = fetch_through_gateway(dsn)
                assert n1 == n2 == args.rows
                pairs.append((direct, gateway))
            direct = statistics.median(d for d, _ in pairs)
            gateway = statistics.median(g for _, g in pairs)
            ratios = sorted(g / d for d, g in pairs)
            print(f"rows: {args.rows:,} (bigint, double, text); {args.pairs} interleaved pairs")
            for label, seconds in (
                ("sqlgate DB-API in process", direct),
                ("psycopg via the gateway", gateway),
            ):
                rate = args.rows / seconds
                print(f"{label + ':':27s}{seconds:.2f} s median ({rate:,.0f} rows/s)")
            print(
                f"ratio gateway / in process: median {statistics.median(ratios):.2f}x "
                f"(pairs: {', '.join(f'{r:.2f}' for r in ratios)})"
            )
            held = 0
            for clients in (int(c) for c in args.clients.split(",")):
                p50, p95, count = latency_at(dsn, clients)
                print(
                    f"{clients:3d} concurrent clients: p50 {p50:6.1f} ms, p95 {p95:6.1f} ms, "
                    f"{count} queries in 3 s"
                )
                if p95 <= args.bound_ms:
                    held = clients
            print(f"clients held with p95 <= {args.bound_ms:.0f} ms: {held}")
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)


if __name__ == "__main__":
    main()
