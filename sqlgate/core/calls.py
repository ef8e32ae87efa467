"""Which functions a statement calls, read from its tokens (for the gate's allow-lists).

Every ``name(`` counts as a call except SQL syntax that takes a parenthesis (``EXISTS (``,
``CAST(``, type modifiers such as ``numeric(10,2)``) and column lists of aliases and CTEs
(``AS g(x)``, ``WITH c(a) AS (``). Reading tokens rather than sqlglot's tree means a call
sqlglot parses into some other node is still seen; a comment between the name and the
parenthesis does not hide it either, since comments are not tokens.
"""

from __future__ import annotations

from typing import NamedTuple

from sqlglot.parser import Parser
from sqlglot.tokens import Token, TokenType

T = TokenType


class Call(NamedTuple):
    """One ``name(`` in a statement: the schema it names (if any) and the function name,
    lower-cased unless it was quoted (a quoted name is matched exactly, as the server does)."""

    schema: str | None
    name: str


# Words before "(" that are SQL syntax, not function calls (sqlglot tokenizes some as VAR)
_SYNTAX_WORDS = frozenset(
    [
        "CAST",
        "COALESCE",
        "GREATEST",
        "LEAST",
        "NULLIF",
        "TRIM",
        "GROUPING",
        "EXTRACT",
        "POSITION",
        "SUBSTRING",
        "OVERLAY",
        "XMLELEMENT",
        "XMLFOREST",
        "XMLPARSE",
        "XMLSERIALIZE",
        "XMLPI",
        "XMLROOT",
        "XMLEXISTS",
        "XMLATTRIBUTES",
        "XMLCONCAT",
        "XMLTABLE",
        "XMLNAMESPACES",
        "MATERIALIZED",
        "TREAT",
        "BERNOULLI",
        "SYSTEM",
        "REPEATABLE",
        "JSON_OBJECT",
        "JSON_ARRAY",
        "JSON_OBJECTAGG",
        "JSON_ARRAYAGG",
        "JSON_SCALAR",
        "JSON_SERIALIZE",
        "JSON_QUERY",
        "JSON_VALUE",
        "JSON_EXISTS",
        "JSON_TABLE",
        "COLUMNS",
        "EXPLAIN",
        "ANALYZE",
        "PASSING",
    ]
)
_CTE_TAIL = frozenset({"(", "MATERIALIZED", "NOT"})


def _name(token: Token) -> str:
    return token.text if token.token_type is T.IDENTIFIER else token.text.lower()


def function_calls(tokens: list[Token]) -> frozenset[Call]:
    """Every function call in ``tokens``; alias and CTE column lists are not calls."""
    calls: set[Call] = set()
    last = len(tokens) - 1
    for i, t in enumerate(tokens[:-1]):
        if tokens[i + 1].token_type is not T.L_PAREN:
            continue
        tt = t.token_type
        if tt is not T.IDENTIFIER:
            word = t.text.upper()
            if not word.replace("_", "").replace("$", "").isalnum() or word in _SYNTAX_WORDS:
                continue
            if tt is not T.VAR and (tt in Parser.TYPE_TOKENS or tt in _KEYWORD_TYPES):
                continue
        prev = tokens[i - 1].token_type if i else None
        if prev in (T.ALIAS, T.WITH, T.RECURSIVE) or prev in (T.VAR, T.IDENTIFIER):
            continue  # "AS g(x)", "WITH c(a)", "FROM t g(x)": column lists of an alias
        close = _matching_paren(tokens, i + 1)
        if (
            close < last - 1
            and tokens[close + 1].token_type is T.ALIAS
            and (tokens[close + 2].text.upper() in _CTE_TAIL)
        ):
            continue  # ", c(a) AS (": a CTE's column list
        schema = None
        if prev is T.DOT:
            schema = _name(tokens[i - 2])
            if i >= 3 and tokens[i - 3].token_type is T.DOT:  # db.schema.f: never allowed
                schema = f"{_name(tokens[i - 4])}.{schema}"
        calls.add(Call(schema, _name(t)))
    return frozenset(calls)


def _matching_paren(tokens: list[Token], open_at: int) -> int:
    depth = 0
    for k in range(open_at, len(tokens)):
        depth += {T.L_PAREN: 1, T.R_PAREN: -1}.get(tokens[k].token_type, 0)
        if depth == 0:
            return k
    return len(tokens) - 1


# keyword tokens that take a parenthesis without being a call (EXISTS (, IN (, OVER (...)
_KEYWORD_TYPES = frozenset(
    getattr(T, n)
    for n in (  # noqa: SIM905
        "EXISTS IN ARRAY ROW FILTER OVER ANY ALL SOME FOR LATERAL ON ROLLUP CUBE GROUPING_SETS "
        "LIMIT OFFSET USING VALUES AND OR NOT SELECT FROM WHERE JOIN WITH ALIAS WHEN THEN ELSE "
        "CASE IS LIKE ILIKE BETWEEN UNION INTERSECT EXCEPT WINDOW PARTITION_BY ORDER_BY "
        "GROUP_BY HAVING DISTINCT TABLE_SAMPLE RETURNING CURRENT_TIMESTAMP CURRENT_TIME "
        "CURRENT_DATE LOCALTIME LOCALTIMESTAMP RECURSIVE FETCH OVERLAPS SIMILAR_TO UNNEST INTO "
        "TABLE ROWS WITHIN_GROUP PARTITION ORDINALITY SET UPDATE DELETE INSERT MERGE CREATE DROP"
    ).split()
    if hasattr(T, n)
)  # fmt: skip

#: the same rules, for the gate's fast path (:mod:`sqlgate.core.readonly_fast`), which must
#: count calls exactly as :func:`function_calls` does
SYNTAX_WORDS = _SYNTAX_WORDS
KEYWORD_TYPES = _KEYWORD_TYPES
