"""Parse engine type strings with sqlglot, strictly and safely.

Sources report column types as text in their own notation (``numeric(10,2)``,
``timestamp(3) with time zone``, ``int4[]``, ``int unsigned``,
``STRUCT(a INTEGER, "b c" VARCHAR[])``, ``MAP(VARCHAR, INTEGER)``). sqlglot, which sqlgate
already depends on for SQL, parses every one of these per dialect into an
:class:`sqlglot.exp.DataType` tree, so sqlgate keeps no grammar of its own.

``exp.DataType.build`` parses with ``ErrorLevel.IGNORE`` and silently repairs garbage
(``array<int`` becomes ``ARRAY<INT>``), so this module parses strictly instead, bounds the
nesting before sqlglot recurses, and turns every failure into :class:`TypeParseError`, a
PEP 249 :class:`~sqlgate.core.errors.DataError`. Meaning (which Arrow or SQLAlchemy type a
node is) is given in :mod:`sqlgate.core.typemap`.
"""

from __future__ import annotations

import functools
import re

import sqlglot
from sqlalchemy.exc import SAWarning
from sqlglot import exp
from sqlglot.dialects.dialect import Dialect
from sqlglot.errors import ErrorLevel, TokenError

from sqlgate.core.errors import DataError
from sqlgate.core.types import MAX_DEPTH

__all__ = [
    "MAX_DEPTH",
    "DType",
    "TypeMappingWarning",
    "TypeParseError",
    "array_of",
    "members",
    "params",
    "parse_error",
    "parse_type",
    "type_key",
    "user_type",
]

MAX_CHARS = 1_000_000
"""Longest type string accepted; a 20 000-field struct is well under it."""

DType = exp.DataType.Type  # ``exp.DType`` on sqlglot 30, ``exp.DataType.Type`` on both
_OPEN = {"L_PAREN": "R_PAREN", "L_BRACKET": "R_BRACKET", "LT": "GT"}
_CLOSE = frozenset(_OPEN.values())
_SUFFIX = frozenset({"R_BRACKET", "NUMBER"})
_INT = re.compile(r"-?\d{1,18}")


class TypeParseError(DataError, ValueError):
    """A type string is not well formed; the message quotes it and says why."""


class TypeMappingWarning(SAWarning):
    """A type was unknown or malformed and was mapped to a fallback type."""


def parse_type(text: str, dialect: str | None = None) -> exp.DataType:
    """Parse one type string in ``dialect``'s notation, or raise :class:`TypeParseError`.

    The tree is cached and shared: read it, never modify it.
    """
    if not isinstance(text, str):
        raise parse_error(text, f"a type must be a string, not {type(text).__name__}")
    return _parse_cached(text, dialect)


@functools.lru_cache(maxsize=4096)
def _parse_cached(text: str, dialect: str | None) -> exp.DataType:
    if not text.strip():
        raise parse_error(text, "the type is empty")
    if len(text) > MAX_CHARS:
        raise parse_error(text, f"longer than {MAX_CHARS} characters")
    try:
        _check_brackets(text, dialect)
        node = sqlglot.parse_one(
            text, read=dialect, into=exp.DataType, error_level=ErrorLevel.RAISE
        )
    except TypeParseError:
        raise
    except TokenError as error:
        raise parse_error(text, "unterminated quote or stray character") from error
    except Exception as error:  # sqlglot's ParseError, or a sqlglot bug on odd input
        raise parse_error(text, f"not a type in the {dialect or 'generic'} dialect") from error
    if not isinstance(node, exp.DataType):
        raise parse_error(text, "not a type")
    for array in node.find_all(exp.DataType):
        if array.this == DType.ARRAY and array_size(array) == -1:
            raise parse_error(text, "an array size is not a number")
    return node


def _check_brackets(text: str, dialect: str | None) -> None:
    """Refuse unbalanced or too deeply nested brackets before sqlglot recurses into them.

    sqlglot's tokenizer knows the dialect's quotes, so brackets inside ``'a>b'`` are text.
    """
    stack: list[str] = []
    suffixes = 0  # consecutive [] / [n]: sqlglot nests one ARRAY per suffix
    for token in Dialect.get_or_raise(dialect).tokenize(text):
        kind = token.token_type.name
        suffixes = suffixes + 1 if kind == "L_BRACKET" else suffixes if kind in _SUFFIX else 0
        if kind in _OPEN:
            stack.append(_OPEN[kind])
            if len(stack) > MAX_DEPTH or suffixes > MAX_DEPTH:
                raise parse_error(text, f"nested deeper than {MAX_DEPTH} levels")
        elif kind in _CLOSE and (not stack or stack.pop() != kind):
            raise parse_error(text, "unbalanced brackets")
    if stack:
        raise parse_error(text, "unbalanced brackets")


def parse_error(text: object, reason: str) -> TypeParseError:
    """``cannot parse type '<text>': <reason>``, the text cut to 80 characters."""
    shown = text if not isinstance(text, str) or len(text) <= 80 else text[:77] + "..."
    return TypeParseError(f"cannot parse type {shown!r}: {reason}")


# -- reading a parsed node -------------------------------------------------------------------
def type_key(node: exp.DataType) -> str:
    """The lower-case name a table looks a node up by: ``int``, ``decimal``, ``citext``.

    sqlglot's own type names for the types it knows (``int4`` and ``integer`` are both
    ``int``); the name as written for a user-defined type or an object identifier (``oid``).
    """
    this = node.this
    if this == DType.USERDEFINED:
        kind = node.args.get("kind")
        name = kind.sql() if isinstance(kind, exp.Expression) else str(kind or "")
        return " ".join(name.replace('"', "").lower().split())
    if isinstance(this, DType):
        return this.name.lower()
    if isinstance(this, exp.Interval):  # INTERVAL DAY TO SECOND
        return "interval"
    return str(this).lower()  # OID, REGCLASS: a plain string (or ObjectIdentifier) in sqlglot


def params(node: exp.DataType) -> tuple[int | str, ...]:
    """The literal arguments: ``(10, 2)`` of ``decimal(10,2)``, ``('a', 'b')`` of an enum."""
    out: list[int | str] = []
    for item in node.expressions:
        if isinstance(item, (exp.DataType, exp.ColumnDef)):
            continue
        if isinstance(item, exp.DataTypeParam):
            item = item.this
        text = item.this if isinstance(item, exp.Literal) else (item.name or item.sql())
        is_int = isinstance(item, exp.Literal) and not item.is_string and _INT.fullmatch(text)
        out.append(int(text) if is_int else str(text))
    return tuple(out)


def members(node: exp.DataType) -> list[tuple[str | None, exp.DataType]]:
    """Nested types: ``(name, type)`` for struct fields, ``(None, type)`` for the others."""
    out: list[tuple[str | None, exp.DataType]] = []
    for item in node.expressions:
        if isinstance(item, exp.ColumnDef) and isinstance(item.args.get("kind"), exp.DataType):
            out.append((item.name, item.args["kind"]))
        elif isinstance(item, exp.DataType):
            out.append((None, item))
    return out


def array_size(node: exp.DataType) -> int | None:
    """``3`` for ``INTEGER[3]``, ``None`` without a size, ``-1`` if the size is not a number."""
    values = node.args.get("values") or []
    if not values:
        return None
    value = values[0]
    if isinstance(value, exp.Literal) and not value.is_string and value.this.isdigit():
        return int(value.this)
    return -1


def user_type(name: str, args: tuple[int | str, ...] = ()) -> exp.DataType:
    """A node for a name sqlglot does not know (``citext``, ``tsvector``), with arguments."""
    literals = [
        exp.DataTypeParam(this=exp.Literal.number(a) if isinstance(a, int) else exp.Var(this=a))
        for a in args
    ]
    return exp.DataType(this=DType.USERDEFINED, kind=name, expressions=literals)


def array_of(element: exp.DataType, dimensions: int = 1) -> exp.DataType:
    """``element[]`` (nested ``dimensions`` times)."""
    for _ in range(dimensions):
        element = exp.DataType(this=DType.ARRAY, expressions=[element], nested=True)
    return element
