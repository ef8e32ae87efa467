"""The ``sqlgate`` command: list sources, run a query, check a connection, manage the vault."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Sequence
from typing import Any, TextIO

from sqlgate.core import errors
from sqlgate.core.redact import redact
from sqlgate.core.registry import all_sources


def _width(text: str) -> int:
    """Terminal columns of ``text``: CJK characters take two, combining marks none."""
    from wcwidth import wcswidth

    width = wcswidth(text)
    return width if width >= 0 else len(text)  # a control character: count code points


def _print_table(headers: Sequence[str], rows: Sequence[Sequence[Any]], out: TextIO) -> None:
    cells = [[str(h) for h in headers]] + [
        ["NULL" if v is None else str(v) for v in r] for r in rows
    ]
    widths = [max(_width(row[i]) for row in cells) for i in range(len(headers))]
    for n, row in enumerate(cells):
        out.write(
            "  ".join(c + " " * (w - _width(c)) for c, w in zip(row, widths, strict=True)).rstrip()
            + "\n"
        )
        if n == 0:
            out.write("  ".join("-" * w for w in widths) + "\n")


def cmd_sources(args: argparse.Namespace, out: TextIO) -> int:
    """One line per source: its URL scheme, family, extra and whether the extra is installed."""
    rows = []
    for spec in all_sources():
        missing = spec.missing_modules()
        status = "installed" if not missing else f"missing: pip install 'sqlgate[{spec.extra}]'"
        rows.append((spec.name, f"{spec.scheme}://", spec.family, spec.title, status))
    _print_table(("source", "url", "family", "title", "driver"), rows, out)
    return 0


def cmd_query(args: argparse.Namespace, out: TextIO) -> int:
    """Run one read-only statement and print its rows."""
    from sqlgate.core.connect import connect

    with connect(args.url) as conn:
        cursor = conn.cursor()
        cursor.execute(args.sql)
        if cursor.description is None:
            out.write(f"ok ({cursor.rowcount} rows)\n")
            return 0
        if args.format == "parquet":
            import pyarrow.parquet as pq

            if not args.output:
                raise errors.InterfaceError("--format parquet needs --output FILE")
            pq.write_table(cursor.fetch_arrow_table(), args.output)
            return 0
        headers = [col.name for col in cursor.description]
        rows = cursor.fetchmany(args.limit) if args.limit else cursor.fetchall()
        if args.format == "csv":
            writer = csv.writer(out)
            writer.writerow(headers)
            writer.writerows(rows)
        elif args.format == "json":
            for row in rows:
                out.write(
                    json.dumps(
                        dict(zip(headers, row, strict=True)), default=str, ensure_ascii=False
                    )
                    + "\n"
                )
        else:
            _print_table(headers, rows, out)
    return 0


def cmd_check(args: argparse.Namespace, out: TextIO) -> int:
    """Connect, ping, and prove both read-only layers are active."""
    from sqlgate.core.connect import connect

    with connect(args.url) as conn:
        conn.ping()
        out.write(f"connected: {conn.url}\n")
        session = conn.session
        version = ".".join(map(str, session.server_version)) or "unknown"
        product = ".".join(map(str, session.product_version))
        line = f"server version: {version}"
        if product and product != version:
            line += f", product version {product}"
        out.write(line + (f" ({session.banner})" if session.banner else "") + "\n")
        if not conn.read_only:
            out.write("read-only: DISABLED by read_only=false; no probe was sent\n")
            return 1
        cursor = conn.cursor()
        try:
            cursor.execute("CREATE TABLE sqlgate_guard_probe (x INT)")
        except errors.ReadOnlyError as exc:
            out.write(f"statement gate: active ({exc.kind} refused)\n")
        else:
            out.write("statement gate: NOT ACTIVE (a write was admitted)\n")
            return 1
        conn.rollback()
        guard = conn.session.server_guard_active()
        label = {True: "active", False: "NOT ACTIVE", None: "none on this engine (gate only)"}
        out.write(f"server read-only guard: {label[guard]}\n")
        # without a session guard the login's own rights are the server's only defence
        warnings = conn.session.guard_warnings()
        for warning in warnings:
            out.write(f"{'weaker guard' if guard else 'unguarded'}: {warning}\n")
        if guard is False:
            return 1
        return 3 if warnings else 0


def cmd_serve(args: argparse.Namespace, out: TextIO) -> int:
    """Run the read-only PostgreSQL-wire gateway (sqlgate.gateway, docs/gateway.md)."""
    from sqlgate.gateway import run

    return run(args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sqlgate", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("sources", help="list sources and whether their extras are installed")
    query = sub.add_parser("query", help="run one read-only SQL statement")
    query.add_argument("url")
    query.add_argument("sql")
    query.add_argument("--format", choices=("table", "csv", "json", "parquet"), default="table")
    query.add_argument("--output", help="file for --format parquet")
    query.add_argument("--limit", type=int, default=0, help="print at most this many rows")
    check = sub.add_parser("check", help="connect, ping and prove the read-only guard")
    check.add_argument("url")
    from sqlgate.gateway import add_arguments as add_serve_arguments

    add_serve_arguments(sub.add_parser("serve", help="run the PostgreSQL-wire gateway"))
    try:
        from sqlgate.core.credentials.cli import add_vault_parser
    except ImportError:  # pragma: no cover - the vault CLI ships with the core
        pass
    else:
        add_vault_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    parser = build_parser()
    args = parser.parse_args(argv)
    handlers = {"sources": cmd_sources, "query": cmd_query, "check": cmd_check, "serve": cmd_serve}
    try:
        if args.command in handlers:
            return handlers[args.command](args, out)
        return int(args.func(args, stdout=out) or 0)
    except errors.Error as exc:
        sys.stderr.write(f"sqlgate: {type(exc).__name__}: {redact(exc)}\n")
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
