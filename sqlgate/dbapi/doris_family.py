"""Apache Doris and StarRocks (a Doris fork) on the MySQL-protocol family: external catalogs.

Both front a MySQL-protocol endpoint (port 9030) and add multi-catalog (Hive, Iceberg, JDBC...)
databases. A URL names one as ``catalog.db`` (``doris+sqlgate://u@fe:9030/hive.sales``): the
handshake cannot select a database outside the internal catalog, so sqlgate connects without
one, then switches (Doris ``SWITCH hive``, StarRocks ``SET CATALOG hive``) and ``USE sales``.
Neither has a session read-only mode; the statement gate guards, and
``require_read_only_user=true`` reads their own ``SHOW GRANTS`` forms (``doris_grants.py``).
Their column types as Arrow and SQLAlchemy types: :data:`OLAP_TYPES`.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from sqlgate.core import types_entries as te
from sqlgate.core.errors import InterfaceError
from sqlgate.core.params import ConnectParams
from sqlgate.core.typemap import MYSQL_TYPES, TypeMap
from sqlgate.dbapi.mysql_family import MySQLFlavor
from sqlgate.dbapi.mysql_session import MySQLSession

_NAME = re.compile(r"[^`\x00]{1,256}")
# names sqlglot does not read inside ARRAY<...>/MAP<...>: spelled the way it does
_INNER_NAMES = (
    (re.compile(r"\bLARGEINT\b", re.I), "INT128"),
    (re.compile(r"\bDECIMAL(?:V[23])\b", re.I), "DECIMAL"),
    (re.compile(r"\bDATETIMEV2\b", re.I), "DATETIME"),
    (re.compile(r"\bDATEV2\b", re.I), "DATE"),
)

#: Doris and StarRocks type names -> Arrow and SQLAlchemy (MySQL's, plus theirs)
OLAP_TYPES: TypeMap = MYSQL_TYPES.extend(
    {
        "largeint": te.I128,  # 128-bit integer: decimal128(38, 0) in Arrow
        **{"datev2": "date", "datetimev2": "datetime", "decimalv3": "decimal"},
        **{"decimalv2": "decimal", "jsonb": "json", "variant": te.JSON, "ipv4": te.STR},
        **{"ipv6": te.STR, "string": te.TEXT},
        # sketches and aggregate states: opaque bytes (a plain SELECT shows them as NULL)
        **{"hll": te.BLOB, "bitmap": te.BLOB, "quantile_state": te.BLOB},
        **{"agg_state": te.BLOB, "percentile": te.BLOB},
    },
    kinds={
        **MYSQL_TYPES.kinds,
        **{"array": te.ARRAY_OF, "map": te.MAP_OF, "struct": te.STRUCT_OF},
        **{"int128": te.I128, "variant": te.JSON, "jsonb": te.JSON},
    },
    dialect="doris",
    name="doris",
)


def olap_type_text(declared: str) -> str:
    """A declared type as :data:`OLAP_TYPES` reads it (nested Doris names respelled)."""
    text = declared.strip()
    if "<" not in text:
        return text
    head, _, rest = text.partition("<")
    for pattern, spelling in _INNER_NAMES:
        rest = pattern.sub(spelling, rest)
    return f"{head}<{rest}"


def split_catalog(database: str | None) -> tuple[str | None, str | None]:
    """``hive.sales`` -> (``hive``, ``sales``); ``sales`` -> (None, ``sales``)."""
    if not database or "." not in database:
        return None, database
    catalog, _, name = database.partition(".")
    return catalog, name or None


def quoted(name: str, what: str) -> str:
    """A catalog or database name in backquotes; a name that cannot be quoted is refused."""
    if not _NAME.fullmatch(name):
        raise InterfaceError(
            f"{what} {name[:60]!r} is not a valid name (1-256 characters, no backquote)"
        )
    return f"`{name}`"


@dataclass(frozen=True)
class OlapFlavor(MySQLFlavor):
    """A Doris-family source: how it switches to an external catalog."""

    #: ``{}`` is the backquoted catalog name
    catalog_statement: str = "SWITCH {}"

    def catalog_statements(self, database: str | None) -> list[str]:
        """What runs after the handshake for ``catalog.db`` in the URL (nothing otherwise)."""
        catalog, name = split_catalog(database)
        if catalog is None:
            return []
        statements = [self.catalog_statement.format(quoted(catalog, "catalog"))]
        return statements + ([f"USE {quoted(name, 'database')}"] if name else [])

    def open_session(self, params: ConnectParams) -> MySQLSession:
        statements = self.catalog_statements(params.database)
        if not statements:
            return super().open_session(params)
        session = super().open_session(dataclasses.replace(params, database=None))
        try:
            with session._raw.cursor() as cursor:  # trusted text: quoted names only
                for statement in statements:
                    cursor.execute(statement)
        except BaseException:
            session.close()
            raise
        return session
