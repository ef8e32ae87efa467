"""The lakehouse sources on a Spark Connect server: ``engine=spark&spark_remote=sc://h:p``.

Only :func:`open_engine` lives here, importing nothing heavy: ``lakehouse_family`` calls it on
every connect and pyspark loads only when ``engine=spark`` is asked for.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlgate.core.errors import InterfaceError, NotSupportedError

if TYPE_CHECKING:
    from sqlgate.lakehouse.base import TableSource

ENGINES = ("duckdb", "spark")


def pop_engine(options: dict[str, Any], table_format: str) -> str | None:
    """Take ``engine=``/``spark_remote=`` out of the URL options: the Spark Connect remote
    when ``engine=spark``, None for the embedded DuckDB (the default)."""
    engine = str(options.pop("engine", "duckdb")).strip().lower()
    remote = options.pop("spark_remote", None)
    if engine not in ENGINES:
        raise InterfaceError(f"engine={engine!r} is not known: use one of {', '.join(ENGINES)}")
    if engine == "duckdb":
        if remote is not None:
            raise InterfaceError("spark_remote= needs engine=spark")
        return None
    if table_format == "hudi":
        raise NotSupportedError(
            "engine=spark cannot read Hudi tables: the Hudi runtime for Spark 4 is not "
            "available to sqlgate's Spark engine yet (use the default engine=duckdb)"
        )
    if not isinstance(remote, str) or not remote.startswith("sc://"):
        raise InterfaceError(
            "engine=spark needs spark_remote=sc://host:port (the Spark Connect server)"
        )
    return remote


def open_engine(
    source: TableSource,
    remote: str,
    source_name: str,
    rows_per_batch: int,
    statement_timeout: float | None,
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
