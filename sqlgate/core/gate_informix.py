"""The sqlglot dialect ``informix`` the gate reads GBase 8s/8t statements with.

Apart from :mod:`sqlgate.core.readonly_policies` so that ``import sqlgate`` does not load
sqlglot's Oracle dialect: :class:`~sqlgate.core.readonly_rules.GateRules` imports this module
(which registers the dialect by its class name) the first time an ``informix`` gate reads SQL.
"""

from __future__ import annotations

from typing import Any

from sqlglot import exp
from sqlglot.dialects.oracle import Oracle
from sqlglot.tokens import TokenType


class Informix(Oracle):
    """sqlglot dialect ``informix`` for the gate: GBase 8s/8t write Oracle-like SQL plus
    Informix's ``SELECT [SKIP m] [FIRST n | LIMIT n] ...`` (read as a LIMIT/OFFSET) and its
    ``{ ... }`` comments, which the server skips (so the gate must not read them as SQL)."""

    class Tokenizer(Oracle.Tokenizer):
        COMMENTS = [*Oracle.Tokenizer.COMMENTS, ("{", "}")]

    class Parser(Oracle.Parser):  # type: ignore[valid-type,misc]
        def _parse_limit(self, this: Any = None, top: bool = False, **kw: Any) -> Any:
            number = self._next is not None and self._next.token_type == TokenType.NUMBER
            if not top or self._curr is None or not number:
                return super()._parse_limit(this, top, **kw)
            offset = count = None
            if self._curr.text.upper() == "SKIP":
                self._advance()
                offset = self._parse_number()
            nxt = self._next is not None and self._next.token_type == TokenType.NUMBER
            if self._curr is not None and self._curr.text.upper() in ("FIRST", "LIMIT") and nxt:
                self._advance()
                count = self._parse_number()
            if offset is None and count is None:
                return super()._parse_limit(this, top, **kw)
            every = exp.Literal.number(2**63 - 1)  # SKIP without FIRST: all the rest
            return exp.Limit(this=this, expression=count or every, offset=offset)
