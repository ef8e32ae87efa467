"""A running Trino server as a contender in :mod:`benchmarks.spark_engine` (``--trino URL``).

Trino's plain HTTP statement protocol (POST ``/v1/statement``, then follow ``nextUri``), so
the project's environment needs no client. The server must have a ``delta`` catalog
(``connector.name=delta_lake``, ``delta.register-table-procedure.enabled=true``) whose file
system reaches the benchmark's directory: ``fs.native-local.enabled=true`` with
``local.location=/tmp`` reads ``/tmp/x`` as ``local:///x``. Only the Delta copy is read.
"""

from __future__ import annotations

import json
import urllib.request
import uuid
from pathlib import Path
from typing import Any


class TrinoArm:
    """The Delta copy of one dataset, registered in Trino's ``delta.bench`` schema."""

    def __init__(self, url: str, root: Path, local_root: str = "/tmp") -> None:
        self.url = url.rstrip("/")
        self.table = f"delta.bench.events_{uuid.uuid4().hex[:8]}"
        location = "local:///" + str((root / "delta" / "events").relative_to(local_root))
        self.query("CREATE SCHEMA IF NOT EXISTS delta.bench")
        name = self.table.rsplit(".", 1)[1]
        self.query(
            "CALL delta.system.register_table(schema_name => 'bench', "
            f"table_name => '{name}', table_location => '{location}')"
        )

    def query(self, sql: str) -> list[list[Any]]:
        """Every row of ``sql`` (a new statement each call, as a new client would send)."""
        request = urllib.request.Request(
            f"{self.url}/v1/statement",
            data=sql.encode(),
            headers={"X-Trino-User": "bench", "X-Trino-Catalog": "delta"},
        )
        rows: list[list[Any]] = []
        with urllib.request.urlopen(request, timeout=600) as answer:
            page = json.load(answer)
        while True:
            if "error" in page:
                raise RuntimeError(f"trino: {page['error'].get('message')}")
            rows.extend(page.get("data") or [])
            if "nextUri" not in page:
                return rows
            with urllib.request.urlopen(page["nextUri"], timeout=600) as answer:
                page = json.load(answer)

    def run(self, name: str, sql: str) -> int:
        return len(self.query(sql.format(t=self.table)))

    def close(self) -> None:
        """Unregistering would need another procedure: the metastore entry is left."""
