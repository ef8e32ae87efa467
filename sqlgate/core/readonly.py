"""The statement gate: the first, fail-closed layer of read-only enforcement.

:meth:`StatementGate.check` admits only reads (queries, EXPLAIN of a query, SHOW, DESCRIBE,
plain transaction control, a short list of harmless session settings) and refuses everything
else, including text it does not understand. Each source names its engine's
:class:`GatePolicy` (:mod:`sqlgate.core.readonly_policies`); a source without one gets a gate
that refuses every statement. sqlglot parses the statement, but only after the gate's own
lexer (:mod:`sqlgate.core.readonly_lexer`) agreed with sqlglot's on every comment, string
and identifier. The server's read-only session is the second layer: only it can stop
user-defined functions that write.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from typing import NamedTuple

from sqlglot import exp
from sqlglot.dialects.dialect import Dialect
from sqlglot.tokens import Token, TokenType

from sqlgate.core import readonly_functions as _fn
from sqlgate.core.calls import Call, function_calls
from sqlgate.core.errors import ProgrammingError, ReadOnlyError, UnparseableStatementError
from sqlgate.core.readonly_lexer import (
    ANY_PERCENT,
    LIKELY_PLACEHOLDER,
    QUOTED_TYPES,
    UNCLEAR,
    Refused,
    Unparseable,
    cross_check,
    lex,
)
from sqlgate.core.readonly_policies import POLICIES, EnginePolicy, GatePolicy, Lexicon
from sqlgate.core.readonly_session import modes_ok, session_statement
from sqlgate.core.readonly_syntax import (
    EXPLAIN_WORDS,
    FORBIDDEN,
    OBJECT_WORDS,
    QUERY_START,
    STATEMENT_WORDS,
    TXN_END,
    is_forbidden,
    kind_of,
    node_kind,
    parse_error,
    scan_writes,
    sql_names,
    statement_word,
)

T = TokenType


class Verdict(NamedTuple):
    """An admitted statement: its kind (``SELECT``, ``SHOW`` ...) and the calls it makes."""

    kind: str
    calls: frozenset[Call] = frozenset()


_BAD_CHARS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]|[^\S \t\n\r\f]")
_HINT_CALL = re.compile(r"(?<![\w$])([A-Za-z_$][\w$]*)\s*\(")
#: the largest statement the gate reads (characters); documented in docs/read-only.md
MAX_STATEMENT_LENGTH = 131_072
_MAX_CACHED_LEN = 65_536
_NEXT_VALUE_FOR = ["NEXT", "VALUE", "FOR"]
_SESSION_WORDS = frozenset({"SET", "RESET", "USE"})


def public_error(refusal: Refused) -> ProgrammingError:
    """The exception a user sees for a refusal inside the gate."""
    if isinstance(refusal, Unparseable):
        return UnparseableStatementError(refusal.detail, refusal.where, refusal.kind)
    return ReadOnlyError(refusal.kind, refusal.detail, fix=refusal.fix)


class StatementGate:
    """Admit read-only statements for one engine's :class:`GatePolicy`; refuse the rest."""

    def __init__(
        self,
        policy: GatePolicy | str,
        extra: EnginePolicy | None = None,
        *,
        cache_size: int = 2048,
        backslash_escapes: bool | None = None,
    ):
        if isinstance(policy, str):
            if policy not in POLICIES:
                raise ValueError(f"no read-only policy named {policy!r}")
            policy = POLICIES[policy]
        if extra is not None:  # an engine's own additions on top of a named policy
            policy = dataclasses.replace(
                policy,
                deny_functions=policy.deny_functions | extra.deny_functions,
                deny_prefixes=policy.deny_prefixes | extra.deny_prefixes,
                admit_commands=policy.admit_commands | extra.admit_commands,
            )
        self.policy = policy
        self.dialect = policy.dialect
        self._dialect = Dialect.get_or_raise(policy.dialect)
        self._lex: Lexicon = policy.lexicon
        if backslash_escapes is not None:  # the session knows how its server reads \ in '...'
            self._lex = dataclasses.replace(self._lex, backslash=backslash_escapes)
        self._admitted = frozenset(c.upper() for c in policy.admit_commands)
        self.denied_functions = frozenset(
            f.lower() for f in policy.deny_functions | policy.deny_table_functions
        )
        self.denied_prefixes = tuple(p.lower() for p in policy.deny_prefixes)
        base = self._dialect.tokenizer_class  # without COMMANDS: no token swallows the rest
        self._commands = frozenset(base.COMMANDS)
        self._tokenizer_class = type(f"Gate{base.__name__}", (base,), {"COMMANDS": set()})
        self._statement_tokens = frozenset(self._dialect.parser_class.STATEMENT_PARSERS)
        self._parses_show = T.SHOW in self._statement_tokens
        self._cached = functools.lru_cache(maxsize=cache_size)(self._verdict)

    def check(self, sql: str, *, params: bool | None = None) -> str:
        """Return the admitted statement kind or raise :class:`ReadOnlyError` (or
        :class:`UnparseableStatementError` for text the gate could not parse).

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
                lex(sql, self._lex, ANY_PERCENT)
            except Refused as e:
                raise public_error(e) from None

    def verdict(self, sql: str, *, params: bool | None = None) -> Verdict:
        """Like :meth:`check`, returning the statement kind with the functions it calls."""
        if not isinstance(sql, str):
            raise ReadOnlyError("non-text statement", type(sql).__name__, fix="pass a str")
        if len(sql) > MAX_STATEMENT_LENGTH:  # before anything else reads it
            raise ReadOnlyError(
                "oversized statement",
                f"over {MAX_STATEMENT_LENGTH} characters",
                fix="split it into smaller statements",
            )
        strict = None
        if self.policy.client_side_params and params is not False:
            strict = ANY_PERCENT if params else LIKELY_PLACEHOLDER
        verdict = self._cached if len(sql) <= _MAX_CACHED_LEN else self._verdict
        result = verdict(sql, strict)
        if isinstance(result, Verdict):
            return result
        raise public_error(result)

    def cache_info(self) -> functools._CacheInfo:
        """Hits and misses of the verdict cache."""
        return self._cached.cache_info()

    def _verdict(self, sql: str, params: re.Pattern[str] | None) -> Verdict | Refused:
        try:
            return self._classify(sql, params)
        except Refused as e:
            return e
        except RecursionError:
            return Unparseable("the statement is nested too deeply")
        except Exception as e:  # anything unexpected fails closed
            return Unparseable(f"the gate could not read it ({type(e).__name__})")

    def _classify(self, sql: str, params: re.Pattern[str] | None) -> Verdict:
        if bad := _BAD_CHARS.search(sql):
            raise Refused("control or unusual whitespace character", repr(bad.group()), UNCLEAR)
        if self._lex.exec_comments and ("/*!" in sql or "/*M!" in sql):
            raise Refused("executable comment", "MySQL runs /*! ... */ as SQL", UNCLEAR)
        text, quoted, comments, semis = lex(sql, self._lex, params)
        if semis:
            if len(semis) > 1 or text[semis[0] + 1 :].strip():
                raise Refused(
                    "multiple statements",
                    "only a single trailing ; is allowed",
                    "send one statement per execute()",
                )
            text = text[: semis[0]]
        try:
            tokens = self._tokenizer_class(self._dialect).tokenize(text)
        except Exception as e:
            raise Unparseable(f"sqlglot could not tokenize it ({type(e).__name__})") from None
        if not tokens:
            raise Unparseable("only whitespace or comments", kind="empty statement")
        cross_check(text, tokens, quoted, comments)
        calls = self._scan_calls(tokens)
        return Verdict(self._statement(tokens, text, bool(comments)), calls)

    def _denied(self, name: str) -> bool:
        return name in self.denied_functions or name.startswith(self.denied_prefixes)

    def _scan_calls(self, tokens: list[Token]) -> frozenset[Call]:
        """Refuse side-effect calls wherever they appear, whatever sqlglot makes of them.

        Returns every ``name(`` the statement contains that is not SQL syntax (a keyword, a
        type name, an alias or CTE column list), so an allow-list can judge them.
        """
        policy = self.policy
        found = function_calls(tokens) if policy.collect_calls or policy.deny_schemas else None
        for call in found or ():
            if call.schema is not None and call.schema.lower() in policy.deny_schemas:
                raise Refused(f"side-effect function {call.schema}.{call.name}"[:80])
        lparen, hint, dot, last = T.L_PAREN, T.HINT, T.DOT, len(tokens) - 1
        assign = T.COLON_EQ if policy.user_variables else None
        setting = T.EQ if policy.refused_settings else None
        for i, t in enumerate(tokens):
            tt, nxt = t.token_type, tokens[i + 1].token_type if i < last else None
            if nxt is lparen or tt is hint or (nxt is dot and i < last - 1):
                name, prev = t.text.lower(), tokens[i - 1].token_type if i else None
                calls = [name] if nxt is lparen and prev not in (T.ALIAS, T.WITH) else []
                if tt is hint:
                    calls = [c.lower() for c in _HINT_CALL.findall(t.text)]
                if nxt is dot and tokens[i + 2].text.lower() == "nextval":
                    calls.append("nextval")  # seq.nextval (Snowflake, MariaDB Oracle mode)
                for called in calls:
                    if self._denied(called):
                        raise Refused(f"side-effect function {called[:64]}")
            elif tt is assign:
                raise Refused("user variable assignment", ":= assigns in MySQL")
            elif tt is setting and i and tokens[i - 1].text.lower() in policy.refused_settings:
                raise Refused(f"SETTINGS {tokens[i - 1].text.lower()}")
            elif tt is T.PARAMETER and t.text == "@" and policy.stage_references:
                raise Refused("stage reference", "@stage reads files of a Snowflake stage")
            elif tt is T.NEXT and [w.text.upper() for w in tokens[i : i + 3]] == _NEXT_VALUE_FOR:
                raise Refused("side-effect function NEXT VALUE FOR")
        return found if policy.collect_calls and found is not None else frozenset()

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

    def _parse(self, tokens: list[Token], text: str) -> exp.Expr:
        scan_writes(tokens)
        try:
            trees = self._dialect.parser().parse(tokens, text)
        except RecursionError:
            raise Unparseable("the statement is nested too deeply") from None
        except Exception as e:
            raise parse_error(text, tokens, None, e) from None
        if len(trees) != 1 or trees[0] is None:
            raise Refused("multiple statements", "", "send one statement per execute()")
        return trees[0]

    def _query(self, tokens: list[Token], text: str) -> str:
        tree = self._parse(tokens, text)
        if not isinstance(tree, (exp.Query, exp.Values)):
            kind = node_kind(tree) if isinstance(tree, FORBIDDEN) else kind_of(tokens)
            raise Refused(kind, type(tree).__name__)
        self._walk(tree)
        return "SELECT"

    def _walk(self, tree: exp.Expr) -> None:
        """Refuse statement nodes, locks, INTO, assignments and denied calls anywhere."""
        for node in tree.walk():
            if is_forbidden(type(node)) and not (node is tree and isinstance(node, exp.Show)):
                raise Refused(node_kind(node))
            if isinstance(node, exp.PropertyEQ) and isinstance(
                node.this, (exp.Parameter, exp.SessionParameter)
            ):
                raise Refused("user variable assignment")
            if isinstance(node, exp.Func):
                names = [node.name] if isinstance(node, exp.Anonymous) else sql_names(type(node))
                for name in names:
                    if self._denied(name.lower()):
                        raise Refused(f"side-effect function {name.lower()[:64]}")

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


class RefuseEverything(StatementGate):
    """The gate of a source that names no policy: every statement is refused."""

    def __init__(self, reason: str) -> None:  # no policy: no dialect, lexer or parser
        self.reason = reason
        self.policy = GatePolicy(name="none")

    def verdict(self, sql: str, *, params: bool | None = None) -> Verdict:
        raise ReadOnlyError(
            "every",
            self.reason,
            fix="give the source a read-only policy "
            "(SourceSpec.gate_policy) or connect with read_only=false",
        )

    def check_template(self, sql: str) -> None:
        self.verdict(sql)


@functools.lru_cache(maxsize=64)
def gate_for(
    policy: str | None, backslash_escapes: bool | None = None, *, source: str = ""
) -> StatementGate:
    """The shared gate of the policy named ``policy`` (``SourceSpec.gate_policy``).

    ``None`` or a name with no policy gives a gate that refuses every statement.
    ``backslash_escapes``: whether the server reads ``\\`` in a quoted literal as an escape
    (MySQL's default), as a plain character (PostgreSQL's standard_conforming_strings), or
    None when unknown, in which case a backslash before a quote is refused as ambiguous.
    """
    if policy is None or policy not in POLICIES:
        who = f"source {source!r}" if source else "this source"
        what = (
            "names no read-only policy"
            if policy is None
            else f"names policy {policy!r}, which does not exist"
        )
        return RefuseEverything(f"{who} {what}: sqlgate cannot tell its reads from its writes")
    return StatementGate(policy, backslash_escapes=backslash_escapes)


def gate_for_source(spec: object, backslash_escapes: bool | None = None) -> StatementGate:
    """The gate of a registered source (anything with ``name`` and ``gate_policy``)."""
    return gate_for(
        getattr(spec, "gate_policy", None), backslash_escapes, source=str(getattr(spec, "name", ""))
    )


POSTGRES_SIDE_EFFECT_FUNCTIONS = _fn.POSTGRES_SIDE_EFFECT_FUNCTIONS
POSTGRES_SIDE_EFFECT_PREFIXES = _fn.POSTGRES_SIDE_EFFECT_PREFIXES
MYSQL_SIDE_EFFECT_FUNCTIONS = _fn.MYSQL_SIDE_EFFECT_FUNCTIONS
DUCKDB_SIDE_EFFECT_FUNCTIONS = _fn.DUCKDB_SIDE_EFFECT_FUNCTIONS
DUCKDB_SIDE_EFFECT_PREFIXES = _fn.DUCKDB_SIDE_EFFECT_PREFIXES
CLICKHOUSE_SIDE_EFFECT_FUNCTIONS = _fn.CLICKHOUSE_SIDE_EFFECT_FUNCTIONS
CLICKHOUSE_SIDE_EFFECT_PREFIXES = _fn.CLICKHOUSE_SIDE_EFFECT_PREFIXES
SNOWFLAKE_SIDE_EFFECT_FUNCTIONS = _fn.SNOWFLAKE_SIDE_EFFECT_FUNCTIONS
SNOWFLAKE_SIDE_EFFECT_PREFIXES = _fn.SNOWFLAKE_SIDE_EFFECT_PREFIXES
BIGQUERY_SIDE_EFFECT_FUNCTIONS = _fn.BIGQUERY_SIDE_EFFECT_FUNCTIONS
DATABRICKS_SIDE_EFFECT_FUNCTIONS = _fn.DATABRICKS_SIDE_EFFECT_FUNCTIONS
DATABRICKS_SIDE_EFFECT_PREFIXES = _fn.DATABRICKS_SIDE_EFFECT_PREFIXES
DRUID_SIDE_EFFECT_FUNCTIONS = _fn.DRUID_SIDE_EFFECT_FUNCTIONS

__all__ = [
    "BIGQUERY_SIDE_EFFECT_FUNCTIONS",
    "CLICKHOUSE_SIDE_EFFECT_FUNCTIONS",
    "CLICKHOUSE_SIDE_EFFECT_PREFIXES",
    "DATABRICKS_SIDE_EFFECT_FUNCTIONS",
    "DATABRICKS_SIDE_EFFECT_PREFIXES",
    "DRUID_SIDE_EFFECT_FUNCTIONS",
    "DUCKDB_SIDE_EFFECT_FUNCTIONS",
    "DUCKDB_SIDE_EFFECT_PREFIXES",
    "MAX_STATEMENT_LENGTH",
    "MYSQL_SIDE_EFFECT_FUNCTIONS",
    "POLICIES",
    "POSTGRES_SIDE_EFFECT_FUNCTIONS",
    "POSTGRES_SIDE_EFFECT_PREFIXES",
    "SNOWFLAKE_SIDE_EFFECT_FUNCTIONS",
    "SNOWFLAKE_SIDE_EFFECT_PREFIXES",
    "Call",
    "EnginePolicy",
    "GatePolicy",
    "RefuseEverything",
    "StatementGate",
    "Verdict",
    "gate_for",
    "gate_for_source",
]
