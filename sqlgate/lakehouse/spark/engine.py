"""A lakehouse engine whose work runs on a Spark Connect server (``engine=spark``).

Same surface as :class:`sqlgate.lakehouse.engine.LakehouseEngine` (what ``LakehouseSession``
calls): the statement is compiled and vetted by the embedded path's front half and every
table reference is resolved by the table source (snapshot, time travel, files held to the
lake); then each reference becomes a temp view of this connection's own Spark session,
pinned to the resolved version, and the statement, transpiled to Spark SQL and vetted again
(:mod:`sqlgate.lakehouse.spark.guard`), runs there; its Arrow batches stream back as they
arrive (:mod:`sqlgate.lakehouse.spark.stream`), and a result closed early stops the job.
"""

from __future__ import annotations

import contextlib
import threading
import uuid
from collections.abc import Iterator, Sequence
from typing import Any

import pyarrow as pa

from sqlgate.core.errors import (
    DataError,
    Error,
    MissingExtraError,
    OperationalError,
    ProgrammingError,
)
from sqlgate.lakehouse.base import SourceMetadata, TableSource
from sqlgate.lakehouse.compiler import compile_statement
from sqlgate.lakehouse.failures import plain
from sqlgate.lakehouse.remote import check_params, resolve_tables
from sqlgate.lakehouse.spark.guard import vet_spark_sql
from sqlgate.lakehouse.spark.stream import open_stream
from sqlgate.lakehouse.spark.translate import (
    ReadSpec,
    on_s3,
    read_spec,
    s3a_conf,
    spark_args,
    spark_sql,
)

#: Spark's built-in function names by server (``SHOW SYSTEM FUNCTIONS``): asked once
_BUILTINS: dict[str, frozenset[str]] = {}
_BUILTINS_LOCK = threading.Lock()
#: set on every session. Iceberg 1.10's executor cache of delete files returned rows an
#: equality delete removes when a second query read the same table with another projection
#: (the Spark-written fixtures of tests/integration/lakehouse/test_spark_fixtures.py)
SESSION_CONF = {"spark.sql.iceberg.executor-cache.enabled": "false"}
#: pyspark's session class -> the same without the process-wide shutdown in ``__del__``
_QUIET: dict[type, type] = {}


def connect_spark(remote: str, source_name: str) -> Any:
    """A new Spark Connect session of its own (temp views are per session)."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:
        raise MissingExtraError(source_name, "spark", "pyspark") from exc
    from pyspark.sql.connect.client.retries import DefaultPolicy

    try:
        spark = SparkSession.builder.remote(remote).create()
        spark.__class__ = _quiet_class(type(spark))
        # pyspark retries an unreachable server for ~10 minutes; a few seconds say enough
        spark.client.set_retry_policies(
            [DefaultPolicy(max_retries=5, initial_backoff=200, backoff_multiplier=2.0)]
        )
        return spark
    except Exception as exc:
        raise OperationalError(plain(f"cannot open a Spark Connect session: {exc}")) from None


def _quiet_class(cls: type) -> type:
    """``cls`` whose ``__del__`` closes only its own channel. pyspark-client 4.0's closes the
    client, which shuts the process-wide release pool of every other session: a session the
    cyclic GC collects in the middle of another's statement makes that statement fail
    ("cannot schedule new futures after shutdown")."""
    with _BUILTINS_LOCK:
        quiet = _QUIET.get(cls)
        if quiet is None:

            def __del__(self: Any) -> None:
                with contextlib.suppress(Exception):
                    self.client._channel.close()

            quiet = _QUIET[cls] = type(f"Quiet{cls.__name__}", (cls,), {"__del__": __del__})
    return quiet


class SparkServerError(Exception):
    """Spark's error again, its message redacted: the cause a PEP 249 error chains."""


def _data_errors(spark_errors: Any) -> tuple[type[Exception], ...]:
    """Spark's errors about values (a bad cast, an overflow, a bad date): ``DataError``."""
    return (
        spark_errors.NumberFormatException,
        spark_errors.ArithmeticException,
        spark_errors.DateTimeException,
        spark_errors.ArrayIndexOutOfBoundsException,
    )


class SparkEngine(SourceMetadata):
    """One Spark Connect session over one :class:`TableSource`; one per DB-API connection."""

    def __init__(
        self,
        source: TableSource,
        spark: Any,
        remote: str,
        rows_per_batch: int = 65536,
        statement_timeout: float | None = None,
    ) -> None:
        self.source = source
        self.rows_per_batch = rows_per_batch
        self.statement_timeout = statement_timeout
        self.plan_info: list[dict[str, Any]] = []
        self._spark: Any = spark
        self._builtins = _builtins(spark, remote)  # first: names an unreachable server
        try:
            for key, value in SESSION_CONF.items():
                spark.conf.set(key, value)
        except Exception as exc:
            raise OperationalError(plain(f"cannot configure the Spark session: {exc}")) from None
        self._running: set[str] = set()  # tags of the statements running now
        self._cancelled: set[str] = set()  # ... and of those a cancel or timeout stopped
        self._s3a: dict[str, str] = {}  # the S3A settings last set on the session

    # ------------------------------------------------------------------ lifecycle
    def cancel(self) -> None:
        """Interrupt every operation of this engine's Spark session (it stays usable)."""
        spark = self._spark
        if spark is not None:
            self._cancelled.update(self._running)  # Spark's own tags are per thread
            spark.interruptAll()

    def close(self) -> None:
        if self._spark is not None:
            spark, self._spark = self._spark, None
            # the server-side session and its temp views released; a server that is gone
            # holds nothing of ours either. Not spark.stop(): its client.close() shuts
            # pyspark's process-wide release pool under every other open session
            # ("cannot schedule new futures after shutdown" in their next statement)
            with contextlib.suppress(Exception):
                spark.client.release_session()
            with contextlib.suppress(Exception):
                spark.client._channel.close()
            self.source.close()

    # ------------------------------------------------------------------ execution
    def execute(self, sql: str, parameters: Sequence[Any] | None = None) -> pa.RecordBatchReader:
        """Resolve every table, run the vetted Spark SQL, return its Arrow result."""
        spark = self._spark
        if spark is None:
            raise ProgrammingError("the lakehouse engine is closed")
        compiled = compile_statement(sql, self.source.default_schema)
        params = list(parameters or [])
        check_params(compiled, params)
        tag = f"sqlgate-{uuid.uuid4().hex[:12]}"
        reads, infos = self._resolve(compiled.refs, params, tag)
        views = {relation: view for relation, (view, _spec) in reads.items()}
        text = spark_sql(compiled, views)
        vet_spark_sql(text, views.values(), self._builtins)
        values = [params[i] for i in compiled.param_order]
        reader = self._run(spark, tag, reads, text, values)
        self.plan_info = infos
        return reader

    def _resolve(
        self, refs: list, params: list[Any], tag: str
    ) -> tuple[dict[str, tuple[str, ReadSpec]], list[dict[str, Any]]]:
        """Open each table reference at its snapshot: a view name and a Spark read for it."""
        reads: dict[str, tuple[str, ReadSpec]] = {}
        infos = []
        for i, table in enumerate(resolve_tables(self.source, refs, params, "spark"), start=1):
            spec = read_spec(self.source, table.handle, table.travel is not None, table.files)
            reads[table.ref.relation] = (f"__sqlgate_{tag[8:]}_{i}", spec)
            info = table.info("spark", self.source.format)
            info.update(read=spec.format, options=dict(spec.options))
            infos.append(info)
        return reads, infos

    def _run(
        self,
        spark: Any,
        tag: str,
        reads: dict[str, tuple[str, ReadSpec]],
        text: str,
        values: list[Any],
    ) -> pa.RecordBatchReader:
        """Create the views, start the query tagged (cancel, timeout) and stream its result;
        the views live until the stream ends."""
        views = [view for view, _spec in reads.values()]
        timer = None
        if self.statement_timeout is not None:
            timer = threading.Timer(self.statement_timeout, self._timeout, (spark, tag))
            timer.daemon = True
        spark.addTag(tag)
        self._running.add(tag)
        started = False
        try:
            if timer is not None:
                timer.start()
            self._store_conf(spark)
            for view, spec in reads.values():
                spark.read.format(spec.format).options(**spec.options).load(
                    spec.path
                ).createOrReplaceTempView(view)
            schema, tables = open_stream(spark.sql(text, args=spark_args(values) or None))
            started = True
        except Error:
            raise
        except Exception as exc:
            error, cause = self._error(exc, tag), SparkServerError(plain(str(exc), False))
        finally:
            spark.removeTag(tag)  # the operation started keeps it
            if not started:
                self._finish(spark, tag, timer, views)
        if not started:
            raise error from cause  # out here: Spark's own exception, unredacted, is no context
        batches = self._batches(spark, tag, timer, views, tables)
        return pa.RecordBatchReader.from_batches(schema, batches)

    def _batches(
        self, spark: Any, tag: str, timer: Any, views: list[str], tables: Iterator[pa.Table]
    ) -> Iterator[pa.RecordBatch]:
        failure, done = None, False
        try:
            for table in tables:
                yield from table.to_batches(max_chunksize=self.rows_per_batch)
            done = True
        except Exception as exc:
            failure = self._error(exc, tag), SparkServerError(plain(str(exc), False))
        finally:
            if not done and failure is None:  # closed early: the job stops, not just reading
                with contextlib.suppress(Exception):
                    spark.interruptTag(tag)
            self._finish(spark, tag, timer, views)
        if failure is not None:
            raise failure[0] from failure[1]

    def _store_conf(self, spark: Any) -> None:
        """The object store's endpoint and current credentials as this session's S3A settings
        (session-scoped on the server; set again only when the credential changes)."""
        root = getattr(self.source, "root", None)
        if root is None or root.is_local or not on_s3(root.uri):
            return
        conf = s3a_conf(dict(getattr(self.source, "storage_options", None) or {}))
        if conf != self._s3a:
            for key, value in conf.items():
                spark.conf.set(key, value)
            self._s3a = conf

    def _finish(self, spark: Any, tag: str, timer: Any, views: list[str]) -> None:
        if timer is not None:
            timer.cancel()
        self._running.discard(tag)
        self._cancelled.discard(tag)
        self._drop(spark, views)

    def _timeout(self, spark: Any, tag: str) -> None:
        self._cancelled.add(tag)
        spark.interruptTag(tag)

    def _error(self, exc: Exception, tag: str) -> Error:
        lines = str(exc).strip().splitlines()  # the first: Spark's error class and message
        message = plain(lines[0]) if lines else type(exc).__name__
        if tag in self._cancelled or "OPERATION_CANCELED" in str(exc):
            self._cancelled.discard(tag)
            return OperationalError("the statement was cancelled (Spark operation interrupted)")
        from pyspark import errors as spark_errors

        if isinstance(exc, _data_errors(spark_errors)):
            return DataError(f"Spark: {message}")
        if isinstance(exc, (spark_errors.AnalysisException, spark_errors.ParseException)):
            return ProgrammingError(f"Spark: {message}")
        return OperationalError(f"Spark: {message}")

    def _drop(self, spark: Any, views: list[str]) -> None:
        for view in views:
            try:
                spark.catalog.dropTempView(view)
            except Exception:
                return  # interrupted or gone: the session's end drops them


def _builtins(spark: Any, remote: str) -> frozenset[str]:
    """Spark's built-in function names: a name outside them could be a catalog UDF."""
    with _BUILTINS_LOCK:
        known = _BUILTINS.get(remote)
    if known is None:
        try:
            rows = spark.sql("SHOW SYSTEM FUNCTIONS").toArrow()
        except Exception as exc:
            address = remote.split("/")[2].split(";")[0] if remote.count("/") >= 2 else "?"
            raise OperationalError(
                f"cannot reach the Spark Connect server at {address} "
                f"({plain(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)}): "
                "check spark_remote= and that the server is running"
            ) from None
        known = frozenset(str(n).lower() for n in rows.column(0).to_pylist())
        with _BUILTINS_LOCK:
            _BUILTINS[remote] = known
    return known
