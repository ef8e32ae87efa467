"""Time-travel syntax: ``FROM t FOR VERSION AS OF 12`` / ``FOR TIMESTAMP AS OF '...'``.

The SQL is first normalised on sqlglot *tokens* (never regex on raw text, so string literals
and comments are left alone): qmark ``?`` parameters become numbered ``$n`` (so the pushdown
can resolve them and the engine can drop the ones consumed by ``AS OF ?``), and the
``SYSTEM_VERSION`` / ``SYSTEM_TIME`` spellings become ``VERSION`` / ``TIMESTAMP``. sqlglot then
parses the clause into ``Table.version``; :func:`split_time_travel` strips it so DuckDB never
sees it, and :func:`resolve_time_travel` reads its value with each execution's parameters.

:func:`canonical_sql` is the spelling rewrite alone (placeholders untouched), for callers that
must show the SQL to a parser knowing only ``FOR VERSION|TIMESTAMP AS OF`` (the read-only gate).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from sqlglot import exp
from sqlglot.dialects.dialect import Dialect
from sqlglot.errors import TokenError
from sqlglot.tokens import TokenType

from sqlgate.core.errors import ProgrammingError

_ALIASES = {"SYSTEM_VERSION": "VERSION", "SYSTEM_TIME": "TIMESTAMP"}


@dataclass(frozen=True)
class TimeTravel:
    """``kind`` is ``"version"`` (snapshot id / version / instant) or ``"timestamp"``.

    ``instant`` is the Hudi instant text (17 digits) when the timestamp was written as one, so
    a Hudi table travels to exactly that instant, in the writer's own time zone."""

    kind: str
    value: Any
    instant: str | None = None

    def describe(self) -> str:
        return f"{self.kind.upper()} AS OF {self.value!r}"


def _tokens(sql: str) -> list:
    try:
        return Dialect.get_or_raise("duckdb").tokenize(sql)
    except TokenError as exc:
        raise ProgrammingError(f"cannot tokenise SQL: {exc}") from exc


def _rewrite(sql: str, tokens: list, number: bool) -> str:
    out: list[str] = []
    pos, n = 0, 0
    for i, tok in enumerate(tokens):
        replacement = None
        if number and tok.token_type == TokenType.PLACEHOLDER and tok.text == "?":
            n += 1
            replacement = f"${n}"
        elif (
            tok.token_type == TokenType.VAR
            and tok.text.upper() in _ALIASES
            and i > 0
            and tokens[i - 1].token_type == TokenType.FOR
            and i + 2 < len(tokens)
            and tokens[i + 1].text.upper() == "AS"
            and tokens[i + 2].text.upper() == "OF"
        ):
            replacement = _ALIASES[tok.text.upper()]
        if replacement is not None:
            out.append(sql[pos : tok.start])
            out.append(replacement)
            pos = tok.end + 1
    if pos == 0:
        return sql
    out.append(sql[pos:])
    return "".join(out)


def canonical_sql(sql: str) -> str:
    """``FOR SYSTEM_VERSION|SYSTEM_TIME AS OF`` spelled ``FOR VERSION|TIMESTAMP AS OF``.

    Pure and token-based: string literals, quoted identifiers and comments are never touched,
    and nothing else in the text changes (placeholders stay ``?``). Meant to run *before* the
    read-only gate for lakehouse sources, which only parses the canonical spellings.
    """
    upper = sql.upper()
    if "SYSTEM_VERSION" not in upper and "SYSTEM_TIME" not in upper:
        return sql
    return _rewrite(sql, _tokens(sql), number=False)


def normalise(sql: str) -> str:
    """Number ``?`` placeholders and canonicalise time-travel keywords, token by token."""
    if "?" not in sql and "SYSTEM_" not in sql.upper():
        return sql
    return _rewrite(sql, _tokens(sql), number=True)


def literal_value(node: exp.Expr, params: list[Any]) -> Any:
    """The Python value of a literal / ``$n`` placeholder / negated number; else raise."""
    if isinstance(node, exp.Placeholder) and str(node.this).isdigit():
        idx = int(node.this) - 1
        if idx >= len(params):
            raise ProgrammingError(f"missing value for parameter {idx + 1}")
        return params[idx]
    if isinstance(node, exp.Neg):
        return -literal_value(node.this, params)
    if isinstance(node, exp.Literal):
        if node.is_string:
            return node.this
        text = node.this
        return float(text) if any(c in text for c in ".eE") else int(text)
    if isinstance(node, exp.Cast) and isinstance(node.this, exp.Literal):
        return literal_value(node.this, params)
    raise ProgrammingError(f"AS OF needs a literal or a parameter, got {node.sql('duckdb')}")


def split_time_travel(table: exp.Table) -> exp.Expr | None:
    """Strip ``FOR VERSION|TIMESTAMP AS OF x`` from ``table``; return the clause (checked).

    The value is read later, with the parameters, by :func:`resolve_time_travel`, so one parsed
    statement serves every execution.
    """
    version = table.args.get("version")
    if version is None:
        return None
    table.set("version", None)
    kind = str(version.this).upper()
    if str(version.args.get("kind", "")).upper() != "AS OF":
        raise ProgrammingError(f"only FOR {kind} AS OF is supported, not {version.sql('duckdb')}")
    if kind not in ("VERSION", "TIMESTAMP"):
        raise ProgrammingError(f"unsupported time travel {version.sql('duckdb')}")
    return version


def resolve_time_travel(version: exp.Expr, params: list[Any]) -> TimeTravel:
    """The :class:`TimeTravel` of a clause returned by :func:`split_time_travel`."""
    value = literal_value(version.expression, params)
    if str(version.this).upper() == "VERSION":
        return TimeTravel("version", value)
    instant = hudi_instant(value) if isinstance(value, str) else None
    return TimeTravel("timestamp", to_datetime(value), instant)


def pop_time_travel(table: exp.Table, params: list[Any]) -> TimeTravel | None:
    """Strip ``FOR VERSION|TIMESTAMP AS OF x`` from ``table`` and return it."""
    version = split_time_travel(table)
    return None if version is None else resolve_time_travel(version, params)


#: ISO-8601 with a date part: ``YYYY-MM-DD[( |T)HH:MM[:SS[.ffffff]][Z|±HH:MM]]``
_ISO = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})"
    r"(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?(Z|[+-]\d{2}:\d{2})?)?"
)
#: Hudi's instant format ``yyyyMMddHHmmss[SSS]``, as Hudi's Spark SQL writes time travel
_HUDI = re.compile(r"(\d{14})(\d{3})?")
ACCEPTED = (
    "'YYYY-MM-DD', 'YYYY-MM-DD HH:MM[:SS[.ffffff]]' (or with 'T'), optionally followed by 'Z' "
    "or '+HH:MM' (no offset: UTC), or a Hudi instant 'yyyyMMddHHmmss[SSS]' (14 or 17 digits)"
)


def hudi_instant(text: str) -> str | None:
    """The 17-digit Hudi instant ``text`` spells (14 digits get ``000``), else ``None``."""
    match = _HUDI.fullmatch(text.strip())
    if match is None:
        return None
    return match.group(1) + (match.group(2) or "000")


def parse_timestamp(text: str) -> dt.datetime:
    """``text`` read strictly as one of the :data:`ACCEPTED` forms; ``ValueError`` otherwise.

    Python's ``fromisoformat`` is far more permissive (``'20251220210123755'`` would be read as
    10:12:37.55), so a form outside the list is refused rather than guessed. A Hudi instant is
    read as UTC here; :mod:`sqlgate.lakehouse.hudi` passes it to hudi-rs unchanged instead.
    Naive results (no offset) are returned naive.
    """
    instant = hudi_instant(text)
    if instant is not None:
        return dt.datetime.strptime(instant[:14], "%Y%m%d%H%M%S").replace(
            microsecond=int(instant[14:]) * 1000, tzinfo=dt.timezone.utc
        )
    return parse_iso(text)


def parse_iso(text: str) -> dt.datetime:
    """``text`` (surrounding blanks aside) as strict ISO-8601 with a date part; else
    ``ValueError``. Also used by the pushdown for timestamp literals, which must never prune
    by a value read differently from DuckDB's."""
    match = _ISO.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"not one of the accepted forms: {ACCEPTED}")
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    tz: dt.tzinfo | None = None
    if offset == "Z":
        tz = dt.timezone.utc
    elif offset:
        sign = -1 if offset[0] == "-" else 1
        hours, minutes = int(offset[1:3]), int(offset[4:6])
        if hours > 23 or minutes > 59:
            raise ValueError(f"offset {offset} out of range")
        tz = dt.timezone(sign * dt.timedelta(hours=hours, minutes=minutes))
    return dt.datetime(  # ValueError on a month 13, a 25th hour, a February 30th
        int(year),
        int(month),
        int(day),
        int(hour or 0),
        int(minute or 0),
        int(second or 0),
        int((fraction or "0").ljust(6, "0")),
        tzinfo=tz,
    )


def _refusal(value: str) -> str:
    text = value.strip()
    hint = ""
    if text.isdigit() and len(text) == 8:
        hint = " (a date alone is written 'YYYY-MM-DD')"
    elif text.isdigit() and len(text) in (10, 13):
        hint = " (epoch seconds or milliseconds go as a number, not a string: AS OF 1734728483)"
    return f"TIMESTAMP AS OF: cannot parse {value!r}{hint}; accepted forms: {ACCEPTED}"


def to_datetime(value: Any) -> dt.datetime:
    """A timezone-aware datetime (naive input is read as UTC, like Trino and delta-rs)."""
    if isinstance(value, dt.datetime):
        result = value
    elif isinstance(value, dt.date):
        result = dt.datetime(value.year, value.month, value.day)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        result = dt.datetime.fromtimestamp(value / 1000 if value > 1e11 else value, dt.timezone.utc)
    elif isinstance(value, str):
        try:
            result = parse_timestamp(value)
        except ValueError as exc:
            raise ProgrammingError(_refusal(value)) from exc
    else:
        raise ProgrammingError(f"TIMESTAMP AS OF: unsupported value {value!r}")
    return result if result.tzinfo else result.replace(tzinfo=dt.timezone.utc)


def to_millis(value: dt.datetime) -> int:
    return int(value.timestamp() * 1000)
