"""Audit logging and optional Prometheus metrics for every statement.

Each statement produces one record on the ``sqlgate.<source>`` logger (source, redacted URL,
statement kind, duration, row count, outcome). The statement text itself is logged only at
DEBUG level: at most :data:`MAX_LOGGED_STATEMENT_CHARS` characters of it, cut before
redaction so that a huge statement costs bounded work, then redacted. When
``prometheus_client`` is installed (``pip install 'sqlgate[metrics]'``) counters and a latency
histogram are kept as well.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlgate.core.redact import redact_truncated

#: how much of a statement the DEBUG record shows (the read-only gate itself refuses statements
#: over 256 KiB; see docs/read-only.md)
MAX_LOGGED_STATEMENT_CHARS = 4096


def logger_for(source: str) -> logging.Logger:
    """The logger of one source: ``sqlgate.<source>``."""
    return logging.getLogger(f"sqlgate.{source}")


_METRICS_LOCK = threading.Lock()
_METRICS: list[tuple[Any, Any] | None] = []  # filled once, under the lock


def _metrics() -> tuple[Any, Any] | None:
    """The statement counter and latency histogram, registered once per process.

    Every thread of a fresh worker may get here with its first statement at the same moment;
    registering twice raises ``DuplicateTimeseries``, so creation is serialised (a plain
    ``functools.cache`` runs the body once per racing thread).
    """
    if _METRICS:
        return _METRICS[0]
    with _METRICS_LOCK:
        if not _METRICS:
            _METRICS.append(_register_metrics())
    return _METRICS[0]


def _register_metrics() -> tuple[Any, Any] | None:
    try:
        import prometheus_client
    except ImportError:
        return None
    names = ("sqlgate_statements", "sqlgate_statement_seconds")
    # already registered (sqlgate's audit module loaded twice): reuse, never fail a statement
    known = getattr(prometheus_client.REGISTRY, "_names_to_collectors", {})
    if all(name in known for name in names):
        return known[names[0]], known[names[1]]
    try:
        statements = prometheus_client.Counter(
            "sqlgate_statements_total",
            "Statements run through sqlgate",
            ["source", "kind", "outcome"],
        )
        latency = prometheus_client.Histogram(
            "sqlgate_statement_seconds", "Statement latency in seconds", ["source", "kind"]
        )
    except ValueError as exc:  # a foreign collector holds the names: run without metrics
        logging.getLogger("sqlgate").warning("sqlgate metrics disabled: %s", exc)
        return None
    return statements, latency


@dataclass
class AuditRecord:
    """What is known about one statement; filled in while it runs."""

    source: str
    url: str
    kind: str = "UNKNOWN"
    rows: int = -1
    outcome: str = "ok"
    query_id: str | None = None  # the session's id of the statement (Cursor.query_id)
    started: float = field(default_factory=time.perf_counter)


class Auditor:
    """One connection's audit trail: its logger and metric series looked up once.

    A cursor calls :meth:`begin` and :meth:`end` around each statement; nothing here is
    rebuilt per statement but the log record itself (and only when INFO is enabled).
    """

    __slots__ = ("_log", "_series", "source", "url")

    def __init__(self, source: str, url: str) -> None:
        self.source = source
        self.url = url
        self._log = logger_for(source)
        # (kind, outcome) -> (counter child's inc, histogram child's observe), bound once;
        # a handful per connection
        self._series: dict[tuple[str, str], tuple[Any, Any] | None] = {}

    def begin(self, statement: str) -> float:
        """Log the statement at DEBUG (cut, then redacted); return the start time."""
        log = self._log
        if log.isEnabledFor(logging.DEBUG):
            log.debug("statement: %s", redact_truncated(statement, MAX_LOGGED_STATEMENT_CHARS))
        return time.perf_counter()

    def end(self, started: float, kind: str, rows: int, outcome: str, query_id: str | None) -> None:
        """Log the audit record and count the statement."""
        elapsed = time.perf_counter() - started
        log = self._log
        if log.isEnabledFor(logging.INFO):
            log.info(
                "audit source=%s url=%s kind=%s duration_ms=%.2f rows=%d outcome=%s query_id=%s",
                self.source,
                self.url,
                kind,
                elapsed * 1000,
                rows,
                outcome,
                query_id or "-",
            )
        key = (kind, outcome)
        series = self._series.get(key, _UNSET)
        if series is _UNSET:
            series = self._series[key] = self._lookup(kind, outcome)
        if series is not None:
            count, observe = series
            count()
            observe(elapsed)

    def _lookup(self, kind: str, outcome: str) -> tuple[Any, Any] | None:
        metrics = _metrics()
        if metrics is None:
            return None
        statements, latency = metrics
        counter = statements.labels(self.source, kind, outcome)
        return counter.inc, latency.labels(self.source, kind).observe


_UNSET: Any = object()


@contextmanager
def audited(source: str, url: str, statement: str) -> Iterator[AuditRecord]:
    """Time one statement and log its audit record, whatever its outcome."""
    auditor = Auditor(source, url)
    record = AuditRecord(source=source, url=url, started=auditor.begin(statement))
    try:
        yield record
    except BaseException as exc:
        record.outcome = type(exc).__name__
        refused_kind = getattr(exc, "kind", None)  # a ReadOnlyError names what it refused
        if refused_kind:
            record.kind = str(refused_kind)
        raise
    finally:
        auditor.end(record.started, record.kind, record.rows, record.outcome, record.query_id)
