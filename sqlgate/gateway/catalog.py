"""Catalog emulation: clients' ``pg_catalog`` queries answered from the source's reflection.

The mapped source is reflected once (SQLAlchemy's inspector over sqlgate's own dialect) into an
embedded DuckDB that holds synthesized ``pg_catalog`` tables (pg_namespace, pg_class,
pg_attribute, pg_type, pg_database, ...) in a schema of its own, plus macros for the catalog
functions psql calls. A catalog query is rewritten only where DuckDB's syntax differs
(``OPERATOR(pg_catalog.~)``, ``COLLATE pg_catalog.default``, ``::regclass``) and run there.
"""

from __future__ import annotations

import re
import threading
import time
from typing import Any

import pyarrow as pa

from sqlgate.core import errors
from sqlgate.gateway import catalog_tables
from sqlgate.gateway.catalog_tables import SCHEMA, Relation

#: seconds a reflection is reused before the source is asked again
REFRESH_SECONDS = 300.0

_STRING = re.compile(r"'(?:[^']|'')*'")
_NAME_LIST = "|".join(sorted(catalog_tables.NAMES, key=len, reverse=True))
_TABLE_LIST = "|".join(sorted(catalog_tables.RELATIONS, key=len, reverse=True))
_MACRO_LIST = "|".join(
    sorted(catalog_tables.NAMES - catalog_tables.RELATIONS, key=len, reverse=True)
)
#: ``FORMAT('%I.%I', ...)``: DuckDB's printf has no %I (quote_ident); %s is close enough for names
_FORMAT = re.compile(r"\bFORMAT\s*\(\s*('(?:[^']|'')*')", re.I)
_CAST = re.compile(r"\bCAST\s*\(", re.I)
_CAST_REGCLASS = re.compile(r"\s+AS\s+(?:pg_catalog\s*\.\s*)?REGCLASS\s*$", re.I)
_REWRITES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r'"pg_catalog"\s*\.\s*"(\w+)"', re.I), r"pg_catalog.\1"),
    (re.compile(rf'"({_NAME_LIST})"', re.I), r"\1"),
    (re.compile(r"OPERATOR\s*\(\s*pg_catalog\s*\.\s*([~!<>=*]+)\s*\)", re.I), r"\1"),
    (re.compile(r"COLLATE\s+pg_catalog\s*\.\s*\"?default\"?", re.I), ""),
    (
        re.compile(r"(\x00\d+\x00)\s*::\s*(?:pg_catalog\s*\.\s*)?regclass\b", re.I),
        rf"{SCHEMA}.regclass(\1)",
    ),
    (
        re.compile(
            r"::\s*(?:pg_catalog\s*\.\s*)?(regclass|regtype|regproc|regnamespace|regrole|regoper|oid)\b",
            re.I,
        ),
        "::BIGINT",
    ),
    (re.compile(r"::\s*(?:pg_catalog\s*\.\s*)?(text|name|char)\b", re.I), "::VARCHAR"),
    (re.compile(r"\bcurrent_catalog\b(?!\s*\()", re.I), "current_database()"),
    (
        re.compile(rf"(?<![.\w\"])(?:pg_catalog\s*\.\s*)?\b({_TABLE_LIST})\b(?!\s*[.(])", re.I),
        rf"{SCHEMA}.\1",
    ),
    (
        re.compile(rf"(?<![.\w\"])(?:pg_catalog\s*\.\s*)?\b({_MACRO_LIST})\b(?=\s*\()", re.I),
        rf"{SCHEMA}.\1",
    ),
    (re.compile(r"\bpg_catalog\s*\.\s*", re.I), ""),
    (re.compile(r'"?\binformation_schema\b"?\s*\.\s*', re.I), f"{SCHEMA}_info."),
    (re.compile(r"\bAS\s+(?:pg_catalog\s*\.\s*)?(?:oid|regtype|regproc)\s*\)", re.I), "AS BIGINT)"),
]


def rewrite(sql: str) -> str:
    """PostgreSQL catalog SQL as DuckDB runs it on the synthesized tables."""
    # string literals are set aside so that no rewrite touches a quoted name or pattern
    literals: list[str] = []

    def keep(match: re.Match[str]) -> str:
        literals.append(match.group(0))
        return f"\x00{len(literals) - 1}\x00"

    sql = _FORMAT.sub(lambda m: "printf(" + m.group(1).replace("%I", "%s"), sql)
    text = _cast_regclass(_STRING.sub(keep, sql))
    for pattern, repl in _REWRITES:
        text = pattern.sub(repl, text)
    return re.sub("\x00(\\d+)\x00", lambda m: literals[int(m.group(1))], text)


def _cast_regclass(text: str) -> str:
    """``CAST(<expr> AS REGCLASS)`` -> the regclass lookup macro (parentheses balanced; string
    literals are already set aside, so a parenthesis inside one cannot confuse the match)."""
    out, pos = [], 0
    for match in _CAST.finditer(text):
        if match.start() < pos:
            continue
        depth, end = 1, match.end()
        while end < len(text) and depth:
            depth += {"(": 1, ")": -1}.get(text[end], 0)
            end += 1
        inner = text[match.end() : end - 1]
        if depth == 0 and _CAST_REGCLASS.search(inner):
            expr = _cast_regclass(_CAST_REGCLASS.sub("", inner))
            out.append(text[pos : match.start()] + f"{SCHEMA}.regclass({expr})")
            pos = end
    return "".join(out) + text[pos:]


def _primary_key(inspector: Any, table: str, schema: str | None) -> tuple[str, tuple[str, ...]]:
    """The reflected primary key, or none where the source has or reports none."""
    try:
        pk = inspector.get_pk_constraint(table, schema)
    except Exception:  # lakehouse tables and some dialects have no keys to report
        return "", ()
    return str(pk.get("name") or ""), tuple(pk.get("constrained_columns") or ())


class Catalog:
    """The emulated catalog of one gateway database."""

    def __init__(self, database: str, url: str, databases: list[str] | None = None) -> None:
        self.database = database
        self.databases = databases or [database]
        self.url = url
        self._lock = threading.Lock()
        self._db: Any = None
        self._built = 0.0
        #: the source's default schema, shown to clients as ``public`` ("" before reflection)
        self.default_schema = ""

    def reflect(self) -> list[Relation]:
        """Tables, views and columns of the source, through sqlgate's SQLAlchemy dialect."""
        import sqlalchemy as sa

        engine = sa.create_engine(self.url)
        try:
            inspector = sa.inspect(engine)
            default = inspector.default_schema_name
            self.default_schema = str(default or "")
            relations: list[Relation] = []
            schemas: list[str | None] = [
                s for s in inspector.get_schema_names() if s not in catalog_tables.HIDDEN
            ]
            for schema in schemas or [default]:
                shown = "public" if schema == default or schema is None else schema
                ask = None if schema == default else schema
                for kind, names in (
                    ("r", inspector.get_table_names(ask)),
                    ("v", inspector.get_view_names(ask)),
                ):
                    for name in names:
                        try:
                            columns = inspector.get_columns(name, ask)
                        except Exception:  # one unreadable table hides only itself
                            continue
                        relations.append(
                            Relation(
                                shown, name, kind, list(columns), _primary_key(inspector, name, ask)
                            )
                        )
            return relations
        finally:
            engine.dispose()

    def _database(self) -> Any:
        with self._lock:
            if self._db is None or time.monotonic() - self._built > REFRESH_SECONDS:
                try:
                    relations = self.reflect()
                except errors.Error:
                    raise
                except Exception as exc:
                    raise errors.OperationalError(
                        f"cannot reflect database {self.database}: {exc}"
                    ) from exc
                self._db = catalog_tables.build(self.database, self.databases, relations)
                self._built = time.monotonic()
            return self._db

    def source_schema(self) -> str:
        """The source's name for the schema shown as ``public`` (reflects on first use)."""
        self._database()
        return self.default_schema

    def query(self, sql: str, params: list[Any]) -> pa.RecordBatchReader:
        """Run a catalog query; ``$n`` parameters are DuckDB's own ``$n``."""
        import duckdb

        text = rewrite(sql)
        try:
            parsed = duckdb.extract_statements(text)
        except duckdb.Error as exc:
            raise errors.ProgrammingError(f"catalog query does not parse: {exc}") from exc
        if len(parsed) != 1 or parsed[0].type != duckdb.StatementType.SELECT:
            raise errors.ReadOnlyError(
                "non-SELECT or multi-statement catalog", fix="send one SELECT per catalog query"
            )
        cursor = self._database().cursor()
        try:
            return cursor.sql(text, params=params or None).to_arrow_reader(8192)
        except duckdb.Error as exc:
            raise errors.NotSupportedError(
                f"catalog query not supported by the sqlgate gateway: {exc}"
            ) from exc
