"""BigQuery spellings sqlgate accepts besides GoogleSQL's own.

Time travel is GoogleSQL's ``FROM t FOR SYSTEM_TIME AS OF <timestamp>``; sqlgate's lakehouse
sources write it ``FOR TIMESTAMP AS OF``, so that spelling is rewritten to BigQuery's. The
rewrite works on sqlglot's BigQuery tokens, never on raw text, so string literals, quoted
names and comments that contain the words are left alone.
"""

from __future__ import annotations

from sqlglot.dialects.dialect import Dialect
from sqlglot.errors import TokenError
from sqlglot.tokens import TokenType

#: the token that follows FOR in sqlgate's spelling (BigQuery's TIMESTAMP is zoned)
_TIMESTAMP = frozenset({TokenType.TIMESTAMP, TokenType.TIMESTAMPTZ})


def time_travel(sql: str) -> str:
    """``FOR TIMESTAMP AS OF`` -> ``FOR SYSTEM_TIME AS OF``; anything else unchanged.

    Text the tokenizer cannot read is returned as is: the gate then reports it."""
    try:
        tokens = Dialect.get_or_raise("bigquery").tokenize(sql)
    except TokenError:
        return sql
    out, pos = [], 0
    for i in range(len(tokens) - 3):
        first, word, alias, of = tokens[i : i + 4]
        if (
            first.token_type == TokenType.FOR
            and word.token_type in _TIMESTAMP
            and word.text.upper() == "TIMESTAMP"
            and alias.text.upper() == "AS"
            and of.text.upper() == "OF"
        ):
            out.append(sql[pos : word.start])
            out.append("SYSTEM_TIME")
            pos = word.end + 1
    out.append(sql[pos:])
    return "".join(out)
