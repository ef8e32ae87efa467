"""The gate's fast path: admit a plain ``SELECT`` without sqlglot, or say nothing.

sqlglot costs most of an uncached verdict (about a millisecond for a dashboard query), and
dashboards mostly send plain ``SELECT``s. :func:`fast_verdict` reads one with a small grammar
of its own and admits it, or returns None and the full gate decides. It never refuses, so it
could only be weaker by admitting what the full gate refuses. It is built so that it cannot:

* it reads the text the gate's server-family lexer returned (every lexical check done:
  placeholders, odd characters, executable comments, one statement), and gives up on any
  comment, on any literal other than a plain ``'...'`` without a backslash, on any quoted
  identifier holding its own quote, on any character outside ASCII letters, digits, spaces
  and a few operators (no ``$ @ : ; % ? [ { # & | ^ ~``, no ``:=``);
* its grammar has only reads in it: ``SELECT [DISTINCT] list [FROM names, subqueries and
  joins] [WHERE] [GROUP BY] [HAVING] [ORDER BY] [LIMIT] [OFFSET]``, and expressions of
  names, literals, arithmetic, comparisons, ``AND``/``OR``/``NOT``, ``IN``, ``BETWEEN``,
  ``LIKE``, ``IS [NOT] NULL``, ``CASE``, ``CAST`` and ``::`` to a fixed list of built-in
  types, ``EXISTS`` and calls;
* a word is a name only where the grammar expects a name, and never one that sqlglot knows
  as a keyword or that starts a statement or clause (``INTO``, ``FOR``, ``LOCK``, ``SHARE``,
  ``PROCEDURE`` ...), so nothing after a query can hide in an alias;
* every word before ``(`` goes through the policy's deny list (a denied name goes to the
  full gate, which refuses it), and every call is collected for the allow-list the way
  :mod:`sqlgate.core.calls` does; a call sqlglot would not parse as a plain call with that
  many arguments (``SUBSTRING``, a wrong arity: the full gate refuses it as unparseable)
  goes to the full gate too.

``tests/unit/test_readonly_fast.py`` runs every corpus statement and a generated set through
both paths and checks the fast path admits nothing the full gate refuses, with equal calls.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from sqlgate.core.calls import SYNTAX_WORDS, Call
from sqlgate.core.readonly_fast_words import (
    AFTER_ALIAS,
    ARITHMETIC,
    COMPARE,
    FAST_POLICIES,
    JOIN,
    KEYWORD_FUNCTIONS,
    MAX_DEPTH,
    NUMBER,
    POSTFIX,
    QUOTED_NAME,
    STRING,
    TYPES,
    UNITS,
    VALUES,
    GiveUp,
    calls_denied,
    counted_as_call,
    reserved,
    sqlglot_reads_call,
    tokens,
)


class FastReader:
    """A recursive-descent reader of one plain ``SELECT`` over :func:`tokens`.

    It builds no tree: it only decides whether the tokens are such a statement, so the
    precedence of operators does not matter and is not modelled.
    """

    def __init__(
        self,
        keys: list[str],
        texts: list[str],
        family: str,
        dialect: str,
        denied: Callable[[str], bool],
    ) -> None:
        self.i, self.family, self.denied, self.depth = 0, family, denied, 0
        self.size = len(keys)
        #: per token: the word or operator, or a kind (NUMBER, STRING ...); "" past the end
        self.keys = [*keys, "", "", "", ""]
        self.texts = texts
        self.not_names = reserved(dialect)
        self.known_call = functools.partial(sqlglot_reads_call, dialect)
        self.dialect = dialect
        self.calls: set[Call] = set()

    # -- helpers --------------------------------------------------------------------------
    def take(self, *texts: str) -> bool:
        if self.keys[self.i] in texts:
            self.i += 1
            return True
        return False

    def need(self, text: str) -> None:
        if self.keys[self.i] != text:
            raise GiveUp
        self.i += 1

    def name(self) -> None:
        """One plain or quoted name."""
        if self.keys[self.i] in self.not_names:
            raise GiveUp
        self.i += 1

    def deeper(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise GiveUp

    # -- statement ------------------------------------------------------------------------
    def statement(self) -> frozenset[Call]:
        self.query()
        if self.i != self.size:
            raise GiveUp
        return frozenset(self.calls)

    def query(self) -> None:  # clause words read inline: this is every new shape's hot path
        self.deeper()
        keys = self.keys
        self.need("SELECT")
        if keys[self.i] in ("DISTINCT", "ALL"):
            self.i += 1
        self.listed(self.select_item)
        if keys[self.i] == "FROM":
            self.i += 1
            self.listed(self.from_item)
        if keys[self.i] == "WHERE":
            self.i += 1
            self.expr()
        if keys[self.i] == "GROUP":
            self.i += 1
            self.need("BY")
            self.listed(self.expr)
        if keys[self.i] == "HAVING":
            self.i += 1
            self.expr()
        if keys[self.i] == "ORDER":
            self.i += 1
            self.need("BY")
            self.listed(self.order_item)
        if keys[self.i] == "LIMIT":
            self.i += 1
            self.need(NUMBER)
            if self.family == "mysql" and self.take(","):
                self.need(NUMBER)
        if keys[self.i] == "OFFSET":
            self.i += 1
            self.need(NUMBER)
        self.depth -= 1

    def listed(self, item: Callable[[], None]) -> None:
        item()
        while self.keys[self.i] == ",":
            self.i += 1
            item()

    def alias(self) -> None:
        keys, i = self.keys, self.i
        if keys[i] == "AS":
            self.i += 1
            self.name()
        elif keys[i] not in self.not_names and keys[i + 1] in AFTER_ALIAS:
            self.i += 1

    def select_item(self) -> None:
        if self.take("*"):
            return
        keys, i = self.keys, self.i
        if keys[i] not in self.not_names and keys[i + 1] == "." and keys[i + 2] == "*":
            self.i += 3
            return
        self.expr()
        self.alias()

    def from_item(self) -> None:
        self.table()
        while self.keys[self.i] in JOIN:
            if self.take("LEFT", "RIGHT", "FULL"):
                self.take("OUTER")
            else:
                self.take("INNER", "CROSS")
            self.need("JOIN")
            self.table()
            if self.take("ON"):
                self.expr()
            elif self.take("USING"):
                self.need("(")
                self.listed(self.name)
                self.need(")")

    def table(self) -> None:
        if self.take("("):
            self.query()
            self.need(")")
        else:
            self.dotted(3)
            if self.keys[self.i] == "(":
                raise GiveUp  # a table function
        self.alias()

    def dotted(self, most: int) -> int:
        """A name of up to ``most`` dotted parts; returns the index of its first token."""
        keys, not_names = self.keys, self.not_names
        first = i = self.i
        if keys[i] in not_names:
            raise GiveUp
        i += 1
        while keys[i] == "." and keys[i + 1] not in not_names and i - first < 2 * most:
            i += 2
        self.i = i
        if i - first > 2 * most - 1:
            raise GiveUp
        return first

    def order_item(self) -> None:
        self.expr()
        self.take("ASC", "DESC")
        if self.take("NULLS") and not self.take("FIRST", "LAST"):
            raise GiveUp

    # -- expressions: operands joined by operators (precedence does not change the answer) --
    def expr(self) -> None:
        """Predicates joined by AND / OR, each after any number of NOT."""
        self.depth += 1  # deeper(), inline: expr() runs for every operand list item
        if self.depth > MAX_DEPTH:
            raise GiveUp
        keys = self.keys
        while True:
            while keys[self.i] == "NOT":
                self.i += 1
            self.predicate()
            if keys[self.i] not in ("AND", "OR"):
                break
            self.i += 1
        self.depth -= 1

    def predicate(self) -> None:
        self.operand()
        k = self.keys[self.i]
        if k in COMPARE:
            self.i += 1
            self.operand()
        elif k == "IS":
            self.i += 1
            self.take("NOT")
            if not self.take("NULL", "TRUE", "FALSE"):
                raise GiveUp
        elif k in POSTFIX:
            self.postfix(k)

    def postfix(self, k: str) -> None:
        """``[NOT] IN (...)``, ``[NOT] BETWEEN a AND b``, ``[NOT] LIKE x``."""
        if k == "NOT":
            self.i += 1
            k = self.keys[self.i]
        self.i += 1
        if k == "IN":
            self.need("(")
            if self.keys[self.i] == "SELECT":
                self.query()
            else:
                self.listed(self.operand)
            self.need(")")
        elif k == "BETWEEN":
            self.operand()
            self.need("AND")
            self.operand()
        elif k == "LIKE" or (k == "ILIKE" and self.family == "pg"):
            self.operand()
        else:
            raise GiveUp

    def operand(self) -> None:
        """Signed primaries joined by arithmetic, each with PostgreSQL ``::type`` casts."""
        keys, not_names = self.keys, self.not_names
        while True:
            while keys[self.i] in ("-", "+"):
                self.i += 1
            if keys[self.i] not in not_names:
                self.reference()  # a name: the first case of primary(), one call sooner
            else:
                self.primary()
            while keys[self.i] == "::" and self.family == "pg":
                self.i += 1
                self.type_name()
            if keys[self.i] not in ARITHMETIC:
                return
            self.i += 1

    def type_name(self) -> None:
        word = self.keys[self.i]
        if word not in TYPES[self.family]:
            raise GiveUp
        self.i += 1
        if self.family == "mysql" and word in ("SIGNED", "UNSIGNED"):
            self.take("INTEGER", "INT")
        if self.take("("):
            self.need(NUMBER)
            if self.take(","):
                self.need(NUMBER)
            self.need(")")

    def primary(self) -> None:
        k = self.keys[self.i]
        if k not in self.not_names:  # a name: none of the words below is one
            self.reference()
        elif k in VALUES:
            self.i += 1
        elif k == "(":
            self.i += 1
            self.query() if self.keys[self.i] == "SELECT" else self.expr()
            self.need(")")
        elif k == "CASE":
            self.i += 1
            self.case()
        elif k == "CAST":
            self.i += 1
            self.need("(")
            self.expr()
            self.need("AS")
            self.type_name()
            self.need(")")
        elif k == "EXISTS":
            self.i += 1
            self.need("(")
            self.query()
            self.need(")")
        elif k == "INTERVAL":
            self.i += 1
            self.interval()
        elif k in KEYWORD_FUNCTIONS[self.family] and self.keys[self.i + 1] == "(":
            self.i += 1
            self.call(self.i - 1)
        else:
            self.reference()

    def case(self) -> None:
        if self.keys[self.i] != "WHEN":
            self.expr()
        self.need("WHEN")
        self.expr()
        self.need("THEN")
        self.expr()
        while self.take("WHEN"):
            self.expr()
            self.need("THEN")
            self.expr()
        if self.take("ELSE"):
            self.expr()
        self.need("END")

    def interval(self) -> None:
        if self.family == "pg":
            self.need(STRING)
        else:
            self.primary()
            if not self.take(*UNITS):
                raise GiveUp

    def reference(self) -> None:
        """A column (``a``, ``t.a``, ``s.t.a``) or a call (``f(...)``, ``s.f(...)``)."""
        first = self.dotted(4)
        if self.keys[self.i] == "(":
            if self.i - first > 5:
                raise GiveUp
            self.call(first)

    def call(self, first: int) -> None:
        at = self.i - 1
        quoted, name = self.keys[at] == QUOTED_NAME, self.texts[at]
        if self.denied(name.lower()):
            raise GiveUp  # a side-effect function: the full gate refuses it
        if quoted or (name not in SYNTAX_WORDS and counted_as_call(self.dialect, name)):
            schema = ".".join(
                self.texts[j] if self.keys[j] == QUOTED_NAME else self.texts[j].lower()
                for j in range(first, at, 2)
            )
            self.calls.add(Call(schema or None, name if quoted else name.lower()))
        self.i += 1
        count = 0
        if self.keys[self.i] == "*" and name == "COUNT" and not quoted and first == at:
            self.i += 1
            count = 1
        elif self.take("DISTINCT"):  # one argument only: f(DISTINCT a, b) is not for here
            self.expr()
            count = 1
        elif self.keys[self.i] != ")":
            count = 1
            self.expr()
            while self.take(","):
                self.expr()
                count += 1
        self.need(")")
        if not quoted and not self.known_call(name, count):
            raise GiveUp


def fast_verdict(
    text: str,
    quoted: list[tuple[int, int]],
    comments: list[tuple[int, int]],
    *,
    policy: str,
    dialect: str,
    pg: bool,
    denied: Callable[[str], bool],
) -> frozenset[Call] | None:
    """The calls of a plain ``SELECT`` this reader admits, or None (the full gate decides)."""
    if comments or policy not in FAST_POLICIES:
        return None
    family = "pg" if pg else "mysql"
    try:
        keys, texts = tokens(text, quoted, family)
        # as the full gate's token scan: whatever stands before "(" is judged as a call
        if calls_denied(keys, texts, denied):
            return None
        return FastReader(keys, texts, family, dialect, denied).statement()
    except (GiveUp, RecursionError):
        return None


__all__ = ["FAST_POLICIES", "FastReader", "GiveUp", "fast_verdict"]
