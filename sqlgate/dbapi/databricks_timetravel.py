"""What a Databricks statement's text needs before the read-only gate reads it, token by token
(string literals, quoted names and comments are never touched):

* time travel: Databricks' own ``t TIMESTAMP AS OF ...`` / ``t VERSION AS OF n`` pass; sqlgate's
  lakehouse spelling ``FOR [SYSTEM_]TIMESTAMP|VERSION|SYSTEM_TIME AS OF`` is rewritten to it;
* path-based reads (``delta.`s3://bucket/t```, ``parquet.`/Volumes/...```) read whatever
  storage the warehouse can reach, like ``read_files``: refused while read-only.
"""

from __future__ import annotations

from sqlglot.dialects.dialect import Dialect
from sqlglot.errors import TokenError
from sqlglot.tokens import Token, TokenType

from sqlgate.core.errors import ReadOnlyError

_KINDS = {
    "VERSION": "VERSION",
    "SYSTEM_VERSION": "VERSION",
    "TIMESTAMP": "TIMESTAMP",
    "SYSTEM_TIME": "TIMESTAMP",
}


#: Spark data source names that make ``<format>.`<path>``` a read of files by path
FILE_FORMATS = frozenset(
    {"delta", "parquet", "json", "csv", "text", "orc", "avro", "binaryfile", "xml", "cloudfiles"}
)


def refuse_path_reads(sql: str) -> None:
    """Raise :class:`ReadOnlyError` for ``<format>.`<path>``` table references."""
    if "`" not in sql:
        return
    tokens = _tokens(sql)
    for first, dot, name in zip(tokens, tokens[1:], tokens[2:], strict=False):
        if (
            dot.token_type == TokenType.DOT
            and first.text.lower() in FILE_FORMATS
            and name.token_type == TokenType.IDENTIFIER
            and any(mark in name.text for mark in ("/", ":"))
        ):
            raise ReadOnlyError(
                f"path-based read {first.text}.`...`",
                "it reads files at a storage path, bypassing table grants; query a Unity "
                "Catalog table instead",
            )


def _tokens(sql: str) -> list[Token]:
    try:
        return list(Dialect.get_or_raise("databricks").tokenize(sql))
    except TokenError:
        return []  # the gate refuses what cannot be tokenised


_NOT_KEYWORDS = frozenset({TokenType.STRING, TokenType.IDENTIFIER, TokenType.VAR})


def databricks_sql(sql: str) -> str:
    """``FROM t FOR VERSION AS OF 3`` -> ``FROM t VERSION AS OF 3``; anything else unchanged
    (text sqlglot cannot tokenise is left for the gate to refuse)."""
    if " AS OF" not in sql.upper().replace("\n", " ").replace("\t", " "):
        return sql
    tokens = _tokens(sql)
    out: list[str] = []
    pos = 0
    for i, tok in enumerate(tokens):
        # ``FOR`` and the kind are one token in some sqlglot versions (``FOR VERSION``)
        words = tok.text.upper().split()
        width = 1 if len(words) == 2 else 2
        if len(words) == 1 and i + 1 < len(tokens):
            words.append(tokens[i + 1].text.upper())
        rest = tokens[i + width : i + width + 2]
        if (
            len(words) == 2
            and words[0] == "FOR"
            and words[1] in _KINDS
            and [t.text.upper() for t in rest] == ["AS", "OF"]
            and tok.token_type not in _NOT_KEYWORDS
        ):
            out.append(sql[pos : tok.start])
            out.append(_KINDS[words[1]])
            pos = tokens[i + width - 1].end + 1
    if not out:
        return sql
    out.append(sql[pos:])
    return "".join(out)
