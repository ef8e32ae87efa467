"""The shape of a statement: its text with the values of plain literals left out.

Dashboards send the same query again and again with other dates, ids and names in it. The
gate's verdict of an admitted ``SELECT`` depends on its code, never on the value of a plain
string or number in it, so the gate keeps those verdicts under the statement's *shape* and
gives a statement of a known shape its verdict without parsing it again.

Only tokens whose value cannot matter are left out, and only where the gate's own
server-family lexer (:func:`sqlgate.core.readonly_lexer.lex`, already run on this very
text) says a literal begins and ends; never by a regex of its own:

* a plain ``'...'`` string: no prefix (``E'``, ``N'``, ``X'``, ``B'``, ``U&'``, ``_utf8'``,
  ``r'``: the character before the quote is never part of a word), and only letters, digits,
  space and ``_ . , : @ + -`` inside: no quote, backslash, ``%``, ``$``, ``/``, ``*``, ``#``,
  ``;``, brace or newline, so no server setting, driver or dialect can read its end, or its
  meaning to the parser, differently;
* an unsigned decimal number (``42``, ``3.5``) standing alone in code: not part of a name
  (``t1``), a parameter (``$1``, ``:1``, ``@1``), a hex or exponent form (``0x1F``,
  ``1e5``), or touching a quote.

Everything else (names, keywords, operators, casts, comments, whitespace, identifiers in
double quotes or backticks, dollar-quoted and prefixed strings) stays in the shape verbatim.
Only verdicts of admitted queries are kept by shape (:class:`ShapeCache`), never refusals and
never session statements, whose values are what the gate judges (``SET search_path``).
"""

from __future__ import annotations

import re
import threading
from typing import Generic, TypeVar

from sqlgate.core.readonly_lexer import Spans

#: markers of a left-out string and number; the gate refuses \x00 and \x01 in a statement,
#: so a marker can never be part of a statement's own text
STRING = "\x00"
NUMBER = "\x01"
_PLAIN_CONTENT = re.compile(r"[\w .,:@+\-]*")
_BEFORE_PLAIN = frozenset(" \t\n\r\f(,=<>+-*/|!")
_WORDISH = "\\w$@.:#'\"`\x80-\U0010ffff"
_NUMBER = re.compile(f"(?<![{_WORDISH}])\\d+(?:\\.\\d+)?(?![{_WORDISH}])")
_AFTER_NUMBER = re.compile(f"[{_WORDISH}]")
#: the same on ASCII text, where ``\\w`` and ``\\d`` mean exactly these characters (the
#: scans run about twice as fast without Unicode classes)
_WORDISH_ASCII = "A-Za-z0-9_$@.:#'\"`"
_NUMBER_ASCII = re.compile(f"(?<![{_WORDISH_ASCII}])[0-9]+(?:\\.[0-9]+)?(?![{_WORDISH_ASCII}])")
_PLAIN_CONTENT_ASCII = re.compile(r"[A-Za-z0-9_ .,:@+\-]*")


def shape(text: str, quoted: Spans, comments: Spans) -> str:
    """``text`` with plain string and number values replaced by markers.

    ``quoted`` and ``comments`` are the spans :func:`~sqlgate.core.readonly_lexer.lex`
    found in ``text``: the server family's own reading of where each literal ends.
    """
    if text.isascii():
        return _shape(text, quoted, comments, _NUMBER_ASCII, _PLAIN_CONTENT_ASCII)
    return _shape(text, quoted, comments, _NUMBER, _PLAIN_CONTENT)


def _shape(
    text: str, quoted: Spans, comments: Spans, number: re.Pattern[str], content: re.Pattern[str]
) -> str:
    """One pass over the spans in order: the code between them with its numbers left out,
    each span verbatim or, for a plain string (a comment never starts with ``'``), left out."""
    parts: list[str] = []
    last = 0
    after = _AFTER_NUMBER
    for s, e in [*sorted(quoted + comments), (len(text), -1)]:
        for m in number.finditer(text, last, s):
            if m.end() == s and after.match(text, s):
                continue  # the look-ahead stopped at ``s``: the number touches a literal
            parts += [text[last : m.start()], NUMBER]
            last = m.end()
        parts.append(text[last:s])
        if e < 0:
            break  # the end of the text
        plain = (
            text[s] == "'"
            and e - s >= 2
            and text[e - 1] == "'"
            and (s == 0 or text[s - 1] in _BEFORE_PLAIN)
            and content.fullmatch(text, s + 1, e - 1) is not None
        )
        parts.append(STRING if plain else text[s:e])
        last = e
    return "".join(parts)


V = TypeVar("V")


class ShapeCache(Generic[V]):
    """A bounded map from a shape to a verdict; the oldest entry goes first when full."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: dict[tuple[str, object], V] = {}
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: tuple[str, object]) -> V | None:
        found = self._entries.get(key)
        if found is None:
            self.misses += 1
        else:
            self.hits += 1
        return found

    def put(self, key: tuple[str, object], value: V) -> None:
        if self.size <= 0:
            return
        with self._lock:
            while len(self._entries) >= self.size:
                del self._entries[next(iter(self._entries))]
            self._entries[key] = value

    def __len__(self) -> int:
        return len(self._entries)


__all__ = ["NUMBER", "STRING", "ShapeCache", "shape"]
