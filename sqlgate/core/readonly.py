"""The statement gate: the first, fail-closed layer of read-only enforcement.

:meth:`StatementGate.check` admits only reads (queries, EXPLAIN of a query, SHOW, DESCRIBE,
plain transaction control, a short list of harmless session settings) and refuses everything
else, including text it does not understand. Each source names its engine's
:class:`GatePolicy` (:mod:`sqlgate.core.readonly_policies`); a source without one gets a gate
that refuses every statement. sqlglot parses the statement, but only after the gate's own
lexer (:mod:`sqlgate.core.readonly_lexer`) agreed with sqlglot's on every comment, string
and identifier. The server's read-only session is the second layer: only it can stop
user-defined functions that write.

This module is the gate's face (verdicts, caches, one shared gate per policy); the rules
live in :mod:`sqlgate.core.readonly_dispatch` (statement kinds) and
:mod:`sqlgate.core.readonly_rules` (token scan, parse and walk). A verdict is kept by exact
text and, for an admitted query, by its shape (:mod:`sqlgate.core.readonly_shape`: the text
without the values of plain literals); a plain ``SELECT`` of a new shape is first offered to
the fast path (:mod:`sqlgate.core.readonly_fast`), which admits it without sqlglot or leaves
it to the full gate.
"""

from __future__ import annotations

import dataclasses
import functools
import re

from sqlgate.core import readonly_functions as _fn
from sqlgate.core.calls import Call
from sqlgate.core.errors import ProgrammingError, ReadOnlyError, UnparseableStatementError
from sqlgate.core.readonly_dispatch import Lexed, StatementRules, Verdict
from sqlgate.core.readonly_fast import FAST_POLICIES, fast_verdict
from sqlgate.core.readonly_lexer import (
    ANY_PERCENT,
    LIKELY_PLACEHOLDER,
    Refused,
    Unparseable,
    lex,
)
from sqlgate.core.readonly_plain import PLAIN_POLICIES, plain_select
from sqlgate.core.readonly_policies import POLICIES, EnginePolicy, GatePolicy, Lexicon
from sqlgate.core.readonly_rules import resolve_policy
from sqlgate.core.readonly_shape import ShapeCache, shape

#: the largest statement the gate reads (characters); documented in docs/read-only.md
MAX_STATEMENT_LENGTH = 131_072
_MAX_CACHED_LEN = 65_536
_MAX_SHAPE_LEN = 16_384  # the cache by shape holds dashboard-sized statements only


def public_error(refusal: Refused) -> ProgrammingError:
    """The exception a user sees for a refusal inside the gate."""
    if isinstance(refusal, Unparseable):
        return UnparseableStatementError(refusal.detail, refusal.where, refusal.kind)
    return ReadOnlyError(refusal.kind, refusal.detail, fix=refusal.fix)


def _template(sql: str, lexicon: Lexicon) -> Refused | None:
    """The refusal of a template with a placeholder inside a literal or comment, or None."""
    try:
        lex(sql, lexicon, ANY_PERCENT)
    except Refused as e:
        return e
    return None


class StatementGate(StatementRules):
    """Admit read-only statements for one engine's :class:`GatePolicy`; refuse the rest."""

    def __init__(
        self,
        policy: GatePolicy | str,
        extra: EnginePolicy | None = None,
        *,
        cache_size: int = 2048,
        backslash_escapes: bool | None = None,
        fast_path: bool = True,
    ):
        super().__init__(resolve_policy(policy, extra), backslash_escapes)
        self._cached = functools.lru_cache(maxsize=cache_size)(self._verdict)
        self._shapes: ShapeCache[Verdict] = ShapeCache(cache_size)
        #: a template is checked once: a dashboard binds new values into the same text
        self._templates = functools.lru_cache(maxsize=cache_size)(_template)
        #: the fast path reads the registered policies it was written for (extra denials on
        #: top are fine: it asks the same deny check)
        registered = POLICIES.get(self.policy.name)
        self._fast_path = (
            fast_path
            and registered is not None
            and (self.policy.name in FAST_POLICIES or self.policy.name in PLAIN_POLICIES)
            and dataclasses.replace(
                self.policy,
                deny_functions=registered.deny_functions,
                deny_prefixes=registered.deny_prefixes,
                admit_commands=registered.admit_commands,
            )
            == registered
        )

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
            refusal = (self._templates if len(sql) <= _MAX_CACHED_LEN else _template)(
                sql, self._lex
            )
            if refusal is not None:
                raise public_error(refusal)

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

    def _fast(self, lexed: Lexed) -> Verdict | None:
        """A plain SELECT read without sqlglot (:mod:`sqlgate.core.readonly_fast`), or None."""
        if not self._fast_path:
            return None
        if self.policy.name in PLAIN_POLICIES:  # no sqlglot dialect loaded for a plain read
            text, quoted, comments = lexed
            if quoted or comments or plain_select(text) is None:
                return None
            return Verdict("SELECT", frozenset())
        calls = fast_verdict(
            *lexed,
            policy=self.policy.name,
            dialect=self.dialect,
            pg=self._lex.pg,
            denied=self._denied,
        )
        if calls is None:
            return None
        return Verdict("SELECT", calls if self.policy.collect_calls else frozenset())

    def shape_cache_info(self) -> tuple[int, int, int]:
        """Hits, misses and size of the cache of admitted queries by shape."""
        return self._shapes.hits, self._shapes.misses, len(self._shapes)

    def _verdict(self, sql: str, params: re.Pattern[str] | None) -> Verdict | Refused:
        try:
            lexed = self._lexed(sql, params)  # every check of the text itself, every time
            if len(sql) > _MAX_SHAPE_LEN:
                return self._fast(lexed) or self._classify_lexed(lexed)
            key = (shape(*lexed), params)
            known = self._shapes.get(key)
            if known is not None:
                return known
            verdict = self._fast(lexed) or self._classify_lexed(lexed)
            if verdict.kind == "SELECT":  # a query's verdict never depends on a plain value
                self._shapes.put(key, verdict)
            return verdict
        except Refused as e:
            return e
        except RecursionError:
            return Unparseable("the statement is nested too deeply")
        except Exception as e:  # anything unexpected fails closed
            return Unparseable(f"the gate could not read it ({type(e).__name__})")


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
