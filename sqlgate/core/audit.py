"""Audit logging and optional Prometheus metrics for every statement.

Each statement produces one record on the ``sqlgate.<source>`` logger (source, redacted URL,
statement kind, duration, row count, outcome). The statement text itself is logged only at
DEBUG level: at most :data:`MAX_LOGGED_STATEMENT_CHARS` characters of it, cut before
redaction so that a huge statement costs bounded work, then redacted. When
``prometheus_client`` is installed (``pip install 'sqlgate[metrics]'``) the counter
``sqlgate_statements_total`` and the histogram ``sqlgate_statement_seconds`` are exported.

Counting costs a statement a few plain integer additions: each connection keeps its own
tallies, and a collector adds them up when the registry is scraped (a prometheus_client
child's ``inc``/``observe`` took a lock and several calls, 4-7 us of every small statement).
Under prometheus_client's multiprocess mode (``PROMETHEUS_MULTIPROC_DIR``), where values must
reach shared files, the library's own Counter and Histogram are used instead.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import weakref
from bisect import bisect_left
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlgate.core.redact import redact_truncated

#: how much of a statement the DEBUG record shows (the read-only gate itself refuses statements
#: over 256 KiB; see docs/read-only.md)
MAX_LOGGED_STATEMENT_CHARS = 4096

COUNTER_NAME = "sqlgate_statements"  # exported as sqlgate_statements_total
HISTOGRAM_NAME = "sqlgate_statement_seconds"
#: prometheus_client's default latency buckets (upper bounds, seconds)
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0)

#: records one statement's latency in one (kind, outcome) series of a connection
Series = Callable[[float], None]


def logger_for(source: str) -> logging.Logger:
    """The logger of one source: ``sqlgate.<source>``."""
    return logging.getLogger(f"sqlgate.{source}")


class Tally:
    """One connection's counts per (kind, outcome): plain lists its own thread adds to.

    A list is ``[count, seconds, n(<= BUCKETS[0]), ..., n(> BUCKETS[-1])]``; buckets are not
    cumulative here (the collector sums them). Only the connection's thread writes
    (``threadsafety = 1``); a scrape reads a copy, at most one statement behind.
    """

    __slots__ = ("series", "source")

    def __init__(self, source: str) -> None:
        self.source = source
        self.series: dict[tuple[str, str], list[float]] = {}

    def recorder(self, kind: str, outcome: str) -> Series:
        values = self.series.setdefault((kind, outcome), [0] * (len(BUCKETS) + 3))

        def record(elapsed: float) -> None:
            values[0] += 1
            values[1] += elapsed
            values[2 + bisect_left(BUCKETS, elapsed)] += 1

        return record


class TallyCollector:
    """Folds every connection's tallies into the two metric families at scrape time.

    Live connections are held weakly; a closed one's tallies are folded into the totals at
    the next scrape (or when many have piled up), so a pool that opens a connection per
    request holds a bounded list.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._live: list[tuple[weakref.ref[Any], Tally]] = []
        self._totals: dict[tuple[str, str, str], list[float]] = {}
        self._prune_at = 64

    def track(self, owner: Any, tally: Tally) -> None:
        """Count ``tally`` (kept by ``owner``, a connection's auditor) from now on."""
        with self._lock:
            self._live.append((weakref.ref(owner), tally))
            if len(self._live) >= self._prune_at:
                self._fold_closed()
                self._prune_at = max(64, 2 * len(self._live))

    def _fold_closed(self) -> None:
        """Move the tallies of connections that are gone into the totals (lock held)."""
        live = []
        for ref, tally in self._live:
            if ref() is None:
                for key, values in list(tally.series.items()):
                    _add(self._totals, (tally.source, *key), values)
            else:
                live.append((ref, tally))
        self._live = live

    def snapshot(self) -> dict[tuple[str, str, str], list[float]]:
        """(source, kind, outcome) -> summed values, over closed and live connections."""
        with self._lock:
            self._fold_closed()
            summed = {key: list(values) for key, values in self._totals.items()}
            for _, tally in self._live:
                for key, values in list(tally.series.items()):
                    _add(summed, (tally.source, *key), list(values))
        return summed

    def describe(self) -> list[Any]:
        """The families without samples: registering never runs :meth:`collect`."""
        return _families({})

    def collect(self) -> list[Any]:
        return _families(self.snapshot())


def _add(into: dict[tuple[str, str, str], list[float]], key: Any, values: list[float]) -> None:
    target = into.get(key)
    if target is None:
        into[key] = list(values)
    else:
        for i, value in enumerate(values):
            target[i] += value


def _families(summed: dict[tuple[str, str, str], list[float]]) -> list[Any]:
    from prometheus_client.core import CounterMetricFamily, HistogramMetricFamily
    from prometheus_client.utils import floatToGoString

    counter = CounterMetricFamily(
        COUNTER_NAME, "Statements run through sqlgate", labels=["source", "kind", "outcome"]
    )
    histogram = HistogramMetricFamily(
        HISTOGRAM_NAME, "Statement latency in seconds", labels=["source", "kind"]
    )
    by_kind: dict[tuple[str, str], list[float]] = {}
    for (source, kind, outcome), values in sorted(summed.items()):
        counter.add_metric([source, kind, outcome], values[0])
        _add(by_kind, (source, kind), values)  # type: ignore[arg-type]
    bounds = [*map(floatToGoString, BUCKETS), "+Inf"]
    for (source, kind), values in by_kind.items():
        cumulative, buckets = 0.0, []
        for bound, n in zip(bounds, values[2:], strict=True):
            cumulative += n
            buckets.append((bound, cumulative))
        histogram.add_metric([source, kind], buckets, values[1])
    return [counter, histogram]


_METRICS_LOCK = threading.Lock()
_METRICS: list[Callable[[Any, str, str, str], Series] | None] = []  # filled once, under the lock


def _metrics() -> Callable[[Any, str, str, str], Series] | None:
    """How a connection gets a series, registered once per process (None: no metrics).

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


def _register_metrics() -> Callable[[Any, str, str, str], Series] | None:
    try:
        import prometheus_client
    except ImportError:
        return None
    # the library reads either spelling (the lower-case one is its older name)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR") or os.environ.get("prometheus_multiproc_dir"):  # noqa: SIM112
        return _library_series(prometheus_client)
    # already registered (sqlgate's audit module loaded twice): reuse, never fail a statement
    known = getattr(prometheus_client.REGISTRY, "_names_to_collectors", {})
    collector = known.get(HISTOGRAM_NAME)
    if collector is None or known.get(COUNTER_NAME) is not collector:
        collector = TallyCollector()
        try:
            prometheus_client.REGISTRY.register(collector)
        except ValueError as exc:  # a foreign collector holds the names: run without metrics
            logging.getLogger("sqlgate").warning("sqlgate metrics disabled: %s", exc)
            return None
    track = getattr(collector, "track", None)
    if track is None:
        return None

    def series(owner: Any, source: str, kind: str, outcome: str) -> Series:
        tally = getattr(owner, "tally", None)
        if tally is None:
            tally = owner.tally = Tally(source)
            track(owner, tally)
        return tally.recorder(kind, outcome)

    return series


def _library_series(prometheus_client: Any) -> Callable[[Any, str, str, str], Series] | None:
    """prometheus_client's own Counter and Histogram (its multiprocess mode needs them)."""
    try:
        statements = prometheus_client.Counter(
            COUNTER_NAME, "Statements run through sqlgate", ["source", "kind", "outcome"]
        )
        latency = prometheus_client.Histogram(
            HISTOGRAM_NAME, "Statement latency in seconds", ["source", "kind"]
        )
    except ValueError as exc:
        logging.getLogger("sqlgate").warning("sqlgate metrics disabled: %s", exc)
        return None

    def series(owner: Any, source: str, kind: str, outcome: str) -> Series:
        count = statements.labels(source, kind, outcome).inc
        observe = latency.labels(source, kind).observe

        def record(elapsed: float) -> None:
            count()
            observe(elapsed)

        return record

    return series


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

    __slots__ = ("__weakref__", "_log", "_series", "source", "tally", "url")

    def __init__(self, source: str, url: str) -> None:
        self.source = source
        self.url = url
        self._log = logger_for(source)
        #: this connection's counts (created with its first counted statement)
        self.tally: Tally | None = None
        # (kind, outcome) -> the series' recorder, bound once; a handful per connection
        self._series: dict[tuple[str, str], Series | None] = {}

    def begin(self, statement: str) -> float:
        """Log the statement at DEBUG (cut, then redacted); return the start time."""
        log = self._log
        if log.isEnabledFor(logging.DEBUG):
            log.debug("statement: %s", redact_truncated(statement, MAX_LOGGED_STATEMENT_CHARS))
        return time.perf_counter()

    def end(self, started: float, kind: str, rows: int, outcome: str, query_id: Any = None) -> None:
        """Log the audit record and count the statement (``query_id``: a string, or a
        callable that gives it, called only when the record is logged)."""
        elapsed = time.perf_counter() - started
        log = self._log
        if log.isEnabledFor(logging.INFO):
            if callable(query_id):
                query_id = query_id()
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
        try:
            record = self._series[key]
        except KeyError:
            record = self._series[key] = self._lookup(kind, outcome)
        if record is not None:
            record(elapsed)

    def _lookup(self, kind: str, outcome: str) -> Series | None:
        series = _metrics()
        return None if series is None else series(self, self.source, kind, outcome)


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
