"""The plainest read: ``SELECT * | names FROM table [[AS] alias] [LIMIT n]``, read by a regex.

A cold connection's first statement is often exactly this (SQL Lab's preview, a notebook's
first look). Reading it with sqlglot costs the whole DuckDB dialect (tokenizer, parser and
generator classes, ~40 ms in a fresh process); this shape needs none of it. The gate's
DuckDB policy admits it here (:class:`sqlgate.core.readonly.StatementGate`) and the
lakehouse compiler rewrites it here (:func:`sqlgate.lakehouse.compiler.compile_statement`).

It can only be weaker than the full gate by admitting what that refuses, and it cannot:
the text has no literal, comment, call, operator or quoted name (the regex takes ASCII
letters, digits, ``_``, spaces, ``,``, ``.``, ``*`` and one trailing ``;``), and no word in a
name's place is one that sqlglot or the fast path knows as a keyword
(:data:`~sqlgate.core.readonly_plain_words.DUCKDB_RESERVED`), so every match is a query with
nothing in it but names. ``tests/unit/test_readonly_fast.py`` checks both readers against
sqlglot on every corpus statement and on generated ones.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from sqlgate.core.readonly_plain_words import DUCKDB_RESERVED

_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_SP = r"[ \t\r\n]"  # what sqlglot and DuckDB both read as a space (the gate refuses others)
_PLAIN = re.compile(
    rf"{_SP}*SELECT{_SP}+(\*|{_NAME}(?:{_SP}*,{_SP}*{_NAME})*){_SP}+FROM{_SP}+"
    rf"({_NAME}(?:\.{_NAME}){{0,2}})(?:{_SP}+(?:AS{_SP}+)?({_NAME}))?"
    rf"(?:{_SP}+LIMIT{_SP}+([0-9]{{1,9}}))?{_SP}*;?{_SP}*",
    re.IGNORECASE | re.ASCII,
)
_COMMA = re.compile(rf"{_SP}*,{_SP}*")
#: the policies whose engines read this shape as a plain query of names (DuckDB's SQL)
PLAIN_POLICIES = frozenset({"duckdb"})


class PlainSelect(NamedTuple):
    """The parts of a plain read, as written."""

    columns: tuple[str, ...] | None  # None: ``*``
    table: tuple[str, ...]  # one to three dotted parts
    alias: str | None
    limit: str | None  # the digits as written


def plain_select(text: str) -> PlainSelect | None:
    """The parts of ``text`` when it is a plain read of names, else None (sqlglot decides)."""
    match = _PLAIN.fullmatch(text)
    if match is None:
        return None
    listed, table, alias, limit = match.groups()
    columns = None if listed == "*" else tuple(_COMMA.split(listed))
    parts = tuple(table.split("."))
    words = [*(columns or ()), *parts, *([alias] if alias else [])]
    if any(word.upper() in DUCKDB_RESERVED for word in words):
        return None
    return PlainSelect(columns, parts, alias, limit)


__all__ = ["PLAIN_POLICIES", "PlainSelect", "plain_select"]
