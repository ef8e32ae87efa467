"""A lakehouse engine whose work runs on a Trino server (``engine=trino&trino_uri=http://h:p``).

Same surface as the embedded engine and the Spark one: the statement is compiled and vetted
by the embedded path's front half and every table reference resolved by the table source
(snapshot, time travel, files held to the lake: :mod:`sqlgate.lakehouse.remote`). Each table
is then registered in the server's ``delta`` or ``iceberg`` catalog (schema ``sqlgate``) by a
registrar user, under a name derived from its location, and read ``FOR VERSION AS OF`` the
version sqlgate resolved. The statement, transpiled to Trino's dialect with its parameters
as literals sqlglot renders, is vetted again in that dialect and runs as the query user,
which the server's access control lets read and nothing else; rows stream back as Arrow.
"""

from __future__ import annotations

import hashlib
import math
import threading
from collections.abc import Sequence
from typing import Any

import pyarrow as pa
from sqlglot import exp

from sqlgate.core.errors import NotSupportedError, OperationalError, ProgrammingError
from sqlgate.core.http import HttpClient, safe_url
from sqlgate.lakehouse.base import SourceMetadata, TableSource
from sqlgate.lakehouse.compiler import compile_statement
from sqlgate.lakehouse.remote import (
    RemoteDialect,
    Resolved,
    check_params,
    iceberg_table,
    resolve_tables,
    retarget,
    vet_remote_sql,
)
from sqlgate.lakehouse.trino import protocol

SCHEMA = "sqlgate"
#: Trino's functions that read outside the query: none are built in, but a connector's
#: ``system.query``-style table functions are refused by the table-function allow-list
TRINO = RemoteDialect("Trino", "trino", frozenset(), frozenset({"unnest", "sequence"}))
#: time types whose precision DuckDB keeps in microseconds, Trino by default in milliseconds
_MICROS = {
    exp.DataType.Type.TIMESTAMP,
    exp.DataType.Type.TIMESTAMPNTZ,
    exp.DataType.Type.TIMESTAMPTZ,
    exp.DataType.Type.TIME,
}
_REGISTERED: set[tuple[str, str, str]] = set()  # (server, catalog, table) registered already
_BUILTINS: dict[str, frozenset[str]] = {}
_LOCK = threading.Lock()


class TrinoEngine(SourceMetadata):
    """One Trino client over one :class:`TableSource`; one per DB-API connection."""

    def __init__(
        self,
        source: TableSource,
        uri: str,
        rows_per_batch: int = 65536,
        statement_timeout: float | None = None,
        user: str = "sqlgate",
        registrar: str = "sqlgate_register",
    ) -> None:
        if source.format not in ("delta", "iceberg"):
            raise NotSupportedError(
                f"engine=trino reads Delta and Iceberg tables only, not {source.format} "
                "(use the default engine=duckdb)"
            )
        root = getattr(source, "root", None)
        if root is not None and not root.is_local:
            raise NotSupportedError(
                "engine=trino reads lakes on local disk only in this release "
                "(use the default engine=duckdb for object stores)"
            )
        self.source = source
        self.uri = uri.rstrip("/")
        self.rows_per_batch = rows_per_batch
        self.statement_timeout = statement_timeout
        self.user, self.registrar = user, registrar
        self.catalog = source.format
        self.plan_info: list[dict[str, Any]] = []
        self._client: HttpClient | None = HttpClient(self.uri, read_timeout=60.0, retries=2)
        self._running: set[protocol.Statement] = set()
        self._builtins = self._load_builtins()  # first: names an unreachable server
        self._version = ""

    @property
    def engine_name(self) -> str:
        """``Trino <version>`` for the session's banner (asked of the server once)."""
        if not self._version:
            info = self.client.get("v1/info").json()
            self._version = str((info.get("nodeVersion") or {}).get("version") or "?")
        return f"Trino {self._version} at {safe_url(self.uri)}"

    @property
    def server_version(self) -> tuple[int, ...]:
        return tuple(int(p) for p in self.engine_name.split()[1].split(".") if p.isdigit())

    def _headers(self, user: str) -> dict[str, str]:
        headers = {
            "X-Trino-User": user,
            "X-Trino-Source": "sqlgate",
            "X-Trino-Catalog": self.catalog,
            "X-Trino-Schema": SCHEMA,
            # else Trino rounds every timestamp and time to milliseconds for old clients
            "X-Trino-Client-Capabilities": "PARAMETRIC_DATETIME",
        }
        if self.statement_timeout is not None and user == self.user:
            seconds = max(1, round(self.statement_timeout))
            headers["X-Trino-Session"] = f"query_max_run_time={seconds}s"
        return headers

    def _load_builtins(self) -> frozenset[str]:
        with _LOCK:
            known = _BUILTINS.get(self.uri)
        if known is None:
            try:
                rows = protocol.run_all(self.client, "SHOW FUNCTIONS", self._headers(self.user))
            except OperationalError as exc:
                where = safe_url(self.uri)
                raise OperationalError(
                    f"cannot reach the Trino server at {where} ({exc}): check trino_uri= and "
                    "that the server is running"
                ) from None
            known = frozenset(str(row[0]).lower() for row in rows)
            with _LOCK:
                _BUILTINS[self.uri] = known
        return known

    @property
    def client(self) -> HttpClient:
        if self._client is None:
            raise ProgrammingError("the lakehouse engine is closed")
        return self._client

    # ------------------------------------------------------------------ lifecycle
    def cancel(self) -> None:
        """Cancel every query of this connection running on the server."""
        for statement in list(self._running):
            statement.cancel()

    def close(self) -> None:
        if self._client is not None:
            self.cancel()
            self._client.close()
            self._client = None
            self.source.close()

    # ------------------------------------------------------------------ execution
    def execute(self, sql: str, parameters: Sequence[Any] | None = None) -> pa.RecordBatchReader:
        """Resolve and register every table, run the vetted Trino SQL, stream its rows."""
        try:
            return self._execute(sql, parameters)
        except ProgrammingError as exc:
            lost = "does not exist" in str(exc) and f"{SCHEMA}.t_" in str(exc)  # Trino's words
            if not lost or not self._forget_registrations():
                raise
        # the server lost its registrations (a restart on a fresh metastore): register again
        return self._execute(sql, parameters)

    def _forget_registrations(self) -> bool:
        with _LOCK:
            mine = {key for key in _REGISTERED if key[0] == self.uri}
            _REGISTERED.difference_update(mine)
        return bool(mine)

    def _execute(self, sql: str, parameters: Sequence[Any] | None) -> pa.RecordBatchReader:
        client = self.client
        compiled = compile_statement(sql, self.source.default_schema)
        params = list(parameters or [])
        check_params(compiled, params)
        names, infos = {}, []
        for table in resolve_tables(self.source, compiled.refs, params, "trino"):
            name, version, info = self._register(table)
            names[table.ref.relation] = (name, version)
            infos.append(info)
        text = trino_sql(compiled, names, [params[i] for i in compiled.param_order])
        vet_remote_sql(text, TRINO, [n for n, _v in names.values()], self._builtins)
        statement = protocol.submit(client, text, self._headers(self.user), self.rows_per_batch)
        self._running.add(statement)
        try:
            statement.wait()
        except BaseException:
            self._running.discard(statement)
            statement.cancel()
            raise
        self.plan_info = infos
        return pa.RecordBatchReader.from_batches(statement.schema, self._stream(statement))

    def _stream(self, statement: protocol.Statement) -> Any:
        try:
            yield from statement.batches()
        finally:
            self._running.discard(statement)

    def _register(self, table: Resolved) -> tuple[str, int | None, dict[str, Any]]:
        """Register the table's location (Iceberg: its metadata file) once per server; the
        name it is read by and the version to pin."""
        info = table.info("trino", self.catalog)
        if self.catalog == "delta":
            location = _file_uri(str(getattr(table.handle, "uri", "")))
            version: int | None = int(getattr(table.handle, "version"))  # noqa: B009
            args = {"table_location": location}
            key = location
        else:
            iceberg = iceberg_table(table.handle, table.files, "trino")
            metadata = str(iceberg.table.metadata_location)
            location = _file_uri(str(iceberg.table.location()))
            folder, _, file_name = metadata.rpartition("/")
            if _file_uri(folder) != f"{location}/metadata":
                raise NotSupportedError(
                    f"engine=trino cannot read Iceberg table {table.name}: its metadata file "
                    "is not in the table's metadata/ folder (use the default engine=duckdb)"
                )
            version = iceberg.snapshot_id
            args = {"table_location": location, "metadata_file_name": file_name}
            key = metadata
        name = "t_" + hashlib.sha256(key.encode()).hexdigest()[:24]
        if (self.uri, self.catalog, name) not in _REGISTERED:
            self._call_register(name, args)
            with _LOCK:
                _REGISTERED.add((self.uri, self.catalog, name))
        info.update(read=f"{self.catalog}.{SCHEMA}.{name}", version=version)
        return name, version, info

    def _call_register(self, name: str, args: dict[str, str]) -> None:
        named = {"schema_name": SCHEMA, "table_name": name, **args}
        rendered = ", ".join(
            f"{k} => {exp.Literal.string(v).sql('trino')}" for k, v in named.items()
        )
        sql = f"CALL system.register_table({rendered})"
        try:
            protocol.run_all(self.client, sql, self._headers(self.registrar))
        except ProgrammingError as exc:
            if "already exists" not in str(exc):
                raise OperationalError(
                    f"cannot register the table in Trino's {self.catalog}.{SCHEMA} ({exc}): the "
                    f"server must let trino_register_user={self.registrar} call register_table"
                ) from None


def _file_uri(location: str) -> str:
    """A local path as the ``file://`` URI Trino's native local file system reads."""
    return f"file://{location}" if location.startswith("/") else location


def trino_sql(compiled: Any, names: dict[str, tuple[str, int | None]], values: list[Any]) -> str:
    """``compiled.sql`` in Trino's dialect: relations renamed and pinned, ``$n`` as literals."""
    tree = retarget(
        compiled, {rel: exp.to_identifier(name, quoted=True) for rel, (name, _v) in names.items()}
    )
    pins = {name: version for name, version in names.values()}
    for node in list(tree.find_all(exp.Table)):
        if isinstance(node.this, exp.GenerateSeries):
            raise NotSupportedError(
                "range()/generate_series() as a table is not available with engine=trino "
                "(use the default engine=duckdb)"
            )
        version = pins.get(node.name) if isinstance(node.this, exp.Identifier) else None
        if version is not None:
            literal = exp.Literal.number(version)
            node.set("version", exp.Version(this="VERSION", kind="AS OF", expression=literal))
    for dtype in tree.find_all(exp.DataType):  # Trino's default precision is milliseconds
        if dtype.this in _MICROS and not dtype.expressions:
            dtype.set("expressions", [exp.DataTypeParam(this=exp.Literal.number(6))])
    for ph in list(tree.find_all(exp.Placeholder)):
        if str(ph.this).isdigit():
            ph.replace(_literal(values[int(ph.this) - 1]))
    return tree.sql("trino")


def _literal(value: Any) -> exp.Expr:
    """A parameter as the Trino literal of its value. A float is a DOUBLE as DuckDB binds it
    (sqlglot alone writes NaN as NULL and infinity as a bare name: a column's, if one is
    called ``inf``); a value no literal can spell is refused, never passed on as text."""
    if isinstance(value, float):
        text = "NaN" if math.isnan(value) else repr(value).replace("inf", "Infinity")
        return exp.cast(exp.Literal.string(text), exp.DataType.build("DOUBLE"))
    try:
        return exp.convert(value)
    except ValueError:
        raise NotSupportedError(
            f"a parameter of type {type(value).__name__} cannot be sent to Trino"
        ) from None
