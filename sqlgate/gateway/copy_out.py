"""``COPY ... TO STDOUT`` (what psql's ``\\copy`` sends) for read queries, through the gate.

``COPY (query) TO STDOUT``, ``COPY table [(columns)] TO STDOUT`` with ``FORMAT text`` (the
default) or ``csv`` (``HEADER``, ``DELIMITER``, ``NULL``, ``QUOTE``; old and new option
syntax) become the query they read, run on the source like any other statement (statement
gate, server-side guard, audit), and stream back as CopyOutResponse, one CopyData per row,
CopyDone. Rows are formatted column-wise with Arrow compute, from the same PostgreSQL text
forms as DataRows. ``COPY ... FROM`` writes (25006) and ``COPY ... TO 'file'`` / ``PROGRAM``
would run on the gateway's host (42501): both are refused before anything runs. So is any
text after the target that is not one of those options (``...TO STDOUT; DELETE ...`` used to
stream the first query and drop the rest unread), and an option the output would ignore.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from sqlgate.core import errors
from sqlgate.gateway import protocol
from sqlgate.gateway.datarow import contiguous_bytes, text_values

if TYPE_CHECKING:
    from sqlgate.gateway.client import Client

_COPY = re.compile(
    r"""^\s*COPY\s+
    (?:\((?P<query>.*)\)|(?P<table>(?:"(?:[^"]|"")*"|[\w$]+)(?:\s*\.\s*(?:"(?:[^"]|"")*"|[\w$]+))*)
       \s*(?:\((?P<columns>[^)]*)\))?)
    \s+(?P<direction>TO|FROM)\s+(?P<target>STDOUT|STDIN|PROGRAM\b|'(?:[^']|'')*')
    (?P<options>.*?)\s*;?\s*$""",
    re.IGNORECASE | re.DOTALL | re.VERBOSE,
)
_WORDS = r"(?:FORMAT|DELIMITER|NULL|QUOTE|ESCAPE|HEADER|ENCODING|CSV|BINARY|WITH|AS)\b"
#: an option and its value (old syntax: ``DELIMITER AS ','``, ``CSV HEADER``); a value is
#: never the next option's name (``HEADER QUOTE '"'`` is two options)
_OPTION = re.compile(
    rf"\b(FORMAT|DELIMITER|NULL|QUOTE|ESCAPE|HEADER|ENCODING)\b\s*(?:AS\s+)?"
    rf"('(?:[^']|'')*'|(?!{_WORDS})\w+)?|\b(CSV|BINARY)\b",
    re.IGNORECASE,
)


class CopyToServerFileError(errors.ProgrammingError):
    """COPY TO a file or program would act on the gateway's host: never allowed."""

    sqlstate = "42501"  # insufficient_privilege, as PostgreSQL answers a non-superuser


@dataclass
class CopyCommand:
    query: str
    csv: bool = False
    header: bool = False
    delimiter: str = "\t"
    null: str = "\\N"
    quote: str = '"'


def is_copy(sql: str) -> bool:
    return bool(re.match(r"^\s*COPY\b", sql, re.IGNORECASE))


def _literal(value: str) -> str:
    return value[1:-1].replace("''", "'") if value.startswith("'") else value


def parse(sql: str) -> CopyCommand:
    """The read query behind a ``COPY ... TO STDOUT``; refuses every other COPY."""
    match = _COPY.match(sql)
    if match is None:
        raise errors.ProgrammingError(
            "COPY not understood by the sqlgate gateway; use COPY (query) TO STDOUT "
            "[WITH (FORMAT csv, HEADER)] or psql's \\copy (query) TO 'file'"
        )
    if match["direction"].upper() == "FROM":
        raise errors.ReadOnlyError("COPY FROM", "the gateway only reads; COPY FROM writes rows")
    if match["target"].upper() != "STDOUT":
        raise CopyToServerFileError(
            "COPY TO a file or program would run on the gateway's host and is refused; use "
            "COPY ... TO STDOUT (psql: \\copy (query) TO 'file' writes on the client side)"
        )
    if match["query"] is not None:
        query = match["query"].strip()
    else:
        columns = (match["columns"] or "").strip() or "*"
        query = f"SELECT {columns} FROM {match['table']}"
    _check_options(match["options"])
    options = {
        (o[1] or o[3]).upper(): _literal(o[2] or "") for o in _OPTION.finditer(match["options"])
    }
    form = "csv" if "CSV" in options else options.get("FORMAT", "text").lower()
    if "BINARY" in options or form == "binary":
        raise errors.NotSupportedError("COPY ... (FORMAT binary) is not supported; use text or csv")
    command = CopyCommand(query)
    if form == "csv":  # the format's defaults first, explicit options over them
        command.csv, command.delimiter, command.null = True, ",", ""
    if "HEADER" in options:
        command.header = options["HEADER"].lower() not in ("false", "off", "0")
    for name in ("DELIMITER", "NULL", "QUOTE"):
        if name in options:
            setattr(command, name.lower(), options[name])
    _check_characters(command)
    if options.get("ESCAPE", command.quote) != command.quote:
        raise errors.NotSupportedError(
            "COPY ESCAPE other than the QUOTE character is not supported"
        )
    if options.get("ENCODING", "UTF8").upper().replace("-", "") != "UTF8":
        raise errors.NotSupportedError("COPY output is UTF8 only; leave ENCODING out")
    return command


_STRING = re.compile(r"'(?:[^']|'')*'?")
#: what may sit between the options: ``WITH``, ``AS`` (old syntax), parentheses and commas
_GLUE = re.compile(r"\s+|[(),]|\bWITH\b|\bAS\b", re.IGNORECASE)


def _check_options(text: str) -> None:
    """Refuse anything after the target that is not an option (a second statement, a
    ``FROM STDIN`` tail, an option this gateway would otherwise ignore)."""
    rest = _OPTION.sub(" ", text)
    unknown = " ".join(_GLUE.sub(" ", rest).split())
    if unknown:
        unknown = _STRING.sub("'...'", unknown)[:40]  # a literal's text is never quoted back
        raise errors.ProgrammingError(
            f"COPY option text not understood by the sqlgate gateway: {unknown!r}; use "
            "FORMAT text|csv, HEADER, DELIMITER, NULL and QUOTE only, one statement"
        )


def _check_characters(command: CopyCommand) -> None:
    """PostgreSQL's own limits: one-character delimiter and quote, no line breaks."""
    for name, value in (("DELIMITER", command.delimiter), ("QUOTE", command.quote)):
        if len(value) != 1 or value in "\r\n":
            raise errors.ProgrammingError(f"COPY {name} must be a single character, not a newline")
    if "\r" in command.null or "\n" in command.null:
        raise errors.ProgrammingError("COPY NULL cannot contain a newline or carriage return")
    if command.csv and command.delimiter == command.quote:
        raise errors.ProgrammingError("COPY DELIMITER and QUOTE must differ")
    if not command.csv and command.delimiter == "\\":
        raise errors.ProgrammingError("COPY DELIMITER cannot be a backslash in text format")


def _field(values: pa.Array, command: CopyCommand) -> pa.Array:
    """One column's values as COPY fields (escaped or quoted), nulls as the NULL string."""
    text = values.cast(pa.string())
    if command.csv:
        q = command.quote
        special = "[" + re.escape(command.delimiter + q) + r"\r\n]|^$"
        needs = pc.match_substring_regex(text, special)
        if command.null:
            needs = pc.or_(needs, pc.equal(text, command.null))
        quoted = pc.binary_join_element_wise(q, pc.replace_substring(text, q, q + q), q, "")
        text = pc.if_else(needs, quoted, text)
    else:
        for char, escaped in (("\\", "\\\\"), ("\n", "\\n"), ("\r", "\\r"), ("\t", "\\t")):
            text = pc.replace_substring(text, char, escaped)
        if command.delimiter not in ("\t", "\\"):
            text = pc.replace_substring(text, command.delimiter, "\\" + command.delimiter)
    return text.fill_null(command.null).cast(pa.binary())


def _messages(lines: pa.Array) -> bytes:
    """Each line framed as one CopyData message."""
    rows = len(lines)
    lengths = pc.binary_length(lines).to_numpy(zero_copy_only=False).astype(np.int64) + 4
    header = np.empty(rows, dtype=[("kind", "S1"), ("length", ">i4")])
    header["kind"], header["length"] = b"d", lengths
    head = pa.FixedSizeBinaryArray.from_buffers(
        pa.binary(5), rows, [None, pa.py_buffer(header.tobytes())]
    ).cast(pa.binary())
    return contiguous_bytes(pc.binary_join_element_wise(head, lines, b""))


def encode_rows(batch: pa.RecordBatch, command: CopyCommand) -> bytes:
    if batch.num_rows == 0:
        return b""
    fields = [_field(text_values(column), command) for column in batch.columns]
    lines = pc.binary_join_element_wise(*fields, command.delimiter.encode())
    lines = pc.binary_join_element_wise(lines, b"\n", b"")
    return _messages(lines)


def header_line(names: list[str], command: CopyCommand) -> bytes:
    fields = _field(pa.array(names, pa.string()), command).to_pylist()
    return protocol.message(b"d", command.delimiter.encode().join(fields) + b"\n")


async def copy_out(client: Client, sql: str) -> str:
    """Run a ``COPY ... TO STDOUT``; returns its command tag (``COPY n``)."""
    command = parse(sql)
    running = await client.start(command.query, [])
    try:
        if not running.has_rows:
            raise errors.ProgrammingError("COPY (query) needs a query that returns rows")
        assert running.schema is not None
        ncols = len(running.schema)
        client.writer.write(protocol.message(b"H", struct.pack("!bh", 0, ncols) + b"\0\0" * ncols))
        if command.header:
            client.writer.write(header_line(running.schema.names, command))
        while True:
            data, count = await client.run(running.next_with, lambda b: encode_rows(b, command))
            if not count:
                break
            client.writer.write(data)
            await client.writer.drain()
        client.writer.write(protocol.message(b"c"))
        client.audit(sql, "ok", running.sent, running.started)
        return f"COPY {running.sent}"
    except BaseException as exc:
        client.audit(sql, type(exc).__name__, running.sent, running.started)
        raise
    finally:
        await client.run(running.close)
