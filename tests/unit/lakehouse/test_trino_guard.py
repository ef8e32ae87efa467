"""The Trino side's fail-closed check (``engine=trino``): what reaches Trino is vetted in
Trino's own dialect, allow-list first (``sqlgate.lakehouse.remote.vet_remote_sql``)."""

from __future__ import annotations

import pytest

from sqlgate.core.errors import ReadOnlyError
from sqlgate.lakehouse.remote import vet_remote_sql
from sqlgate.lakehouse.trino.engine import TRINO


@pytest.mark.parametrize(
    "text",
    [
        "INSERT INTO v SELECT 1",
        "SELECT 1; SELECT 2",
        "SELECT * FROM other_table",
        "SELECT * FROM delta.sqlgate.t_other",
        "SELECT * FROM TABLE(system.query(query => 'DROP TABLE x'))",
        "SELECT my_udf(a) FROM v",
        "SELECT delta.system.fn(a) FROM v",
        "CALL system.register_table('sqlgate', 'x', '/etc')",
        "WITH w AS (SELECT * FROM v) SELECT * FROM w, x",
        "SHOW TABLES",
    ],
)
def test_trino_guard_fails_closed(text: str) -> None:
    """What reaches Trino is vetted in Trino's own dialect, allow-list first."""
    with pytest.raises(ReadOnlyError):
        vet_remote_sql(text, TRINO, ["v"], {"count", "sum"})


def test_trino_guard_admits_reads() -> None:
    text = (
        'WITH w AS (SELECT a FROM "v" FOR VERSION AS OF 3) '
        "SELECT count(*) FROM w CROSS JOIN UNNEST(SEQUENCE(1, 3)) AS u(x)"
    )
    assert vet_remote_sql(text, TRINO, ["v"], {"count"}) is not None
