"""MySQL-protocol result rows straight into Arrow, on the session's own PyMySQL link.

PyMySQL parses every value of every row in Python (a length prefix, a ``decode``, an ``int()``
or a regex per value): a million rows take seconds. When a streaming result is fetched as Arrow,
the rest of its row packets are instead read from the socket in large blocks and taken apart
column by column with numpy: only the packet framing is a Python loop (one step per row), each
column's values become one Arrow binary array (offsets and bytes gathered at once), and Arrow's
C casts turn the text into the column's type.

Nothing else changes: the same connection (its read-only guard, its transaction, its session
settings, ``KILL QUERY``, ``max_statement_time``, the socket's read timeout), the same statement,
sent once. The values equal the row path's by construction: a column is cast in C only where
PyMySQL's converter and Arrow's cast read the text alike (:func:`_fast`); any other column, and
any value a cast refuses (a zero date, an out-of-range number), goes through PyMySQL's own
converters and the row path's Arrow conversion. Without numpy the row path is used.
"""

from __future__ import annotations

import decimal
import struct
from collections.abc import Callable
from typing import Any

import pyarrow as pa

from sqlgate.core.results import _column_array, rows_to_batch

try:
    import numpy as np
except ImportError:  # pragma: no cover - pyarrow usually brings it
    np = None  # type: ignore[assignment]

_EOF, _ERROR, _NULL = 0xFE, 0xFF, 0xFB
_MAX_PACKET = 0xFFFFFF  # a payload this long continues in the next packet
_BLOCK = 1 << 20  # bytes asked of the socket per read
_PAD = 16  # zero bytes after the buffer, so a length read at the very end stays in bounds
_HEADER = struct.Struct("<I")
_UTF8 = ("utf8", "utf-8", "utf8mb4")


def native_available() -> bool:
    """Whether numpy is importable (the row path is used without it)."""
    return np is not None


class _Pushback:
    """The connection's socket file with bytes read ahead put back in front of it."""

    def __init__(self, connection: Any, inner: Any, data: bytes) -> None:
        self._connection = connection
        self._inner = inner
        self._data = data

    def _take(self, size: int) -> bytes:
        data, self._data = self._data[:size], self._data[size:]
        if not self._data:
            self._connection._rfile = self._inner  # nothing left: PyMySQL reads directly again
        return data

    def read(self, size: int = -1) -> bytes:
        head = self._take(size if size >= 0 else len(self._data))
        if size < 0:
            return head + self._inner.read()
        return head if len(head) == size else head + self._inner.read(size - len(head))

    def read1(self, size: int = -1) -> bytes:
        return self._take(size if size > 0 else len(self._data))

    def close(self) -> None:
        self._inner.close()


def _read_block(connection: Any) -> bytes:
    """More bytes of the result (what the socket has, up to :data:`_BLOCK`)."""
    timeout = connection._read_timeout  # as PyMySQL's _read_packet arms it
    if getattr(connection, "_current_timeout", None) != timeout:
        connection._sock.settimeout(timeout)
        if hasattr(connection, "_current_timeout"):  # PyMySQL 1.1+ remembers what it set
            connection._current_timeout = timeout
    try:
        data = connection._rfile.read1(_BLOCK)
    except OSError as exc:
        connection._force_close()
        raise _lost(connection, f"({exc})") from None
    if not data:
        connection._force_close()
        raise _lost(connection, "")
    return bytes(data)


def _lost(connection: Any, detail: str) -> Exception:
    """PyMySQL's own error for a connection lost mid-result (CR_SERVER_LOST)."""
    from pymysql import err

    return err.OperationalError(2013, f"Lost connection to MySQL server during query {detail}")


def read_raw(result: Any, limit: int) -> tuple[bytearray, list[int], str]:
    """Up to ``limit`` row packets of an unbuffered result, unparsed: (buffer, the packets'
    offsets in it, why it stopped: ``"limit"`` or ``"end"`` (an EOF or error packet, or a row
    over 16 MiB, follows)). Bytes read past the last row taken, the stopping packet included,
    are put back for the next reader (PyMySQL's or this one)."""
    connection = result.connection
    buf = bytearray()
    pos = 0
    starts: list[int] = []
    add = starts.append
    unpack = _HEADER.unpack_from
    stop = "limit"
    while True:
        last = len(buf) - 4  # a packet's header must start at or before this
        # the hot loop: one step per row, no row count kept (the rows past ``limit`` are
        # put back below); what need not stop it is checked vectorised after it
        while pos <= last:
            length = unpack(buf, pos)[0] & _MAX_PACKET
            if pos + length > last:
                break
            if length < 9 and (length == 0 or buf[pos + 4] == _EOF):
                stop = "end"
                break
            add(pos)
            pos += length + 4
        if len(starts) >= limit:
            if len(starts) > limit:
                stop, pos = "limit", starts[limit]
                del starts[limit:]
            break
        if stop == "end":
            break
        if starts and buf[starts[-1] + 4] == _ERROR:  # an error ends the result: never wait
            break
        buf += _read_block(connection)
    cut = _first_unusual(connection, buf, starts)
    if cut < len(starts):  # an error packet or a huge row: PyMySQL's reader takes it from here
        stop, pos = "end", starts[cut]
        del starts[cut:]
    connection._next_seq_id = (connection._next_seq_id + len(starts)) & 0xFF
    if pos < len(buf):
        connection._rfile = _Pushback(connection, _inner_file(connection), bytes(buf[pos:]))
        del buf[pos:]
    return buf, starts, stop


def _first_unusual(connection: Any, buf: bytearray, starts: list[int]) -> int:
    """Check the packets' sequence numbers; the index of the first error packet or row over
    16 MiB (``len(starts)`` when there is none)."""
    if not starts:
        return 0
    data = np.frombuffer(buf, dtype=np.uint8)  # a view: gone before buf is cut
    at = np.asarray(starts, dtype=np.int64)
    expected = (connection._next_seq_id + np.arange(len(at))) & 0xFF
    if not np.array_equal(data[at + 3], expected):
        connection._force_close()
        raise _lost(connection, "(packet sequence number wrong)")
    huge = (data[at] == 0xFF) & (data[at + 1] == 0xFF) & (data[at + 2] == 0xFF)
    unusual = huge | (data[at + 4] == _ERROR)
    return int(np.argmax(unusual)) if unusual.any() else len(starts)


def _inner_file(connection: Any) -> Any:
    current = connection._rfile
    return current._inner if isinstance(current, _Pushback) else current


def read_batch(result: Any, schema: pa.Schema, limit: int) -> tuple[pa.RecordBatch | None, bool]:
    """Up to ``limit`` further rows of an unbuffered PyMySQL result as a batch of ``schema``
    (the row path's, refined by its first chunk): (batch, whether the result ended); (None,
    True) once it has ended. The end packet (or an error) is read by PyMySQL's own reader."""
    from sqlgate.dbapi.mysql_driver import read_rows

    if not result.unbuffered_active:
        return None, True
    buf, starts, stop = read_raw(result, limit)
    if not starts:
        if stop == "limit":
            return rows_to_batch([], schema), False
        rows, ended = read_rows(result, 1)  # the end, an error (raised) or one huge row
        return (rows_to_batch(rows, schema) if rows else None), ended
    columns = _split(buf, starts, len(result.converters))
    encoding = result.connection.encoding
    arrays = [
        _column(raw, field, enc, converter, encoding)
        for raw, field, (enc, converter) in zip(columns, schema, result.converters, strict=True)
    ]
    batch = pa.RecordBatch.from_arrays(arrays, schema=schema)
    if stop != "end":
        return batch, False
    # PyMySQL reads what stopped the loop: the end, an error (raised), or a row over 16 MiB
    rows, ended = read_rows(result, 1)
    if rows:
        table = pa.Table.from_batches([batch, rows_to_batch(rows, schema)]).combine_chunks()
        batch = table.to_batches()[0]
    return batch, ended


def _split(buf: bytearray, starts: list[int], width: int) -> list[pa.Array]:
    """Each column of the packets' length-coded values as an Arrow binary array."""
    buf += bytes(_PAD)  # in place (buf is this batch's own); no copy of the rows
    data = np.frombuffer(buf, dtype=np.uint8)
    pos = np.asarray(starts, dtype=np.int64) + 4  # past each packet's header
    out = []
    for _ in range(width):
        lead = data[pos].astype(np.int64)
        null = lead == _NULL
        length = np.where(lead < 0xFB, lead, 0)
        offset = pos + 1
        two = lead == 0xFC
        three = lead == 0xFD
        eight = lead == 0xFE
        if two.any() or three.any() or eight.any():
            b = [data[pos + i].astype(np.int64) for i in range(1, 9)]
            length = np.where(two, b[0] | b[1] << 8, length)
            length = np.where(three, b[0] | b[1] << 8 | b[2] << 16, length)
            wide = b[0] | b[1] << 8 | b[2] << 16 | b[3] << 24 | b[4] << 32 | b[5] << 40
            length = np.where(eight, wide, length)
            offset = offset + np.where(two, 2, 0) + np.where(three, 3, 0) + np.where(eight, 8, 0)
        ends = np.cumsum(length)
        total = int(ends[-1]) if len(ends) else 0
        index = _gather_index(offset, length, ends - length, total, len(data))
        values = data[index]
        offsets = np.concatenate(([0], ends)).astype(np.int64)
        validity = pa.py_buffer(np.packbits(~null, bitorder="little")) if null.any() else None
        out.append(
            pa.Array.from_buffers(
                pa.large_binary(),
                len(pos),
                [validity, pa.py_buffer(offsets), pa.py_buffer(values)],
                null_count=int(null.sum()),
            )
        )
        pos = offset + length
    return out


def _gather_index(offset: Any, length: Any, begins: Any, total: int, size: int) -> Any:
    """The buffer position of every output byte: one cumulative sum over steps of one that
    jump at each value's first byte (less memory traffic than ``repeat`` + ``arange``)."""
    step = np.int32 if size < 2**31 else np.int64
    filled = length > 0
    starts, lengths, at = offset[filled], length[filled], begins[filled]
    steps = np.ones(total, dtype=step)
    if len(at):
        steps[at[0]] = starts[0]
        steps[at[1:]] = starts[1:] - (starts[:-1] + lengths[:-1]) + 1
    return np.cumsum(steps, dtype=step)


def _fast(encoding: str | None, converter: Any, target: pa.DataType, conn_encoding: str) -> bool:
    """Whether Arrow's cast of the text gives what PyMySQL's converter gives, into ``target``."""
    if converter is None:
        if encoding is None:
            return bool(pa.types.is_binary(target))
        return encoding in _UTF8 and conn_encoding in _UTF8 and pa.types.is_string(target)
    if encoding != "ascii":
        return False
    if converter is int:
        return bool(pa.types.is_integer(target))
    if converter is float:
        return bool(pa.types.is_float64(target))
    if converter is decimal.Decimal:
        return bool(pa.types.is_decimal(target))
    name = getattr(converter, "__name__", "")
    if name == "convert_date":
        return bool(pa.types.is_date32(target))
    if name == "convert_datetime":
        return bool(pa.types.is_timestamp(target) and target.tz is None and target.unit == "us")
    return False


def _column(
    raw: pa.Array,
    field: pa.Field,
    encoding: str | None,
    converter: Callable[[Any], Any] | None,
    conn_encoding: str,
) -> pa.Array:
    target = field.type
    if _fast(encoding, converter, target, conn_encoding):
        try:
            if pa.types.is_binary(target):
                return raw.cast(pa.binary())
            text = raw.cast(pa.large_string()).cast(pa.string())
            return text if pa.types.is_string(target) else text.cast(target)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            pass  # a value the cast refuses: PyMySQL's converter decides, as on the row path
    values = raw.to_pylist()
    if encoding is not None or converter is not None:
        values = [None if v is None else _convert(v, encoding, converter) for v in values]
    return _column_array(values, target, field.name)


def _convert(value: bytes, encoding: str | None, converter: Callable[[Any], Any] | None) -> Any:
    data: Any = value.decode(encoding) if encoding is not None else value
    return data if converter is None else converter(data)
