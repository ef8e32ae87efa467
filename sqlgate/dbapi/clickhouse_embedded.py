"""Embedded ClickHouse through chdb: ``clickhouse+sqlgate:///path/to/data?embedded=true``.

chdb runs a current ClickHouse engine inside the process (no server, no port) and hands
results over as Arrow record batches. ClickHouse's Arrow output writes a few types by their
storage (``DateTime`` as uint32 seconds, ``Enum`` as its codes, ``IPv4`` as uint32, ``IPv6``
and 128-bit integers as fixed bytes); for such columns the session asks the engine for the
result's ClickHouse types (``DESCRIBE``) and converts them to what the type table says, so an
embedded result reads the same as one from a server. A process holds one chdb data path.
"""

from __future__ import annotations

import contextlib
import functools
import ipaddress
import re
import threading
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from sqlgate.core.errors import InterfaceError, MissingExtraError, OperationalError
from sqlgate.core.flavor import Flavor
from sqlgate.core.params import ConnectParams
from sqlgate.core.results import ArrowResult, EmptyResult, Result, arrow_columns
from sqlgate.core.session import Parameters, Session
from sqlgate.core.translate import call_translated
from sqlgate.dbapi import clickhouse_errors  # noqa: F401 - registers the error classifier
from sqlgate.dbapi.clickhouse_session import (
    GUARD_SETTING,
    GUARD_VALUE,
    bind_parameters,
    describe_columns,
)
from sqlgate.dbapi.clickhouse_types import CLICKHOUSE_TYPES

ROWS_PER_BATCH = 65_536
_ENUM_LABEL = re.compile(r"'((?:[^'\\]|\\.)*)'\s*=\s*(-?\d+)")
_WRAPPERS = re.compile(r"^(?:Nullable|LowCardinality)\((.*)\)$")
_QUERY_START = re.compile(r"\s*\(*\s*(SELECT|WITH)\b", re.I)


def _bare(type_name: str) -> str:
    """``Nullable(LowCardinality(X))`` -> ``X``."""
    for _ in range(3):
        match = _WRAPPERS.match(type_name)
        if match is None:
            break
        type_name = match[1]
    return type_name


def _convert(array: pa.Array, type_name: str) -> pa.Array | None:
    """``array`` as the type table's Arrow type for ``type_name``; None if already right."""
    bare = _bare(type_name)
    target = CLICKHOUSE_TYPES.to_arrow(type_name)
    if array.type == target or pa.types.is_null(target):
        return None
    if bare.startswith("DateTime") and pa.types.is_integer(array.type):
        return pc.cast(pc.cast(array, pa.int64()), pa.timestamp("s")).cast(target)
    if bare.startswith("Enum") and pa.types.is_integer(array.type):
        labels = {int(code): label.replace("\\'", "'") for label, code in _ENUM_LABEL.findall(bare)}
        return pa.array([None if v is None else labels.get(v) for v in array.to_pylist()], target)
    if bare in ("IPv4", "IPv6"):
        values = array.to_pylist()
        return pa.array(
            [None if v is None else str(ipaddress.ip_address(v)) for v in values], pa.string()
        )
    if pa.types.is_fixed_size_binary(array.type) and bare in (
        "Int128",
        "UInt128",
        "Int256",
        "UInt256",
    ):
        signed = bare.startswith("Int")
        ints = [
            None if v is None else int.from_bytes(v, "little", signed=signed)
            for v in array.to_pylist()
        ]
        return pa.array(
            [None if i is None else (i if pa.types.is_decimal(target) else str(i)) for i in ints],
            target,
        )
    if isinstance(array.type, pa.ExtensionType) or bare == "UUID":
        return pa.array([None if v is None else str(v) for v in array.to_pylist()], pa.string())
    return None


class _ServerInfo:
    """What clickhouse-driver's escaping asks of a server: its time zone (chdb runs in UTC
    unless the query says otherwise)."""

    @staticmethod
    def get_timezone() -> str:
        return "UTC"


class _EscapeContext:
    server_info = _ServerInfo()


class EmbeddedSession(Session):
    """One chdb connection; statements stream as Arrow, rows are a view over the batches."""

    backslash_escapes = True

    def __init__(
        self, conn: Any, flavor: Flavor, guarded: bool, open_side: Callable[[], Any]
    ) -> None:
        self._conn = conn
        self._open_side = open_side
        self._guarded = guarded
        self._stream: Any = None
        self._tag = ""  # the comment in front of the streaming statement (see cancel)
        self._side: Any = None  # a second connection, for KILL QUERY only
        self._lock = threading.Lock()
        version = self._scalar("SELECT version()")
        self.banner = f"ClickHouse {version} (chdb)"
        self.server_version = flavor.compat_version(self.banner)
        self.product_version = self.server_version

    @property
    def raw(self) -> Any:
        return self._conn

    def _scalar(self, sql: str) -> Any:
        table = self._table(sql)
        return table.column(0)[0].as_py() if table is not None and table.num_rows else None

    def bind(self, operation: str, parameters: Parameters) -> str | None:
        """Values are spliced in client-side with clickhouse-driver's rules when it is
        installed; chdb alone takes no ``%s`` parameters."""
        if parameters is None or (not parameters and "%" not in operation):
            return operation
        try:
            import clickhouse_driver  # noqa: F401 - its escaping rules are used
        except ImportError as exc:
            raise MissingExtraError("clickhouse", "clickhouse", "clickhouse_driver") from exc
        return bind_parameters(operation, parameters, _EscapeContext())

    def execute(self, operation: str, parameters: Parameters = None) -> Result:
        text = self.bind(operation, parameters) or operation
        with self._lock:
            self._close_stream()
            if not _QUERY_START.match(text):  # SHOW, DESCRIBE, SET ...: chdb cannot stream them
                table = self._table(text)
                if table is None:
                    return EmptyResult(-1)
                reader = pa.RecordBatchReader.from_batches(table.schema, table.to_batches())
                return ArrowResult(reader, arrow_columns(table.schema), call_translated)
            # first, while no stream is open: another query would end chdb's stream
            types = self._result_types(text)
            self._tag = f"/* sqlgate:{uuid.uuid4().hex} */"
            stream = self._stream = self._conn.send_query(f"{self._tag} {text}", "Arrow")
        reader = stream.record_batch(ROWS_PER_BATCH)
        if types is not None and not reader.schema.names:
            reader = _empty_reader(types)  # no rows: chdb's stream has no schema either
        if types is None or [n for n, _ in types] != reader.schema.names:
            return ArrowResult(reader, arrow_columns(reader.schema), call_translated)
        return ArrowResult(_converted(reader, types), describe_columns(types), call_translated)

    def _result_types(self, text: str) -> list[tuple[str, str]] | None:
        """The ClickHouse types of a query's columns (Arrow alone may mislead, see module);
        None when the engine cannot describe it (the query itself then reports why)."""
        try:
            table = self._table(f"DESCRIBE TABLE ({text.rstrip().rstrip(';')})")
        except Exception:
            return None
        if table is None:
            return None
        names, types = table.column(0).to_pylist(), table.column(1).to_pylist()
        return list(zip(names, types, strict=True))

    def _table(self, sql: str) -> pa.Table | None:
        """A whole (small) result through chdb's Arrow file output; None without rows."""
        data = self._conn.query(sql, "Arrow").bytes()
        return pa.ipc.open_file(pa.py_buffer(data)).read_all() if data else None

    def cancel(self) -> None:
        """Stop the streaming statement: ``KILL QUERY`` from a second chdb connection of this
        process (chdb's own stream cancel blocks while the stream waits for its next block);
        the statement is found by the unique comment sqlgate put in front of its text."""
        tag = self._tag
        if self._stream is None or not tag:
            return
        if self._side is None:
            self._side = self._open_side()
        self._side.query(f"KILL QUERY WHERE startsWith(query, '{tag}') ASYNC")

    def _close_stream(self) -> None:
        stream, self._stream = self._stream, None
        if stream is not None and not getattr(stream, "_exhausted", True):
            with contextlib.suppress(Exception):  # a finished stream refuses: nothing to stop
                stream.cancel()

    def server_guard_active(self) -> bool | None:
        return str(self._scalar(f"SELECT getSetting('{GUARD_SETTING}')")) != "0"

    def ping(self) -> None:
        self._scalar("SELECT 1")

    def close(self) -> None:
        with self._lock:
            self._close_stream()
        self._conn.close()
        if self._side is not None:
            self._side.close()


def _empty_reader(types: list[tuple[str, str]]) -> pa.RecordBatchReader:
    """A result without rows, with its columns: chdb streams no Arrow schema when no row
    comes, but PEP 249's description (and an empty DataFrame) still wants the columns."""
    schema = pa.schema([(name, CLICKHOUSE_TYPES.to_arrow(type_name)) for name, type_name in types])
    return pa.RecordBatchReader.from_batches(schema, [])


def _converted(reader: pa.RecordBatchReader, types: list[tuple[str, str]]) -> pa.RecordBatchReader:
    fields = []
    for field, (_, type_name) in zip(reader.schema, types, strict=True):
        probe = _convert(pa.array([], field.type), type_name)
        fields.append(pa.field(field.name, field.type if probe is None else probe.type))
    schema = pa.schema(fields)

    def batches() -> Iterator[pa.RecordBatch]:
        for batch in reader:
            columns = []
            for column, (_, type_name) in zip(batch.columns, types, strict=True):
                converted = _convert(column, type_name)
                columns.append(column if converted is None else converted)
            yield pa.RecordBatch.from_arrays(columns, schema=schema)

    return pa.RecordBatchReader.from_batches(schema, batches())


def open_embedded(flavor: Flavor, params: ConnectParams, settings: dict[str, Any]) -> Session:
    """A chdb connection on the URL's path (memory without one), read-only unless told."""
    if params.host or params.port or params.user or params.password:
        raise InterfaceError(
            "an embedded ClickHouse URL names a data directory, not a server: "
            "clickhouse+sqlgate:///path/to/data?embedded=true"
        )
    try:
        import chdb
    except ImportError as exc:
        raise MissingExtraError(flavor.source, "chdb", "chdb") from exc
    path = params.database
    target = ":memory:" if not path else (path if path.startswith("/") else "/" + path)
    conn = call_translated(lambda: chdb.connect(target))
    statements = [f"SET {name} = {value}" for name, value in settings.items()]
    if params.read_only:
        statements.append(f"SET {GUARD_SETTING} = {GUARD_VALUE}")
    try:
        for statement in statements:
            call_translated(functools.partial(conn.query, statement))

        def side() -> Any:
            return chdb.connect(target)

        session = EmbeddedSession(conn, flavor, params.read_only, side)
        if params.read_only and not session.server_guard_active():
            raise OperationalError("chdb did not apply readonly=2; sqlgate will not use it")
    except BaseException:
        conn.close()
        raise
    return session
