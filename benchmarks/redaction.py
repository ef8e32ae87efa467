"""Redaction benchmark: ``sqlgate.core.redact.redact`` must stay linear in its input.

Run from the repository root::

    python -m benchmarks.redaction [--secrets N] [--repeat K]

For each input shape (ordinary SQL, and adversarial repetitions aimed at each pattern: ``a://``,
``password=``, ``:::@@@``, ``a:a@``, ``(``, ...) it times ``redact()`` on a small (10 KB) and a
large (1 MB) input with ``--secrets`` registered secrets, and prints µs per KB for both and
their ratio. A linear redactor shows a ratio near 1; a quadratic one shows ~100 (the large
input is 100 times the small one). The best of ``--repeat`` runs is reported.
"""

from __future__ import annotations

import argparse
import secrets
import sys
import time

from sqlgate.core import redact

SMALL, LARGE = 10_000, 1_000_000
SHAPES = {
    "sql": "SELECT id, name FROM sales WHERE region = 'eu' AND amount > 10 ORDER BY id; ",
    "url-heavy": "conn postgresql://u:p@h/db?sig=abc&password=x token: 1 (using password: YES) ",
    "a://": "a://",
    "password=": "password=",
    "password: 1": "password: 1",
    ":::@@@": ":::@@@",
    "a:a@": "a:a@",
    "(": "(",
    "u:p@": "u:p@",
    "bearer ": "bearer ",
    "password='": "password='",
    "letters": "a",
    "spaces": " ",
}


def _text(unit: str, size: int) -> str:
    return (unit * (size // len(unit) + 1))[:size]


def _best(text: str, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        redact.redact(text)
        best = min(best, time.perf_counter() - started)
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--secrets",
        type=int,
        default=redact.MAX_SECRETS,
        help=f"secrets to register (default {redact.MAX_SECRETS}, the bound)",
    )
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per input (best)")
    args = parser.parse_args(argv)
    for _ in range(args.secrets):
        redact.register_secret(secrets.token_urlsafe(24))
    print(
        f"python {sys.version.split()[0]}, {redact.registered_count()} registered secrets, "
        f"best of {args.repeat}"
    )
    print(f"{'input':14} {'10 KB µs/KB':>12} {'1 MB µs/KB':>12} {'ratio':>7} {'1 MB s':>8}")
    worst = 0.0
    for name, unit in SHAPES.items():
        small = _best(_text(unit, SMALL), args.repeat) / (SMALL / 1000) * 1e6
        large_s = _best(_text(unit, LARGE), args.repeat)
        large = large_s / (LARGE / 1000) * 1e6
        ratio = large / small
        worst = max(worst, ratio)
        print(f"{name:14} {small:12.1f} {large:12.1f} {ratio:7.2f} {large_s:8.3f}")
    print(f"worst large/small ratio per KB: {worst:.2f} (linear ~1, quadratic ~100)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
