"""Oracle-compatibility types of the PostgreSQL forks (openGauss, GaussDB, KingbaseES, Oscar).

The forks add built-in types PostgreSQL lacks (``nvarchar2``, ``raw``, ``blob``, ``clob``,
``tinyint``, ``smalldatetime``, an Oracle ``date`` that keeps the time...) under OIDs psycopg
does not know: their columns would be typed ``unknown`` and arrive as text. At connect a
:class:`ForkFlavor` reads those types' OIDs from the server's ``pg_type`` (one round trip, by
name, so it holds whatever OIDs a product or release uses), names them for psycopg, and
registers text loaders, so values arrive as ints, floats, datetimes and bytes and the type
map (:data:`FORK_TYPES`) gives their Arrow and SQLAlchemy types.
"""

from __future__ import annotations

import contextlib
import functools
from dataclasses import dataclass
from typing import Any

from sqlgate.core.flavor import parse_version
from sqlgate.core.params import ConnectParams
from sqlgate.core.registry import import_driver
from sqlgate.core.typemap import TypeMap
from sqlgate.dbapi.postgres_family import OPENGAUSS_TYPES, PostgresFlavor
from sqlgate.dbapi.postgres_session import PostgresSession

_DATEOID = 1082  # PostgreSQL's date; a fork's other "date" is Oracle's, with the time
ORACLE_DATE = "oracle_date"


def hex_bytes(data: Any) -> bytes:
    """``raw`` / ``blob`` print as hex text (Oracle style, ``\\x`` optional): their bytes."""
    raw = data.encode() if isinstance(data, str) else bytes(data)  # ksycopg2 hands text
    text = raw[2:] if raw[:2] in (b"\\x", b"\\X") else raw
    try:
        return bytes.fromhex(text.decode("ascii"))
    except (ValueError, UnicodeDecodeError):
        return raw


# type name on the server -> the psycopg text loader its values need
_LOADER_NAMES: dict[str, str] = {
    "varchar2": "TextLoader",
    "nvarchar2": "TextLoader",
    "clob": "TextLoader",
    "nclob": "TextLoader",
    "raw": "HexBytesLoader",
    "blob": "HexBytesLoader",
    "number": "NumericLoader",
    "binary_float": "FloatLoader",
    "binary_double": "FloatLoader",
    "tinyint": "IntLoader",
    "int1": "IntLoader",
    "smalldatetime": "TimestampLoader",
    "date": "TimestampLoader",  # only a date type other than PostgreSQL's (OID 1082)
}


@functools.cache
def _loaders() -> dict[str, Any]:
    """psycopg's loaders, imported when a session opens (psycopg is an extra)."""
    import_driver("postgresql", "psycopg")
    from psycopg.adapt import Loader
    from psycopg.types.datetime import TimestampLoader
    from psycopg.types.numeric import FloatLoader, IntLoader, NumericLoader
    from psycopg.types.string import TextLoader

    class HexBytesLoader(Loader):
        def load(self, data: Any) -> bytes:
            return hex_bytes(data)

    return {
        "TextLoader": TextLoader,
        "HexBytesLoader": HexBytesLoader,
        "NumericLoader": NumericLoader,
        "FloatLoader": FloatLoader,
        "IntLoader": IntLoader,
        "TimestampLoader": TimestampLoader,
    }


# Oracle-style names, openGauss' tinyint/int1/smalldatetime (KingbaseES has tinyint as well)
FORK_TYPES = OPENGAUSS_TYPES.extend({ORACLE_DATE: "timestamp"}, name="postgres-forks")
_QUERY = (
    "SELECT t.oid::int8, t.typname::text, t.typarray::int8 FROM pg_catalog.pg_type t "
    "WHERE t.typname = ANY(%s) AND t.typtype IN ('b', 'e', 'r') ORDER BY t.oid"
)


def register_fork_types(raw: Any) -> dict[int, str]:
    """Name and load the fork's own types on this psycopg connection; {oid: name} added."""
    with raw.cursor() as cur:
        cur.execute(_QUERY, (sorted(_LOADER_NAMES),))
        rows = cur.fetchall()
    raw.rollback()  # leave no transaction open, as the session's own introspection
    from psycopg.types import TypeInfo

    loaders = _loaders()
    added: dict[int, str] = {}
    for oid, typname, array_oid in rows:
        if raw.adapters.types.get(int(oid)) is not None or oid == _DATEOID:
            continue  # psycopg's own (PostgreSQL's) types keep their loaders
        name = ORACLE_DATE if typname == "date" else typname
        raw.adapters.types.add(TypeInfo(name, int(oid), int(array_oid or 0)))
        raw.adapters.register_loader(int(oid), loaders[_LOADER_NAMES[typname]])
        added[int(oid)] = name
    return added


@dataclass(frozen=True)
class ForkFlavor(PostgresFlavor):
    """A PostgreSQL fork: the family's session plus the fork's types from its catalog.

    A fork's ``version()`` takes several shapes across releases and editions, so it may list
    more product patterns (tried in order, after ``product_pattern``), and say which
    PostgreSQL a product version is based on when the banner names none."""

    types: TypeMap = FORK_TYPES
    product_patterns: tuple[str, ...] = ()
    # (product version prefix, PostgreSQL version it is based on), first match wins
    compat_by_product: tuple[tuple[tuple[int, ...], tuple[int, ...]], ...] = ()

    def _product(self, banner: str) -> tuple[int, ...]:
        for pattern in (self.product_pattern, *self.product_patterns):
            found = parse_version(pattern, banner)
            if found:
                return found
        return ()

    def product_version(self, banner: str) -> tuple[int, ...]:
        return self._product(banner) or self.compat_version(banner)

    def compat_version(self, banner: str) -> tuple[int, ...]:
        found = parse_version(self.compat_pattern, banner)
        if found:
            return found
        product = self._product(banner)
        for prefix, compat in self.compat_by_product:
            if product[: len(prefix)] == prefix:
                return compat
        return self.assumed_version

    def open_session(self, params: ConnectParams) -> PostgresSession:
        session = super().open_session(params)
        try:
            register_fork_types(session.raw)
        except BaseException:
            with contextlib.suppress(Exception):
                session.close()
            raise
        return session
