"""Parse column type strings as engines print them into a small immutable tree.

Every source reports column types as text, in its own notation: ``decimal(10,2)``,
``timestamp(6) with time zone``, ``array<struct<a:int>>`` (Hive, Spark, Iceberg),
``STRUCT(a INTEGER, "b c" VARCHAR[])`` (DuckDB), ``Array(Nullable(String))`` (ClickHouse),
``ARRAY<STRUCT<x INT64>>`` (BigQuery), ``enum('a','b,c')`` (MySQL). Splitting those on
commas or regular expressions breaks on nesting and on quoted text, so this is a small
recursive-descent parser that knows about brackets and quotes, bounds its recursion and
reports malformed input as :class:`TypeParseError` instead of guessing.

The parser is deliberately engine-neutral: it does not decide what a name means
(``int4``, ``Nullable``, ``_int4``), it only records structure. :mod:`sqlgate.core.typemap`
gives the names meaning.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

__all__ = ["MAX_DEPTH", "TypeNode", "TypeParseError", "parse_type"]

MAX_DEPTH = 64
"""Deepest nesting accepted; real schemas stay far below it, hostile input does not."""

Param = str | int

# Containers whose parenthesised arguments are types, not literals: MAP(VARCHAR, INTEGER).
_TYPE_ARGS = frozenset(
    {
        "array",
        "list",
        "map",
        "nullable",
        "lowcardinality",
        "aggregatefunction",
        "simpleaggregatefunction",
        "variant",
        "range",
    }
)
# Containers whose arguments are (name, type) fields: STRUCT(a INTEGER), Tuple(a UInt8).
_NAMED_FIELDS = frozenset({"struct", "row", "tuple", "union", "nested", "object", "record"})
# Names where a trailing ``[n]`` is a parameter, not an array: Iceberg ``fixed[16]``.
_BRACKET_PARAMS = frozenset({"fixed"})
# Column-definition words that may trail a type and are not part of its name.
_MODIFIERS = frozenset({"not", "null", "comment", "collate", "charset"})
_OPTIONAL = re.compile(r"(optional|required)\s+(?=\S)", re.IGNORECASE)
_CHARSET = re.compile(r"character\s+set\b", re.IGNORECASE)
_INT = re.compile(r"-?\d{1,18}")
_LABEL = re.compile(r"\s*=\s*-?\d+\s*")
_OPEN = {"(": ")", "<": ">", "[": "]"}


class TypeParseError(ValueError):
    """A type string could not be parsed; the message quotes the input and the position."""


@dataclass(frozen=True)
class TypeNode:
    """One parsed type: ``decimal(10,2)`` is ``TypeNode("decimal", (10, 2))``.

    ``name`` is the lower-cased base name with single spaces (``timestamp with time zone``),
    ``params`` the literal arguments (numbers, quoted strings, bare words), ``fields`` the
    nested types as ``(field name or None, node)`` pairs. Arrays written as ``T[]`` become
    ``array`` nodes, so ``int4[]`` and ``array<int4>`` compare equal; ``raw`` (the exact
    source text) is not part of equality.
    """

    name: str
    params: tuple[Param, ...] = ()
    fields: tuple[tuple[str | None, TypeNode], ...] = ()
    raw: str = field(default="", compare=False)

    @property
    def element(self) -> TypeNode | None:
        """The first nested type: an array's element or a wrapper's inner type."""
        return self.fields[0][1] if self.fields else None

    def __str__(self) -> str:
        out = self.name
        if self.fields:
            items = [f"{n} {t}" if n is not None else str(t) for n, t in self.fields]
            out += "(" + ", ".join(items) + ")"
        if self.params:
            out += "(" + ", ".join(repr(p) if isinstance(p, str) else str(p) for p in self.params)
            out += ")"
        return out


def parse_type(text: str) -> TypeNode:
    """Parse one type string; raise :class:`TypeParseError` if it is not well formed."""
    if not isinstance(text, str):
        raise TypeParseError(f"type must be a string, not {type(text).__name__}")
    return _parse_cached(text)


@functools.lru_cache(maxsize=4096)
def _parse_cached(text: str) -> TypeNode:
    parser = _Parser(text)
    parser.skip_ws()
    if parser.at_end():
        raise TypeParseError("empty type string")
    node = parser.parse_type(0)
    parser.skip_ws()
    if not parser.at_end():
        parser.fail("unexpected text after the type")
    return node


class _Parser:
    """Recursive descent over one string; ``depth`` bounds every recursion."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    # -- low-level scanning ---------------------------------------------------------------
    def fail(self, message: str) -> None:
        snippet = self.text if len(self.text) <= 80 else self.text[:77] + "..."
        raise TypeParseError(f"{message} at position {self.pos} in type {snippet!r}")

    def at_end(self) -> bool:
        return self.pos >= len(self.text)

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def skip_ws(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def expect(self, char: str) -> None:
        self.skip_ws()
        if self.peek() != char:
            self.fail(f"expected {char!r}")
        self.pos += 1

    @staticmethod
    def is_word_char(char: str) -> bool:
        return char.isalnum() or char in "_$."

    def read_quoted(self) -> str:
        """Read '...', "..." or `...`; doubled quotes and (in strings) backslashes escape."""
        quote = self.text[self.pos]
        self.pos += 1
        out: list[str] = []
        while True:
            if self.at_end():
                self.fail("unterminated quote")
            char = self.text[self.pos]
            if char == "\\" and quote == "'" and self.pos + 1 < len(self.text):
                out.append(self.text[self.pos + 1])
                self.pos += 2
            elif char == quote:
                if self.text.startswith(quote * 2, self.pos):
                    out.append(quote)
                    self.pos += 2
                else:
                    self.pos += 1
                    return "".join(out)
            else:
                out.append(char)
                self.pos += 1

    def read_word(self) -> str:
        """A bare or quoted identifier, possibly dotted: ``int4``, ``"b c"``, ``s."T"``."""
        parts: list[str] = []
        while not self.at_end():
            char = self.peek()
            if char in '"`':
                parts.append(self.read_quoted())
            elif self.is_word_char(char):
                start = self.pos
                while not self.at_end() and self.is_word_char(self.peek()):
                    self.pos += 1
                parts.append(self.text[start : self.pos])
            else:
                break
        if not parts:
            self.fail("expected a name")
        return "".join(parts)

    def scan_item(self) -> str:
        """Skip one comma-separated item, balancing brackets and quotes; return its text."""
        start, stack = self.pos, []
        while not self.at_end():
            char = self.peek()
            if char in "'\"`":
                self.read_quoted()
                continue
            if char in _OPEN:
                stack.append(_OPEN[char])
            elif char in ")>]":
                if not stack:
                    break
                if stack.pop() != char:
                    self.fail(f"mismatched {char!r}")
            elif char == "," and not stack:
                break
            self.pos += 1
        if stack:
            self.fail("unbalanced brackets")
        return self.text[start : self.pos].strip()

    def find_colon(self) -> int:
        """Position of a top-level ``:`` in the current item, or -1 (Hive ``a:int``)."""
        saved, stack = self.pos, []
        try:
            while not self.at_end():
                char = self.peek()
                if char in "'\"`":
                    self.read_quoted()
                    continue
                if char in _OPEN:
                    stack.append(char)
                elif char in ")>]":
                    if not stack:
                        return -1
                    stack.pop()
                elif char == "," and not stack:
                    return -1
                elif char == ":" and not stack:
                    return self.pos
                self.pos += 1
            return -1
        finally:
            self.pos = saved

    # -- grammar ---------------------------------------------------------------------------
    def parse_type(self, depth: int) -> TypeNode:
        if depth > MAX_DEPTH:
            self.fail(f"type nested deeper than {MAX_DEPTH} levels")
        self.skip_ws()
        start = self.pos
        words: list[str] = []
        params: list[Param] = []
        fields: list[tuple[str | None, TypeNode]] = []
        nested = False  # after a nested argument list only modifiers and [] may follow
        while True:
            self.skip_ws()
            char = self.peek()
            if char and (self.is_word_char(char) or char in '"`'):
                if words and self.at_modifier():
                    break
                if nested:
                    self.fail("unexpected name after a nested type")
                words.append(self.read_word())
            elif char == "(" and words and not nested:
                name = " ".join(words).lower()
                if not params and (name in _NAMED_FIELDS or name in _TYPE_ARGS):
                    named = name in _NAMED_FIELDS
                    params_, fields_ = self.parse_args(")", depth, named=named, colon=False)
                    params.extend(params_)
                    fields.extend(fields_)
                    nested = True
                else:
                    params.extend(self.parse_literals())
            elif char == "<" and words and not nested and not params:
                named = " ".join(words).lower() in _NAMED_FIELDS
                fields.extend(self.parse_args(">", depth, named=named, colon=True)[1])
                nested = True
            else:
                break
        if not words:
            self.fail("expected a type name")
        raw = self.text[start : self.pos].rstrip()
        node = TypeNode(" ".join(words).lower(), tuple(params), tuple(fields), raw)
        node = self.parse_suffixes(node, start, depth)
        self.skip_modifiers()
        return node

    def at_modifier(self) -> bool:
        end = self.pos
        while end < len(self.text) and self.is_word_char(self.text[end]):
            end += 1
        word = self.text[self.pos : end].lower()
        if word == "character":
            return bool(_CHARSET.match(self.text, self.pos))
        return word in _MODIFIERS

    def skip_modifiers(self) -> None:
        """Drop ``NOT NULL``, ``COMMENT '...'``, ``COLLATE x``, ``CHARACTER SET x``."""
        while True:
            self.skip_ws()
            if not self.peek() or not self.at_modifier():
                return
            word = self.read_word().lower()
            if word in ("not", "null"):
                if word == "not":
                    self.skip_ws()
                    if self.read_word().lower() != "null":
                        self.fail("expected NULL after NOT")
                continue
            if word == "character":
                self.skip_ws()
                self.read_word()  # SET
            self.skip_ws()
            if self.peek() and self.peek() in "'\"`":
                self.read_quoted()
            else:
                self.read_word()

    def parse_suffixes(self, node: TypeNode, start: int, depth: int) -> TypeNode:
        """``T[]``, ``T[3]`` and ``T[][]`` become array nodes; ``fixed[16]`` a parameter."""
        while True:
            self.skip_ws()
            if self.peek() != "[":
                return node
            self.pos += 1
            self.skip_ws()
            size = self.scan_item()
            self.expect("]")
            if size and not _INT.fullmatch(size):
                self.fail("expected an array size")
            raw = self.text[start : self.pos].strip()
            if node.name in _BRACKET_PARAMS and not node.params and size:
                node = TypeNode(node.name, (int(size),), node.fields, raw)
                continue
            depth += 1
            if depth > MAX_DEPTH:
                self.fail(f"type nested deeper than {MAX_DEPTH} levels")
            node = TypeNode("array", (int(size),) if size else (), ((None, node),), raw)

    def parse_literals(self) -> list[Param]:
        """``(10, 2)``, ``('a','b,c')``, ``('x' = 1)``, ``(max)``: literal arguments."""
        self.expect("(")
        out: list[Param] = []
        self.skip_ws()
        if self.peek() == ")":
            self.pos += 1
            return out
        while True:
            self.skip_ws()
            item = self.scan_item()
            if not item:
                self.fail("empty argument")
            out.append(_literal(item))
            self.skip_ws()
            if self.peek() == ",":
                self.pos += 1
                continue
            self.expect(")")
            return out

    def parse_args(
        self, close: str, depth: int, *, named: bool, colon: bool
    ) -> tuple[list[Param], list[tuple[str | None, TypeNode]]]:
        """Types, ``name type`` or ``name: type`` fields (and, in parentheses, literals such
        as ClickHouse's ``Object('json')``), comma-separated, up to ``close``."""
        self.pos += 1
        params: list[Param] = []
        fields: list[tuple[str | None, TypeNode]] = []
        self.skip_ws()
        if self.peek() == close:
            self.pos += 1
            return params, fields
        while True:
            self.skip_ws()
            char = self.peek()
            if close == ")" and (char == "'" or char == "-" or char.isdigit()):
                params.append(_literal(self.scan_item()))
            elif named:
                fields.append(self.parse_field(depth, colon))
            else:
                fields.append((None, self.parse_type(depth + 1)))
            self.skip_ws()
            if self.peek() == ",":
                self.pos += 1
                continue
            if self.peek() != close:
                self.fail(f"expected ',' or {close!r}")
            self.pos += 1
            return params, fields

    def parse_field(self, depth: int, colon: bool) -> tuple[str | None, TypeNode]:
        """One struct field: ``a:int``, ``a int``, ``"b c" VARCHAR[]``, ``1: a: optional int``."""
        colon_at = self.find_colon() if colon else -1
        if colon_at >= 0:
            name = self.text[self.pos : colon_at].strip()
            self.pos = colon_at + 1
            if name.isdigit():  # Iceberg prints "id: name: optional type"
                second = self.find_colon()
                if second >= 0:
                    name = self.text[self.pos : second].strip()
                    self.pos = second + 1
            if not name:
                self.fail("expected a field name")
            if name[0] in '"`' and name[-1] == name[0] and len(name) > 1:
                name = name[1:-1].replace(name[0] * 2, name[0])
            self.skip_ws()
            match = _OPTIONAL.match(self.text, self.pos)
            if match:
                self.pos = match.end()
            return name, self.parse_type(depth + 1)
        start = self.pos
        quoted = bool(self.peek()) and self.peek() in '"`'
        name = self.read_word()
        self.skip_ws()
        char = self.peek()
        if not quoted and (not char or char in ",()<>[]"):
            self.pos = start  # an unnamed element: Tuple(String, UInt64)
            return None, self.parse_type(depth + 1)
        if char == ":":
            self.pos += 1
        return name, self.parse_type(depth + 1)


def _literal(item: str) -> Param:
    """A literal argument: an int, a quoted string (``'a' = 1`` keeps ``a``) or bare text."""
    if _INT.fullmatch(item):
        return int(item)
    if item[:1] == "'":
        sub = _Parser(item)
        value = sub.read_quoted()
        rest = item[sub.pos :]
        if not rest.strip() or _LABEL.fullmatch(rest):
            return value
    return item
