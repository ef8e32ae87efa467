"""The words and tokens of the gate's fast path (:mod:`sqlgate.core.readonly_fast`).

:func:`tokens` cuts the code between the server-family lexer's literals into words, numbers
and a few operators, and gives up on anything else; :func:`reserved` is every word that is
never a plain name; :func:`sqlglot_reads_call` says whether sqlglot reads a call as a plain
call (the full gate refuses what sqlglot cannot parse).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

from sqlglot import exp
from sqlglot.dialects.dialect import Dialect
from sqlglot.parser import Parser
from sqlglot.tokens import TokenType

from sqlgate.core.calls import KEYWORD_TYPES
from sqlgate.core.readonly_syntax import STATEMENT_WORDS

#: the policies whose servers' SQL the grammar below is written for
FAST_POLICIES = frozenset({"postgres", "redshift", "mysql", "doris", "starrocks"})
#: (number, word, operator, other): one of the four set, for each token but spaces (the
#: leading ``\s*`` skips spaces inside a match instead of failing four ways on each)
_TOKEN = re.compile(
    r"\s*(?:(\d+(?:\.\d+)?(?:[eE][-+]?\d+)?(?![A-Za-z0-9_.]))"
    r"|([A-Za-z_][A-Za-z0-9_]*(?![^\x00-\x7f]))|(<>|<=|>=|!=|::|\|\||[-+*/=<>(),.])|(\S))"
)
#: the same on ASCII text (upper-cased): the look-ahead past a word always holds there, and a
#: number and a word never start with the same character, so the word goes first
_TOKEN_ASCII = re.compile(
    r"\s*(?:([A-Z_][A-Z0-9_]*)|([0-9]+(?:\.[0-9]+)?(?:E[-+]?[0-9]+)?(?![A-Z0-9_.]))"
    r"|(<>|<=|>=|!=|::|\|\||[-+*/=<>(),.])|(\S))"
)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_CLAUSE = frozenset({"FROM", "WHERE", "GROUP", "HAVING", "ORDER", "LIMIT", "OFFSET"})
JOIN = frozenset({"JOIN", "INNER", "LEFT", "RIGHT", "FULL", "CROSS"})
AFTER_ALIAS = _CLAUSE | JOIN | {",", ")", "ON", "USING", ""}
_GRAMMAR = _CLAUSE | JOIN | {
    "SELECT", "DISTINCT", "ALL", "AS", "ON", "USING", "OUTER", "BY", "AND", "OR", "NOT", "IN",
    "IS", "NULL", "TRUE", "FALSE", "LIKE", "ILIKE", "BETWEEN", "CASE", "WHEN", "THEN", "ELSE",
    "END", "ASC", "DESC", "NULLS", "FIRST", "LAST", "CAST", "EXISTS", "INTERVAL",
}  # fmt: skip
#: words that are never a name here, whatever sqlglot makes of them
_NEVER_NAMES = _words(
    "INTO OUTFILE DUMPFILE FOR LOCK SHARE MODE NOWAIT SKIP LOCKED PROCEDURE ANALYSE WINDOW "
    "OVER FILTER WITHIN RETURNING FETCH LATERAL SETTINGS FORMAT QUALIFY CONNECT PRIOR "
    "STRAIGHT_JOIN HIGH_PRIORITY NATURAL PARTITION FORCE IGNORE NEXT VALUE UNION EXCEPT "
    "INTERSECT MINUS WITH RECURSIVE VALUES TABLE SAMPLE TABLESAMPLE LIMIT OFFSET ONLY OF "
    "ESCAPE COLLATE SOME ANY ARRAY ROW USE KEY INDEX DISTINCTROW SQL_NO_CACHE SQL_CACHE "
    "SQL_CALC_FOUND_ROWS SQL_SMALL_RESULT SQL_BIG_RESULT SQL_BUFFER_RESULT BINARY NEXTVAL"
)
TYPES = {
    "pg": _words(
        "INT INTEGER BIGINT SMALLINT INT2 INT4 INT8 TEXT VARCHAR CHAR DATE TIMESTAMP "
        "TIMESTAMPTZ NUMERIC DECIMAL FLOAT FLOAT4 FLOAT8 REAL BOOLEAN BOOL TIME"
    ),
    "mysql": _words("CHAR DATE DATETIME DECIMAL DOUBLE FLOAT SIGNED UNSIGNED TIME"),
}
UNITS = _words("MICROSECOND SECOND MINUTE HOUR DAY WEEK MONTH QUARTER YEAR")
MAX_DEPTH = 24
COMPARE = frozenset({"=", "<>", "!=", "<", ">", "<=", ">="})
ARITHMETIC = frozenset({"+", "-", "*", "/", "||"})
VALUES = frozenset({"\x00n", "\x00s", "NULL", "TRUE", "FALSE"})  # NUMBER, STRING
POSTFIX = frozenset({"NOT", "IN", "BETWEEN", "LIKE", "ILIKE"})


class GiveUp(Exception):
    """Not a statement the fast path reads: the full gate decides."""


@functools.cache
def reserved(dialect: str) -> frozenset[str]:
    """Every key that is not a name for this dialect: keywords (upper case), operators, values."""
    words: set[str] = set(_NEVER_NAMES | _GRAMMAR | STATEMENT_WORDS | UNITS)
    for key in Dialect.get_or_raise(dialect).tokenizer_class.KEYWORDS:
        words.update(key.upper().split())
    operators = {"<>", "<=", ">=", "!=", "::", "||", *"-+*/=<>(),.", ""}
    return frozenset(words | operators | {NUMBER, STRING, STRANGE})


@functools.lru_cache(maxsize=4096)
def sqlglot_reads_call(dialect: str, name: str, count: int) -> bool:
    """Whether sqlglot parses ``name(c0, c1 ...)`` with ``count`` arguments as a plain call.

    Functions sqlglot knows have an arity and sometimes syntax of their own (``SUBSTRING(a
    FROM b)``): the full gate refuses what sqlglot cannot parse, so the fast path asks sqlglot
    once per name and argument count, and leaves special syntax to the full gate.
    """
    parser = Dialect.get_or_raise(dialect).parser_class
    if name in parser.FUNCTION_PARSERS or name in parser.NO_PAREN_FUNCTION_PARSERS:
        return False
    if name not in parser.FUNCTIONS:
        return True
    args = ", ".join(f"c{i}" for i in range(count))
    try:
        trees = Dialect.get_or_raise(dialect).parse(f"SELECT {name}({args})")
    except Exception:
        return False
    return len(trees) == 1 and isinstance(trees[0], exp.Select)


#: keywords that are also plain functions when a parenthesis follows (``DATE(created_at)``,
#: Superset's day grain on MySQL)
KEYWORD_FUNCTIONS = {
    "pg": _words("DATE LEFT RIGHT REPLACE"),
    "mysql": _words("DATE YEAR MONTH DAY HOUR MINUTE SECOND LEFT RIGHT REPLACE"),
}


@functools.cache
def counted_as_call(dialect: str, word: str) -> bool:
    """Whether :func:`sqlgate.core.calls.function_calls` counts ``word(`` as a call: the same
    rule on the token type sqlglot gives the word (type names and keywords are syntax)."""
    kind = Dialect.get_or_raise(dialect).tokenizer_class.KEYWORDS.get(word, TokenType.VAR)
    return kind is TokenType.VAR or not (kind in Parser.TYPE_TOKENS or kind in KEYWORD_TYPES)


def calls_denied(keys: list[str], texts: list[str], denied: Callable[[str], bool]) -> bool:
    """Whether any word before a ``(`` is denied (``list.index`` finds each ``(`` in C)."""
    at = 0
    try:
        while True:
            at = keys.index("(", at) + 1
            if at > 1 and denied(texts[at - 2].lower()):
                return True
    except ValueError:
        return False


#: keys of tokens that are not words or operators (never a name, except QUOTED_NAME)
NUMBER, STRING, QUOTED_NAME, STRANGE = "\x00n", "\x00s", "\x00q", "\x00!"


def tokens(text: str, quoted: list[tuple[int, int]], family: str) -> tuple[list[str], list[str]]:
    """The code tokens of ``text`` between the lexer's literals, as (keys, texts).

    A key is a word (upper case) or an operator, :data:`NUMBER`, :data:`STRING`,
    :data:`QUOTED_NAME`, or :data:`STRANGE` for anything else (which no grammar rule takes);
    a text is the key, or a quoted name's or string's content. GiveUp on literals other than
    a plain ``'...'`` without a backslash and, for names, ``"..."`` (PostgreSQL) or
    `````...````` (MySQL) without their own quote inside.
    """
    keys: list[str] = []
    texts: list[str] = []
    last, quote = 0, '"' if family == "pg" else "`"
    upper = text.upper() if text.isascii() else None  # same offsets: ASCII only
    for s, e in [*quoted, (len(text), len(text))]:
        if text.find("--", last, s) >= 0:  # MySQL's "--1" is "- -1"; sqlglot 28 disagrees
            raise GiveUp
        if upper is not None:
            found = _TOKEN_ASCII.findall(upper, last, s)
            keys += [w or o or (NUMBER if n else STRANGE) for w, n, o, _ in found]
        else:
            found = _TOKEN.findall(text, last, s)
            keys += [w.upper() if w else o or (NUMBER if n else STRANGE) for n, w, o, _ in found]
        if s < len(text):
            texts += keys[len(texts) :]
            body, q = text[s + 1 : e - 1], text[s]
            if e - s < 2 or text[e - 1] != q or "\\" in body or (q in body and q != "'"):
                raise GiveUp
            if q == "'" and s and (text[s - 1].isalnum() or text[s - 1] == "_"):
                raise GiveUp  # a prefixed string (E'', N'', X'', _utf8'')
            if q == "'":
                keys.append(STRING)
            elif q == quote and body:
                keys.append(QUOTED_NAME)
            else:
                raise GiveUp
            texts.append(body)
        last = e
    texts += keys[len(texts) :]
    return keys, texts


__all__ = [
    "AFTER_ALIAS",
    "ARITHMETIC",
    "COMPARE",
    "FAST_POLICIES",
    "JOIN",
    "MAX_DEPTH",
    "POSTFIX",
    "QUOTED_NAME",
    "TYPES",
    "UNITS",
    "VALUES",
    "GiveUp",
    "calls_denied",
    "reserved",
    "sqlglot_reads_call",
    "tokens",
]  # fmt: skip
