"""The statement gate: the first, fail-closed layer of read-only enforcement.

:meth:`StatementGate.check` admits only reads (queries, EXPLAIN of a query, SHOW, DESCRIBE,
plain transaction control) and raises :class:`ReadOnlyError` for everything else, including
text it does not understand. sqlglot parses the statement, but sqlglot's lexer is not the
server's: a comment or string that sqlglot reads differently could hide a second statement.
So a small lexer modelled on each server family splits the text first, and the statement is
refused unless both agree on every comment, string and identifier. The server's read-only
session is the second layer: only it can stop user-defined functions that write.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from inspect import isclass
from typing import NamedTuple

from sqlglot import exp
from sqlglot.dialects.dialect import Dialect
from sqlglot.tokens import Token, TokenType

from sqlgate.core.calls import Call, function_calls
from sqlgate.core.errors import ReadOnlyError
from sqlgate.core.readonly_functions import (
    BIGQUERY_SIDE_EFFECT_FUNCTIONS,
    CLICKHOUSE_SIDE_EFFECT_FUNCTIONS,
    CLICKHOUSE_SIDE_EFFECT_PREFIXES,
    DEFAULT_POLICIES,
    DIALECT_FAMILIES,
    DUCKDB_SIDE_EFFECT_FUNCTIONS,
    LEXICONS,
    MYSQL_SIDE_EFFECT_FUNCTIONS,
    POSTGRES_SIDE_EFFECT_FUNCTIONS,
    POSTGRES_SIDE_EFFECT_PREFIXES,
    SNOWFLAKE_SIDE_EFFECT_FUNCTIONS,
    SNOWFLAKE_SIDE_EFFECT_PREFIXES,
    EnginePolicy,
    Lexicon,
    side_effect_functions,
)

T = TokenType


class Verdict(NamedTuple):
    """An admitted statement: its kind (``SELECT``, ``SHOW`` ...) and the calls it makes."""

    kind: str
    calls: frozenset[Call] = frozenset()


class _Refused(ReadOnlyError):
    """A refusal that keeps its detail, so the verdict cache can raise it again."""

    def __init__(self, kind: str, detail: str = "") -> None:
        super().__init__(kind[:80], detail)
        self.detail = detail


_BAD_CHARS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]|[^\S \t\n\r\f]")
_DOLLAR_TAG = re.compile(r"\$(?:[A-Za-z_\x80-\U0010ffff][A-Za-z0-9_\x80-\U0010ffff]*)?\$")
_PYFORMAT = re.compile(r"%\([A-Za-z_][A-Za-z0-9_]*\)s")
# with parameters, a % in a literal or comment is either the escape %% or something a driver
# rewrites (psycopg: %s %t %b %(name)s; PyMySQL: any %-format, %1.1s, %5d ...): refuse those
_ANY_PERCENT = re.compile(r"%%|%.{0,12}", re.DOTALL)
# when it is not known whether values come: only what reads as a placeholder (not '50%')
_LIKELY_PLACEHOLDER = re.compile(r"%(?:%|\(|[-#0 +]*(?:[1-9]\d*)?(?:\.\d+)?[srabt])")
_HINT_CALL = re.compile(r"(?<![\w$])([A-Za-z_$][\w$]*)\s*\(")
_NONSPACE = re.compile(r"\S+")
_NEUTRAL = " (NULL) "  # what a %s / %(name)s placeholder is parsed as
#: the largest statement the gate reads (characters); documented in docs/read-only.md
MAX_STATEMENT_LENGTH = 131_072
_MAX_CACHED_LEN = 65_536

Spans = list[tuple[int, int]]


def _ident_char(ch: str) -> bool:
    return ch.isalnum() or ch in "_$" or ch > "\x7f"


def _lex(
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
                subst.append((j, i, "%" if nxt == "%" else _NEUTRAL))
        elif tok == "/*":
            if lx.exec_comments and text.startswith(("/*!", "/*M!"), j):
                raise _Refused("executable comment", "MySQL runs /*! ... */ as SQL")
            end = text.find("*/", j + 2)
            if end < 0:
                raise _Refused("unparseable statement", "unterminated comment")
            if text.find("/*", j + 2, end + 1) >= 0:  # "/*/" nests in PostgreSQL
                raise _Refused("nested comment", "servers disagree on nesting")
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
                raise _Refused("unparseable statement", "unterminated dollar quote")
            i = end + len(d.group())
            quoted.append((j, i))
        else:
            i = _quote_end(text, j, tok, lx)
            quoted.append((j, i))
    if params:  # a driver interpolating %s here would splice the value's text into the SQL
        for s, e in quoted + comments:
            for p in params.finditer(text, s, e):
                if p.group() != "%%":
                    raise _Refused("placeholder inside a literal or comment", p.group())
    if not subst:
        return text, quoted, comments, semis
    parts, last = [], 0
    for s, e, new in subst:
        parts += [text[last:s], new]
        last = e
    return _lex("".join([*parts, text[last:]]), lx, None)


def _quote_end(text: str, j: int, q: str, lx: Lexicon) -> int:
    """Return the end of the literal opened at ``j``; refuse the ambiguous ones."""
    if lx.triple and text.startswith(q * 3, j):
        end = text.find(q * 3, j + 3)
        if end < 0 or "\\" in text[j:end]:
            raise _Refused("unparseable statement", "ambiguous triple-quoted string")
        return end + 3
    if lx.pg and q == '"' and text[max(j - 2, 0) : j].upper() == "U&":
        raise _Refused("unicode-escaped identifier", 'sqlglot misreads U&"..."')
    before = text[j - 2 : j] if j >= 2 else " " + text[:j]
    e_string = lx.pg and q == "'" and before[1:] in ("e", "E") and not _ident_char(before[0])
    e_string = e_string or (lx.backslash is True and q in "'\"")
    k, p = j + 1, -1
    while True:
        if p < k:
            p = text.find(q, k)
        if p < 0:
            raise _Refused("unparseable statement", "unterminated quoted literal")
        b = text.find("\\", k, p) if e_string else -1
        if b >= 0:
            k = b + 2
        elif text.startswith(q, p + 1):
            k = p + 2
        else:
            break
    if not e_string and lx.backslash is None and "\\" + q in text[j + 1 : p + 1]:
        # whether \ escapes the quote depends on sql_mode / standard_conforming_strings
        raise _Refused("ambiguous backslash escape", f"backslash before {q} in a literal")
    return p + 1


_QUOTED_TYPES = frozenset(getattr(T, n) for n in (
    "STRING", "NATIONAL_STRING", "RAW_STRING", "BYTE_STRING", "HEX_STRING", "BIT_STRING",
    "IDENTIFIER", "UNICODE_STRING", "HEREDOC_STRING", "NATIONAL_RAW_STRING",
) if hasattr(T, n))  # fmt: skip


def _cross_check(text: str, tokens: list[Token], quoted: Spans, comments: Spans) -> None:
    """Refuse unless sqlglot's tokens agree with the server-family lexer on every span."""
    covered, ends = bytearray(len(text)), {}
    for t in tokens:
        covered[t.start : t.end + 1] = b"\x01" * (t.end + 1 - t.start)
        ends[t.end] = t
    for s, e in quoted:
        t = ends.get(e - 1)
        if t is None or not s - 3 <= t.start <= s or t.token_type not in _QUOTED_TYPES:
            raise _Refused("ambiguous lexing", "sqlglot misreads a quoted literal")
    quoted_ends = {e - 1 for _, e in quoted}
    if any(
        t.token_type in _QUOTED_TYPES
        and t.end not in quoted_ends
        and not text[t.start : t.end + 1].isalnum()  # 0x41 is a hex string to sqlglot
        for t in tokens
    ):
        raise _Refused("ambiguous lexing", "sqlglot sees a literal the server does not")
    for s, e in comments:
        t = ends.get(e - 1)
        hint = t is not None and t.start == s and t.token_type == T.HINT
        if covered.find(1, s, e) >= 0 and not hint:
            raise _Refused("ambiguous lexing", "sqlglot reads a comment as SQL")
    last = 0
    for s, e in [*sorted(quoted + comments), (len(text), len(text))]:
        for m in _NONSPACE.finditer(text, last, s):
            if covered.find(0, m.start(), m.end()) >= 0:
                raise _Refused("ambiguous lexing", "sqlglot skips text the server runs")
        last = e


def _forbidden_nodes() -> tuple[type, ...]:
    """Statement-like expression classes that must never appear inside an admitted query."""
    names = (
        "DML DDL Command Into Lock Set SetItem Transaction Commit Rollback Alter Drop Comment "
        "TruncateTable Use Execute Kill Pragma Attach Detach Install LoadData Copy Export Grant "
        "Declare Revoke Analyze Refresh Cache Uncache NextValueFor Merge Put Get ListStage Block "
        "StoredProcedure IfBlock WhileBlock LoopBlock RepeatBlock Describe Show Summarize Undrop "
        "ConditionalInsert MultitableInserts SwapTable AlterSession Returning"
    )
    found = {getattr(exp, n) for n in names.split() if isclass(getattr(exp, n, None))}
    harmless = {"Comprehension", "CharacterSet", "Heredoc", "ColumnDef"}
    for module in ("sqlglot.expressions.ddl", "sqlglot.expressions.dml"):  # sqlglot >= 30
        found |= {
            c
            for c in vars(exp).values()
            if isclass(c) and c.__module__ == module and c.__name__ not in harmless
        }
    return tuple(found)


_FORBIDDEN = _forbidden_nodes()
_is_forbidden = functools.cache(lambda cls: issubclass(cls, _FORBIDDEN))
_sql_names = functools.cache(lambda cls: tuple(cls.sql_names()))
_QUERY_START = frozenset({"SELECT", "WITH", "VALUES", "TABLE", "FROM"})
_TXN_END = {"COMMIT": "COMMIT", "END": "COMMIT", "ROLLBACK": "ROLLBACK", "ABORT": "ROLLBACK"}
_TXN_MODES = {
    ("READ", "ONLY"), ("DEFERRABLE",), ("NOT", "DEFERRABLE"), (",",),
    ("WITH", "CONSISTENT", "SNAPSHOT"), ("ISOLATION", "LEVEL", "SERIALIZABLE"),
    ("ISOLATION", "LEVEL", "REPEATABLE", "READ"), ("ISOLATION", "LEVEL", "READ", "COMMITTED"),
    ("ISOLATION", "LEVEL", "READ", "UNCOMMITTED"),
}  # fmt: skip
_TWO_WORD_KINDS = frozenset({"ALTER", "CREATE", "DROP", "LOAD", "COMMENT", "REFRESH", "START"})
_SET_SCOPES = frozenset({"SESSION", "GLOBAL", "LOCAL", "TRANSACTION", "PERSIST", "NAMES", "ROLE"})
_EXPLAIN_WORDS = frozenset(
    {"ANALYZE", "ANALYSE", "VERBOSE", "EXTENDED", "PARTITIONS", "AST", "SYNTAX", "PLAN", "TREE"}
    | {"PIPELINE", "ESTIMATE", "QUERY", "USING", "TABULAR", "JSON", "TEXT", "FORMAT"}
)
_NEXT_VALUE_FOR = ["NEXT", "VALUE", "FOR"]
_WRITE_TOKENS = {T.INSERT: "INSERT", T.UPDATE: "UPDATE", T.DELETE: "DELETE", T.MERGE: "MERGE"}
_OBJECT_WORDS = frozenset({"TABLE", "VIEW", "SCHEMA", "DATABASE", "FUNCTION"})


class StatementGate:
    """Admit read-only statements for one sqlglot dialect; refuse everything else."""

    def __init__(self, dialect: str, policy: EnginePolicy | None = None, *, cache_size: int = 2048,
                 backslash_escapes: bool | None = None):
        self.dialect = dialect
        self._dialect = Dialect.get_or_raise(dialect)
        name = type(self._dialect).__name__.lower()  # "mysql, normalization_strategy=..." too
        family = DIALECT_FAMILIES.get(name, "")
        self._lex, self._family = LEXICONS.get(family, Lexicon()), family
        if backslash_escapes is not None:  # the session knows how its server reads \ in '...'
            self._lex = dataclasses.replace(self._lex, backslash=backslash_escapes)
        self.policy = policy if policy is not None else DEFAULT_POLICIES.get(family, EnginePolicy())
        self._admitted = frozenset(c.upper() for c in self.policy.admit_commands)
        names, prefixes = side_effect_functions(name)
        self.denied_functions = names | {f.lower() for f in self.policy.deny_functions}
        self.denied_prefixes = tuple(prefixes | {p.lower() for p in self.policy.deny_prefixes})
        base = self._dialect.tokenizer_class  # without COMMANDS: no token swallows the rest
        self._tokenizer_class = type(f"Gate{base.__name__}", (base,), {"COMMANDS": set()})
        self._parses_show = T.SHOW in self._dialect.parser_class.STATEMENT_PARSERS
        self._cached = functools.lru_cache(maxsize=cache_size)(self._verdict)

    def check(self, sql: str, *, params: bool | None = None) -> str:
        """Return the admitted statement kind or raise :class:`ReadOnlyError`.

        ``params`` says whether parameters come with ``sql`` (``None``: unknown). When they
        may, and the engine's driver interpolates them client-side, a ``%s`` placeholder
        inside a string literal or comment is refused: the value's text would be spliced in.
        Callers that bind first and gate the bound text pass ``params=False``.
        """
        return self.verdict(sql, params=params).kind

    def check_template(self, sql: str) -> None:
        """Refuse a statement template whose literals or comments hold a placeholder.

        The cursor gates the bound text (what the server runs), but a value bound inside a
        literal would come back changed (``$$%t$$`` returns the quoted value): refuse it.
        """
        if isinstance(sql, str) and len(sql) <= MAX_STATEMENT_LENGTH:
            try:
                _lex(sql, self._lex, _ANY_PERCENT)
            except _Refused as e:
                raise ReadOnlyError(e.kind, e.detail) from None

    def verdict(self, sql: str, *, params: bool | None = None) -> Verdict:
        """Like :meth:`check`, returning the statement kind with the functions it calls."""
        if not isinstance(sql, str):
            raise ReadOnlyError("non-text statement", type(sql).__name__)
        if len(sql) > MAX_STATEMENT_LENGTH:  # before anything else reads it
            raise ReadOnlyError("oversized statement", f"over {MAX_STATEMENT_LENGTH} characters")
        strict = None
        if self.policy.client_side_params and params is not False:
            strict = _ANY_PERCENT if params else _LIKELY_PLACEHOLDER
        verdict = self._cached if len(sql) <= _MAX_CACHED_LEN else self._verdict
        result = verdict(sql, strict)
        if isinstance(result, Verdict):
            return result
        raise ReadOnlyError(*result)

    def cache_info(self) -> functools._CacheInfo:
        """Hits and misses of the verdict cache."""
        return self._cached.cache_info()

    def _verdict(self, sql: str, params: re.Pattern[str] | None) -> Verdict | tuple[str, str]:
        try:
            return self._classify(sql, params)
        except _Refused as e:
            return e.kind, e.detail
        except Exception as e:  # anything unexpected (RecursionError ...) fails closed
            return "unparseable statement", type(e).__name__

    def _classify(self, sql: str, params: re.Pattern[str] | None) -> Verdict:
        if len(sql) > MAX_STATEMENT_LENGTH:
            raise _Refused("oversized statement", f"over {MAX_STATEMENT_LENGTH} characters")
        if bad := _BAD_CHARS.search(sql):
            raise _Refused("control or unusual whitespace character", repr(bad.group()))
        if self._lex.exec_comments and ("/*!" in sql or "/*M!" in sql):
            raise _Refused("executable comment", "MySQL runs /*! ... */ as SQL")
        text, quoted, comments, semis = _lex(sql, self._lex, params)
        if semis:
            if len(semis) > 1 or text[semis[0] + 1 :].strip():
                raise _Refused("multiple statements", "only a single trailing ; is allowed")
            text = text[: semis[0]]
        try:
            tokens = self._tokenizer_class(self._dialect).tokenize(text)
        except Exception as e:
            raise _Refused("unparseable statement", type(e).__name__) from None
        if not tokens:
            raise _Refused("empty statement", "only whitespace or comments")
        _cross_check(text, tokens, quoted, comments)
        calls = self._scan_calls(tokens)
        return Verdict(self._statement(tokens, text), calls)

    def _denied(self, name: str) -> bool:
        return name in self.denied_functions or name.startswith(self.denied_prefixes)

    def _scan_calls(self, tokens: list[Token]) -> frozenset[Call]:
        """Refuse side-effect calls wherever they appear, whatever sqlglot makes of them.

        Returns every ``name(`` the statement contains that is not SQL syntax (a keyword, a
        type name, an alias or CTE column list), so an allow-list can judge them.
        """
        found = function_calls(tokens) if self.policy.collect_calls else frozenset()
        lparen, hint, dot, last = T.L_PAREN, T.HINT, T.DOT, len(tokens) - 1
        assign = T.COLON_EQ if self._family == "mysql" else None
        setting = T.EQ if self._family == "clickhouse" else None
        for i, t in enumerate(tokens):
            tt, nxt = t.token_type, tokens[i + 1].token_type if i < last else None
            if nxt is lparen or tt is hint or (nxt is dot and i < last - 1):
                name, prev = t.text.lower(), tokens[i - 1].token_type if i else None
                calls = [name] if nxt is lparen and prev not in (T.ALIAS, T.WITH) else []
                if tt is hint:
                    calls = [c.lower() for c in _HINT_CALL.findall(t.text)]
                if nxt is dot and tokens[i + 2].text.lower() == "nextval":
                    calls.append("nextval")  # seq.nextval (Snowflake, MariaDB Oracle mode)
                for call in calls:
                    if self._denied(call):
                        raise _Refused(f"side-effect function {call[:64]}")
            elif tt is assign:
                raise _Refused("user variable assignment", ":= assigns in MySQL")
            elif tt is setting and i and tokens[i - 1].text.lower() in ("readonly", "allow_ddl"):
                raise _Refused(f"SETTINGS {tokens[i - 1].text.lower()}")
            elif tt is T.NEXT and [w.text.upper() for w in tokens[i : i + 3]] == _NEXT_VALUE_FOR:
                raise _Refused("side-effect function NEXT VALUE FOR")
        return found

    @staticmethod
    def _scan_writes(tokens: list[Token]) -> None:
        """In a read, refuse write keywords even where sqlglot might parse them as names."""
        for i, t in enumerate(tokens):
            tt = t.token_type
            if tt == T.INTO:
                raise _Refused("SELECT ... INTO")
            if tt in _WRITE_TOKENS or (tt == T.VAR and t.text.upper() == "SHARE"):
                before = {w.text.upper() for w in tokens[max(i - 3, 0) : i]}
                if tt == T.UPDATE and "FOR" in before:
                    raise _Refused("SELECT ... FOR UPDATE")
                if tt == T.VAR and before & {"FOR", "IN"}:
                    raise _Refused("SELECT ... FOR SHARE")
                call = i + 1 < len(tokens) and tokens[i + 1].token_type is T.L_PAREN
                if tt in _WRITE_TOKENS and not (call and tt in (T.INSERT, T.MERGE)):
                    raise _Refused(_WRITE_TOKENS[tt])  # INSERT(...), merge(...): functions

    def _statement(self, tokens: list[Token], text: str) -> str:
        first = tokens[0]
        word = "" if first.token_type in _QUOTED_TYPES else (first.text.split() or [""])[0].upper()
        if word in _QUERY_START or first.token_type == T.L_PAREN:
            return self._query(tokens, text)
        if word == "EXPLAIN":
            return self._explain(tokens, text)
        if word in ("DESCRIBE", "DESC"):
            return self._describe(tokens[1:], text)
        if word == "SHOW":
            return self._show(tokens, text)
        if word in ("BEGIN", "START") or word in _TXN_END:
            return self._transaction(tokens)
        if word in self._admitted:
            if len(tokens) > 1 and tokens[1].text.upper() in _QUERY_START - {"TABLE"}:
                self._query(tokens[1:], text)
            self._scan_writes(tokens)
            return word
        raise _Refused(self._kind_of(tokens))

    @staticmethod
    def _kind_of(tokens: list[Token]) -> str:
        """Name a refused statement by its leading keyword(s), e.g. ``SET SESSION``."""
        words = [
            w.upper()
            for t in tokens[:2]
            if t.token_type not in _QUOTED_TYPES
            for w in t.text.split()
        ]
        if not words or not words[0].replace("_", "").isalpha():
            return "unparseable statement"
        second = words[1] if len(words) > 1 and words[1].replace("_", "").isalpha() else ""
        if second and (
            words[0] in _TWO_WORD_KINDS or (words[0] == "SET" and second in _SET_SCOPES)
        ):
            return f"{words[0]} {second}"
        return words[0]

    def _parse(self, tokens: list[Token], text: str) -> exp.Expression:
        self._scan_writes(tokens)
        try:
            trees = self._dialect.parser().parse(tokens, text)
        except Exception as e:
            raise _Refused("unparseable statement", type(e).__name__) from None
        if len(trees) != 1 or trees[0] is None:
            raise _Refused("multiple statements")
        return trees[0]

    def _query(self, tokens: list[Token], text: str) -> str:
        tree = self._parse(tokens, text)
        if not isinstance(tree, (exp.Query, exp.Values)):
            kind = _node_kind(tree) if isinstance(tree, _FORBIDDEN) else self._kind_of(tokens)
            raise _Refused(kind, type(tree).__name__)
        self._walk(tree)
        return "SELECT"

    def _walk(self, tree: exp.Expression) -> None:
        """Refuse statement nodes, locks, INTO, assignments and denied calls anywhere."""
        for node in tree.walk():
            if _is_forbidden(type(node)) and not (node is tree and isinstance(node, exp.Show)):
                raise _Refused(_node_kind(node))
            if isinstance(node, exp.PropertyEQ) and isinstance(
                node.this, (exp.Parameter, exp.SessionParameter)
            ):
                raise _Refused("user variable assignment")
            if isinstance(node, exp.Func):
                names = [node.name] if isinstance(node, exp.Anonymous) else _sql_names(type(node))
                for name in names:
                    if self._denied(name.lower()):
                        raise _Refused(f"side-effect function {name.lower()[:64]}")

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
            elif tokens[i].text.upper() in _EXPLAIN_WORDS:
                i += 1
            else:
                break
        rest = tokens[i:]
        if not rest:
            raise _Refused("EXPLAIN", "nothing to explain")
        if self._family == "mysql" and rest[0].token_type in (T.VAR, T.IDENTIFIER):
            return self._describe(rest, text)  # EXPLAIN tbl is DESCRIBE tbl in MySQL
        if self._statement(rest, text) != "SELECT":  # ANALYZE runs it: it must be a read
            raise _Refused(f"EXPLAIN {self._kind_of(rest)}")
        return "EXPLAIN"

    def _describe(self, rest: list[Token], text: str) -> str:
        """DESCRIBE a query (checked as one) or an object (names only)."""
        if not rest:
            raise _Refused("DESCRIBE", "nothing to describe")
        if rest[0].token_type == T.L_PAREN or rest[0].text.upper() in _QUERY_START - {"TABLE"}:
            self._query(rest, text)
        elif rest[0].token_type not in (T.VAR, T.IDENTIFIER) and (
            self._kind_of(rest) not in _OBJECT_WORDS
        ):
            raise _Refused(f"DESCRIBE {self._kind_of(rest)}")
        self._scan_writes(rest)
        return "DESCRIBE"

    def _show(self, tokens: list[Token], text: str) -> str:
        if self._parses_show:
            tree = self._parse(tokens, text)
            if not isinstance(tree, exp.Show):
                raise _Refused("SHOW", "not a SHOW statement")
            self._walk(tree)
        elif any(t.token_type == T.L_PAREN for t in tokens):
            raise _Refused("SHOW", "unexpected parenthesis")
        self._scan_writes(tokens)
        return "SHOW"

    def _transaction(self, tokens: list[Token]) -> str:
        """Admit BEGIN / START TRANSACTION (never READ WRITE), COMMIT and ROLLBACK."""
        words: list[str] = []
        for t in tokens:
            words += ["?"] if t.token_type in _QUOTED_TYPES else t.text.upper().split()
        head, rest = words[0], words[1:]
        if head == "START" and rest[:1] != ["TRANSACTION"]:
            raise _Refused(self._kind_of(tokens))
        if rest[:1] in (["WORK"], ["TRANSACTION"]):
            rest = rest[1:]
        if head in _TXN_END:
            if rest in ([], ["AND", "CHAIN"], ["AND", "NO", "CHAIN"]):
                return _TXN_END[head]
            raise _Refused(" ".join([head, *rest[:2]]))
        label, i = ("START TRANSACTION" if head == "START" else "BEGIN"), 0
        while i < len(rest):
            size = next((k for k in (4, 3, 2, 1) if tuple(rest[i : i + k]) in _TXN_MODES), 0)
            if not size:
                raise _Refused(" ".join([label, *rest[i : i + 2]]))
            i += size
        return "BEGIN"


def _node_kind(node: exp.Expression) -> str:
    if isinstance(node, exp.Into):
        return "SELECT ... INTO"
    if isinstance(node, exp.Lock):
        return "SELECT ... FOR UPDATE" if node.args.get("update") else "SELECT ... FOR SHARE"
    if isinstance(node, exp.Command):
        return str(node.this).upper()
    if isinstance(node, getattr(exp, "NextValueFor", ())):
        return "side-effect function NEXT VALUE FOR"
    return node.key.upper()


@functools.lru_cache(maxsize=64)
def gate_for(dialect: str, backslash_escapes: bool | None = None) -> StatementGate:
    """The shared gate of ``dialect`` with its default engine policy.

    ``backslash_escapes``: whether the server reads ``\\`` in a quoted literal as an escape
    (MySQL's default), as a plain character (PostgreSQL's standard_conforming_strings), or
    None when unknown, in which case a backslash before a quote is refused as ambiguous.
    """
    return StatementGate(dialect, backslash_escapes=backslash_escapes)


__all__ = [
    "BIGQUERY_SIDE_EFFECT_FUNCTIONS",
    "CLICKHOUSE_SIDE_EFFECT_FUNCTIONS",
    "CLICKHOUSE_SIDE_EFFECT_PREFIXES",
    "DUCKDB_SIDE_EFFECT_FUNCTIONS",
    "MAX_STATEMENT_LENGTH",
    "MYSQL_SIDE_EFFECT_FUNCTIONS",
    "POSTGRES_SIDE_EFFECT_FUNCTIONS",
    "POSTGRES_SIDE_EFFECT_PREFIXES",
    "SNOWFLAKE_SIDE_EFFECT_FUNCTIONS",
    "SNOWFLAKE_SIDE_EFFECT_PREFIXES",
    "Call",
    "EnginePolicy",
    "StatementGate",
    "Verdict",
    "gate_for",
]
