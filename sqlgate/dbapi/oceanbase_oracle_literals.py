"""Parameters as Oracle literals, for OceanBase's Oracle mode over the MySQL text protocol.

The MySQL protocol's text queries carry values inside the SQL. PyMySQL writes MySQL literals:
``'O\\'Brien'``, ``_binary'...'``, ``'2024-01-02 03:04:05'``. In Oracle SQL a backslash is an
ordinary character (OceanBase's Oracle-mode text literals double the quote; its MySQL mode
alone has backslash escapes), so ``\\'`` *ends* the string and the rest of the value would be
read as SQL. Here a value becomes an expression Oracle reads as that value: quotes doubled,
bytes as ``HEXTORAW('..')``, datetimes as ``TIMESTAMP '...'``. No value ever puts a backslash
in the text (it becomes ``CHR(92)``), so the value stays one string even on a reader that took
backslash for an escape; a negative number is parenthesised (``5 -%s`` must not become the
comment ``5 --1``). The placeholders stay the module's ``pyformat`` ones (``%s``,
``%(name)s``, ``%%`` for a percent sign); one inside a quoted string, a quoted name or a
comment is refused: its value would be spliced into that text, never read as a value.
"""

from __future__ import annotations

import datetime
import decimal
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

from sqlgate.core.errors import DataError, ProgrammingError

_PLACEHOLDER = re.compile(r"%(?:(%)|(s)|\(([^()%]*)\)s)")
#: where a placeholder would be text, not a value: '...' (with ''), "...", q'[...]', comments
_SPAN = re.compile(
    r"(?<![\w$#])[nN]?[qQ]'(?P<q>.)|'(?:[^']|'')*(?:'|$)|\"[^\"]*(?:\"|$)|--[^\n]*|/\*.*?(?:\*/|$)",
    re.DOTALL,
)
_Q_CLOSE = {"[": "]", "{": "}", "(": ")", "<": ">"}


def _number(text: str) -> str:
    """A negative number in parentheses: ``-%s`` would otherwise read ``--1`` (a comment)."""
    return f"({text})" if text.startswith("-") else text


def _text(value: str) -> str:
    """A quoted string: quotes doubled, each backslash as ``CHR(92)`` outside the quotes."""
    if "\0" in value:
        raise DataError("a text parameter contains a NUL character")
    parts = value.split("\\")
    if len(parts) == 1:
        return "'" + value.replace("'", "''") + "'"
    pieces = []
    for i, part in enumerate(parts):
        if i:
            pieces.append("CHR(92)")
        if part:
            pieces.append("'" + part.replace("'", "''") + "'")
    return "(" + " || ".join(pieces) + ")"


def _clock(value: datetime.datetime) -> str:
    """``YYYY-MM-DD HH:MM:SS.ffffff`` from the fields (a four-digit year, whatever strftime)."""
    return (
        f"{value.year:04d}-{value.month:02d}-{value.day:02d} "
        f"{value.hour:02d}:{value.minute:02d}:{value.second:02d}.{value.microsecond:06d}"
    )


def oracle_literal(value: Any) -> str:
    """One value as an Oracle SQL literal (built from the base types' own methods, so a
    subclass's ``__str__`` or ``replace`` never writes SQL)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return _number(int.__repr__(value))
    if isinstance(value, float):
        if not math.isfinite(value):
            raise DataError(f"float {value} has no Oracle number literal")
        return _number(float.__repr__(value))
    if isinstance(value, decimal.Decimal):
        value = decimal.Decimal(value)  # the base type: its text is digits, '.', 'E', sign
        if not value.is_finite():
            raise DataError(f"Decimal {value} has no Oracle number literal")
        return _number(str(value))
    if isinstance(value, str):
        return _text(str.__str__(value))
    if isinstance(value, (bytes, bytearray, memoryview)):
        return f"HEXTORAW('{bytes(value).hex().upper()}')"
    if isinstance(value, datetime.datetime):
        offset = value.utcoffset()
        if offset is None:
            return f"TIMESTAMP '{_clock(value)}'"
        minutes = int(offset.total_seconds()) // 60
        sign = "-" if minutes < 0 else "+"
        zone = f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
        return f"TIMESTAMP '{_clock(value)} {zone}'"
    if isinstance(value, datetime.date):
        return f"DATE '{value.year:04d}-{value.month:02d}-{value.day:02d}'"
    if isinstance(value, datetime.timedelta):
        sign = "-" if value < datetime.timedelta(0) else ""
        span = abs(value)
        hours, rest = divmod(span.seconds, 3600)
        clock = f"{hours:02d}:{rest // 60:02d}:{rest % 60:02d}.{span.microseconds:06d}"
        return f"INTERVAL '{sign}{span.days} {clock}' DAY(9) TO SECOND(6)"
    raise ProgrammingError(
        f"a {type(value).__name__} parameter has no Oracle literal: pass None, bool, int, "
        "float, Decimal, str, bytes, date, datetime or timedelta"
    )


def _plain(text: str) -> None:
    """Text between placeholders holds no other ``%`` form (``%d``, ``%1.1s``)."""
    if "%" in text:
        at = text.index("%")
        raise ProgrammingError(
            f"unsupported placeholder {text[at : at + 8]!r}: with parameters use %s or "
            "%(name)s only, and %% for a literal percent sign"
        )


def _quoted_spans(operation: str) -> list[tuple[int, int]]:
    """Where the operation's strings, quoted names and comments are (Oracle's reading)."""
    spans, pos = [], 0
    while (match := _SPAN.search(operation, pos)) is not None:
        end = match.end()
        if match.group("q") is not None:  # q'<d>...<d>': ends at the closing delimiter + '
            close = _Q_CLOSE.get(match.group("q"), match.group("q")) + "'"
            found = operation.find(close, end)
            end = len(operation) if found < 0 else found + 2
        spans.append((match.start(), end))
        pos = max(end, match.start() + 1)
    return spans


def _check_template(operation: str) -> None:
    """Refuse a placeholder inside a literal or comment: its value would become that text."""
    for start, end in _quoted_spans(operation):
        for match in _PLACEHOLDER.finditer(operation, start, end):
            if match.group(1) is None:
                raise ProgrammingError(
                    f"placeholder {match.group()!r} inside a quoted string, quoted name or "
                    "comment: put the placeholder where a value goes, outside any quotes"
                )


def bind_oracle(operation: str, parameters: Any) -> str:
    """``operation`` with each placeholder replaced by its value's Oracle literal."""
    if parameters is None:
        return operation
    named = isinstance(parameters, Mapping)
    if (not named and not isinstance(parameters, Sequence)) or isinstance(parameters, str):
        raise ProgrammingError("parameters must be a sequence (for %s) or a mapping")
    if "%" in operation:
        _check_template(operation)
    used = 0
    out: list[str] = []
    pos = 0
    for match in _PLACEHOLDER.finditer(operation):
        _plain(operation[pos : match.start()])
        out.append(operation[pos : match.start()])
        pos = match.end()
        percent, positional, name = match.groups()
        if percent:
            out.append("%")
        elif positional:
            if named or used >= len(parameters):
                raise ProgrammingError("more %s placeholders than parameters")
            out.append(oracle_literal(parameters[used]))
            used += 1
        else:
            if not named or name not in parameters:
                raise ProgrammingError(f"no parameter named {name!r}")
            out.append(oracle_literal(parameters[name]))
    rest = operation[pos:]
    _plain(rest)
    out.append(rest)
    if not named and used != len(parameters):
        raise ProgrammingError(f"{len(parameters)} parameters for {used} placeholders")
    return "".join(out)
