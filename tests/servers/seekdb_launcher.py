"""Run one seekdb instance until SIGTERM: ``python seekdb_launcher.py DB_DIR ENDPOINT_FILE``.

``pylibseekdb.open()`` is the only supported way to start seekdb's embedded runtime (the
binary alone, started with ``--embedded``, exits at once). This process owns that runtime, so
a crash in it cannot take pytest down; it writes the connection options (the Unix socket)
to ENDPOINT_FILE once the server accepts logins, and closes the runtime on SIGTERM.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading


def main(db_dir: str, endpoint_file: str) -> int:
    import pylibseekdb

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    instance = pylibseekdb.open(db_dir)
    try:
        options = instance.connection_options()
        partial = endpoint_file + ".part"
        with open(partial, "w", encoding="utf-8") as handle:
            json.dump({**options, "launcher_pid": os.getpid()}, handle)
        os.replace(partial, endpoint_file)
        # bounded: a launcher its fixture forgot still ends within a day
        stop.wait(timeout=86_400)
    finally:
        instance.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
