"""BigQuerySession: one google-cloud-bigquery client, one query job per statement.

The server-confirmed guard: with ``read_only`` on, every statement is first sent as a dry run
(``dryRun: true``), which BigQuery plans without running; its ``statementType`` must be
``SELECT`` or the statement is refused before any job runs. The dry run's bytes processed are
kept (:attr:`BigQuerySession.last_dry_run`) for Superset's cost estimate. The gate
(``readonly_policies.BIGQUERY``) has already refused ``EXPORT DATA``, ``EXTERNAL_QUERY``,
scripting and ``CALL`` by then; the dry run is the second, independent layer.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import decimal
import logging
import re
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlgate.core import errors
from sqlgate.core.redact import redact
from sqlgate.core.results import EmptyResult, Result
from sqlgate.core.session import Parameters, Session
from sqlgate.dbapi.bigquery_results import query_result
from sqlgate.dbapi.warehouse_family import Interruptible

#: the one statement type a read-only connection runs (BigQuery's ``statementType``)
READ_STATEMENT_TYPES = frozenset({"SELECT"})
#: seconds a cancel after a statement_timeout may take (the timeout is reported either way)
CANCEL_WAIT = 2.0
_T = TypeVar("_T")
_AS_OF = re.compile(r"\bAS\s+OF\b", re.I)
_PLACEHOLDER = re.compile(r"%\((?P<name>[A-Za-z_]\w*)\)s|%s|%%")


@dataclass(frozen=True)
class DryRun:
    """What BigQuery said about a statement without running it."""

    statement_type: str
    total_bytes_processed: int


@dataclass(frozen=True)
class Limits:
    """Time and size limits of one session's requests and jobs."""

    page_size: int | None  # rows per REST page
    max_results: int | None  # rows a result stops at
    request_timeout: float  # one HTTP request, and the retry deadline of a request
    statement_timeout: float | None  # a job's own limit (jobTimeoutMs) and the wait for it
    maximum_bytes_billed: int | None


def scalar_type(value: Any) -> str:
    """The GoogleSQL type of a Python parameter value."""
    if isinstance(value, bool):
        return "BOOL"
    if isinstance(value, int):
        return "INT64"
    if isinstance(value, float):
        return "FLOAT64"
    if isinstance(value, decimal.Decimal):
        digits = value.as_tuple()
        exponent = digits.exponent if isinstance(digits.exponent, int) else 0
        return "NUMERIC" if -exponent <= 9 and len(digits.digits) <= 38 else "BIGNUMERIC"
    if isinstance(value, (bytes, bytearray, memoryview)):
        return "BYTES"
    if isinstance(value, dt.datetime):
        return "TIMESTAMP" if value.tzinfo is not None else "DATETIME"
    if isinstance(value, dt.date):
        return "DATE"
    if isinstance(value, dt.time):
        return "TIME"
    return "STRING"


def query_parameter(name: str | None, value: Any) -> Any:
    """A google-cloud-bigquery query parameter (positional when ``name`` is None)."""
    from google.cloud import bigquery

    if isinstance(value, (list, tuple)):
        kind = scalar_type(next((v for v in value if v is not None), ""))
        return bigquery.ArrayQueryParameter(name, kind, list(value))
    if isinstance(value, (bytearray, memoryview)):
        value = bytes(value)
    return bigquery.ScalarQueryParameter(name, scalar_type(value), value)


def bind(operation: str, parameters: Parameters) -> tuple[str, list[Any]]:
    """pyformat (``%s``, ``%(name)s``) to BigQuery's ``?`` / ``@name`` query parameters.

    Values never enter the SQL text: BigQuery binds them on the server. The gate has already
    refused a placeholder inside a literal or comment (``check_template``)."""
    if parameters is None:
        return operation, []
    positional = not isinstance(parameters, Mapping)
    values = list(parameters) if positional else []
    named: dict[str, Any] = {}
    count = 0

    def replace(match: re.Match[str]) -> str:
        nonlocal count
        text = match.group()
        if text == "%%":
            return "%"
        if match["name"] is not None:
            if positional:
                raise errors.ProgrammingError("%(name)s placeholders need a mapping of values")
            key = match["name"]
            if key not in parameters:
                raise errors.ProgrammingError(f"no value given for the parameter {key!r}")
            named[key] = parameters[key]  # type: ignore[index]
            return f"@{key}"
        if not positional:
            raise errors.ProgrammingError("%s placeholders need a sequence of values")
        count += 1
        return "?"

    text = _PLACEHOLDER.sub(replace, operation)
    if positional and count != len(values):
        raise errors.ProgrammingError(
            f"the statement has {count} placeholder(s) but {len(values)} value(s) were given"
        )
    if positional:
        return text, [query_parameter(None, v) for v in values]
    return text, [query_parameter(k, v) for k, v in named.items()]


class BigQuerySession(Session):
    """A google-cloud-bigquery ``Client`` (and, when present, a Storage Read API client)."""

    def __init__(
        self,
        client: Any,
        read_client: Any,
        *,
        dataset: str | None,
        location: str | None,
        limits: Limits,
        storage_api: str,
        read_only: bool,
        banner: str,
    ) -> None:
        self._client = client
        self._read_client = read_client
        self.project: str = client.project
        self.dataset = dataset
        self.location = location
        self.limits = limits
        self.storage_api = storage_api
        self.read_only = read_only
        self.banner = banner
        self.server_version = (2,)  # the BigQuery REST API's version; the service has none
        self._lock = threading.Lock()
        self._running: str | None = None  # the id of the job running now, for cancel()
        self._job_id: str | None = None
        #: the blocking requests (dry run, job) on a worker, so cancel() can end the wait
        self._calls = Interruptible("sqlgate-bigquery")
        #: the last dry run: its statement type and bytes processed (Superset's cost estimate)
        self.last_dry_run: DryRun | None = None

    @property
    def raw(self) -> Any:
        return self._client

    @property
    def query_id(self) -> str | None:
        """The BigQuery job id of the last statement (``project:location.job_id``)."""
        return self._job_id

    # -- statements ------------------------------------------------------------------------
    def prepare(self, operation: str) -> str:
        """sqlgate's ``FOR TIMESTAMP AS OF`` is BigQuery's ``FOR SYSTEM_TIME AS OF``."""
        if _AS_OF.search(operation) is None:  # the tokenizer only where the words appear
            return operation
        from sqlgate.dbapi.bigquery_sql import time_travel

        return time_travel(operation)

    def _config(self, parameters: list[Any], *, dry_run: bool = False) -> Any:
        from google.cloud import bigquery

        config = bigquery.QueryJobConfig(query_parameters=parameters, use_query_cache=not dry_run)
        if dry_run:
            config.dry_run = True
        if self.dataset:
            config.default_dataset = f"{self.project}.{self.dataset}"
        if self.limits.statement_timeout is not None and not dry_run:
            config.job_timeout_ms = int(self.limits.statement_timeout * 1000)
        if self.limits.maximum_bytes_billed is not None:
            config.maximum_bytes_billed = self.limits.maximum_bytes_billed
        config.labels = {"client": "sqlgate"}
        return config

    def _retry(self, seconds: float | None = None) -> Any:
        """google-cloud-bigquery's retry, bounded (its own deadline is 600 s)."""
        from google.cloud.bigquery.retry import DEFAULT_RETRY

        return DEFAULT_RETRY.with_timeout(seconds or self.limits.request_timeout)

    def dry_run(
        self, operation: str, parameters: list[Any], seconds: float | None = None
    ) -> DryRun:
        """Plan ``operation`` on the server without running it (within ``seconds``)."""
        seconds = min(seconds, self.limits.request_timeout) if seconds else None
        job = self._client.query(
            operation,
            job_config=self._config(parameters, dry_run=True),
            location=self.location,
            retry=self._retry(seconds),
            timeout=seconds or self.limits.request_timeout,
            job_retry=None,
        )
        verdict = DryRun(str(job.statement_type or "").upper(), int(job.total_bytes_processed or 0))
        self.last_dry_run = verdict
        return verdict

    def guard(self, operation: str, parameters: list[Any], seconds: float | None = None) -> DryRun:
        """The server-confirmed guard: refuse anything BigQuery does not call a SELECT."""
        verdict = self._interruptible(lambda: self.dry_run(operation, parameters, seconds), None)
        if verdict.statement_type not in READ_STATEMENT_TYPES:
            raise errors.ReadOnlyError(
                verdict.statement_type or "unclassified statement",
                "refused by BigQuery's dry run, which classified the statement as "
                f"{verdict.statement_type or 'nothing'}; only SELECT runs",
            )
        return verdict

    def execute(self, operation: str, parameters: Parameters = None) -> Result:
        self._job_id = None  # a statement refused by the dry run has no job
        text, query_parameters = bind(operation, parameters)
        wait = self.limits.statement_timeout
        started = time.monotonic()
        if self.read_only:
            try:
                self.guard(text, query_parameters, wait)
            except errors.ReadOnlyError:
                raise
            except BaseException as exc:
                if wait is not None and time.monotonic() - started >= wait:
                    raise errors.OperationalError(
                        f"BigQuery's dry run of the statement exceeded statement_timeout={wait:g} s"
                    ) from exc
                raise
        # the job id is chosen here, so cancel() and a timeout can name the job even while
        # jobs.insert is still waiting (a server that answers only once the job is done)
        job_id = f"sqlgate_{uuid.uuid4().hex}"
        with self._lock:
            self._job_id = f"{self.project}:{self.location or '-'}.{job_id}"
            self._running = job_id
        try:
            left = None if wait is None else max(wait - (time.monotonic() - started), 0.001)
            insert = min(self.limits.request_timeout, left) if left else None

            def run() -> Any:
                job = self._client.query(
                    text,
                    job_config=self._config(query_parameters),
                    location=self.location,
                    job_id=job_id,
                    retry=self._retry(insert),
                    timeout=insert or self.limits.request_timeout,
                    job_retry=None,
                )
                self._job_id = f"{job.project}:{job.location}.{job.job_id}"
                left = None if wait is None else max(wait - (time.monotonic() - started), 0.001)
                rows = job.result(
                    page_size=self.limits.page_size,
                    max_results=self.limits.max_results,
                    timeout=left,
                    retry=self._retry(),
                )
                return job, rows

            job, rows = self._interruptible(run, job_id)
        except BaseException as exc:
            self._stop_after(job_id, exc, wait is not None and time.monotonic() - started >= wait)
            raise
        finally:
            with self._lock:
                self._running = None
        if not rows.schema:  # DML, DDL: no result set (read_only=false only)
            affected = job.num_dml_affected_rows
            return EmptyResult(int(affected) if affected is not None else -1)
        return query_result(
            rows,
            destination=job.destination,
            read_client=self._read_client,
            project=self.project,
            storage_api=self.storage_api,
        )

    def _stop_after(self, job_id: str, exc: BaseException, timed_out: bool) -> None:
        """The wait ended without a result: past statement_timeout, cancel the job on the
        server (so the limit really ends the work) and say so in sqlgate's words."""
        if not timed_out:
            return
        with contextlib.suppress(Exception):  # best effort: the timeout is what is reported
            self._cancel_job(job_id, CANCEL_WAIT)
        raise errors.OperationalError(
            f"the BigQuery job {job_id} exceeded statement_timeout="
            f"{self.limits.statement_timeout:g} s; sqlgate asked BigQuery to cancel it"
        ) from exc

    def _cancel_job(self, job_id: str, seconds: float | None = None) -> None:
        self._client.cancel_job(
            job_id,
            location=self.location,
            retry=self._retry(seconds),
            timeout=seconds or self.limits.request_timeout,
        )

    def _interruptible(self, call: Callable[[], _T], job_id: str | None) -> _T:
        """``call`` (blocking requests) waited for until it returns or :meth:`cancel` comes: a
        server may hold ``jobs.insert`` until the job is done (bqemulator does) and ignore
        ``jobs.cancel``; the wait still ends at once (:class:`Interruptible`)."""
        what = f"the BigQuery job {job_id}" if job_id else "BigQuery's dry run of the statement"
        asked = "; sqlgate asked BigQuery to stop it (jobs.cancel)" if job_id else ""
        return self._calls.run(call, f"{what} was cancelled (Cursor.cancel()){asked}")

    def cancel(self) -> None:
        """End the wait for the running statement at once, then ask BigQuery to stop its job
        (``jobs.cancel``, bounded to ``CANCEL_WAIT`` s; a dry run has no job). A cancel the
        server does not confirm is logged, not raised: the caller's wait has ended anyway."""
        with self._lock:
            job_id = self._running
        self._calls.wake()
        if job_id is None:
            return
        try:
            self._cancel_job(job_id, CANCEL_WAIT)
        except Exception as exc:  # reported in the log, named by job id
            logging.getLogger("sqlgate.bigquery").warning(
                "BigQuery did not confirm the cancel of job %s: %s", job_id, redact(str(exc))
            )

    def ping(self) -> None:
        """Reach the API with the session's credentials: the dataset, or the project's list."""
        if self.dataset:
            self._client.get_dataset(
                f"{self.project}.{self.dataset}",
                retry=self._retry(),
                timeout=self.limits.request_timeout,
            )
        else:
            next(
                iter(
                    self._client.list_datasets(
                        max_results=1, retry=self._retry(), timeout=self.limits.request_timeout
                    )
                ),
                None,
            )

    def server_guard_active(self) -> bool | None:
        """True while every statement is dry-run first (the server classifies it)."""
        return True if self.read_only else None

    def close(self) -> None:
        self._calls.close()
        client, self._client = self._client, None
        if client is not None:
            client.close()
        read_client, self._read_client = self._read_client, None
        transport = getattr(read_client, "_transport", None)
        if transport is not None:
            transport.close()
