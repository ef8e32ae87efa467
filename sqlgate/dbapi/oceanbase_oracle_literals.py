"""Parameters as Oracle literals, for OceanBase's Oracle mode over the MySQL text protocol.

The MySQL protocol's text queries carry values inside the SQL. PyMySQL writes MySQL literals:
``'O\\'Brien'``, ``_binary'...'``, ``'2024-01-02 03:04:05'``. In Oracle SQL a backslash is an
ordinary character, so ``\\'`` *ends* the string and the rest of the value would be read as
SQL. Here a value becomes the literal Oracle reads as that value: quotes doubled, bytes as
``HEXTORAW('..')``, datetimes as ``TIMESTAMP '...'``. The placeholders stay the module's
``pyformat`` ones (``%s``, ``%(name)s``, ``%%`` for a percent sign).
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


def oracle_literal(value: Any) -> str:
    """One value as an Oracle SQL literal."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise DataError(f"float {value} has no Oracle number literal")
        return repr(value)
    if isinstance(value, decimal.Decimal):
        if not value.is_finite():
            raise DataError(f"Decimal {value} has no Oracle number literal")
        return str(value)
    if isinstance(value, str):
        if "\0" in value:
            raise DataError("a text parameter contains a NUL character")
        return "'" + value.replace("'", "''") + "'"
    if isinstance(value, (bytes, bytearray, memoryview)):
        return f"HEXTORAW('{bytes(value).hex().upper()}')"
    if isinstance(value, datetime.datetime):
        text = value.strftime("%Y-%m-%d %H:%M:%S.%f")
        offset = value.utcoffset()
        if offset is None:
            return f"TIMESTAMP '{text}'"
        minutes = int(offset.total_seconds()) // 60
        sign = "-" if minutes < 0 else "+"
        return f"TIMESTAMP '{text} {sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}'"
    if isinstance(value, datetime.date):
        return f"DATE '{value.isoformat()}'"
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


def bind_oracle(operation: str, parameters: Any) -> str:
    """``operation`` with each placeholder replaced by its value's Oracle literal."""
    if parameters is None:
        return operation
    named = isinstance(parameters, Mapping)
    if (not named and not isinstance(parameters, Sequence)) or isinstance(parameters, str):
        raise ProgrammingError("parameters must be a sequence (for %s) or a mapping")
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
