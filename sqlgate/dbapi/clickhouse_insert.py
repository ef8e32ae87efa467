"""INSERT over ClickHouse's native protocol: rows travel as data blocks, not as text.

Over the native protocol an ``INSERT`` query is answered with the table's sample block, and the
server then waits for the rows as data blocks ending with an empty one; servers before 20.x
(Debian's 18.16) ignore ``VALUES (...)`` written in the query's text. Sent as a plain query,
such a statement would wait for blocks that never come until the read timeout (a hang).

So, with ``read_only=false``:

* ``INSERT INTO t (a, b) VALUES (%s, %s)`` whose values are all placeholders (what SQLAlchemy
  compiles, and ``executemany``) goes through clickhouse-driver's insert path: the query without
  its values, the parameters as rows, converted by the driver to the columns' types;
* any other INSERT is sent as it is; if the server asks for blocks, it gets the empty block
  that ends the insert (nothing is written), then the statement's literal rows, each value
  cast by the server to its column's type; what is not ``INSERT ... VALUES (...)`` (a
  ``FORMAT`` clause with data...) fails at once with a ``NotSupportedError`` naming the fix.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from sqlgate.core.errors import NotSupportedError, ProgrammingError
from sqlgate.core.session import Parameters

_DATA, _EXCEPTION, _END = 1, 2, 5  # ServerPacketTypes: Data, Exception, EndOfStream
_LEADING = re.compile(r"(?:\s+|--[^\n]*(?:\n|$)|/\*.*?\*/)*", re.S)
_INSERT = re.compile(r"insert\b", re.I)
_COMMENT = re.compile(r"--|#|/\*")
_PLACEHOLDER = r"%(?:\(\w+\))?s"
_TUPLE = rf"\(\s*{_PLACEHOLDER}(?:\s*,\s*{_PLACEHOLDER})*\s*\)"
#: ``... VALUES (%s, %(b)s), (...)`` up to the end of the text: the values are only placeholders
_VALUES_TAIL = re.compile(rf"\bVALUES\s*({_TUPLE}(?:\s*,\s*{_TUPLE})*)\s*;?\s*$", re.I)
_ONE_PLACEHOLDER = re.compile(r"%(?:\((\w+)\))?s")
_ONE_TUPLE = re.compile(_TUPLE)

NOT_SUPPORTED = (
    "this ClickHouse server reads an INSERT's rows as data blocks of its native protocol and "
    "ignores data written into the statement's text, which sqlgate could not read as "
    "VALUES (...) rows, so nothing was inserted; pass the values as parameters "
    "(cursor.execute('INSERT INTO t (a, b) VALUES (%s, %s)', (1, 'x')) "
    "or cursor.executemany(...)), or use INSERT ... SELECT"
)


def is_insert(text: str) -> bool:
    """Whether the statement is an INSERT (after leading comments and blanks)."""
    start = _LEADING.match(text)
    return bool(_INSERT.match(text, start.end() if start else 0))


def insert_rows(operation: str, parameters: Parameters) -> tuple[str, list[tuple[Any, ...]]] | None:
    """``(query without values, rows)`` when every value of the INSERT is a placeholder,
    else None (the statement is sent as text)."""
    if parameters is None or not is_insert(operation):
        return None
    tail = _VALUES_TAIL.search(operation)
    if tail is None:
        return None
    head = operation[: tail.start(1)].rstrip()
    if "%" in head:  # a placeholder before VALUES: not a plain list of rows
        return None
    lead = _LEADING.match(operation)
    if _COMMENT.search(operation, lead.end() if lead else 0):
        # ``INSERT ... SELECT 1 -- VALUES (%s)``: that VALUES is in a comment; the text path
        # sends the statement as the server reads it (a block insert would wait in vain)
        return None
    rows = []
    positional = iter(()) if isinstance(parameters, Mapping) else iter(_sequence(parameters))
    for group in _ONE_TUPLE.finditer(tail[1]):
        row = []
        for placeholder in _ONE_PLACEHOLDER.finditer(group[0]):
            row.append(_value(placeholder[1], parameters, positional))
        rows.append(tuple(row))
    if not isinstance(parameters, Mapping) and next(positional, _END_MARK) is not _END_MARK:
        raise ProgrammingError("more parameters than placeholders in the INSERT")
    return head, rows


_END_MARK = object()


def _sequence(parameters: Parameters) -> Sequence[Any]:
    if not isinstance(parameters, (list, tuple)):
        raise ProgrammingError("parameters must be a sequence or a mapping")
    return parameters


def _value(name: str | None, parameters: Parameters, positional: Any) -> Any:
    """The value of one placeholder: by name from a mapping, else the next in sequence."""
    if name is not None:
        if not isinstance(parameters, Mapping) or name not in parameters:
            raise ProgrammingError(f"no parameter named {name!r} for the INSERT")
        return parameters[name]
    if isinstance(parameters, Mapping):
        raise ProgrammingError("positional %s placeholders need a sequence of parameters")
    value = next(positional, _END_MARK)
    if value is _END_MARK:
        raise ProgrammingError("fewer parameters than placeholders in the INSERT")
    return value


def send_rows(client: Any, head: str, rows: list[tuple[Any, ...]], query_id: str) -> int:
    """clickhouse-driver's insert path; the number of rows written."""
    written = client.execute(head, rows, query_id=query_id)
    return int(written or 0)


def send_text(client: Any, text: str, query_id: str) -> int:
    """An INSERT sent as text: the server runs it itself (``INSERT ... SELECT``, inline values
    on newer servers), or asks for data blocks: then the insert is ended with the empty block
    (nothing written), its literal rows are typed by the server and sent as blocks."""
    from clickhouse_driver.block import ColumnOrientedBlock

    connection = client.connection
    with client.disconnect_on_error(text, None):
        connection.send_query(text, query_id=query_id)
        connection.send_external_tables(None)
        while True:
            packet = connection.receive_packet()
            if packet.type == _EXCEPTION:
                raise packet.exception
            if packet.type == _END:
                return -1
            block = getattr(packet, "block", None)
            if packet.type == _DATA and block is not None and block.columns_with_types:
                connection.send_data(ColumnOrientedBlock(), table_name="")
                client.receive_end_of_insert_query()
                break
    split = literal_rows(client, text, [str(t) for _, t in block.columns_with_types])
    if split is None:  # the link is idle again: the session stays usable
        raise NotSupportedError(NOT_SUPPORTED)
    return send_rows(client, *split, query_id)


def literal_rows(
    client: Any, text: str, types: list[str]
) -> tuple[str, list[tuple[Any, ...]]] | None:
    """``(query without values, rows)`` of ``INSERT ... VALUES (literals)``: each value cast
    by the server to its column's type (``SELECT CAST(v AS T) ...``), so that it means what
    the server would read from the text. None if the text is not such an INSERT."""
    import sqlglot
    from sqlglot import exp

    try:
        tree = sqlglot.parse_one(text, read="clickhouse")
    except sqlglot.errors.SqlglotError:
        return None
    values = tree.expression if isinstance(tree, exp.Insert) else None
    if not isinstance(values, exp.Values) or not values.expressions:
        return None
    selects = []
    for n, group in enumerate(values.expressions):
        items = group.expressions if isinstance(group, exp.Tuple) else [group]
        if len(items) != len(types):
            raise ProgrammingError(
                f"row {n + 1} of the INSERT has {len(items)} values for {len(types)} columns"
            )
        cast = (
            f"CAST({e.sql(dialect='clickhouse')} AS {t})" for e, t in zip(items, types, strict=True)
        )
        selects.append(f"SELECT {n} AS _row, {', '.join(cast)}")
    query = f"SELECT * FROM ({' UNION ALL '.join(selects)}) ORDER BY _row"
    rows = [tuple(row[1:]) for row in client.execute(query)]
    return f"INSERT INTO {tree.this.sql(dialect='clickhouse')} VALUES", rows
