"""``SHOW CREATE TABLE`` as TiDB and OceanBase print it, made readable for SQLAlchemy.

SQLAlchemy's MySQL reflection parses ``SHOW CREATE TABLE`` line by line; a line it does not
recognise is dropped with a warning, so a product's extra syntax silently loses an index or a
primary key:

* TiDB wraps its own features in ``/*T![feature] ... */`` comments: ``AUTO_RANDOM(5)`` on a
  column, ``CLUSTERED`` / ``NONCLUSTERED`` on the primary key, ``SHARD_ROW_ID_BITS=4`` or
  ``PLACEMENT POLICY=p1`` among the table options.
* OceanBase appends index options (``BLOCK_SIZE 16384 LOCAL``, ``GLOBAL``, ``STORING (c)``,
  ``WITH_ROWID``) to every key line, and prints a foreign key's actions in the other order.

:class:`ProductTableParser` strips those before SQLAlchemy's parser reads the text and keeps
what they said on the reflected state (``state.sqlgate``). The dialect reports it where
SQLAlchemy keeps such facts without validating them: a column's ``info["tidb_auto_random"]``,
table options (``tidb_primary_key``: ``CLUSTERED``, ``tidb_shard_row_id_bits``,
``mysql_oceanbase_global_indexes``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import util
from sqlalchemy.dialects.mysql.reflection import MySQLTableDefinitionParser
from sqlalchemy.types import UserDefinedType

_TIDB_COMMENT = re.compile(r"\s*/\*T!(?:\[(?P<feature>[\w-]+)\])?\s*(?P<body>.*?)\s*\*/")
_AUTO_RANDOM = re.compile(r"AUTO_RANDOM\s*\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\)", re.I)
_OB_INDEX_OPTION = re.compile(
    r"\s+(?:BLOCK_SIZE\s+\d+|LOCAL|GLOBAL|WITH_ROWID|STORING\s*\([^()]*\)|PARALLEL\s+\d+"
    r"|PARSER_PROPERTIES\s*=\s*\([^()]*\)|WITH\s*\([^()]*\))"  # full-text, vector index options
    r"(?=\s|,|$)",
    re.I,
)
_KEY_LINE = re.compile(r"^  (?:PRIMARY |UNIQUE |FULLTEXT |SPATIAL |VECTOR )?KEY\b")
_KEY_NAME = re.compile(r"^  (?:(?P<kind>\w+) )?KEY(?: +`(?P<name>(?:``|[^`])+)`)?")


class Vector(UserDefinedType):
    """OceanBase's ``VECTOR(n)`` column (seekdb's vector search). SQLAlchemy's MySQL reflection
    cannot build an unknown type that carries an argument (it fails on the whole table), so
    the OceanBase dialect names it; values arrive as text such as ``[0.1,0.2]``."""

    cache_ok = True

    def __init__(self, dim: int | None = None, **_: Any) -> None:
        self.dim = dim

    def get_col_spec(self, **_: Any) -> str:
        return f"VECTOR({self.dim})" if self.dim else "VECTOR"


@dataclass
class ProductDetails:
    """What a product's extra syntax said about one table."""

    auto_random: dict[str, tuple[int, int | None]] = field(default_factory=dict)
    clustered: bool | None = None  # the primary key's CLUSTERED / NONCLUSTERED
    index_scope: dict[str, str] = field(default_factory=dict)  # OceanBase LOCAL / GLOBAL
    table_options: dict[str, str] = field(default_factory=dict)


def _column_name(line: str) -> str:
    match = re.match(r"^  `((?:``|[^`])+)`", line)
    return match.group(1).replace("``", "`") if match else ""


def _tidb_line(line: str, details: ProductDetails) -> str:
    """Remove TiDB's feature comments from one line, noting what they said."""
    for match in _TIDB_COMMENT.finditer(line):
        feature, body = match.group("feature") or "", match.group("body").strip()
        upper = body.upper()
        random = _AUTO_RANDOM.search(body)
        if random and line.startswith("  `"):
            shard = int(random.group(1))
            span = int(random.group(2)) if random.group(2) else None
            details.auto_random[_column_name(line)] = (shard, span)
        elif line.startswith("  PRIMARY KEY") and upper in ("CLUSTERED", "NONCLUSTERED"):
            details.clustered = upper == "CLUSTERED"
            details.table_options["tidb_primary_key"] = upper
        elif line.startswith(")"):
            for option in re.finditer(r"(\w+(?: \w+)?)\s*=\s*(`[^`]*`|'[^']*'|\S+)", body):
                name = option.group(1).lower().replace(" ", "_")
                details.table_options[f"tidb_{name}"] = option.group(2).strip("`'")
        elif feature:
            details.table_options.setdefault(f"tidb_feature_{feature}", body)
    return _TIDB_COMMENT.sub("", line)


def _oceanbase_key_line(line: str, details: ProductDetails) -> str:
    """Remove OceanBase's index options from a key line, noting LOCAL / GLOBAL."""
    if not _KEY_LINE.match(line):
        return line
    head = _KEY_NAME.match(line)
    scope = re.search(r"\s(LOCAL|GLOBAL)(?=\s|,|$)", line)
    if head and head.group("name") and scope:
        name = head.group("name").replace("``", "`")
        details.index_scope[name] = scope.group(1).lower()
        if scope.group(1).upper() == "GLOBAL":  # a table option: SQLAlchemy keeps it as is
            known = details.table_options.get("mysql_oceanbase_global_indexes")
            details.table_options["mysql_oceanbase_global_indexes"] = (
                f"{known},{name}" if known else name
            )
    comma = line.rstrip().endswith(",")
    cleaned = _OB_INDEX_OPTION.sub("", line.rstrip().rstrip(",")).rstrip()
    # SQLAlchemy reads a full-text parser from MySQL's versioned-comment form only
    cleaned = re.sub(r" WITH PARSER +(\S+)$", r" /*!50100 WITH PARSER \1 */", cleaned)
    if cleaned.startswith("  VECTOR KEY") and head and head.group("name"):
        name = head.group("name").replace("``", "`")
        known = details.table_options.get("mysql_oceanbase_vector_indexes")
        details.table_options["mysql_oceanbase_vector_indexes"] = (
            f"{known},{name}" if known else name
        )
        cleaned = "  KEY" + cleaned[len("  VECTOR KEY") :]  # reflected as a plain index
    return cleaned + ("," if comma else "")


_FK_ACTIONS = re.compile(r"( ON UPDATE [A-Z ]+?)( ON DELETE [A-Z ]+?)$")


def _oceanbase_fk_line(line: str) -> str:
    """OceanBase prints ``REFERENCES `t`(`id`) ON UPDATE … ON DELETE … ``; SQLAlchemy reads
    ``REFERENCES `t` (`id`) ON DELETE … ON UPDATE …``."""
    if not line.startswith("  CONSTRAINT ") or " FOREIGN KEY " not in line:
        return line
    comma = line.rstrip().endswith(",")
    body = re.sub(r"(REFERENCES +`(?:``|[^`])+`(?:\.`(?:``|[^`])+`)?)\(", r"\1 (", line.rstrip())
    body = _FK_ACTIONS.sub(r"\2\1", body.rstrip(",").rstrip())
    return body + ("," if comma else "")


def clean_show_create(text: str) -> tuple[str, ProductDetails]:
    """The text with TiDB's and OceanBase's extra syntax removed, and what it said."""
    details = ProductDetails()
    lines = []
    for line in re.split(r"\r?\n", text):
        if "/*T!" in line:
            line = _tidb_line(line, details)
        lines.append(_oceanbase_fk_line(_oceanbase_key_line(line, details)))
    return "\n".join(lines), details


class ProductTableParser(MySQLTableDefinitionParser):
    """SQLAlchemy's parser, fed the cleaned text; the details ride on the state."""

    def parse(self, show_create: str, charset: str | None) -> Any:
        cleaned, details = clean_show_create(show_create)
        state = super().parse(cleaned, charset)
        setattr(state, "sqlgate", details)  # noqa: B010 - SQLAlchemy's state has no slot for it
        state.table_options.update(details.table_options)
        return state


def details_of(state: Any) -> ProductDetails:
    return getattr(state, "sqlgate", None) or ProductDetails()


class ProductReflectionMixin:
    """Mixed into a MySQL-family dialect before it: SHOW CREATE TABLE read through
    :class:`ProductTableParser`; what the product syntax said reported where SQLAlchemy keeps
    it (``info`` of a column, the table options), never as dialect keywords it would validate.
    """

    @util.memoized_property
    def _tabledef_parser(self) -> ProductTableParser:
        return ProductTableParser(self, self.identifier_preparer)  # type: ignore[arg-type,attr-defined]

    def get_columns(
        self, connection: Any, table_name: str, schema: str | None = None, **kw: Any
    ) -> list[Any]:
        columns: list[Any] = super().get_columns(  # type: ignore[misc]
            connection, table_name, schema, **kw
        )
        state = self._parsed_state_or_create(  # type: ignore[attr-defined]
            connection, table_name, schema, **kw
        )
        auto_random = details_of(state).auto_random
        for column in columns:
            if column["name"] in auto_random:
                shard, span = auto_random[column["name"]]
                column["autoincrement"] = True  # TiDB fills it: never a client-side value
                info = {"tidb_auto_random": {"shard_bits": shard, "range_bits": span}}
                column["info"] = {**column.get("info", {}), **info}
        return columns
