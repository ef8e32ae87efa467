"""Statement dispatch of the gate: which kind of statement a text is, and its own checks.

:class:`StatementRules` reads a statement the slow, thorough way: the server-family lexer,
sqlglot's tokens cross-checked against it, the token scan, then one rule per statement kind
(queries parsed and walked, ``EXPLAIN``, ``DESCRIBE``, ``SHOW``, transaction control, the
session statements of :mod:`sqlgate.core.readonly_session`). Anything else is refused.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from sqlglot import exp
from sqlglot.tokens import Token, TokenType

from sqlgate.core.calls import Call, function_calls
from sqlgate.core.readonly_lexer import (
    QUOTED_TYPES,
    UNCLEAR,
    Refused,
    Spans,
    Unparseable,
    cross_check,
    lex,
)
from sqlgate.core.readonly_rules import GateRules
from sqlgate.core.readonly_session import modes_ok, session_statement
from sqlgate.core.readonly_syntax import (
    EXPLAIN_WORDS,
    OBJECT_WORDS,
    QUERY_START,
    STATEMENT_WORDS,
    TXN_END,
    kind_of,
    parse_error,
    scan_writes,
    statement_word,
)

T = TokenType
BAD_CHARS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]|[^\S \t\n\r\f]")
#: refused anywhere, literals included (a NUL ends a C string in some servers' clients)
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_SESSION_WORDS = frozenset({"SET", "RESET", "USE"})
_LINE_CONTROLS = ("\n", "\t", "\r", "\f")


def plain_ascii(sql: str) -> bool:
    """Whether ``sql`` is ASCII with no control character but tab, newline, CR and form feed:
    then :data:`BAD_CHARS` finds nothing in it (the ASCII characters it matches are exactly
    the unprintable ones but those four), and this answers several times faster."""
    if not sql.isascii():
        return False
    for control in _LINE_CONTROLS:
        sql = sql.replace(control, " ")
    return sql.isprintable()


class Verdict(NamedTuple):
    """An admitted statement: its kind (``SELECT``, ``SHOW`` ...) and the calls it makes."""

    kind: str
    calls: frozenset[Call] = frozenset()


class Lexed(NamedTuple):
    """A statement as the server family's lexer reads it (placeholders substituted, no
    trailing ``;``), with the spans of its literals and comments."""

    text: str
    quoted: Spans
    comments: Spans


class StatementRules(GateRules):
    """Classify one statement and apply the rules of its kind."""

    def _prechecks(self, sql: str) -> None:
        """What is refused before any lexing: control characters, MySQL executable comments."""
        if not plain_ascii(sql) and (bad := CONTROL_CHARS.search(sql)):
            raise Refused("control or unusual whitespace character", repr(bad.group()), UNCLEAR)
        if self._lex.exec_comments and ("/*!" in sql or "/*M!" in sql):
            raise Refused("executable comment", "MySQL runs /*! ... */ as SQL", UNCLEAR)

    def _lexed(self, sql: str, params: re.Pattern[str] | None) -> Lexed:
        """The server family's reading of ``sql``: one statement, its literals and comments."""
        self._prechecks(sql)
        text, quoted, comments, semis = lex(sql, self._lex, params)
        if not text.isascii():
            odd_whitespace(text, quoted)
        if self.policy.multibyte_syntax and not text.isascii():
            multibyte_syntax(text, quoted + comments)
        return Lexed(single_statement(text, semis), quoted, comments)

    def _classify(self, sql: str, params: re.Pattern[str] | None) -> Verdict:
        return self._classify_lexed(self._lexed(sql, params))

    def _classify_lexed(self, lexed: Lexed) -> Verdict:
        text, quoted, comments = lexed
        tokens = self._tokenize(text)
        if not tokens:
            raise Unparseable("only whitespace or comments", kind="empty statement")
        cross_check(text, tokens, quoted, comments)
        calls = self._scan_calls(tokens)
        return Verdict(self._statement(tokens, text, bool(comments)), calls)

    def _scan_calls(self, tokens: list[Token]) -> frozenset[Call]:
        """Also refuse a call whose qualifier names a denied package in any part:
        ``SYS.DBMS_PIPE.PACK_MESSAGE(...)`` is ``DBMS_PIPE``'s, whatever schema leads."""
        calls = super()._scan_calls(tokens)
        policy = self.policy
        # a one-part qualifier was judged above: read the calls again only when needed
        if policy.package_prefixes or (policy.deny_schemas and _long_qualifier(tokens)):
            prefixes = tuple(p.lower() for p in policy.package_prefixes)
            for call in function_calls(tokens):
                for part in (call.schema or "").lower().split("."):
                    if part in policy.deny_schemas or (part and part.startswith(prefixes)):
                        raise Refused(f"side-effect function {call.schema}.{call.name}"[:80])
        return calls

    def _statement(self, tokens: list[Token], text: str, commented: bool = False) -> str:
        first = tokens[0]
        word = statement_word(first)
        if word in QUERY_START or first.token_type == T.L_PAREN:
            return self._query(tokens, text)
        if word == "EXPLAIN":
            return self._explain(tokens, text)
        if word in ("DESCRIBE", "DESC"):
            return self._describe(tokens[1:], text)
        if word == "SHOW":
            return self._show(tokens, text)
        if word in ("BEGIN", "START") or word in TXN_END:
            return self._transaction(tokens)
        if self.policy.catalog_switch and catalog_switch(tokens):
            return "USE"
        if word in _SESSION_WORDS and self.policy.session_rules:
            return session_statement(self.policy.session_rules, tokens, text, commented)
        if word in self._admitted:
            if len(tokens) > 1 and tokens[1].text.upper() in QUERY_START - {"TABLE"}:
                self._query(tokens[1:], text)
            scan_writes(tokens)
            return word
        kind = kind_of(tokens)
        if kind == "unparseable statement" or not self._known_statement(first, word):
            raise parse_error(text, tokens, first)
        raise Refused(kind)

    def _known_statement(self, first: Token, word: str) -> bool:
        """Whether the first word starts a statement the engine knows (else: a typo)."""
        tt = first.token_type
        return (
            tt in self._statement_tokens
            or tt in self._commands
            or tt is T.COMMAND
            or word in STATEMENT_WORDS
            or tt not in (T.VAR, T.IDENTIFIER)
        )

    def _explain(self, tokens: list[Token], text: str) -> str:
        i = 1
        if self._lex.pg and len(tokens) > 1 and tokens[1].token_type == T.L_PAREN:
            depth = 0  # PostgreSQL options are names and literals, never expressions
            for i, t in enumerate(tokens[1:], start=1):  # noqa: B007 - i is used below
                depth += {T.L_PAREN: 1, T.R_PAREN: -1}.get(t.token_type, 0)
                if depth == 0:
                    break
            i += 1
        while i < len(tokens):
            if i + 1 < len(tokens) and tokens[i + 1].token_type == T.EQ:  # FORMAT=JSON ...
                i += 3 + (i + 3 < len(tokens) and tokens[i + 3].token_type == T.COMMA)
            elif tokens[i].text.upper() in EXPLAIN_WORDS:
                i += 1
            else:
                break
        rest = tokens[i:]
        if not rest:
            raise Refused("EXPLAIN", "nothing to explain", "name the query to explain")
        if self.policy.explain_table_is_describe and rest[0].token_type in (T.VAR, T.IDENTIFIER):
            return self._describe(rest, text)  # EXPLAIN tbl is DESCRIBE tbl in MySQL
        if self._statement(rest, text) != "SELECT":  # ANALYZE runs it: it must be a read
            raise Refused(f"EXPLAIN {kind_of(rest)}")
        return "EXPLAIN"

    def _describe(self, rest: list[Token], text: str) -> str:
        """DESCRIBE a query (checked as one) or an object (names only)."""
        if not rest:
            raise Refused("DESCRIBE", "nothing to describe", "name what to describe")
        if rest[0].token_type == T.L_PAREN or rest[0].text.upper() in QUERY_START - {"TABLE"}:
            self._query(rest, text)
        elif rest[0].token_type not in (T.VAR, T.IDENTIFIER) and (
            kind_of(rest) not in OBJECT_WORDS
        ):
            raise Refused(f"DESCRIBE {kind_of(rest)}")
        scan_writes(rest)
        return "DESCRIBE"

    def _show(self, tokens: list[Token], text: str) -> str:
        if self.policy.show_forms and olap_show(tokens, self.policy.show_forms):
            scan_writes(tokens)
            return "SHOW"
        if self._parses_show:
            tree = self._parse(tokens, text)
            if not isinstance(tree, exp.Show):
                raise Refused("SHOW", "not a SHOW statement")
            self._walk(tree)
        elif any(t.token_type == T.L_PAREN for t in tokens):
            raise Refused("SHOW", "unexpected parenthesis")
        scan_writes(tokens)
        return "SHOW"

    def _transaction(self, tokens: list[Token]) -> str:
        """Admit BEGIN / START TRANSACTION (never READ WRITE), COMMIT and ROLLBACK."""
        words: list[str] = []
        for t in tokens:
            words += ["?"] if t.token_type in QUOTED_TYPES else t.text.upper().split()
        head, rest = words[0], words[1:]
        if head == "START" and rest[:1] != ["TRANSACTION"]:
            raise Refused(kind_of(tokens))
        if rest[:1] in (["WORK"], ["TRANSACTION"]):
            rest = rest[1:]
        if head in TXN_END:
            if rest in ([], ["AND", "CHAIN"], ["AND", "NO", "CHAIN"]):
                return TXN_END[head]
            raise Refused(" ".join([head, *rest[:2]]))
        label = "START TRANSACTION" if head == "START" else "BEGIN"
        done = modes_ok(rest)
        if done != len(rest):
            raise Refused(" ".join([label, *rest[done : done + 2]]))
        return "BEGIN"


#: what may follow an admitted Doris / StarRocks SHOW form: names, literals, comparisons and
#: these words (FROM db.t, WHERE / ORDER BY / LIMIT on the metadata rows, PARTITION (p1, p2))
_OLAP_SHOW_TOKENS = frozenset(
    {T.VAR, T.IDENTIFIER, T.DOT, T.STRING, T.NUMBER, T.COMMA, T.EQ, T.NEQ, T.GT, T.GTE, T.LT, T.LTE}
)  # fmt: skip
_OLAP_SHOW_WORDS = frozenset(
    {
        "FROM", "IN", "LIKE", "WHERE", "ORDER BY", "ORDER", "BY", "ASC", "DESC", "LIMIT",
        "OFFSET", "AND", "OR", "NOT", "IS", "NULL", "PARTITION", "PARTITIONS",
    }
)  # fmt: skip
_NAMES = (T.VAR, T.IDENTIFIER)


def olap_show(tokens: list[Token], forms: frozenset[tuple[str, ...]]) -> bool:
    """Whether ``SHOW <form> ...`` is one of the policy's read-only forms; refuse one whose
    rest leaves the closed grammar (a call, a subquery, INTO ...). False: not such a form."""
    words = [t.text.upper() for t in tokens[1:4]]
    form = next((f for f in forms if tuple(words[: len(f)]) == f), None)
    if form is None:
        return False
    rest, i = tokens[1 + len(form) :], 0
    while i < len(rest):
        t = rest[i]
        if t.token_type is T.L_PAREN:  # only PARTITION (name, name ...)
            if not i or rest[i - 1].text.upper() not in ("PARTITION", "PARTITIONS"):
                raise Refused("SHOW", "unexpected parenthesis")
            i += 1
            while i < len(rest) and rest[i].token_type in (*_NAMES, T.COMMA):
                i += 1
            if i >= len(rest) or rest[i].token_type is not T.R_PAREN:
                raise Refused("SHOW", "PARTITION (...) lists partition names only")
        elif t.token_type not in _OLAP_SHOW_TOKENS and t.text.upper() not in _OLAP_SHOW_WORDS:
            raise Refused(f"SHOW {' '.join(form)}", f"unexpected {t.text[:40]!r}")
        i += 1
    return True


def _outside(pattern: re.Pattern[str], text: str, spans: Spans) -> re.Match[str] | None:
    """The first match of ``pattern`` in ``text`` that lies in none of ``spans``."""
    for found in pattern.finditer(text):
        if not any(start <= found.start() < end for start, end in spans):
            return found
    return None


def odd_whitespace(text: str, quoted: Spans) -> None:
    """Refuse unusual whitespace (no-break, ideographic, line separators ...) outside quoted
    literals and names, where servers and sqlglot may split tokens differently; inside
    quotes it is data (Chinese text often holds U+3000)."""
    if found := _outside(BAD_CHARS, text, quoted):
        raise Refused("control or unusual whitespace character", repr(found.group()), UNCLEAR)


_MULTIBYTE_SYNTAX = re.compile("[\u3000\uff08\uff09\uff0c]")


def multibyte_syntax(text: str, spans: Spans) -> None:
    """Refuse a full-width space, comma or parenthesis outside literals and comments (see
    ``GatePolicy.multibyte_syntax``): the server would read SQL the gate did not."""
    if found := _outside(_MULTIBYTE_SYNTAX, text, spans):
        raise Refused(
            "full-width punctuation",
            f"the server reads {found.group()!r} as ASCII syntax",
            "write ASCII spaces, commas and parentheses outside quotes",
        )


def _long_qualifier(tokens: list[Token]) -> bool:
    """Whether some call is qualified by two parts or more (``a.b.f(``)."""
    dot, lparen = T.DOT, T.L_PAREN
    return any(
        tokens[i].token_type is dot
        and tokens[i + 2].token_type is dot
        and tokens[i + 4].token_type is lparen
        for i in range(len(tokens) - 4)
    )


def catalog_switch(tokens: list[Token]) -> bool:
    """``SWITCH name`` (Doris) or ``SET CATALOG name`` (StarRocks), and nothing more."""
    words = [t.text.upper() for t in tokens[:2]]
    if len(tokens) == 2 and words[0] == "SWITCH":
        return tokens[1].token_type in _NAMES
    if len(tokens) == 3 and words == ["SET", "CATALOG"]:
        return tokens[2].token_type in _NAMES
    return False


def single_statement(text: str, semis: list[int]) -> str:
    """The text without its one trailing ``;``; refuse a second statement."""
    if not semis:
        return text
    if len(semis) > 1 or text[semis[0] + 1 :].strip():
        raise Refused(
            "multiple statements",
            "only a single trailing ; is allowed",
            "send one statement per execute()",
        )
    return text[: semis[0]]


__all__ = [
    "BAD_CHARS",
    "Lexed",
    "StatementRules",
    "Verdict",
    "catalog_switch",
    "olap_show",
    "plain_ascii",
    "single_statement",
]
