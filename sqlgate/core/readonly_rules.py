"""The gate's checks of a query: side-effect calls in its tokens, then sqlglot's tree.

:class:`GateRules` holds what one engine's policy compiles to (deny sets, the dialect's
tokenizer and parser) and the two checks every admitted query passes: a scan of the tokens
(calls, assignments, settings, stage references), which sees a call whatever sqlglot makes of
it, and a walk of the parsed tree (statement nodes, locks, ``INTO``, denied functions).
Statement dispatch builds on it in :mod:`sqlgate.core.readonly_dispatch`.
"""

from __future__ import annotations

import dataclasses
import functools
import re

from sqlglot import exp
from sqlglot.dialects.dialect import Dialect
from sqlglot.tokens import Token, Tokenizer, TokenType

from sqlgate.core.calls import Call, function_calls
from sqlgate.core.readonly_lexer import Refused, Unparseable
from sqlgate.core.readonly_policies import POLICIES, EnginePolicy, GatePolicy, Lexicon
from sqlgate.core.readonly_syntax import (
    FORBIDDEN,
    is_forbidden,
    kind_of,
    node_kind,
    parse_error,
    scan_writes,
    sql_names,
)

T = TokenType
_HINT_CALL = re.compile(r"(?<![\w$])([A-Za-z_$][\w$]*)\s*\(")
_NEXT_VALUE_FOR = ["NEXT", "VALUE", "FOR"]


def resolve_policy(policy: GatePolicy | str, extra: EnginePolicy | None) -> GatePolicy:
    """The policy named (or given), with an engine's own additions on top."""
    if isinstance(policy, str):
        if policy not in POLICIES:
            raise ValueError(f"no read-only policy named {policy!r}")
        policy = POLICIES[policy]
    if extra is not None:
        policy = dataclasses.replace(
            policy,
            deny_functions=policy.deny_functions | extra.deny_functions,
            deny_prefixes=policy.deny_prefixes | extra.deny_prefixes,
            admit_commands=policy.admit_commands | extra.admit_commands,
        )
    return policy


class GateRules:
    """One engine's compiled policy and the token and tree checks of a query."""

    def __init__(self, policy: GatePolicy, backslash_escapes: bool | None = None) -> None:
        self.policy = policy
        self.dialect = policy.dialect
        self._lex: Lexicon = policy.lexicon
        if backslash_escapes is not None:  # the session knows how its server reads \ in '...'
            self._lex = dataclasses.replace(self._lex, backslash=backslash_escapes)
        self._admitted = frozenset(c.upper() for c in policy.admit_commands)
        self.denied_functions = frozenset(
            f.lower() for f in policy.deny_functions | policy.deny_table_functions
        )
        self.denied_prefixes = tuple(p.lower() for p in policy.deny_prefixes)

    # sqlglot's dialect is loaded on the first statement that needs it: a plain read admitted
    # by the fast paths never does (loading DuckDB's costs a cold first row ~40 ms)
    @functools.cached_property
    def _dialect(self) -> Dialect:
        if self.dialect == "informix":
            import sqlgate.core.gate_informix  # noqa: F401 - registers the dialect
        return Dialect.get_or_raise(self.dialect)

    @functools.cached_property
    def _tokenizer_class(self) -> type[Tokenizer]:
        base = self._dialect.tokenizer_class  # without COMMANDS: no token swallows the rest
        return type(f"Gate{base.__name__}", (base,), {"COMMANDS": set()})

    @functools.cached_property
    def _commands(self) -> frozenset[TokenType]:
        return frozenset(self._dialect.tokenizer_class.COMMANDS)

    @functools.cached_property
    def _statement_tokens(self) -> frozenset[TokenType]:
        return frozenset(self._dialect.parser_class.STATEMENT_PARSERS)

    @functools.cached_property
    def _parses_show(self) -> bool:
        return T.SHOW in self._statement_tokens

    def _tokenize(self, text: str) -> list[Token]:
        try:
            return self._tokenizer_class(self._dialect).tokenize(text)
        except Exception as e:
            raise Unparseable(f"sqlglot could not tokenize it ({type(e).__name__})") from None

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
        # a quoted name with @ too: GBase reads "db@server":table as a remote database
        linked = (T.VAR, T.PARAMETER, T.IDENTIFIER) if policy.db_links else ()
        for i, t in enumerate(tokens):
            tt, nxt = t.token_type, tokens[i + 1].token_type if i < last else None
            if tt in linked and "@" in t.text:
                raise Refused("database link", "name@link runs on another database")
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


__all__ = ["GateRules", "resolve_policy"]
