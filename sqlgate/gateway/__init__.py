"""``sqlgate serve``: a read-only PostgreSQL-wire gateway in front of any sqlgate source.

See docs/gateway.md. ``main()`` is what ``sqlgate serve`` and ``python -m sqlgate.gateway`` run.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", required=True, help="gateway TOML file (docs/gateway.md)")
    parser.add_argument("--host", help="listen address (default from the config: 127.0.0.1)")
    parser.add_argument("--port", type=int, help="listen port (default from the config: 5433)")


def run(args: argparse.Namespace) -> int:
    """Load the config, apply command-line overrides and serve until interrupted."""
    import dataclasses

    from sqlgate.gateway.config import load_config
    from sqlgate.gateway.server import serve

    config = load_config(args.config)
    overrides = {k: v for k, v in (("host", args.host), ("port", args.port)) if v is not None}
    if overrides:
        config = dataclasses.replace(config, **overrides)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    serve(config)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    from sqlgate.core import errors
    from sqlgate.core.redact import redact

    parser = argparse.ArgumentParser(prog="sqlgate serve", description=__doc__)
    add_arguments(parser)
    try:
        return run(parser.parse_args(argv))
    except errors.Error as exc:
        sys.stderr.write(f"sqlgate serve: {type(exc).__name__}: {redact(exc)}\n")
        return 2
