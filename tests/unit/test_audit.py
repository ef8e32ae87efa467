"""Every statement is audit-logged with a redacted URL; metrics count when available."""

from __future__ import annotations

import logging
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import sqlgate


@pytest.fixture
def url(tmp_path: Path) -> str:
    (tmp_path / "t").mkdir()
    pq.write_table(pa.table({"id": [1, 2, 3]}), tmp_path / "t" / "p.parquet")
    return f"file://{tmp_path}"


def audit_records(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.getMessage().startswith("audit ")]


def test_success_and_refusal_are_audited(url: str, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="sqlgate.file"), sqlgate.connect(url) as conn:
        cur = conn.cursor()
        cur.execute("SELECT * FROM t")
        cur.fetchall()
        with pytest.raises(sqlgate.ReadOnlyError):
            cur.execute("DELETE FROM t")
    ok, refused = audit_records(caplog)
    assert "source=file" in ok and "kind=SELECT" in ok and "outcome=ok" in ok
    assert "duration_ms=" in ok and f"url={conn.url}" in ok
    assert "outcome=ReadOnlyError" in refused


def test_statement_text_only_at_debug_and_redacted(
    url: str, caplog: pytest.LogCaptureFixture
) -> None:
    from sqlgate.core.redact import register_secret

    register_secret("topsecret-value")
    with caplog.at_level(logging.DEBUG, logger="sqlgate.file"), sqlgate.connect(url) as conn:
        conn.cursor().execute("SELECT 'topsecret-value' AS s FROM t")
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "statement: SELECT" in text and "topsecret-value" not in text


def test_prometheus_counters(url: str) -> None:
    prometheus_client = pytest.importorskip("prometheus_client")
    registry = prometheus_client.REGISTRY

    def count() -> float:
        value = registry.get_sample_value(
            "sqlgate_statements_total", {"source": "file", "kind": "SELECT", "outcome": "ok"}
        )
        return value or 0.0

    def observed() -> float:
        labels = {"source": "file", "kind": "SELECT"}
        value = registry.get_sample_value("sqlgate_statement_seconds_count", labels)
        return value or 0.0

    before, before_observed = count(), observed()
    with sqlgate.connect(url) as conn:
        cur = conn.cursor()
        cur.execute("SELECT 1")
        cur.execute("SELECT 2")  # the second reuses the connection's bound metric series
    assert count() == before + 2
    assert observed() == before_observed + 2


def test_debug_statement_is_truncated_before_redaction(
    url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A 100 KB statement logs at most MAX_LOGGED_STATEMENT_CHARS of itself, and a secret
    that straddles the cut is still masked (the cut keeps a margin before redacting)."""
    from sqlgate.core.audit import MAX_LOGGED_STATEMENT_CHARS
    from sqlgate.core.redact import register_secret

    secret = "straddling-secret-0123456789"
    register_secret(secret)
    head = "SELECT id FROM t WHERE 'x' <> '"
    pad = "y" * (MAX_LOGGED_STATEMENT_CHARS - len(head) - 10)
    statement = f"{head}{pad}{secret}{'z' * 100_000}'"
    with caplog.at_level(logging.DEBUG, logger="sqlgate.file"), sqlgate.connect(url) as conn:
        conn.cursor().execute(statement)
    logged = next(
        r.getMessage() for r in caplog.records if r.getMessage().startswith("statement: ")
    )
    shown = logged.removeprefix("statement: ")
    assert shown.startswith(head)
    assert len(shown.split("... [truncated")[0]) <= MAX_LOGGED_STATEMENT_CHARS
    assert f"{len(statement)} characters in all" in shown
    assert secret[:10] not in shown and "***" in shown


def test_prometheus_counts_across_connections_and_after_close(url: str) -> None:
    """Each connection tallies in plain ints; a scrape folds them: N statements on two
    interleaved connections, one of them closed and dropped before the scrape, all count,
    and the histogram's buckets, count and sum agree with the counter."""
    prometheus_client = pytest.importorskip("prometheus_client")
    import gc

    registry = prometheus_client.REGISTRY
    labels = {"source": "file", "kind": "SELECT"}

    def sample(name: str, extra: dict[str, str]) -> float:
        return registry.get_sample_value(name, {**labels, **extra}) or 0.0

    def state() -> tuple[float, float, float, float, float]:
        return (
            sample("sqlgate_statements_total", {"outcome": "ok"}),
            # a refusal is counted under the kind it refused
            sample("sqlgate_statements_total", {"kind": "DELETE", "outcome": "ReadOnlyError"}),
            sample("sqlgate_statement_seconds_count", {}),
            sample("sqlgate_statement_seconds_bucket", {"le": "+Inf"}),
            sample("sqlgate_statement_seconds_sum", {}),
        )

    ok_before, refused_before, count_before, _, sum_before = state()
    first, second = sqlgate.connect(url), sqlgate.connect(url)
    for i in range(7):
        for conn in (first, second) if i % 2 else (second, first):
            conn.cursor().execute(f"SELECT id + {i} FROM t")
    with pytest.raises(sqlgate.ReadOnlyError):
        first.cursor().execute("DELETE FROM t")
    mid = state()  # both connections still open: their live tallies are read
    assert mid[0] == ok_before + 14 and mid[1] == refused_before + 1
    first.close()
    del first, conn
    gc.collect()  # the closed connection's tallies are folded into the totals
    second.cursor().execute("SELECT 1")
    ok, refused, count, inf, total = state()
    second.close()
    assert ok == ok_before + 15 and refused == refused_before + 1
    assert count == count_before + 15 and inf == count
    assert sample("sqlgate_statement_seconds_count", {"kind": "DELETE"}) >= 1
    assert total > sum_before
    buckets = [
        sample("sqlgate_statement_seconds_bucket", {"le": le})
        for le in ("0.005", "0.1", "1.0", "10.0", "+Inf")
    ]
    assert buckets == sorted(buckets)  # cumulative
    assert state() == (ok, refused, count, inf, total)  # a scrape changes nothing
