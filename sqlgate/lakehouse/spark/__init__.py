"""The lakehouse sources on a Spark Connect server: ``engine=spark&spark_remote=sc://h:p``.

Only :func:`open_engine` lives here, importing nothing heavy: ``lakehouse_family`` calls it on
every connect and pyspark loads only when ``engine=spark`` is asked for.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlgate.lakehouse.base import TableSource


def open_engine(
    source: TableSource,
    remote: str,
    source_name: str,
    rows_per_batch: int,
    statement_timeout: float | None,
    extra: dict[str, str] | None = None,
) -> Any:
    """A :class:`~sqlgate.lakehouse.spark.engine.SparkEngine` on a new Spark Connect session;
    the source is closed when the server cannot be reached."""
    from sqlgate.lakehouse.spark.engine import SparkEngine, connect_spark

    try:
        spark = connect_spark(remote, source_name)
        try:
            return SparkEngine(source, spark, remote, rows_per_batch, statement_timeout)
        except BaseException:
            spark.client._channel.close()  # nothing to release: the server idles it out
            raise
    except BaseException:
        source.close()
        raise
