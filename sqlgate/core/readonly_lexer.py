"""The gate's own lexer: where each server family's comments, strings and identifiers are.

sqlglot's lexer is not the server's: a comment or string that sqlglot reads differently could
hide a second statement. :func:`lex` splits the text the way the server family does, and
:func:`cross_check` refuses the statement unless sqlglot's tokens agree on every span.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from sqlglot.tokens import Token, TokenType

if TYPE_CHECKING:
    from sqlgate.core.readonly_policies import Lexicon

T = TokenType


class Refused(Exception):
    """A refusal inside the gate: ``kind`` names what was refused; ``fix``, when given, is
    what the user should do instead (otherwise a write or state change was recognised)."""

    def __init__(self, kind: str, detail: str = "", fix: str | None = None) -> None:
        super().__init__(kind, detail)
        self.kind, self.detail, self.fix = kind[:80], detail, fix


class Unparseable(Refused):
    """Text the gate could not parse; ``where`` says where (`` near 'SELEC' (line 1, ...)``)."""

    def __init__(self, detail: str, where: str = "", kind: str = "unparseable statement") -> None:
        super().__init__(kind, detail)
        self.where = where


_NEAR = re.compile(r"[\w$.]{1,40}|[^\w\s'\"`]{1,3}")


def locate(text: str, offset: int, length: int) -> str:
    """`` near 'word' (line L, column C)``; a literal's text is never quoted (it may be a
    secret), nor anything long."""
    line = text.count("\n", 0, offset) + 1
    column = offset - text.rfind("\n", 0, offset)
    snippet = text[offset : offset + max(length, 1)]
    near = f" near {snippet!r}" if _NEAR.fullmatch(snippet) else ""
    return f"{near} (line {line}, column {column})"


#: a refusal of text the gate cannot read with certainty: the fix is never read_only=false
UNCLEAR = "write the statement without it"

_DOLLAR_TAG = re.compile(r"\$(?:[A-Za-z_\x80-\U0010ffff][A-Za-z0-9_\x80-\U0010ffff]*)?\$")
_PYFORMAT = re.compile(r"%\([A-Za-z_][A-Za-z0-9_]*\)s")
# with parameters, a % in a literal or comment is either the escape %% or something a driver
# rewrites (psycopg: %s %t %b %(name)s; PyMySQL: any %-format, %1.1s, %5d ...): refuse those
ANY_PERCENT = re.compile(r"%%|%.{0,12}", re.DOTALL)
# when it is not known whether values come: only what reads as a placeholder (not '50%')
LIKELY_PLACEHOLDER = re.compile(r"%(?:%|\(|[-#0 +]*(?:[1-9]\d*)?(?:\.\d+)?[srabt])")
NONSPACE = re.compile(r"\S+")
NEUTRAL = " (NULL) "  # what a %s / %(name)s placeholder is parsed as
Spans = list[tuple[int, int]]


def _ident_char(ch: str) -> bool:
    return ch.isalnum() or ch in "_$" or ch > "\x7f"


def lex(
    text: str, lx: Lexicon, params: re.Pattern[str] | None
) -> tuple[str, Spans, Spans, list[int]]:
    """Return (text with %-placeholders substituted, quoted spans, comment spans, code ``;``).

    ``params``: the pattern of what a driver would rewrite inside literals and comments
    (refused there), or None when no values are bound.
    """
    quoted: Spans = []
    comments: Spans = []
    semis: list[int] = []
    subst: list[tuple[int, int, str]] = []
    i, n = 0, len(text)
    while (m := lx.pattern.search(text, i)) is not None:
        j, tok = m.start(), m.group()
        if tok == ";":
            semis.append(j)
            i = j + 1
        elif tok == "%":
            p, nxt = _PYFORMAT.match(text, j), text[j + 1 : j + 2]
            i = p.end() if p else j + 2 if nxt in ("%", "s") else j + 1
            if i > j + 1:
                subst.append((j, i, "%" if nxt == "%" else NEUTRAL))
        elif tok == "/*":
            if lx.exec_comments and text.startswith(("/*!", "/*M!"), j):
                raise Refused("executable comment", "MySQL runs /*! ... */ as SQL", UNCLEAR)
            end = text.find("*/", j + 2)
            if end < 0:
                raise Unparseable("unterminated comment", locate(text, j, 2))
            if text.find("/*", j + 2, end + 1) >= 0:  # "/*/" nests in PostgreSQL
                raise Refused("nested comment", "servers disagree on nesting", UNCLEAR)
            i = end + 2
            comments.append((j, i))
        elif tok in lx.line_comments:
            if lx.dash_needs_space and tok == "--" and text[j + 2 : j + 3] not in " \t\n\r\f":
                i = j + 2  # MySQL reads "--x" as two minus signs
                continue
            ends = [k for k in (text.find("\n", j), text.find("\r", j)) if k >= 0]
            i = min(ends) if ends else n  # ends at the first \r or \n, whichever the server uses
            comments.append((j, i))
        elif tok == "$":
            d = None if j and _ident_char(text[j - 1]) else _DOLLAR_TAG.match(text, j)
            if d is None or (lx.dollar == "plain" and d.group() != "$$"):
                i = j + 1
                continue
            end = text.find(d.group(), d.end())
            if end < 0:
                raise Unparseable("unterminated dollar quote", locate(text, j, len(d.group())))
            i = end + len(d.group())
            quoted.append((j, i))
        else:
            i = _quote_end(text, j, tok, lx)
            quoted.append((j, i))
    # a driver interpolating %s here would splice the value's text into the SQL (both
    # patterns start with %: a text without one has nothing to find)
    if params and "%" in text:
        for s, e in quoted + comments:
            for p in params.finditer(text, s, e):
                if p.group() != "%%":
                    raise Refused(
                        "placeholder inside a literal or comment",
                        p.group(),
                        "pass the value as a parameter, outside any literal",
                    )
    if not subst:
        return text, quoted, comments, semis
    parts, last = [], 0
    for s, e, new in subst:
        parts += [text[last:s], new]
        last = e
    return lex("".join([*parts, text[last:]]), lx, None)


def _quote_end(text: str, j: int, q: str, lx: Lexicon) -> int:
    """Return the end of the literal opened at ``j``; refuse the ambiguous ones."""
    if lx.c_escapes:
        return _escaped_end(text, j, q, lx)
    if lx.triple and text.startswith(q * 3, j):
        end = text.find(q * 3, j + 3)
        if end < 0 or "\\" in text[j:end]:
            raise Refused("ambiguous triple-quoted string", "a backslash inside", UNCLEAR)
        return end + 3
    if lx.pg and q == '"' and text[max(j - 2, 0) : j].upper() == "U&":
        raise Refused("unicode-escaped identifier", 'sqlglot misreads U&"..."', UNCLEAR)
    before = text[j - 2 : j] if j >= 2 else " " + text[:j]
    e_string = lx.pg and q == "'" and before[1:] in ("e", "E") and not _ident_char(before[0])
    e_string = e_string or (lx.backslash is True and q in "'\"")
    k, p = j + 1, -1
    while True:
        if p < k:
            p = text.find(q, k)
        if p < 0:
            raise Unparseable("unterminated quoted literal", locate(text, j, 1))
        b = text.find("\\", k, p) if e_string else -1
        if b >= 0:
            k = b + 2
        elif text.startswith(q, p + 1):
            k = p + 2
        else:
            break
    if not e_string and lx.backslash is None and "\\" + q in text[j + 1 : p + 1]:
        # whether \ escapes the quote depends on sql_mode / standard_conforming_strings
        raise Refused(
            "ambiguous backslash escape",
            f"backslash before {q} in a literal",
            "double the quote instead",
        )
    return p + 1


def _escaped_end(text: str, j: int, q: str, lx: Lexicon) -> int:
    """GoogleSQL's literals and backquoted names: a backslash escapes the next character (in
    raw strings too, where both characters stay), a triple-quoted string
    ends at the first unescaped triple quote. A doubled quote is two tokens in GoogleSQL while
    other readers take it for an escaped quote: refused."""
    close = q * 3 if lx.triple and q in "'\"" and text.startswith(q * 3, j) else q
    k = j + len(close)
    while True:
        p = text.find(close, k)
        if p < 0:
            raise Unparseable("unterminated quoted literal", locate(text, j, 1))
        b = text.find("\\", k, p)
        if b < 0:
            break
        k = b + 2
    end = p + len(close)
    if len(close) == 1 and text.startswith(q, end):
        raise Refused("doubled quote", f"{q}{q} is no escape in GoogleSQL", "escape it as \\" + q)
    if "\\" + q in text[j:end] and _inner_semicolon(text):
        # bqemulator (and other readers) end backquoted names and raw strings at the escaped
        # quote: the rest would run as a script there, and its dry run executes scripts. Any
        # other reader that ends '...' there would do the same: refused in every quoted form
        raise Refused(
            "escaped quote beside a semicolon",
            "readers that end a backquoted name or raw string at \\" + q + " would split it",
            UNCLEAR,
        )
    return end


def _inner_semicolon(text: str) -> bool:
    """A ``;`` anywhere but at the very end: where another reader could split statements."""
    return ";" in text.rstrip().rstrip(";")


QUOTED_TYPES = frozenset(getattr(T, n) for n in (
    "STRING", "NATIONAL_STRING", "RAW_STRING", "BYTE_STRING", "HEX_STRING", "BIT_STRING",
    "IDENTIFIER", "UNICODE_STRING", "HEREDOC_STRING", "NATIONAL_RAW_STRING",
) if hasattr(T, n))  # fmt: skip


def cross_check(text: str, tokens: list[Token], quoted: Spans, comments: Spans) -> None:
    """Refuse unless sqlglot's tokens agree with the server-family lexer on every span."""
    covered, ends = bytearray(len(text)), {}
    for t in tokens:
        covered[t.start : t.end + 1] = b"\x01" * (t.end + 1 - t.start)
        ends[t.end] = t
    for s, e in quoted:
        last_tok = ends.get(e - 1)
        if (
            last_tok is None
            or not s - 3 <= last_tok.start <= s
            or last_tok.token_type not in QUOTED_TYPES
        ):
            raise Refused("ambiguous lexing", "sqlglot misreads a quoted literal", UNCLEAR)
    quoted_ends = {e - 1 for _, e in quoted}
    if any(
        t.token_type in QUOTED_TYPES
        and t.end not in quoted_ends
        and not text[t.start : t.end + 1].isalnum()  # 0x41 is a hex string to sqlglot
        for t in tokens
    ):
        raise Refused("ambiguous lexing", "sqlglot sees a literal the server does not", UNCLEAR)
    for s, e in comments:
        last_tok = ends.get(e - 1)
        hint = last_tok is not None and last_tok.start == s and last_tok.token_type == T.HINT
        if covered.find(1, s, e) >= 0 and not hint:
            raise Refused("ambiguous lexing", "sqlglot reads a comment as SQL", UNCLEAR)
    last = 0
    for s, e in [*sorted(quoted + comments), (len(text), len(text))]:
        for m in NONSPACE.finditer(text, last, s):
            if covered.find(0, m.start(), m.end()) >= 0:
                raise Refused("ambiguous lexing", "sqlglot skips text the server runs", UNCLEAR)
        last = e
