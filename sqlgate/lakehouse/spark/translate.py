"""From a compiled lakehouse statement to what a Spark Connect session runs.

The embedded engine's front half (:func:`sqlgate.lakehouse.compiler.compile_statement`) has
already vetted the statement and resolved every table reference to a :class:`TableHandle` at
its snapshot. Here each handle becomes a Spark reader (format, path, pinned version/snapshot),
and the rewritten DuckDB SQL becomes Spark SQL reading the statement's temp views, with the
parameters as named markers (``:p1``) that Spark binds: no value is ever spliced into text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlglot import exp

from sqlgate.core.errors import NotSupportedError
from sqlgate.lakehouse.base import TableHandle, TableSource
from sqlgate.lakehouse.compiler import CompiledStatement
from sqlgate.lakehouse.remote import iceberg_table, retarget

#: plain-file formats Spark reads as sqlgate does: typed files. CSV and JSON are not here:
#: Spark's schema inference is not DuckDB's, so the same query could answer differently.
FILE_FORMATS: dict[str, dict[str, str]] = {"parquet": {}, "orc": {}}


@dataclass(frozen=True)
class ReadSpec:
    """``spark.read.format(format).options(**options).load(path)`` for one table reference."""

    format: str
    path: str
    options: dict[str, str] = field(default_factory=dict)


def read_spec(
    source: TableSource, handle: TableHandle, travelled: bool, files: Sequence[str] = ()
) -> ReadSpec:
    """How Spark reads ``handle`` at exactly the snapshot sqlgate resolved (``files``: the
    data files sqlgate planned and held to the lake)."""
    root = getattr(source, "root", None)
    fmt = source.format
    if root is not None and not root.is_local and not (fmt == "delta" and on_s3(root.uri)):
        raise NotSupportedError(
            "engine=spark reads local lakes and Delta tables on S3-compatible stores only in "
            "this release: use the default engine=duckdb for this store and format"
        )
    if fmt == "delta":
        from sqlgate.lakehouse.delta import DeltaTableHandle

        assert isinstance(handle, DeltaTableHandle)
        uri = "s3a://" + handle.uri.split("://", 1)[1] if on_s3(handle.uri) else handle.uri
        return ReadSpec("delta", uri, {"versionAsOf": str(handle.version)})
    if fmt == "iceberg":
        table = iceberg_table(handle, files, "spark")
        location = str(table.table.metadata_location)
        if "://" in location and not location.startswith("file:"):
            raise NotSupportedError(
                "engine=spark reads Iceberg tables stored on local disk only in this release"
            )
        snapshot = table.snapshot_id
        options = {"snapshot-id": str(snapshot)} if travelled and snapshot is not None else {}
        return ReadSpec("iceberg", location, options)
    if fmt in FILE_FORMATS:
        from sqlgate.lakehouse.files import FileTable

        assert isinstance(handle, FileTable)
        return ReadSpec(fmt, handle.path, dict(FILE_FORMATS[fmt]))
    raise NotSupportedError(
        f"engine=spark cannot read {fmt} tables here: only Delta, Iceberg, Parquet and ORC "
        "(use the default engine=duckdb)"
    )


def on_s3(uri: str) -> bool:
    return uri.startswith(("s3://", "s3a://"))


def s3a_conf(options: dict[str, str]) -> dict[str, str]:
    """Hadoop's S3A settings for the session from sqlgate's object_store options (the URL's
    or the credential provider's current ones). The FileSystem cache is off: a cached S3A
    client would carry one session's credentials into another's reads."""
    opts = {k.lower(): v for k, v in options.items()}
    conf = {"fs.s3a.impl.disable.cache": "true", "fs.s3a.path.style.access": "true"}
    endpoint = opts.get("aws_endpoint_url") or opts.get("aws_endpoint")
    if endpoint:
        conf["fs.s3a.endpoint"] = endpoint
        conf["fs.s3a.connection.ssl.enabled"] = str(endpoint.startswith("https://")).lower()
    if opts.get("aws_virtual_hosted_style_request", "").lower() == "true":
        conf["fs.s3a.path.style.access"] = "false"
    if opts.get("aws_region"):
        conf["fs.s3a.endpoint.region"] = opts["aws_region"]
    keys = ("aws_access_key_id", "aws_secret_access_key", "aws_session_token")
    for key, name in zip(keys, ("access.key", "secret.key", "session.token"), strict=True):
        if opts.get(key):
            conf[f"fs.s3a.{name}"] = opts[key]
    provider = "TemporaryAWSCredentialsProvider" if "fs.s3a.session.token" in conf else None
    if provider is None and "fs.s3a.access.key" in conf:
        provider = "SimpleAWSCredentialsProvider"
    if provider is not None:
        conf["fs.s3a.aws.credentials.provider"] = f"org.apache.hadoop.fs.s3a.{provider}"
    return conf


def spark_sql(compiled: CompiledStatement, views: dict[str, str]) -> str:
    """``compiled.sql`` in Spark's dialect: relations renamed to ``views``, ``$n`` to ``:pn``."""
    names = {rel: exp.to_identifier(view, quoted=True) for rel, view in views.items()}
    tree = retarget(compiled, names)
    for node in list(tree.find_all(exp.Table)):
        if isinstance(node.this, exp.GenerateSeries):
            _spark_range(node, node.this)
    for ph in tree.find_all(exp.Placeholder):
        if str(ph.this).isdigit():
            ph.set("this", f"p{ph.this}")
    return tree.sql("spark")


def spark_args(values: list[Any]) -> dict[str, Any]:
    """The parameter values by the marker names :func:`spark_sql` gives them."""
    return {f"p{i}": value for i, value in enumerate(values, start=1)}


def _spark_range(table: exp.Table, series: exp.GenerateSeries) -> None:
    """DuckDB's ``range``/``generate_series`` table functions as Spark's ``range``, keeping
    DuckDB's names: the column is ``range`` (end exclusive) or ``generate_series``."""
    start, end, step = (series.args.get(k) for k in ("start", "end", "step"))
    exclusive = bool(series.args.get("is_end_exclusive"))
    if end is None:
        start, end = exp.Literal.number(0), start
    if not exclusive:
        try:
            ascending = step is None or float(step.to_py()) > 0
        except (AttributeError, ValueError, TypeError):
            raise NotSupportedError(
                "generate_series with a step that is not a number cannot run on engine=spark"
            ) from None
        end = exp.Add(this=end, expression=exp.Literal.number(1 if ascending else -1))
    args = [start, end] + ([step] if step is not None else [])
    name = "range" if exclusive else "generate_series"
    alias = table.args.get("alias")
    if alias is None:
        alias = exp.TableAlias(this=exp.to_identifier(name, quoted=True))
    if not alias.columns:
        alias.set("columns", [exp.to_identifier(name, quoted=True)])
    table.set("this", exp.Anonymous(this="range", expressions=args))
    table.set("alias", alias)
