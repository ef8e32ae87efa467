"""Session statements that clients send and that keep the read-only promise.

Clients send a few session settings of their own (Superset's PostgreSQL engine spec sends
``set search_path = "<schema>"`` before every query that names a schema). The gate admits a
small, documented list of them, written one way only: one setting per statement, a bare
setting name, plain literals or identifiers as values, no comment anywhere, no ``DEFAULT``.
Everything else that starts with ``SET`` or ``RESET`` stays refused, above all whatever
touches the transaction's read-only mode, roles, authorization, the lexing of later
statements (``client_encoding``, ``SET NAMES``, ``sql_mode``, ``character_set_client``) or
server state. ``docs/read-only.md`` lists the rules and why.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from sqlglot.tokens import Token, TokenType

from sqlgate.core.readonly_lexer import QUOTED_TYPES, Refused

T = TokenType
#: (kind, text): kind is "word" (a bare word, upper case), "ident" (a quoted identifier),
#: "str" (a plain string literal), "num", or the symbol itself ("=", ",", "-")
Item = tuple[str, str]
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_SCHEMA = re.compile(r"\$?[A-Za-z_][A-Za-z0-9_$]*")
_DURATION = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(us|ms|s|min|h|d)?\s*")
_MS_PER_UNIT = {"us": 0.001, "ms": 1.0, "s": 1000.0, "min": 60_000.0, "h": 3_600_000.0,
                "d": 86_400_000.0}  # fmt: skip
_SYMBOLS = {T.EQ: "=", T.COMMA: ",", T.DASH: "-"}
TXN_MODES = {
    ("READ", "ONLY"), ("DEFERRABLE",), ("NOT", "DEFERRABLE"), (",",),
    ("WITH", "CONSISTENT", "SNAPSHOT"), ("ISOLATION", "LEVEL", "SERIALIZABLE"),
    ("ISOLATION", "LEVEL", "REPEATABLE", "READ"), ("ISOLATION", "LEVEL", "READ", "COMMITTED"),
    ("ISOLATION", "LEVEL", "READ", "UNCOMMITTED"),
}  # fmt: skip
_ISOLATION_ONLY = {m for m in TXN_MODES if m[0] == "ISOLATION"}


def modes_ok(words: list[str], modes: set[tuple[str, ...]] = TXN_MODES) -> int:
    """Return how many of ``words`` are transaction modes from ``modes`` (all or stop)."""
    i = 0
    while i < len(words):
        size = next(
            (k for k in (4, 3, 2, 1) if i + k <= len(words) and tuple(words[i : i + k]) in modes), 0
        )
        if not size:
            return i
        i += size
    return i


def _items(tokens: list[Token], text: str) -> list[Item]:
    """Read the tokens as plain items; refuse anything sqlglot may have read differently."""
    items: list[Item] = []
    for t in tokens:
        raw = text[t.start : t.end + 1]
        if t.token_type in QUOTED_TYPES:
            if "\\" in raw:
                raise Refused("SET", "a backslash in a session value")
            for kind, q in (("str", "'"), ("ident", '"'), ("ident", "`")):
                if raw == q + t.text.replace(q, q + q) + q and (
                    t.token_type is (T.STRING if kind == "str" else T.IDENTIFIER)
                ):
                    items.append((kind, t.text))
                    break
            else:
                raise Refused("SET", f"an unusual literal ({t.token_type.name.lower()})")
        elif t.token_type is T.NUMBER and re.fullmatch(r"\d+(?:\.\d+)?", raw):
            items.append(("num", raw))
        elif t.token_type in _SYMBOLS and raw == _SYMBOLS[t.token_type]:
            items.append((raw, raw))
        elif _WORD.fullmatch(raw) and t.token_type is not T.DEFAULT:
            items.append(("word", raw.upper()))
        else:
            raise Refused("SET", f"{raw[:20]!r} in a session statement")
    return items


def _values(items: list[Item]) -> list[Item]:
    """Comma-separated single values; a ``-`` joins the number after it."""
    values: list[Item] = []
    expect_value = True
    i = 0
    while i < len(items):
        kind, text = items[i]
        if expect_value:
            if kind == "-" and i + 1 < len(items) and items[i + 1][0] == "num":
                values.append(("num", "-" + items[i + 1][1]))
                i += 1
            elif kind in ("word", "ident", "str", "num"):
                values.append((kind, text))
            else:
                raise Refused("SET", "a session value must be a literal or a name")
        elif kind != ",":
            raise Refused("SET", "one plain value (or a list of them) per setting")
        expect_value = not expect_value
        i += 1
    if expect_value:
        raise Refused("SET", "a session value is missing")
    return values


def _one(values: list[Item], kinds: tuple[str, ...]) -> str:
    if len(values) != 1 or values[0][0] not in kinds:
        raise Refused("SET", f"a single {' or '.join(kinds)} value")
    return values[0][1]


def _search_path(values: list[Item]) -> None:
    """No ``pg_temp`` at all, ``pg_catalog`` only first: nothing may shadow a built-in."""
    names = []
    for kind, text in values:
        if kind == "num" or (kind == "str" and not _SCHEMA.fullmatch(text)):
            raise Refused("SET search_path", "schema names only")
        names.append(text.lower())
    if any(n.startswith("pg_temp") for n in names):
        raise Refused("SET search_path", "pg_temp in the search path could shadow built-ins")
    if "pg_catalog" in names[1:]:
        raise Refused("SET search_path", "pg_catalog must come first, or not at all")


def _timeout(values: list[Item], unit_ms: float) -> None:
    """Only a limit of at least one millisecond: the gate never lifts a time limit."""
    value = _one(values, ("num", "str"))
    m = _DURATION.fullmatch(value)
    ms = float(m.group(1)) * (_MS_PER_UNIT[m.group(2)] if m.group(2) else unit_ms) if m else 0
    if ms < 1:
        raise Refused("SET", "a timeout may be set, never lifted (a positive value only)")


def _integer(low: int, high: int) -> Callable[[list[Item]], None]:
    def check(values: list[Item]) -> None:
        value = _one(values, ("num",))
        if not re.fullmatch(r"-?\d+", value) or not low <= int(value) <= high:
            raise Refused("SET", f"an integer from {low} to {high}")

    return check


def _names(kinds: tuple[str, ...], most: int = 1) -> Callable[[list[Item]], None]:
    def check(values: list[Item]) -> None:
        if not 1 <= len(values) <= most or any(k not in kinds for k, _ in values):
            raise Refused("SET", f"at most {most} {' or '.join(kinds)} value(s)")

    return check


#: PostgreSQL settings (lower case) -> the check of their value
POSTGRES_SETTINGS: dict[str, Callable[[list[Item]], None]] = {
    "search_path": _search_path,
    "timezone": _names(("str", "word", "num")),
    "application_name": _names(("str", "word", "ident")),
    "extra_float_digits": _integer(-15, 3),
    "datestyle": _names(("str", "word"), most=2),
    "intervalstyle": _names(("str", "word")),
    "statement_timeout": lambda v: _timeout(v, 1.0),
    "lock_timeout": lambda v: _timeout(v, 1.0),
}
#: RESET goes back to the session's start value: never for a time limit
POSTGRES_RESETTABLE = frozenset(POSTGRES_SETTINGS) - {"statement_timeout", "lock_timeout"}
#: MySQL / MariaDB session variables (lower case) -> the check of their value
MYSQL_SETTINGS: dict[str, Callable[[list[Item]], None]] = {
    "time_zone": _names(("str",)),
    "sql_select_limit": _integer(1, 2**64 - 1),
    "max_statement_time": lambda v: _timeout(v, 1000.0),  # MariaDB, seconds
    "max_execution_time": lambda v: _timeout(v, 1.0),  # MySQL, milliseconds
}


def session_statement(rules: str, tokens: list[Token], text: str, commented: bool) -> str:
    """Return ``SET``, ``RESET`` or ``USE`` for an admitted session statement, else refuse."""
    head = tokens[0].text.upper()
    if commented:
        raise Refused(head, "no comment may sit inside a session statement")
    items = _items(tokens[1:], text)
    words = [t for k, t in items if k == "word"]
    if head == "USE" and rules == "mysql":
        if len(items) == 1 and items[0][0] in ("word", "ident"):
            return "USE"
        raise Refused("USE", "one database name")
    if head == "RESET" and rules == "postgres":
        if len(items) == 1 and words and words[0].lower() in POSTGRES_RESETTABLE:
            return "RESET"
        raise Refused("RESET", "only RESET of a setting on the session allow-list")
    if head != "SET":
        raise Refused(head)
    if rules == "mysql" and words[:1] == ["SESSION"] and items[0][0] == "word":
        items, words = items[1:], words[1:]
    if not items:
        raise Refused("SET", "nothing to set")
    if all(k in ("word", ",") for k, _ in items) and words[:1] in (["TRANSACTION"], ["SESSION"]):
        return _transaction(rules, [t for _, t in items])
    if rules == "postgres" and words[:2] == ["TIME", "ZONE"] and items[1][0] == "word":
        name, rest = "timezone", items[2:]
    elif (
        items[0][0] == "word"
        and len(items) > 1
        and (items[1][0] == "=" or (rules == "postgres" and items[1] == ("word", "TO")))
    ):
        name, rest = items[0][1].lower(), items[2:]
    else:
        label = f"SET {items[0][1]}" if items[0][0] == "word" else "SET"
        raise Refused(label, "not a plain NAME = value (a bare setting name, one value)")
    table = POSTGRES_SETTINGS if rules == "postgres" else MYSQL_SETTINGS
    check = table.get(name)
    if check is None:
        raise Refused(f"SET {name.upper()[:40]}", "not on the session allow-list")
    check(_values(rest))
    return "SET"


def _transaction(rules: str, words: list[str]) -> str:
    """``SET SESSION CHARACTERISTICS AS TRANSACTION`` (PostgreSQL) or ``SET [SESSION]
    TRANSACTION`` (MySQL): an isolation level only, never an access mode."""
    if rules == "postgres":
        if words[:4] != ["SESSION", "CHARACTERISTICS", "AS", "TRANSACTION"]:
            raise Refused(f"SET {words[0]}")
        rest, modes = words[4:], TXN_MODES - {("WITH", "CONSISTENT", "SNAPSHOT")}
    else:
        rest, modes = words[1:], _ISOLATION_ONLY
    if not rest or modes_ok(rest, modes) != len(rest):
        raise Refused("SET TRANSACTION", "only an isolation level (never READ WRITE)")
    return "SET"


__all__ = ["MYSQL_SETTINGS", "POSTGRES_RESETTABLE", "POSTGRES_SETTINGS", "session_statement"]
