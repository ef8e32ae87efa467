"""SQLAlchemy types for nested values: ``STRUCT`` and ``MAP``.

SQLAlchemy has a generic ``ARRAY`` but no generic record or map type, and reflection of a
DuckDB, ClickHouse, BigQuery, Snowflake or Spark column must still hand back something that
says what is inside. These are plain :class:`~sqlalchemy.types.UserDefinedType` subclasses,
so they behave the same on SQLAlchemy 1.4 and 2.x; they compile through ``get_col_spec``,
rendering their member types with the dialect's own type compiler when one is at hand.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import exc
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.types import ARRAY, NullType, TypeEngine, UserDefinedType, to_instance

__all__ = ["ARRAY", "MAP", "STRUCT", "col_spec"]


def col_spec(type_: TypeEngine, type_compiler: Any = None, **kw: Any) -> str:
    """Render ``type_`` as DDL text, with the dialect's type compiler if given.

    ARRAY has no generic DDL in most dialects, so when the compiler cannot render it the
    element is rendered with ``[]`` appended (the PostgreSQL/DuckDB spelling).
    """
    if isinstance(type_, ARRAY) and not _can_render_array(type_compiler):
        dims = type_.dimensions or 1
        return col_spec(to_instance(type_.item_type), type_compiler, **kw) + "[]" * dims
    if isinstance(type_, (STRUCT, MAP)):
        return type_.get_col_spec(type_compiler=type_compiler, **kw)
    if type_compiler is not None:
        try:
            return type_compiler.process(type_, **kw)
        except exc.UnsupportedCompilationError:
            pass
    try:
        return str(type_.compile())
    except exc.CompileError:
        return type(type_).__name__.upper()


def _can_render_array(type_compiler: Any) -> bool:
    """Whether the dialect really has ARRAY DDL (the string compiler only pretends to)."""
    return getattr(type(type_compiler), "visit_ARRAY", None) is not None


class STRUCT(UserDefinedType):
    """A record of named fields: DuckDB/BigQuery ``STRUCT``, Spark ``struct``, Trino ``row``.

    ``STRUCT([("a", Integer()), ("b", String())])``; values come back as the driver builds
    them (usually a ``dict``). ``fields`` keeps the order the engine reported.
    """

    cache_ok = True

    def __init__(self, fields: Iterable[tuple[str, Any]] | Mapping[str, Any] = ()) -> None:
        items = fields.items() if isinstance(fields, Mapping) else fields
        self.fields = tuple((str(name), to_instance(type_)) for name, type_ in items)

    @property
    def python_type(self) -> type:
        return dict

    def field_type(self, name: str) -> TypeEngine:
        """The type of one field, or ``NullType`` if there is no such field."""
        for field_name, type_ in self.fields:
            if field_name == name:
                return type_
        return NullType()

    def get_col_spec(self, **kw: Any) -> str:
        body = ", ".join(f"{_quote(n)} {col_spec(t, **kw)}" for n, t in self.fields)
        return f"STRUCT({body})"

    def __repr__(self) -> str:
        return f"STRUCT({list(self.fields)!r})"


class MAP(UserDefinedType):
    """A key/value map: DuckDB/ClickHouse/Snowflake ``MAP``, Spark ``map<k,v>``."""

    cache_ok = True

    def __init__(self, key_type: Any = NullType, value_type: Any = NullType) -> None:
        self.key_type = to_instance(key_type)
        self.value_type = to_instance(value_type)

    @property
    def python_type(self) -> type:
        return dict

    def get_col_spec(self, **kw: Any) -> str:
        return f"MAP({col_spec(self.key_type, **kw)}, {col_spec(self.value_type, **kw)})"

    def __repr__(self) -> str:
        return f"MAP({self.key_type!r}, {self.value_type!r})"


def _quote(name: str) -> str:
    """Double-quote a field name unless it is a plain identifier."""
    if name.isidentifier() and name.isascii():
        return name
    return '"' + name.replace('"', '""') + '"'


@compiles(STRUCT)
@compiles(MAP)
def _compile_nested(type_: STRUCT | MAP, compiler: Any, **kw: Any) -> str:
    """Hand the dialect's type compiler to ``get_col_spec`` so members use its spelling."""
    return type_.get_col_spec(type_compiler=compiler, **kw)
